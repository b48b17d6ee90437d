"""The statistics the office publishes, over HTTP: ``GET /reports/statistics?period=``.

Public, like the registry's reads: the figures are counts, and the names, cities and
statuses of schools and organizations, with no personal data; the bulletin page
(``GET /reports/bulletin``, api/pages) draws them for anyone.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_400_BAD_REQUEST

from api.errors import error_spec
from api.params import ApiController, fields_named
from ledger.bootstrap import Ledger
from ledger.core.errors import InvalidInput
from ledger.domain.periods import PERIOD_FORMS
from ledger.services.statistics import Statistics
from schemas.reports import (
    CertificateFigures,
    CityCount,
    ConversionFigures,
    Counts,
    Coverage,
    ExitedOrg,
    ExitedSchool,
    MonthCount,
    PassRate,
    PeriodView,
    SchoolCoverage,
    StandardCount,
    StatisticsView,
)

__all__ = ["ReportsController", "statistics_view"]

_PERIOD = QueryParameter(description=f"required: {PERIOD_FORMS}, e.g. 2026-11, 2026-H2, 2026")


def statistics_view(figures: Statistics) -> StatisticsView:
    """The wire form of a period's figures."""
    period, certificates, coverage = figures.period, figures.certificates, figures.coverage
    return StatisticsView(
        period=PeriodView(
            period=period.text,
            kind=period.kind.value,
            year=period.year,
            first=period.first.isoformat(),
            last=period.last.isoformat(),
            months=list(period.months),
        ),
        tree_size=figures.tree_size,
        certificates=CertificateFigures(
            issued=certificates.issued,
            revoked=certificates.revoked,
            by_standard=[
                StandardCount(standard=s.standard, title=s.title, certificates=s.certificates)
                for s in certificates.by_standard
            ],
            by_city=[
                CityCount(
                    city=c.city, name_zh=c.name_zh, name_en=c.name_en, certificates=c.certificates
                )
                for c in certificates.by_city
            ],
            by_month=[
                MonthCount(month=m.month, certificates=m.certificates)
                for m in certificates.by_month
            ],
        ),
        pass_rates=[
            PassRate(
                standard=p.standard,
                title=p.title,
                assessments=p.assessments,
                results=p.results,
                passed=p.passed,
                rate=p.rate,
            )
            for p in figures.pass_rates
        ],
        coverage=Coverage(
            schools=[
                SchoolCoverage(
                    school=s.school,
                    name=s.name,
                    city=s.city,
                    status=s.status,
                    students=s.students,
                    sat=s.sat,
                    share=s.share,
                )
                for s in coverage.schools
            ],
            students=coverage.students,
            sat=coverage.sat,
            share=coverage.share,
        ),
        conversions=ConversionFigures(
            recorded=figures.conversions.recorded,
            reversed=figures.conversions.reversed,
            credits=figures.conversions.credits,
            reversed_credits=figures.conversions.reversed_credits,
        ),
        exited_schools=[
            ExitedSchool(id=s.id, name=s.name, city=s.city, status=s.status, reason=s.reason)
            for s in figures.exited_schools
        ],
        exited_orgs=[
            ExitedOrg(id=o.id, name=o.name, status=o.status, reason=o.reason)
            for o in figures.exited_orgs
        ],
        counts=Counts(
            schools_admitted=figures.counts.schools_admitted,
            orgs_registered=figures.counts.orgs_registered,
            standards=figures.counts.standards,
            learners=figures.counts.learners,
            sites=figures.counts.sites,
            approved_plans=figures.counts.approved_plans,
        ),
    )


class ReportsController(ApiController):
    """The office's public statistics."""

    path = "/reports"
    tags = ["reports"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/statistics",
        sync_to_thread=True,
        summary="Statistics of the pilot for a period",
        description=(
            "Public: no token is needed, because the figures carry no personal data (counts, "
            "and the names, cities and statuses of schools and organizations). For a month "
            "(2026-11), a half-year (2026-H1, 2026-H2) or a year (2026): certificates issued "
            "in the period (by issue date) in total, by standard, by city (the assessment "
            "site's city, else the city of the school the holder enrolled at first, else "
            "unassigned) and by month, and revocations recorded in it; pass rates of the "
            "assessments dated in it, by standard; for every pilot school the students "
            "enrolled and those of them with a result in an assessment dated up to the "
            "period's end, and the province's total; conversions recorded in it; the schools "
            "and organizations suspended, expelled or barred now, with the reason; and counts "
            "of the registry now, with the approved plans of the period's year. Rates and "
            "shares are fractions rounded to four places, null when nothing was counted. "
            "tree_size is the ledger size the figures were read at. The bulletin page "
            "GET /reports/bulletin?period= draws them."
        ),
        responses={
            HTTP_400_BAD_REQUEST: error_spec(
                "The period is missing or malformed, or another parameter is given; detail "
                "says which."
            )
        },
    )
    def statistics(
        self,
        ledger: NamedDependency[Ledger],
        period: Annotated[str | None, _PERIOD] = None,
    ) -> StatisticsView:
        """The figures of ``period``."""
        if period is None:
            raise InvalidInput(f"query parameter 'period' is required: {PERIOD_FORMS}")
        with fields_named({"period": "query parameter 'period'"}):
            figures = ledger.statistics.statistics(period)
        return statistics_view(figures)
