"""The identity projection: the ledger's origin, public URL and issuer, one row for each
``ledger.identity`` entry; and the reads of it that the bootstrap and the log make."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from ledger.kinds import IDENTITY, Kind
from ledger.payloads import LedgerIdentity
from ledger.storage.identity_tables import ledger_identities
from ledger.storage.projection import Projection, ProjectionWriter
from ledger.storage.store import StoredEntry

__all__ = ["PROJECTION", "Identity", "identities"]


@dataclass(frozen=True)
class Identity:
    """Who the ledger is from entry ``index`` on."""

    index: int
    origin: str
    public_url: str
    issuer: str


def _recorded(
    writer: ProjectionWriter, entry: StoredEntry, p: LedgerIdentity, _beside: object
) -> None:
    row = {"idx": entry.index, "origin": p.origin, "public_url": p.public_url, "issuer": p.issuer}
    writer.insert(ledger_identities, row)


def identities(source: Engine | Connection) -> list[Identity]:
    """Every identity the ledger recorded, oldest first (empty: none yet)."""
    query = select(ledger_identities).order_by(ledger_identities.c.idx)
    if isinstance(source, Connection):
        rows = source.execute(query).all()
    else:
        with source.connect() as connection:
            rows = connection.execute(query).all()
    return [Identity(row.idx, row.origin, row.public_url, row.issuer) for row in rows]


PROJECTION = Projection(IDENTITY, (ledger_identities,), {Kind.LEDGER_IDENTITY: _recorded})
