"""The reports projection: each verification report a holder created, its certificate, its
validity, the SHA-256 of its code, and whether the holder withdrew it."""

from __future__ import annotations

from sqlalchemy import update

from ledger.kinds import REPORTS, Kind
from ledger.payloads import ReportCreated, ReportWithdrawn
from ledger.storage.projection import Projection, ProjectionWriter
from ledger.storage.report_tables import verification_reports
from ledger.storage.store import StoredEntry


def _created(writer: ProjectionWriter, entry: StoredEntry, p: ReportCreated, _b: object) -> None:
    # The principal is learner:<account>, the holder who created the report.
    account = entry.principal.partition(":")[2]
    writer.insert(
        verification_reports,
        {
            "report": p.report,
            "certificate": p.certificate,
            "account": account,
            "days": p.days,
            "valid_until": p.valid_until,
            "code_hash": p.code_hash,
            "created_index": entry.index,
            "withdrawn_index": None,
        },
    )


def _withdrawn(
    writer: ProjectionWriter, entry: StoredEntry, p: ReportWithdrawn, _b: object
) -> None:
    writer.execute(
        update(verification_reports)
        .where(verification_reports.c.report == p.report)
        .values(withdrawn_index=entry.index)
    )


PROJECTION = Projection(
    REPORTS,
    (verification_reports,),
    {Kind.REPORT_CREATED: _created, Kind.REPORT_WITHDRAWN: _withdrawn},
)
