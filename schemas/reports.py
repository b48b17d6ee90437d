"""Wire types of the office's public statistics (``GET /reports/statistics``).

Counts, codes, and the names of schools and organizations only: no personal data. Rates
and shares are fractions of 1 rounded to four decimal places, null where nothing was
counted.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "CertificateFigures",
    "CityCount",
    "ConversionFigures",
    "Counts",
    "Coverage",
    "ExitedOrg",
    "ExitedSchool",
    "MonthCount",
    "PassRate",
    "PeriodView",
    "SchoolCoverage",
    "StandardCount",
    "StatisticsView",
]


class PeriodView(msgspec.Struct, frozen=True, kw_only=True):
    """The period as asked, what it spans (``month``, ``half-year`` or ``year``), its
    first and last day and its months."""

    period: str
    kind: str
    year: int
    first: str
    last: str
    months: list[str]


class StandardCount(msgspec.Struct, frozen=True, kw_only=True):
    """Certificates of a standard issued in the period."""

    standard: str
    title: str
    certificates: int


class CityCount(msgspec.Struct, frozen=True, kw_only=True):
    """Certificates issued in the period in a city (code ``unassigned`` for none)."""

    city: str
    name_zh: str
    name_en: str
    certificates: int


class MonthCount(msgspec.Struct, frozen=True, kw_only=True):
    """Certificates issued in a month of the period (``YYYY-MM``)."""

    month: str
    certificates: int


class CertificateFigures(msgspec.Struct, frozen=True, kw_only=True):
    """Certificates issued in the period (by issue date), and revocations recorded in it."""

    issued: int
    revoked: int
    by_standard: list[StandardCount]
    by_city: list[CityCount]
    by_month: list[MonthCount]


class PassRate(msgspec.Struct, frozen=True, kw_only=True):
    """Assessments of a standard dated in the period: candidates with a result, passes."""

    standard: str
    title: str
    assessments: int
    results: int
    passed: int
    rate: float | None


class SchoolCoverage(msgspec.Struct, frozen=True, kw_only=True):
    """A pilot school's enrolled students and those of them with a recorded result in an
    assessment dated up to the period's last day."""

    school: str
    name: str
    city: str
    status: str
    students: int
    sat: int
    share: float | None


class Coverage(msgspec.Struct, frozen=True, kw_only=True):
    """Every pilot school (admitted, suspended or expelled), and the province's total with
    each learner counted once."""

    schools: list[SchoolCoverage]
    students: int
    sat: int
    share: float | None


class ConversionFigures(msgspec.Struct, frozen=True, kw_only=True):
    """Conversions recorded in the period, those of them reversed since, and their credits."""

    recorded: int
    reversed: int
    credits: int
    reversed_credits: int


class ExitedSchool(msgspec.Struct, frozen=True, kw_only=True):
    """A pilot school suspended or expelled now, with the reason the office gave."""

    id: str
    name: str
    city: str
    status: str
    reason: str | None


class ExitedOrg(msgspec.Struct, frozen=True, kw_only=True):
    """An organization suspended or barred now, with the reason the office gave."""

    id: str
    name: str
    status: str
    reason: str | None


class Counts(msgspec.Struct, frozen=True, kw_only=True):
    """The registry as it stands now, and the approved plans of the period's year."""

    schools_admitted: int
    orgs_registered: int
    standards: int
    learners: int
    sites: int
    approved_plans: int


class StatisticsView(msgspec.Struct, frozen=True, kw_only=True):
    """A period's figures, read from the projections at ledger size ``tree_size``."""

    period: PeriodView
    tree_size: int
    certificates: CertificateFigures
    pass_rates: list[PassRate]
    coverage: Coverage
    conversions: ConversionFigures
    exited_schools: list[ExitedSchool]
    exited_orgs: list[ExitedOrg]
    counts: Counts
