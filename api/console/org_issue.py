"""Issuing certificates from the organization's console: one from a form, or a batch from a
sheet (.xlsx or CSV) checked first, every bad row named, then confirmed once. The sheet goes
through the same upload machinery as the school's (ledger/services/issue_sheets.py)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, mask_id_number, not_found, page
from api.console.org import org_of
from api.console.pilot_pages import LEVEL_NAMES
from api.console.texts import describe_error, field_name, problem_text
from api.sheets import sheet_as_csv
from ledger.bootstrap import Ledger
from ledger.core.errors import Conflict, Forbidden, LedgerError
from ledger.domain.certificates import InvalidRows, mask_name
from ledger.domain.csv_uploads import COLUMNS
from ledger.domain.registry import InvalidField


def _status(exc: LedgerError) -> int:
    """403 for a refusal of the right to act, 409 for a taken code, 400 for the rest."""
    return 403 if isinstance(exc, Forbidden) else 409 if isinstance(exc, Conflict) else 400


Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
_FIELDS = ("name", "id_number", "standard", "level", "issued_on", "score")


def _text(data: dict[str, Any], name: str, most: int = 200) -> str:
    value = data.get(name, "")
    return (value[-1] if isinstance(value, list) else str(value)).strip()[:most]


def _column(field: str) -> str:
    """The sheet's column of an issuance check's field (``holder.name`` is ``name``)."""
    return field.removeprefix("holder.")


def _masked(row: dict[str, Any]) -> dict[str, Any]:
    """A row of a sheet as the preview shows it: the holder's name and ID number masked."""
    return {
        **row,
        "name": mask_name(str(row.get("name", ""))),
        "id_number": mask_id_number(str(row.get("id_number", ""))),
    }


class OrgIssueController(Controller):
    """Issue one certificate, or a batch from a sheet."""

    path = "/org/issue"
    include_in_schema = False

    def _page(
        self, ledger: Ledger, staff: StaffSession, status_code: int = 200, **context: Any
    ) -> Template:
        org = org_of(staff)
        return page(
            "org_issue.html",
            staff,
            status_code=status_code,
            standards=ledger.registry.standards(org=org, limit=100).items,
            levels=LEVEL_NAMES,
            columns=[(field_name(f), aliases) for f, aliases in COLUMNS.items()],
            **{"form": {}, **context},
        )

    @get("/", sync_to_thread=True)
    def form(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession]
    ) -> Template:
        """The form of one certificate and the upload of a sheet."""
        return self._page(ledger, staff)

    @post("/", sync_to_thread=True, status_code=303)
    def issue(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Issue one certificate; a problem shows on the form and writes nothing."""
        org_of(staff)
        # The four required fields always (empty ones are named); the optional ones if given.
        row: dict[str, Any] = {f: _text(data, f, 64) for f in _FIELDS if _text(data, f, 64)}
        row |= {f: _text(data, f, 64) for f in ("name", "id_number", "standard", "level")}
        if isinstance(row.get("score"), str) and row["score"].isdigit():
            row["score"] = int(row["score"])
        kept = {f: row[f] for f in ("standard", "level", "issued_on", "score") if f in row}
        try:
            issued = ledger.certificates.issue(staff.principal, row)
        except InvalidRows as exc:
            text = "；".join(problem_text(_column(p.field), p.problem) for p in exc.problems)
            return self._page(ledger, staff, 400, error=text, form=kept)
        except LedgerError as exc:
            return self._page(ledger, staff, _status(exc), error=describe_error(exc), form=kept)
        return back(
            f"/console/org/certificates?standard={kept.get('standard', '')}",
            f"已发证 {issued.certificate} / certificate issued",
        )

    @post("/sheet", sync_to_thread=True, status_code=200, request_max_body_size=8 * 1_048_576)
    def sheet(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Multipart
    ) -> Template | Redirect:
        """Check a sheet of certificates; show every bad row, or on to confirm it."""
        org_of(staff)
        file = data.get("file")
        try:
            if not isinstance(file, UploadFile) or not file.filename:
                raise InvalidField("file", "is missing: choose an .xlsx or CSV file")
            preview = ledger.issue_sheets.preview(staff.principal, sheet_as_csv(file.file.read()))
        except LedgerError as exc:
            return self._page(ledger, staff, _status(exc), error=describe_error(exc))
        if preview.upload is not None:
            return back(f"/console/org/issue/{preview.upload}")
        problems = [
            {
                "row": p.row,
                "column": field_name(_column(p.column)),
                "text": problem_text(_column(p.column), p.problem),
            }
            for p in preview.problems
        ]
        return page(
            "org_issue_preview.html", staff, rows=preview.rows, problems=problems, upload=None
        )

    @get("/{upload:str}", sync_to_thread=True)
    def preview(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        upload: FromPath[str],
    ) -> Template:
        """A checked sheet waiting for confirmation (or its result)."""
        org_of(staff)
        stored = ledger.issue_sheets.get(staff.principal, upload[:40])
        if stored is None:
            raise not_found("这份表格 / this upload")
        return page(
            "org_issue_preview.html",
            staff,
            rows=len(stored.rows),
            problems=[],
            upload=stored,
            sheet=[_masked(r) for r in stored.rows],
            levels=LEVEL_NAMES,
        )

    @post("/{upload:str}/confirm", sync_to_thread=True, status_code=303)
    def confirm(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        upload: FromPath[str],
    ) -> Redirect | Template:
        """Issue the sheet as one batch, once."""
        org_of(staff)
        stored = ledger.issue_sheets.get(staff.principal, upload[:40])
        if stored is None:
            raise not_found("这份表格 / this upload")
        try:
            result = ledger.issue_sheets.confirm(staff.principal, stored.upload)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能发证 / Not issued",
                text=describe_error(exc),
                back_to="/console/org/issue",
                status_code=400,
            )
        target = f"/console/org/certificates?batch={stored.upload}"
        if result["replayed"]:
            return back(
                target, "这份表格已确认过，未重复发证 / confirmed before: nothing issued twice"
            )
        return back(
            target, f"已发证 {result['recorded']} 张 / {result['recorded']} certificates issued"
        )
