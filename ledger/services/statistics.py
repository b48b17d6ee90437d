"""The statistics the office publishes for a month, a half-year or a year.

Public: every figure is a count, or the name, city and status of a school or an
organization (with the reason of a suspension, expulsion or bar, public entries of the
ledger already); nothing names or counts a single learner. The bulletin page draws them.

Certificates are counted by the day they were issued on and revocations by the day they
were recorded; a certificate's city is that of the site of the assessment it came from,
else that of the school its holder enrolled at first, else ``unassigned``. A school's
coverage counts its enrolled students and those of them with a recorded result in any
assessment dated up to the period's last day.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.periods import Period, parse_period
from ledger.domain.registry import CITIES
from ledger.storage.statistics import StatisticsRepository

__all__ = [
    "UNASSIGNED",
    "Certificates",
    "CityCount",
    "Conversions",
    "Counts",
    "Coverage",
    "MonthCount",
    "OrgExit",
    "PassRate",
    "SchoolCoverage",
    "SchoolExit",
    "StandardCount",
    "Statistics",
    "StatisticsService",
    "ratio",
]

#: The city of a certificate that came from no assessment and whose holder has no school.
UNASSIGNED = "unassigned"
_UNASSIGNED_NAMES = ("未归属", "Unassigned")

#: Decimal places of rates and shares.
RATIO_PLACES = 4


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to four decimal places; None when ``whole`` is 0."""
    return None if whole == 0 else round(part / whole, RATIO_PLACES)


@dataclass(frozen=True, slots=True)
class StandardCount:
    standard: str
    title: str
    certificates: int


@dataclass(frozen=True, slots=True)
class CityCount:
    city: str
    name_zh: str
    name_en: str
    certificates: int


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: str
    certificates: int


@dataclass(frozen=True, slots=True)
class Certificates:
    """Certificates issued in the period, and revocations recorded in it."""

    issued: int
    revoked: int
    by_standard: list[StandardCount]
    by_city: list[CityCount]
    by_month: list[MonthCount]


@dataclass(frozen=True, slots=True)
class PassRate:
    """Assessments of a standard dated in the period: candidates with a result, passes."""

    standard: str
    title: str
    assessments: int
    results: int
    passed: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class SchoolCoverage:
    """A pilot school's students and those who sat an assessment (have a result)."""

    school: str
    name: str
    city: str
    status: str
    students: int
    sat: int
    share: float | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Every pilot school's coverage, and the province's (each learner counted once)."""

    schools: list[SchoolCoverage]
    students: int
    sat: int
    share: float | None


@dataclass(frozen=True, slots=True)
class Conversions:
    """Conversions recorded in the period, those of them reversed since, their credits."""

    recorded: int
    reversed: int
    credits: int
    reversed_credits: int


@dataclass(frozen=True, slots=True)
class SchoolExit:
    """A pilot school suspended or expelled now, and the reason the office gave."""

    id: str
    name: str
    city: str
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class OrgExit:
    """An organization suspended or barred now, and the reason the office gave."""

    id: str
    name: str
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Counts:
    """The registry as it stands, and the approved plans of the period's year."""

    schools_admitted: int
    orgs_registered: int
    standards: int
    learners: int
    sites: int
    approved_plans: int


@dataclass(frozen=True, slots=True)
class Statistics:
    """A period's figures, read at ledger size ``tree_size``."""

    period: Period
    tree_size: int
    certificates: Certificates
    pass_rates: list[PassRate]
    coverage: Coverage
    conversions: Conversions
    exited_schools: list[SchoolExit]
    exited_orgs: list[OrgExit]
    counts: Counts


def _city(code: str | None, certificates: int) -> CityCount:
    if code is None:
        return CityCount(UNASSIGNED, *_UNASSIGNED_NAMES, certificates)
    known = CITIES.get(code)
    if known is None:  # a city code the registry once knew: shown as it is
        return CityCount(code, code, code, certificates)
    return CityCount(code, known.name_zh, known.name_en, certificates)


class StatisticsService:
    """Statistics of a period for anyone: no token, no personal data."""

    def __init__(self, repository: StatisticsRepository) -> None:
        self.repository = repository

    def statistics(self, period: str | Period) -> Statistics:
        """The figures of ``period`` (``2026-11``, ``2026-H2``, ``2026``); InvalidField
        naming ``period`` when it is none of these."""
        checked = period if isinstance(period, Period) else parse_period(period)
        raw = self.repository.statistics(
            checked.first.isoformat(), checked.last.isoformat(), checked.year
        )
        by_standard = sorted(
            (StandardCount(**row) for row in raw.by_standard),
            key=lambda s: (-s.certificates, s.standard),
        )
        by_city = sorted(
            (_city(row["city"], row["certificates"]) for row in raw.by_city),
            key=lambda c: (c.city == UNASSIGNED, -c.certificates, c.city),
        )
        pass_rates = sorted(
            (PassRate(**row, rate=ratio(row["passed"], row["results"])) for row in raw.pass_rates),
            key=lambda p: p.standard,
        )
        return Statistics(
            period=checked,
            tree_size=raw.tree_size,
            certificates=Certificates(
                issued=raw.issued,
                revoked=raw.revoked,
                by_standard=by_standard,
                by_city=by_city,
                by_month=[MonthCount(m, raw.by_month.get(m, 0)) for m in checked.months],
            ),
            pass_rates=pass_rates,
            coverage=Coverage(
                schools=[
                    SchoolCoverage(
                        school=row["id"],
                        name=row["name"],
                        city=row["city"],
                        status=row["status"],
                        students=row["students"],
                        sat=row["sat"],
                        share=ratio(row["sat"], row["students"]),
                    )
                    for row in raw.schools
                ],
                students=raw.province_students,
                sat=raw.province_sat,
                share=ratio(raw.province_sat, raw.province_students),
            ),
            conversions=Conversions(**raw.conversions),
            exited_schools=[SchoolExit(**row) for row in raw.exited_schools],
            exited_orgs=[OrgExit(**row) for row in raw.exited_orgs],
            counts=Counts(**raw.counts),
        )
