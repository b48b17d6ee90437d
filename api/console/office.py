"""The office's console (auditors read it, without the buttons): the dashboard of what
waits and the period's key figures, and the review queue of plans (approve, return or
reject with comments; a returned plan shows its refiled successor)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, not_found, page
from api.console.oversight import require_office
from api.console.pilot_pages import LEVEL_NAMES, STATUS_NAMES
from api.console.texts import describe_error
from ledger.bootstrap import Ledger
from ledger.core.errors import LedgerError
from ledger.core.principals import Role
from ledger.domain.pilot import PLAN_APPROVED, PLAN_REJECTED, PLAN_RETURNED
from ledger.domain.registry import CITIES
from ledger.services.certificates import china_today

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
_REVIEWS = {"approve": PLAN_APPROVED, "return": PLAN_RETURNED, "reject": PLAN_REJECTED}


def _with_successors(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each plan with the plan that replaces it (the school's refiling of a returned
    plan names it in ``replaces``), or None."""
    successors = {plan["replaces"]: plan["plan"] for plan in plans if plan.get("replaces")}
    for plan in plans:
        plan["successor"] = successors.get(plan["plan"])
    return plans


class OfficeController(Controller):
    """The office's dashboard and plan review."""

    path = "/office"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def dashboard(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession]
    ) -> Template:
        """What waits for the office, and the year's key figures."""
        staff.require_oversight()
        year = china_today().year
        filed = ledger.pilot.reads.plans(year=None, school=None, status="filed")
        reports = ledger.pilot.reads.self_evaluations(year=year)
        coverage = ledger.pilot.reads.site_coverage(year)
        today = china_today()
        return page(
            "office_dashboard.html",
            staff,
            filed=filed,
            reports=reports,
            coverage=coverage,
            year=year,
            certificates=ledger.org_lists.certificates(limit=1).total,
            assessments=ledger.org_lists.assessments(limit=1).total,
            month=ledger.statistics.statistics(f"{today:%Y-%m}"),
            whole_year=ledger.statistics.statistics(str(year)),
            cities=CITIES,
        )

    @get("/plans", sync_to_thread=True)
    def plans(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        status: FromQuery[str] = "filed",
        done: FromQuery[str | None] = None,
    ) -> Template:
        """The queue of filed plans (or every plan of one status)."""
        staff.require_oversight()
        every = _with_successors(ledger.pilot.reads.plans(year=None, school=None, status=None))
        shown = [p for p in every if status == "all" or p["status"] == status]
        return page(
            "office_plans.html",
            staff,
            plans=shown,
            status=status,
            statuses=STATUS_NAMES,
            levels=LEVEL_NAMES,
            may_review=staff.principal.role is Role.OFFICE,
            notice=done,
        )

    @post("/plans/{plan:str}/review", sync_to_thread=True, status_code=303)
    def review(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        plan: FromPath[str],
        data: Form,
    ) -> Redirect | Template:
        """Approve, return or reject a filed plan with comments (auditors: 403)."""
        require_office(staff)
        decision = str(data.get("decision", ""))
        if decision not in _REVIEWS:
            raise not_found("这种审核 / this decision")
        comments = str(data.get("comments", "")).strip()[:2000] or None
        try:
            ledger.pilot.review_plan(staff.principal, plan[:20], _REVIEWS[decision], comments)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能审核 / Not reviewed",
                text=describe_error(exc),
                back_to="/console/office/plans",
                status_code=400,
            )
        return back("/console/office/plans", f"已审核 {plan[:20]} / reviewed")
