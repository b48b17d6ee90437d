"""The table of the ledger's identities (migration 0015): a projection of the
``ledger.identity`` entries, the origin, public URL and issuer from each one's index on."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table

from ledger.storage.tables import metadata

ledger_identities = Table(
    "ledger_identities",
    metadata,
    # The index of the ledger.identity entry: the identity holds from this entry on.
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("origin", String(200), nullable=False),
    Column("public_url", String(200), nullable=False),
    Column("issuer", String(200), nullable=False),
)
