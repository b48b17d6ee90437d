"""Verification reports over HTTP, for the learner who holds the certificate: create one
(``POST /learner/reports``), list theirs, withdraw one, print one as a PDF.

Every path needs the learner's bearer token; another learner's report is answered as if it
did not exist. The public page a report code opens is api/pages/report_page.py.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
)

from api.certificates import WRITE_ERRORS
from api.errors import error_spec
from api.params import ApiController
from api.report_pdf import report_pdf
from ledger.bootstrap import Ledger
from ledger.core.errors import Conflict
from ledger.core.jws import parse_compact
from ledger.core.principals import Principal
from ledger.domain.reports import format_code, report_url
from ledger.services.reports import ReportRow
from schemas.holder_reports import ReportRequest, ReportView
from schemas.registry import RecordedChange

__all__ = ["HolderReportController"]

_NOT_YOURS = {HTTP_404_NOT_FOUND: error_spec("No report of yours with this id.")}


def _view(ledger: Ledger, row: ReportRow, code: str) -> ReportView:
    state = row.state(ledger.reports.now())
    return ReportView(
        report=row.report,
        certificate=row.certificate,
        code=format_code(code),
        url=report_url(ledger.settings.public_url, code),
        pdf=f"/learner/reports/{row.report}/report.pdf",
        days=row.days,
        created_at=row.created_at,
        valid_until=row.valid_until,
        state=state,  # type: ignore[arg-type]
        created_index=row.created_index,
        withdrawn_index=row.withdrawn_index,
    )


class HolderReportController(ApiController):
    """A learner's verification reports."""

    path = "/learner/reports"
    tags = ["verification reports"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Create a verification report",
        description=(
            "The learner who holds the certificate, for a validity of 30 to 180 days. "
            "Answers the report code (16 characters, shown as XXXX-XXXX-XXXX-XXXX) and the "
            "page it opens, where anyone with the code sees the certificate with the "
            "holder's full name until the report expires or is withdrawn. Records "
            "report.created (with SHA-256 of the code, never the name)."
        ),
        responses={
            **WRITE_ERRORS,
            HTTP_404_NOT_FOUND: error_spec("No such certificate."),
            HTTP_409_CONFLICT: error_spec("The certificate is revoked or the name erased."),
        },
    )
    def create(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[ReportRequest],
    ) -> ReportView:
        """Create a report of ``data.certificate`` valid ``data.days`` days."""
        created = ledger.reports.create(principal, data.certificate, data.days)
        row, code = ledger.reports.owned(principal, created.report)
        return _view(ledger, row, code)

    @get(
        "/",
        sync_to_thread=True,
        summary="The caller's verification reports",
        description="Newest first, with their codes and states (valid, expired, withdrawn).",
        responses=WRITE_ERRORS,
    )
    def reports(
        self, ledger: NamedDependency[Ledger], principal: NamedDependency[Principal]
    ) -> Response[list[ReportView]]:
        """The reports of the calling learner."""
        views = [
            _view(ledger, row, ledger.reports.owned(principal, row.report)[1])
            for row in ledger.reports.reports_of(principal)
        ]
        return Response(views, headers={"Cache-Control": "no-store"})

    @post(
        "/{report:str}/withdraw",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Withdraw a verification report",
        description="Its code stops working at once. Records report.withdrawn.",
        responses={
            **WRITE_ERRORS,
            **_NOT_YOURS,
            HTTP_409_CONFLICT: error_spec("Withdrawn already."),
        },
    )
    def withdraw(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        report: FromPath[str],
    ) -> RecordedChange:
        """Withdraw the report ``report``."""
        index = ledger.reports.withdraw(principal, report)
        return RecordedChange(id=report, status="withdrawn", index=index)

    @get(
        "/{report:str}/report.pdf",
        sync_to_thread=True,
        media_type="application/pdf",
        summary="A verification report as a PDF",
        description=(
            "One A4 page in Chinese and English: the report code, the QR code of the "
            "report page, the certificate (the name masked) and the validity."
        ),
        responses={
            **WRITE_ERRORS,
            **_NOT_YOURS,
            HTTP_409_CONFLICT: error_spec("The report was withdrawn or has expired."),
        },
    )
    def pdf(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        report: FromPath[str],
    ) -> Response[bytes]:
        """The report ``report`` as a PDF, while it is valid."""
        row, code = ledger.reports.owned(principal, report)
        state = row.state(ledger.reports.now())
        if state != "valid":
            raise Conflict(f"report {row.report} is {state}: its code no longer works")
        record = ledger.certificates.certificate(row.certificate).record
        claims: dict[str, Any] = json.loads(parse_compact(record).payload)
        body = report_pdf(
            claims,
            code,
            report_url(ledger.settings.public_url, code),
            row.created_at,
            row.valid_until,
        )
        return Response(
            body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="report-{row.report}.pdf"',
                "Cache-Control": "no-store",
            },
        )
