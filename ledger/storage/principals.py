"""Reads of API keys and revoked principals (projections/credentials.py writes them), with
each key's secret hash from beside the ledger, for the token service.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from ledger.storage.tables import api_key_secrets, api_keys, revoked_principals


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key as stored: never the secret, only its SHA-256."""

    key_id: str
    principal: str
    secret_hash: bytes
    created_at: int
    revoked_at: int | None


def api_key(connection: Connection, key_id: str) -> ApiKeyRecord | None:
    """The API key ``key_id``, revoked or not; None if there is none."""
    row = connection.execute(
        select(api_keys, api_key_secrets.c.secret_hash)
        .join(api_key_secrets, api_key_secrets.c.key_id == api_keys.c.key_id, isouter=True)
        .where(api_keys.c.key_id == key_id)
    ).first()
    if row is None:
        return None
    return ApiKeyRecord(
        row.key_id,
        row.principal,
        bytes(row.secret_hash or bytes(32)),
        row.created_at,
        row.revoked_at,
    )


def active_api_key_ids(connection: Connection, principal: str) -> list[str]:
    """Ids of the principal's API keys that are not revoked, oldest first."""
    rows = connection.execute(
        select(api_keys.c.key_id)
        .where(api_keys.c.principal == principal, api_keys.c.revoked_at.is_(None))
        .order_by(api_keys.c.created_at, api_keys.c.key_id)
    )
    return list(rows.scalars())


def principal_revoked_at(connection: Connection, principal: str) -> int | None:
    """When the principal was last revoked (Unix seconds); None if never."""
    value = connection.execute(
        select(revoked_principals.c.revoked_at).where(revoked_principals.c.principal == principal)
    ).scalar()
    return None if value is None else int(value)


class PrincipalStore:
    """Read API keys and revocations outside any append, one short connection each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        """The API key ``key_id``; None if there is none."""
        with self.engine.connect() as connection:
            return api_key(connection, key_id)

    def active_api_key_ids(self, principal: str) -> list[str]:
        """Ids of the principal's unrevoked API keys."""
        with self.engine.connect() as connection:
            return active_api_key_ids(connection, principal)

    def standing(
        self, principal: str, key_id: str | None
    ) -> tuple[int | None, ApiKeyRecord | None]:
        """The principal's revocation time and (if ``key_id``) that API key, in one read."""
        with self.engine.connect() as connection:
            revoked_at = principal_revoked_at(connection, principal)
            record = None if key_id is None else api_key(connection, key_id)
        return revoked_at, record
