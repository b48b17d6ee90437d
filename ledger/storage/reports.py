"""Reads of verification reports: a holder's list, one report by id or by its code's hash,
with the certificate it shows and the holder's name from the personal-data store.

Writes go through the unit of work (ledger/services/reports.py); these functions take a
connection so that a write's rules read inside its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, select

from ledger.storage.report_tables import report_codes, verification_reports
from ledger.storage.tables import entries, holder_secrets

__all__ = ["ReportRepository", "ReportRow", "report_by_id"]


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A report as the projection holds it, with the timestamp of its ``report.created``."""

    report: str
    certificate: str
    account: str
    days: int
    created_at: str
    valid_until: str
    created_index: int
    withdrawn_index: int | None

    def state(self, now: str) -> str:
        """``withdrawn``, ``expired`` (from ``valid_until`` on) or ``valid`` at ``now`` (an
        entry timestamp: the fixed shape compares as text)."""
        if self.withdrawn_index is not None:
            return "withdrawn"
        return "expired" if now >= self.valid_until else "valid"


def _query() -> Any:
    return select(verification_reports, entries.c.timestamp.label("created_at")).join(
        entries, entries.c.idx == verification_reports.c.created_index
    )


def _row(row: Row[Any]) -> ReportRow:
    return ReportRow(
        report=row.report,
        certificate=row.certificate,
        account=row.account,
        days=row.days,
        created_at=row.created_at,
        valid_until=row.valid_until,
        created_index=row.created_index,
        withdrawn_index=row.withdrawn_index,
    )


def report_by_id(connection: Connection, report: str) -> ReportRow | None:
    """The report ``report``, or None."""
    row = connection.execute(_query().where(verification_reports.c.report == report)).first()
    return None if row is None else _row(row)


class ReportRepository:
    """Read verification reports outside any write."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def reports_of(self, account: str) -> list[ReportRow]:
        """The reports the holder of ``account`` created, newest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                _query()
                .where(verification_reports.c.account == account)
                .order_by(verification_reports.c.created_index.desc())
            )
            return [_row(row) for row in rows]

    def report(self, report: str) -> ReportRow | None:
        """The report ``report``, or None."""
        with self.engine.connect() as connection:
            return report_by_id(connection, report)

    def by_code_hash(self, digest: str) -> ReportRow | None:
        """The report whose code has SHA-256 ``digest``, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                _query().where(verification_reports.c.code_hash == digest)
            ).first()
            return None if row is None else _row(row)

    def code(self, report: str) -> str | None:
        """The code of ``report`` kept beside the ledger, or None."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(report_codes.c.code).where(report_codes.c.report == report)
            ).scalar_one_or_none()
            return None if found is None else str(found)

    def holder_name(self, certificate: str) -> str | None:
        """The full name of the holder of ``certificate``; None once erased."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(holder_secrets.c.name).where(holder_secrets.c.certificate == certificate)
            ).scalar_one_or_none()
            return None if found is None else str(found)
