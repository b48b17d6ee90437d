"""The pilot's procedures over HTTP: plans and their review, sites, the scheduling of
assessments and self-evaluations; api/assessments.py has an assessment's candidates, results
and certificates, api/oversight.py what the office sets and oversees.

Every path needs a bearer token; who may do what is the service's decision.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
)

from api.console_lists import SiteListMixin
from api.errors import error_spec
from api.params import ApiController, fields_named, path_checked, query_checked, query_choice
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.pilot import (
    PLAN_APPROVED,
    PLAN_REJECTED,
    PLAN_RETURNED,
    PlanStatus,
    Site,
    assessment_from_request,
    check_plan_id,
    plan_from_request,
)
from ledger.domain.registry import check_credit_code, check_school_code
from schemas.pilot import (
    AssessmentRequest,
    PlanItemIn,
    PlanRequest,
    PlanView,
    Recorded,
    ReviewRequest,
    SelfEvaluationRequest,
    SiteRequest,
)

__all__ = ["ERRORS", "YEAR", "PilotSchoolController", "PlanController"]

ERRORS = {
    HTTP_400_BAD_REQUEST: error_spec("A field is wrong; detail names it."),
    HTTP_401_UNAUTHORIZED: error_spec("No bearer token, or the token is refused."),
    HTTP_403_FORBIDDEN: error_spec("This principal may not do this; detail says why."),
    HTTP_404_NOT_FOUND: error_spec("No such object."),
    HTTP_409_CONFLICT: error_spec("The state forbids it; detail says why."),
}
YEAR = QueryParameter(ge=2019, le=2100, description="keep this year")


def _plan_view(row: dict[str, Any]) -> PlanView:
    return PlanView(
        plan=row["plan"],
        school=row["school"],
        year=row["year"],
        status=row["status"],
        comments=row["comments"],
        items=[PlanItemIn(**item) for item in row["items"]],
        filed_index=row["filed_index"],
        reviewed_index=row["reviewed_index"],
        replaces=row["replaces"],
    )


class PilotSchoolController(SiteListMixin, ApiController):
    """What schools and organizations file: plans, sites, assessments, self-evaluations."""

    path = "/"
    tags = ["pilot"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/schools/{id:str}/plans",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="File an annual pilot plan",
        description="The school itself: the standards and levels it will offer, with the "
        "candidates it expects for each. The office reviews it.",
        responses=ERRORS,
    )
    def file_plan(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[PlanRequest],
    ) -> Recorded:
        """File the plan in the body for school ``id``."""
        school = path_checked("id", id, check_school_code)
        with fields_named():
            plan = plan_from_request(
                data.year,
                [
                    {"standard": i.standard, "level": i.level, "candidates": i.candidates}
                    for i in data.items
                ],
            )
            recorded = ledger.pilot.file_plan(principal, school, plan, data.replaces)
        return Recorded(id=recorded.id, index=recorded.index, status=PlanStatus.FILED.value)

    @post(
        "/orgs/{id:str}/sites",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Register an assessment site",
        description="The organization itself, for its own standards.",
        responses=ERRORS,
    )
    def register_site(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[SiteRequest],
    ) -> Recorded:
        """Register the site in the body for organization ``id``."""
        org = path_checked("id", id, check_credit_code)
        with fields_named():
            site = Site(data.city, data.address, data.capacity, tuple(data.standards))
            recorded = ledger.pilot.register_site(principal, org, site)
        return Recorded(id=recorded.id, index=recorded.index)

    @post(
        "/orgs/{id:str}/assessments",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Schedule an assessment",
        description="The organization itself: one of its standards, at one of its sites, at a "
        "fee within the office's cap (400 naming the cap).",
        responses=ERRORS,
    )
    def schedule(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[AssessmentRequest],
    ) -> Recorded:
        """Schedule the assessment in the body for organization ``id``."""
        org = path_checked("id", id, check_credit_code)
        with fields_named():
            assessment = assessment_from_request(
                standard=data.standard, level=data.level, site=data.site, on=data.date, fee=data.fee
            )
            recorded = ledger.pilot.schedule(principal, org, assessment)
        return Recorded(id=recorded.id, index=recorded.index)

    @post(
        "/orgs/{id:str}/self-evaluations",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Submit an organization's self-evaluation",
        description="The ledger keeps the text's SHA-256; the office reads the text.",
        responses=ERRORS,
    )
    def org_report(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[SelfEvaluationRequest],
    ) -> Recorded:
        """Submit organization ``id``'s report."""
        org = path_checked("id", id, check_credit_code)
        with fields_named():
            recorded = ledger.pilot.submit_report(principal, org, data.year, data.title, data.text)
        return Recorded(id=recorded.id, index=recorded.index)

    @post(
        "/schools/{id:str}/self-evaluations",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Submit a school's self-evaluation",
        description="The ledger keeps the text's SHA-256; the office reads the text.",
        responses=ERRORS,
    )
    def school_report(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[SelfEvaluationRequest],
    ) -> Recorded:
        """Submit school ``id``'s report."""
        school = path_checked("id", id, check_school_code)
        with fields_named():
            recorded = ledger.pilot.submit_report(
                principal, school, data.year, data.title, data.text
            )
        return Recorded(id=recorded.id, index=recorded.index)


class PlanController(ApiController):
    """Plans and their review by the office."""

    path = "/plans"
    tags = ["pilot"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/",
        sync_to_thread=True,
        summary="List plans",
        description="In filing order, filtered by year, school, status.",
        responses=ERRORS,
    )
    def plans(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        year: Annotated[int | None, YEAR] = None,
        school: Annotated[str | None, QueryParameter(description="keep this school")] = None,
        status: Annotated[str | None, QueryParameter(description="keep this status")] = None,
    ) -> list[PlanView]:
        """Plans matching the filters."""
        found = ledger.pilot.reads.plans(
            year=year,
            school=query_checked("school", school, check_school_code),
            status=None if status is None else str(query_choice("status", status, PlanStatus)),
        )
        return [_plan_view(row) for row in found]

    def _review(
        self, ledger: Ledger, principal: Principal, plan: str, kind: str, comments: str | None
    ) -> Recorded:
        checked = path_checked("id", plan, check_plan_id)
        with fields_named():
            recorded = ledger.pilot.review_plan(principal, checked, kind, comments)
        status = ledger.pilot.repository.plan_status(checked)
        return Recorded(id=recorded.id, index=recorded.index, status=status)

    @post(
        "/{id:str}/approve",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Approve a plan",
        description="Office only; the plan must be under review.",
        responses=ERRORS,
    )
    def approve(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ReviewRequest],
    ) -> Recorded:
        """Approve plan ``id``."""
        return self._review(ledger, principal, id, PLAN_APPROVED, data.comments)

    @post(
        "/{id:str}/return",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Return a plan with comments",
        description="Office only; the school files a revised plan.",
        responses=ERRORS,
    )
    def return_(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ReviewRequest],
    ) -> Recorded:
        """Return plan ``id`` with the comments in the body."""
        return self._review(ledger, principal, id, PLAN_RETURNED, data.comments)

    @post(
        "/{id:str}/reject",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Reject a plan",
        description="Office only.",
        responses=ERRORS,
    )
    def reject(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ReviewRequest],
    ) -> Recorded:
        """Reject plan ``id``."""
        return self._review(ledger, principal, id, PLAN_REJECTED, data.comments)
