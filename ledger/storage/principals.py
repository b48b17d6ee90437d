"""Storage of API keys (hashed) and revoked principals, for the token service.

Writes run only inside the append transaction of the ledger entries they mirror.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from ledger.storage.tables import api_keys, revoked_principals


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key as stored: never the secret, only its SHA-256."""

    key_id: str
    principal: str
    secret_hash: bytes
    created_at: int
    revoked_at: int | None


def insert_api_key(
    connection: Connection, key_id: str, principal: str, secret_hash: bytes, created_at: int
) -> None:
    """Store a new API key (IntegrityError if the id exists)."""
    connection.execute(
        api_keys.insert(),
        {
            "key_id": key_id,
            "principal": principal,
            "secret_hash": secret_hash,
            "created_at": created_at,
            "revoked_at": None,
        },
    )


def mark_api_key_revoked(connection: Connection, key_id: str, revoked_at: int) -> None:
    """Record that the API key ``key_id`` is revoked from ``revoked_at`` on."""
    connection.execute(
        api_keys.update().where(api_keys.c.key_id == key_id).values(revoked_at=revoked_at)
    )


def mark_principal_revoked(connection: Connection, principal: str, revoked_at: int) -> None:
    """Refuse the principal's tokens issued at or before ``revoked_at``; re-revoking moves it."""
    updated = connection.execute(
        revoked_principals.update()
        .where(revoked_principals.c.principal == principal)
        .values(revoked_at=revoked_at)
    )
    if updated.rowcount == 0:
        connection.execute(
            revoked_principals.insert(), {"principal": principal, "revoked_at": revoked_at}
        )


def api_key(connection: Connection, key_id: str) -> ApiKeyRecord | None:
    """The API key ``key_id``, revoked or not; None if there is none."""
    row = connection.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
    if row is None:
        return None
    return ApiKeyRecord(
        row.key_id, row.principal, bytes(row.secret_hash), row.created_at, row.revoked_at
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
