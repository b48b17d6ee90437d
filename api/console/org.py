"""The organization's console: its assessments (upcoming, past, by standard) with their
candidates, results from a sheet (preview, confirm), the passing candidates'
certificates; its certificates (filter, revoke, PDF of one, of a batch, or a ZIP).
Every object of another organization is 404."""

from __future__ import annotations

import io
import zipfile
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.console.base import PAGE_HEADERS, StaffSession, back, not_found, page, paging
from api.console.learner_view import certificate_face
from api.console.pdf import certificate_pdf, certificates_pdf
from api.console.texts import describe_error, field_name, problem_text
from api.sheets import sheet_as_csv
from ledger.bootstrap import Ledger
from ledger.core.errors import LedgerError
from ledger.core.principals import Role
from ledger.domain.registry import InvalidField
from ledger.services.certificates import china_today

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
PAGE_SIZE = 20


def org_of(staff: StaffSession) -> str:
    """The organization the staff member acts for; 403 for staff of any other party."""
    if staff.principal.role is not Role.ORG or staff.principal.id is None:
        raise PermissionDeniedException(
            "只有培训评价组织的工作人员可以打开此页 / organization staff only"
        )
    return staff.principal.id


def _own_assessment(ledger: Ledger, org: str, assessment: str) -> dict[str, Any]:
    record = ledger.pilot.reads.assessment(assessment[:20])
    if record is None or record["org"] != org:
        raise not_found("这场考核 / this assessment")
    return record


def _pdf(content: bytes, filename: str, media_type: str = "application/pdf") -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            **PAGE_HEADERS,
        },
    )


class OrgAssessmentsController(Controller):
    """The organization's assessments, candidates, results and issuance."""

    path = "/org/assessments"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def assessments(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        when: FromQuery[str] = "upcoming",
        standard: FromQuery[str] = "",
        offset: FromQuery[int] = 0,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Upcoming (from today) or past assessments, optionally of one standard."""
        org = org_of(staff)
        today = china_today().isoformat()
        found = ledger.org_lists.assessments(
            org=org,
            standard=standard.strip()[:32] or None,
            date_from=today if when == "upcoming" else None,
            date_to=today if when == "past" else None,
            limit=PAGE_SIZE,
            offset=max(0, min(offset, 1_000_000_000)),
        )
        return page(
            "org_assessments.html",
            staff,
            assessments=found.items,
            when=when,
            standard=standard[:32],
            paged=paging(offset, PAGE_SIZE, found.total),
            notice=done,
            fee_caps=ledger.pilot.reads.fee_caps(),
        )

    @get("/{assessment:str}", sync_to_thread=True)
    def assessment(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        assessment: FromPath[str],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """One assessment: its candidates, the results form, the issue button."""
        record = _own_assessment(ledger, org_of(staff), assessment)
        return page(
            "org_assessment.html",
            staff,
            a=record,
            candidates=ledger.org_lists.candidates(record["assessment"]),
            notice=done,
        )

    @post(
        "/{assessment:str}/results",
        sync_to_thread=True,
        status_code=200,
        request_max_body_size=8 * 1_048_576,
    )
    def results(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        assessment: FromPath[str],
        data: Multipart,
    ) -> Template | Redirect:
        """Check a results sheet; every bad row named, or on to confirm it."""
        record = _own_assessment(ledger, org_of(staff), assessment)
        file = data.get("file")
        if not isinstance(file, UploadFile):
            raise InvalidField("file", "choose an .xlsx or CSV file")
        preview = ledger.results_sheets.preview(
            staff.principal, record["assessment"], sheet_as_csv(file.file.read())
        )
        if preview.upload is not None:
            return back(f"/console/org/uploads/{preview.upload}")
        problems = [
            {
                "row": p.row,
                "column": field_name(p.column),
                "text": problem_text(p.column, p.problem),
            }
            for p in preview.problems
        ]
        return page(
            "org_results_preview.html",
            staff,
            a=record,
            rows=preview.rows,
            problems=problems,
            upload=None,
        )

    @post("/{assessment:str}/certificates", sync_to_thread=True, status_code=303)
    def issue(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        assessment: FromPath[str],
    ) -> Redirect:
        """Issue the passing candidates' certificates."""
        record = _own_assessment(ledger, org_of(staff), assessment)
        issued = ledger.pilot.issue_certificates(staff.principal, record["assessment"])
        count = 0 if issued.outcome is None else len(issued.outcome.certificates)
        return back(
            f"/console/org/certificates?assessment={record['assessment']}",
            f"已发证 {count} 张 / {count} certificates issued",
        )


class OrgUploadsController(Controller):
    """A results sheet waiting for confirmation."""

    path = "/org/uploads"
    include_in_schema = False

    @get("/{upload:str}", sync_to_thread=True)
    def preview(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        upload: FromPath[str],
    ) -> Template:
        """The checked sheet, its rows, the confirm button (or its result)."""
        org = org_of(staff)
        stored = ledger.results_sheets.get(staff.principal, upload[:40])
        if stored is None:
            raise not_found("这份表格 / this upload")
        a = stored.rows[0]["assessment"] if stored.rows else (stored.result or {}).get("assessment")
        record = _own_assessment(ledger, org, str(a))
        return page(
            "org_results_preview.html",
            staff,
            a=record,
            rows=len(stored.rows),
            problems=[],
            upload=stored,
            sheet=stored.rows,
        )

    @post("/{upload:str}/confirm", sync_to_thread=True, status_code=303)
    def confirm(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        upload: FromPath[str],
    ) -> Redirect | Template:
        """Record the results, once."""
        org_of(staff)
        stored = ledger.results_sheets.get(staff.principal, upload[:40])
        if stored is None:
            raise not_found("这份表格 / this upload")
        try:
            outcome = ledger.results_sheets.confirm(staff.principal, stored.upload)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能写入 / Not recorded",
                text=describe_error(exc),
                back_to="/console/org/assessments",
                status_code=400,
            )
        a = outcome.get("assessment") or (stored.rows[0]["assessment"] if stored.rows else "")
        return back(
            f"/console/org/assessments/{a}" if a else "/console/org/assessments",
            f"已记录 {outcome['recorded']} 个成绩 / {outcome['recorded']} results recorded",
        )


class OrgCertificatesController(Controller):
    """The organization's certificates: filter, revoke, download."""

    path = "/org/certificates"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def certificates(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        standard: FromQuery[str] = "",
        batch: FromQuery[str] = "",
        assessment: FromQuery[str] = "",
        status: FromQuery[str] = "",
        offset: FromQuery[int] = 0,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """The organization's certificates, newest first, filtered."""
        org = org_of(staff)
        filters = {
            "standard": standard.strip()[:32],
            "batch": batch.strip()[:64],
            "assessment": assessment.strip()[:20],
            "status": status if status in ("valid", "revoked") else "",
        }
        offset = max(0, min(offset, 1_000_000_000))
        found = ledger.org_lists.certificates(
            org=org, **{k: v or None for k, v in filters.items()}, limit=PAGE_SIZE, offset=offset
        )
        return page(
            "org_certificates.html",
            staff,
            certificates=found.items,
            filters=filters,
            paged=paging(offset, PAGE_SIZE, found.total),
            notice=done,
        )

    def _own(self, ledger: Ledger, org: str, number: str) -> Any:
        try:
            record = ledger.certificates.certificate(number[:20])
        except LedgerError:
            raise not_found("这张证书 / this certificate") from None
        if record.org != org:
            raise not_found("这张证书 / this certificate")
        return record

    @get("/{number:str}/certificate.pdf", sync_to_thread=True)
    def pdf(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        number: FromPath[str],
    ) -> Response[bytes]:
        """One certificate as a printable A4 PDF."""
        record = self._own(ledger, org_of(staff), number)
        return _pdf(certificate_pdf(certificate_face(ledger, record)), f"{record.number}.pdf")

    @get("/batch.pdf", sync_to_thread=True)
    def batch_pdf(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        batch: FromQuery[str],
    ) -> Response[bytes]:
        """Every certificate of a batch as one PDF."""
        return self._batch(ledger, staff, "pdf", batch)

    @get("/batch.zip", sync_to_thread=True)
    def batch_zip(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        batch: FromQuery[str],
    ) -> Response[bytes]:
        """Every certificate of a batch as a ZIP of PDFs."""
        return self._batch(ledger, staff, "zip", batch)

    def _batch(self, ledger: Ledger, staff: StaffSession, fmt: str, batch: str) -> Response[bytes]:
        """Every certificate of a batch as one PDF (``batch.pdf``) or a ZIP of PDFs."""
        org = org_of(staff)
        records = ledger.certificates.repository.batch(org, batch[:64])
        if not records or fmt not in ("pdf", "zip"):
            raise not_found("这个批次 / this batch")
        faces = [certificate_face(ledger, r) for r in records]
        if fmt == "pdf":
            return _pdf(certificates_pdf(faces), f"batch-{batch[:64]}.pdf")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for face in faces:
                archive.writestr(f"{face.number}.pdf", certificate_pdf(face))
        return _pdf(out.getvalue(), f"batch-{batch[:64]}.zip", "application/zip")

    @post("/{number:str}/revoke", sync_to_thread=True, status_code=303)
    def revoke(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        number: FromPath[str],
        data: Form,
    ) -> Redirect | Template:
        """Revoke a certificate with a reason."""
        record = self._own(ledger, org_of(staff), number)
        reason = str(data.get("reason", "")).strip()[:500]
        try:
            ledger.certificates.revoke(staff.principal, record.number, reason)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能撤销 / Not revoked",
                text=describe_error(exc),
                back_to="/console/org/certificates",
                status_code=400,
            )
        return back("/console/org/certificates", f"已撤销 {record.number} / revoked")
