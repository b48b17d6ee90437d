"""The school's pilot work in its console: annual plans (file, see the review, refile a
returned one), candidates of assessments under its approved plan, self-evaluations."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, not_found, page
from api.console.texts import describe_error
from ledger.bootstrap import Ledger
from ledger.core.errors import LedgerError
from ledger.core.principals import Role
from ledger.domain.pilot import plan_from_request
from ledger.domain.registry import InvalidField
from ledger.services.certificates import china_today

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
STATUS_NAMES = {
    "filed": "待审核 filed",
    "approved": "已通过 approved",
    "returned": "已退回 returned",
    "rejected": "未通过 rejected",
}
LEVEL_NAMES = {
    "junior": "初级 junior",
    "intermediate": "中级 intermediate",
    "senior": "高级 senior",
}


def _text(data: dict[str, Any], name: str, most: int = 200) -> str:
    value = data.get(name, "")
    return (value[-1] if isinstance(value, list) else str(value)).strip()[:most]


def _items(text: str) -> list[dict[str, Any]]:
    """Plan items, one a line: ``standard, level, candidates``."""
    items: list[dict[str, Any]] = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.replace("，", ",").split(",")]
        if not line.strip():
            continue
        if len(parts) != 3 or not parts[2].isdigit():
            raise InvalidField("items", "each line must be: standard, level, candidates")
        level = {"初级": "junior", "中级": "intermediate", "高级": "senior"}.get(parts[1], parts[1])
        items.append({"standard": parts[0], "level": level, "candidates": int(parts[2])})
    return items


class PlansController(Controller):
    """The school's annual plans and their review."""

    path = "/plans"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def plans(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
        refile: FromQuery[str | None] = None,
    ) -> Template:
        """Every plan of the school with its status and comments; the filing form."""
        plans = ledger.pilot.reads.plans(year=None, school=staff.school, status=None)
        replaced = next((p for p in plans if p["plan"] == refile), None) if refile else None
        if refile and (replaced is None or replaced["status"] != "returned"):
            raise not_found("这份退回的申报 / this returned plan")
        return page(
            "plans.html",
            staff,
            plans=list(reversed(plans)),
            notice=done,
            statuses=STATUS_NAMES,
            levels=LEVEL_NAMES,
            replaced=replaced,
            year=china_today().year,
            standards=ledger.registry.standards(limit=100).items,
        )

    @post("/", sync_to_thread=True, status_code=303)
    def file(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """File a plan (or refile a returned one: the form names the plan it replaces)."""
        school = staff.school
        year = _text(data, "year", 4)
        try:
            plan = plan_from_request(
                int(year) if year.isdigit() else -1, _items(_text(data, "items", 4000))
            )
            replacing = _text(data, "replaces", 20) or None
            recorded = ledger.pilot.file_plan(staff.principal, school, plan, replacing)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能申报 / Not filed",
                text=describe_error(exc),
                back_to="/console/plans",
                status_code=400,
            )
        replaces = _text(data, "replaces", 20)
        note = f"（替代 {replaces} / replaces {replaces}）" if replaces else ""
        return back("/console/plans", f"已申报 {recorded.id}{note} / plan filed")


class AssessmentsController(Controller):
    """Assessments the school may enrol its students in, under its approved plan."""

    path = "/assessments"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def assessments(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Assessments of standards and levels in the school's approved plans."""
        found = ledger.school_lists.open_assessments(staff.school)
        return page("assessments.html", staff, assessments=found, levels=LEVEL_NAMES, notice=done)

    @post("/{assessment:str}/candidates", sync_to_thread=True, status_code=303)
    def enrol(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        assessment: FromPath[str],
        data: Form,
    ) -> Redirect | Template:
        """Enrol the accounts given (one a line) as candidates; all or none."""
        staff.school  # noqa: B018 - 403 for staff of any other party
        if not any(
            a["assessment"] == assessment
            for a in ledger.school_lists.open_assessments(staff.school)
        ):
            raise not_found("这场考核 / this assessment")
        accounts = [
            line.strip().upper()
            for line in _text(data, "accounts", 200_000).split()
            if line.strip()
        ]
        try:
            recorded = ledger.pilot.enrol_candidates(staff.principal, assessment, accounts)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能报名 / Not enrolled",
                text=describe_error(exc),
                back_to="/console/assessments",
                status_code=400,
            )
        return back(
            "/console/assessments",
            f"已报名 {len(recorded)} 人 / {len(recorded)} candidates enrolled",
        )


def _author(staff: StaffSession) -> str:
    """The school or organization whose reports the staff member files; 403 for others."""
    if staff.principal.role not in (Role.SCHOOL, Role.ORG) or staff.principal.id is None:
        raise PermissionDeniedException(
            "只有试点院校和培训评价组织的工作人员可以打开此页 / schools and organizations only"
        )
    return staff.principal.id


class SelfEvaluationsController(Controller):
    """The self-evaluation reports of a school or an organization."""

    path = "/self-evaluations"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def reports(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """The school's or organization's reports and the form to write one."""
        _author(staff)
        reports = ledger.pilot.self_evaluations(staff.principal, None)
        return page(
            "self_evaluations.html", staff, reports=reports, notice=done, year=china_today().year
        )

    @post("/", sync_to_thread=True, status_code=303)
    def submit(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """File a self-evaluation report."""
        author = _author(staff)
        year = _text(data, "year", 4)
        try:
            recorded = ledger.pilot.submit_report(
                staff.principal,
                author,
                int(year) if year.isdigit() else -1,
                _text(data, "title", 200),
                _text(data, "text", 20_000),
            )
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能提交 / Not filed",
                text=describe_error(exc),
                back_to="/console/self-evaluations",
                status_code=400,
            )
        return back("/console/self-evaluations", f"已提交 {recorded.id} / report filed")
