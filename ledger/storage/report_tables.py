"""The table of verification reports (migration 0011), on the metadata of ledger.storage.tables.

``verification_reports`` is a projection of the ``report.*`` entries (projections/reports.py):
it holds no name, only the SHA-256 of each report's code. The name a report shows is read
from the personal-data store when it is shown, and every showing goes to the access log.

``report_codes`` lives beside the ledger (a secret, like a password): each report's code,
so that its holder can print the report again; only the holder reads it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table

from ledger.storage.tables import metadata

verification_reports = Table(
    "verification_reports",
    metadata,
    Column("report", String(16), primary_key=True),
    Column("certificate", String(16), nullable=False, index=True),
    Column("account", String(12), nullable=False, index=True),
    Column("days", Integer, nullable=False),
    Column("valid_until", String(24), nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_index", BigInteger, nullable=False, unique=True),
    Column("withdrawn_index", BigInteger, nullable=True),
)

report_codes = Table(
    "report_codes",
    metadata,
    Column("report", String(16), primary_key=True),
    Column("code", String(16), nullable=False),
)
