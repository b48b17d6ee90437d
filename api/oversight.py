"""What the office sets and oversees over HTTP: fee guidelines, assessment sites, monitoring
points, self-evaluation reports and the site-coverage report. Every path needs a bearer
token; who may do what is the service's decision.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from api.params import ApiController, fields_named, query_checked
from api.pilot import ERRORS, YEAR
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.registry import check_city, check_credit_code
from schemas.pilot import (
    CoverageGap,
    FeeGuidelineRequest,
    FeeGuidelineView,
    MonitoringPointRequest,
    MonitoringPointView,
    Recorded,
    SelfEvaluationView,
    SiteCoverage,
    SiteView,
)

__all__ = ["OversightController"]


class OversightController(ApiController):
    """What the office sets and oversees: fee guidelines, monitoring, reports, coverage."""

    path = "/"
    tags = ["pilot"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/fee-guidelines",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Set a fee cap",
        description="Office only: the highest fee, in yuan, of an assessment of a standard at a "
        "level. Setting it again replaces it.",
        responses=ERRORS,
    )
    def set_fee(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[FeeGuidelineRequest],
    ) -> Recorded:
        """Set the cap in the body."""
        with fields_named():
            recorded = ledger.pilot.set_fee_cap(principal, data.standard, data.level, data.cap)
        return Recorded(id=recorded.id, index=recorded.index)

    @get(
        "/fee-guidelines",
        sync_to_thread=True,
        summary="Fee caps",
        description="Every cap the office set.",
        responses=ERRORS,
    )
    def fees(
        self, ledger: NamedDependency[Ledger], principal: NamedDependency[Principal]
    ) -> list[FeeGuidelineView]:
        """Every fee cap."""
        return [
            FeeGuidelineView(
                standard=r["standard"], level=r["level"], cap=r["cap"], index=r["set_index"]
            )
            for r in ledger.pilot.reads.fee_caps()
        ]

    @get(
        "/sites",
        sync_to_thread=True,
        summary="Assessment sites",
        description="Filtered by organization or city.",
        responses=ERRORS,
    )
    def sites(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        org: Annotated[str | None, QueryParameter(description="keep this organization")] = None,
        city: Annotated[str | None, QueryParameter(description="keep this city")] = None,
    ) -> list[SiteView]:
        """Sites matching the filters."""
        found = ledger.pilot.reads.sites(
            org=query_checked("org", org, check_credit_code),
            city=query_checked("city", city, check_city),
        )
        return [
            SiteView(
                site=r["site"],
                org=r["org"],
                city=r["city"],
                address=r["address"],
                capacity=r["capacity"],
                standards=r["standards"],
                index=r["registered_index"],
            )
            for r in found
        ]

    @post(
        "/monitoring-points",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Designate a monitoring point",
        description="Office only: a school watched for a standard.",
        responses=ERRORS,
    )
    def designate(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[MonitoringPointRequest],
    ) -> Recorded:
        """Designate the monitoring point in the body."""
        with fields_named():
            recorded = ledger.pilot.designate_point(principal, data.school, data.standard)
        return Recorded(id=recorded.id, index=recorded.index)

    @get(
        "/monitoring-points",
        sync_to_thread=True,
        summary="Monitoring points and their activity",
        description="Office and auditors.",
        responses=ERRORS,
    )
    def points(
        self, ledger: NamedDependency[Ledger], principal: NamedDependency[Principal]
    ) -> list[MonitoringPointView]:
        """Every monitoring point with its school's assessment activity for its standard."""
        return [
            MonitoringPointView(
                school=r["school"],
                standard=r["standard"],
                index=r["designated_index"],
                candidates=r["candidates"],
                results=r["results"],
                passed=r["passed"],
            )
            for r in ledger.pilot.monitoring_points(principal)
        ]

    @get(
        "/self-evaluations",
        sync_to_thread=True,
        summary="Self-evaluation reports",
        description="All for the office and auditors; an organization or school sees its own.",
        responses=ERRORS,
    )
    def reports(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        year: Annotated[int | None, YEAR] = None,
    ) -> list[SelfEvaluationView]:
        """Reports, filtered by year."""
        return [
            SelfEvaluationView(
                report=r["report"],
                author=r["author"],
                year=r["year"],
                title=r["title"],
                text=r["text"],
                digest=r["digest"],
                index=r["submitted_index"],
            )
            for r in ledger.pilot.self_evaluations(principal, year)
        ]

    @get(
        "/reports/site-coverage",
        sync_to_thread=True,
        summary="Site coverage",
        description="For the approved plans of a year: every city with pilot schools planning a "
        "standard that has no site assessing it there (the rule: at least one site per city "
        "with pilot schools).",
        responses=ERRORS,
    )
    def coverage(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        year: Annotated[int, YEAR],
    ) -> SiteCoverage:
        """Coverage gaps of ``year``."""
        gaps = [CoverageGap(**gap) for gap in ledger.pilot.reads.site_coverage(year)]
        return SiteCoverage(year=year, covered=not gaps, gaps=gaps)
