"""The organization's registry work in its console: its certificate standards (list, publish
one with its levels, credits and document), its assessment sites (list, register one) and
the scheduling of an assessment with the office's fee cap shown and enforced."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, not_found, page
from api.console.org import org_of
from api.console.pilot_pages import LEVEL_NAMES
from api.console.texts import describe_error
from api.standard_documents import document_response
from ledger.bootstrap import Ledger
from ledger.core.errors import Conflict, Forbidden, LedgerError
from ledger.domain.pilot import Site, assessment_from_request
from ledger.domain.registry import CITIES, InvalidField, Level, Standard, standard_credits
from ledger.services.standard_documents import MAX_DOCUMENT_BYTES, check_document


def _status(exc: LedgerError) -> int:
    """403 for a refusal of the right to act, 409 for a taken code, 400 for the rest."""
    return 403 if isinstance(exc, Forbidden) else 409 if isinstance(exc, Conflict) else 400


Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _text(data: dict[str, Any], name: str, most: int = 200) -> str:
    value = data.get(name, "")
    return (value[-1] if isinstance(value, list) else str(value)).strip()[:most]


def _whole(data: dict[str, Any], name: str, field: str) -> int:
    text = _text(data, name, 9)
    if not text.isascii() or not text.isdigit():
        raise InvalidField(field, "must be a whole number")
    return int(text)


#: The Chinese of check_document's refusals, by words of the English problem.
_DOCUMENT_ZH = {
    "is missing": "请选择标准文件（PDF 或 .docx）",
    "more than": "标准文件超过 10 MiB，请压缩或拆分后再上传",
    "must be a PDF": "标准文件只能是 PDF（.pdf）或 Word（.docx）文件",
    "its content is not one": "文件内容与扩展名不符，请检查是否选错了文件",
}


def _explain(exc: LedgerError, caps: dict[tuple[str, str], int], form: dict[str, str]) -> str:
    """What went wrong, in Chinese then English: the document's and the fee's problems
    named exactly, the rest as the services say them."""
    if isinstance(exc, InvalidField) and exc.field == "document":
        for words, chinese in _DOCUMENT_ZH.items():
            if words in exc.problem:
                return f"{chinese}。/ document {exc.problem}"
    cap = caps.get((form.get("standard", ""), form.get("level", "")))
    if isinstance(exc, InvalidField) and exc.field == "fee" and cap is not None:
        return (
            f"费用 {form.get('fee')} 元超过项目办设定的上限 {cap} 元，不能安排。/ fee {exc.problem}"
        )
    return describe_error(exc)


def _standard(org: str, data: dict[str, Any], document_hash: str) -> Standard:
    """The standard of the publishing form: a level is offered when its credits are given."""
    levels = [level.value for level in Level if _text(data, f"credits_{level.value}", 9)]
    if not levels:
        raise InvalidField("levels", "give the credits of at least one level")
    credits = {level: _whole(data, f"credits_{level}", f"credits.{level}") for level in levels}
    return Standard(
        _text(data, "code", 40),
        org,
        _text(data, "title", 200),
        standard_credits(levels, credits),
        document_hash,
    )


class OrgStandardsController(Controller):
    """The organization's certificate standards and their documents."""

    path = "/org/standards"
    include_in_schema = False

    def _page(
        self, ledger: Ledger, staff: StaffSession, status_code: int = 200, **context: Any
    ) -> Template:
        org = org_of(staff)
        found = ledger.registry.standards(org=org, limit=100)
        documents = {
            s.code: ledger.documents.document(s.document_hash) is not None for s in found.items
        }
        return page(
            "org_standards.html",
            staff,
            status_code=status_code,
            standards=found.items,
            documents=documents,
            levels=LEVEL_NAMES,
            most_mib=MAX_DOCUMENT_BYTES // 1_048_576,
            **{"form": {}, **context},
        )

    @get("/", sync_to_thread=True)
    def standards(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """The organization's standards and the form to publish one."""
        return self._page(ledger, staff, notice=done)

    @post(
        "/",
        sync_to_thread=True,
        status_code=303,
        request_max_body_size=2 * MAX_DOCUMENT_BYTES,
    )
    def publish(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Multipart
    ) -> Redirect | Template:
        """Publish a standard with its document; any problem shows on the page and keeps
        nothing (every check runs before the ledger or the document store is written)."""
        org = org_of(staff)
        file = data.get("document")
        form = {k: _text(data, k) for k in data if k not in ("document", "_csrf_token")}
        try:
            if not isinstance(file, UploadFile) or not file.filename:
                raise InvalidField("document", "is missing: choose a PDF or .docx file")
            document = check_document(file.filename, file.file.read(MAX_DOCUMENT_BYTES + 1))
            standard = _standard(org, data, document.sha256)
            recorded = ledger.standard_documents.publish(staff.principal, standard, document)
        except LedgerError as exc:
            error = _explain(exc, {}, form)
            return self._page(ledger, staff, _status(exc), error=error, form=form)
        return back("/console/org/standards", f"已发布 {recorded.id} / standard published")

    @post(
        "/{code:str}/document",
        sync_to_thread=True,
        status_code=303,
        request_max_body_size=2 * MAX_DOCUMENT_BYTES,
    )
    def attach(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        code: FromPath[str],
        data: Multipart,
    ) -> Redirect | Template:
        """Upload the document of a standard published without it (through the API): only
        the file whose SHA-256 the standard was published with is kept."""
        org = org_of(staff)
        try:
            record = ledger.registry.standard(code[:40])
        except LedgerError:
            raise not_found("这个证书标准 / this standard") from None
        if record.org != org:
            raise not_found("这个证书标准 / this standard")
        file = data.get("document")
        try:
            if not isinstance(file, UploadFile) or not file.filename:
                raise InvalidField("document", "is missing: choose a PDF or .docx file")
            document = check_document(file.filename, file.file.read(MAX_DOCUMENT_BYTES + 1))
            ledger.standard_documents.attach(staff.principal, record.code, document)
        except LedgerError as exc:
            error = _explain(exc, {}, {})
            if isinstance(exc, InvalidField) and "published with" in exc.problem:
                error = f"这不是发布标准时登记的那份文件（SHA-256 不符）。/ document {exc.problem}"
            return self._page(ledger, staff, _status(exc), error=error)
        return back("/console/org/standards", f"已上传 {record.code} 的标准文件 / document kept")

    @get("/{code:str}/document", sync_to_thread=True)
    def document(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        code: FromPath[str],
    ) -> Response[bytes]:
        """The document of one of the organization's standards, as a download."""
        org = org_of(staff)
        try:
            record = ledger.registry.standard(code[:40])
        except LedgerError:
            raise not_found("这个证书标准 / this standard") from None
        found = ledger.documents.document(record.document_hash) if record.org == org else None
        if found is None:
            raise not_found("这个标准文件 / this document")
        return document_response(found)


class OrgSitesController(Controller):
    """The organization's assessment sites."""

    path = "/org/sites"
    include_in_schema = False

    def _page(
        self, ledger: Ledger, staff: StaffSession, status_code: int = 200, **context: Any
    ) -> Template:
        org = org_of(staff)
        return page(
            "org_sites.html",
            staff,
            status_code=status_code,
            sites=ledger.pilot.reads.sites(org=org, city=None),
            cities=CITIES,
            standards=ledger.registry.standards(org=org, limit=100).items,
            **{"form": {}, **context},
        )

    @get("/", sync_to_thread=True)
    def sites(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """The organization's sites and the form to register one."""
        return self._page(ledger, staff, notice=done)

    @post("/", sync_to_thread=True, status_code=303)
    def register(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Register a site assessing the standards ticked."""
        org = org_of(staff)
        chosen = data.get("standards", [])
        standards = tuple(chosen if isinstance(chosen, list) else [chosen])
        form = {k: _text(data, k) for k in ("city", "address", "capacity")}
        try:
            site = Site(
                _text(data, "city", 20),
                _text(data, "address", 200),
                _whole(data, "capacity", "capacity"),
                tuple(str(s)[:40] for s in standards if s),
            )
            recorded = ledger.pilot.register_site(staff.principal, org, site)
        except LedgerError as exc:
            return self._page(ledger, staff, _status(exc), error=describe_error(exc), form=form)
        return back("/console/org/sites", f"已登记 {recorded.id} / site registered")


class OrgScheduleController(Controller):
    """Scheduling an assessment, with the fee caps that apply."""

    path = "/org/schedule"
    include_in_schema = False

    def _page(
        self, ledger: Ledger, staff: StaffSession, status_code: int = 200, **context: Any
    ) -> Template:
        org = org_of(staff)
        standards = ledger.registry.standards(org=org, limit=100).items
        own = {s.code for s in standards}
        caps = [c for c in ledger.pilot.reads.fee_caps() if c["standard"] in own]
        return page(
            "org_schedule.html",
            staff,
            status_code=status_code,
            standards=standards,
            sites=ledger.pilot.reads.sites(org=org, city=None),
            caps=caps,
            levels=LEVEL_NAMES,
            **{"form": {}, **context},
        )

    @get("/", sync_to_thread=True)
    def form(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession]
    ) -> Template:
        """The scheduling form with the fee caps of the organization's standards."""
        return self._page(ledger, staff)

    @post("/", sync_to_thread=True, status_code=303)
    def schedule(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Schedule the assessment; a fee over the cap is refused, naming the cap."""
        org = org_of(staff)
        form = {k: _text(data, k) for k in ("standard", "level", "site", "date", "fee")}
        try:
            assessment = assessment_from_request(
                standard=form["standard"],
                level=form["level"],
                site=form["site"],
                on=form["date"],
                fee=_whole(data, "fee", "fee"),
            )
            recorded = ledger.pilot.schedule(staff.principal, org, assessment)
        except LedgerError as exc:
            caps = {(c["standard"], c["level"]): c["cap"] for c in ledger.pilot.reads.fee_caps()}
            error = _explain(exc, caps, form)
            return self._page(ledger, staff, _status(exc), error=error, form=form)
        return back(f"/console/org/assessments/{recorded.id}", f"已安排 {recorded.id} / scheduled")
