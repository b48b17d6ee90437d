"""The credentials projection: API keys and revoked principals, timed by their entries.

Times are the Unix seconds of the entries' timestamps, so the ledger alone decides them: a
token issued at or before a principal's revocation is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from ledger.kinds import CREDENTIALS, Kind
from ledger.payloads import ApiKeyIssued, ApiKeyRevoked, PrincipalRevoked
from ledger.storage.projection import Projection, ProjectionWriter
from ledger.storage.store import StoredEntry
from ledger.storage.tables import api_keys, revoked_principals


def entry_seconds(timestamp: str) -> int:
    """Unix seconds of an entry timestamp (``2026-12-01T08:00:00.000Z``), rounded down."""
    moment = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return int(moment.timestamp())


def _issued(writer: ProjectionWriter, entry: StoredEntry, p: ApiKeyIssued, _b: object) -> None:
    writer.insert(
        api_keys,
        {
            "key_id": p.key_id,
            "principal": p.principal,
            "created_at": entry_seconds(entry.timestamp),
            "revoked_at": None,
        },
    )


def _revoked(writer: ProjectionWriter, entry: StoredEntry, p: ApiKeyRevoked, _b: object) -> None:
    writer.execute(
        update(api_keys)
        .where(api_keys.c.key_id == p.key_id)
        .values(revoked_at=entry_seconds(entry.timestamp))
    )


def _principal(
    writer: ProjectionWriter, entry: StoredEntry, p: PrincipalRevoked, _b: object
) -> None:
    seconds = entry_seconds(entry.timestamp)
    found = writer.execute(
        select(revoked_principals.c.principal).where(revoked_principals.c.principal == p.principal)
    ).first()
    if found is None:
        writer.insert(revoked_principals, {"principal": p.principal, "revoked_at": seconds})
    else:
        writer.execute(
            update(revoked_principals)
            .where(revoked_principals.c.principal == p.principal)
            .values(revoked_at=seconds)
        )


PROJECTION = Projection(
    CREDENTIALS,
    (api_keys, revoked_principals),
    {
        Kind.API_KEY_ISSUED: _issued,
        Kind.API_KEY_REVOKED: _revoked,
        Kind.PRINCIPAL_REVOKED: _principal,
    },
)
