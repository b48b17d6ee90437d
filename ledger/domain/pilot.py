"""Rules of the pilot's working procedures: annual plans, assessment sites, fee guidelines,
assessments (candidates and results), monitoring points and self-evaluation reports.

Pure. Identifiers are a capital letter, ten random digits and a Luhn check digit:
plans ``P``, sites ``S``, assessments ``A``, self-evaluation reports ``E``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ledger.core.errors import Conflict
from ledger.domain.certificates import parse_date
from ledger.domain.identifiers import check_id
from ledger.domain.registry import (
    MAX_REASON_LENGTH,
    InvalidField,
    Level,
    check_city,
    check_standard_code,
    check_text,
)
from ledger.kinds import Kind

PLAN_FILED = Kind.PLAN_FILED
PLAN_APPROVED = Kind.PLAN_APPROVED
PLAN_RETURNED = Kind.PLAN_RETURNED
PLAN_REJECTED = Kind.PLAN_REJECTED
SITE_REGISTERED = Kind.SITE_REGISTERED
FEE_GUIDELINE_SET = Kind.FEE_GUIDELINE_SET
ASSESSMENT_SCHEDULED = Kind.ASSESSMENT_SCHEDULED
CANDIDATE_ENROLLED = Kind.CANDIDATE_ENROLLED
RESULT_RECORDED = Kind.RESULT_RECORDED
MONITORING_POINT_DESIGNATED = Kind.MONITORING_POINT_DESIGNATED
SELF_EVALUATION_SUBMITTED = Kind.SELF_EVALUATION_SUBMITTED

#: Every entry kind the pilot's procedures write.
PILOT_KINDS = frozenset(
    {
        PLAN_FILED,
        PLAN_APPROVED,
        PLAN_RETURNED,
        PLAN_REJECTED,
        SITE_REGISTERED,
        FEE_GUIDELINE_SET,
        ASSESSMENT_SCHEDULED,
        CANDIDATE_ENROLLED,
        RESULT_RECORDED,
        MONITORING_POINT_DESIGNATED,
        SELF_EVALUATION_SUBMITTED,
    }
)

MAX_CANDIDATES = 100_000
MAX_CAPACITY = 10_000
MAX_FEE = 100_000
MAX_PLAN_ITEMS = 50
MAX_REPORT_LENGTH = 20_000
PASS_MARK = 60


class PlanStatus(StrEnum):
    """Where an annual pilot plan stands after the office's review."""

    FILED = "filed"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"


#: The review entry kinds and the status each leads to.
REVIEW_KINDS: Mapping[str, PlanStatus] = {
    PLAN_APPROVED: PlanStatus.APPROVED,
    PLAN_RETURNED: PlanStatus.RETURNED,
    PLAN_REJECTED: PlanStatus.REJECTED,
}


def check_plan_id(text: object, field: str = "plan") -> str:
    """A plan id: P and eleven digits."""
    return check_id("P", "a plan id", text, field)


def check_site_id(text: object, field: str = "site") -> str:
    """A site id: S and eleven digits."""
    return check_id("S", "a site id", text, field)


def check_assessment_id(text: object, field: str = "assessment") -> str:
    """An assessment id: A and eleven digits."""
    return check_id("A", "an assessment id", text, field)


def check_year(value: object, field: str = "year") -> int:
    """A pilot year, 2019 to 2100."""
    if type(value) is not int or not 2019 <= value <= 2100:
        raise InvalidField(field, "must be a year 2019 to 2100")
    return value


def _count(field: str, value: object, maximum: int, minimum: int = 1) -> int:
    if type(value) is not int or not minimum <= value <= maximum:
        raise InvalidField(field, f"must be an integer {minimum} to {maximum}")
    return value


def _level(field: str, value: object) -> Level:
    try:
        return Level(value) if isinstance(value, str) else Level("")
    except ValueError:
        raise InvalidField(field, "must be junior, intermediate or senior") from None


# -- plans --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanItem:
    """A standard and level a school will offer in a year, and its expected candidates."""

    standard: str
    level: Level
    candidates: int


@dataclass(frozen=True, slots=True)
class Plan:
    """A school's annual pilot plan as filed."""

    year: int
    items: tuple[PlanItem, ...]

    def entry_payload(self, plan: str, school: str) -> dict[str, Any]:
        """The payload of ``plan.filed``."""
        return {
            "plan": plan,
            "school": school,
            "year": self.year,
            "items": [
                {"standard": i.standard, "level": i.level.value, "candidates": i.candidates}
                for i in self.items
            ],
        }

    def offers(self, standard: str, level: str) -> bool:
        """True when the plan names ``standard`` at ``level``."""
        return any(i.standard == standard and i.level.value == level for i in self.items)


def plan_from_request(year: object, items: Sequence[Mapping[str, Any]]) -> Plan:
    """Check a plan as a school sends it; InvalidField names what is wrong."""
    if not 1 <= len(items) <= MAX_PLAN_ITEMS:
        raise InvalidField("items", f"must name 1 to {MAX_PLAN_ITEMS} standards and levels")
    checked = []
    for position, item in enumerate(items):
        field = f"items[{position}]"
        checked.append(
            PlanItem(
                check_standard_code(item.get("standard", ""), f"{field}.standard"),
                _level(f"{field}.level", item.get("level")),
                _count(f"{field}.candidates", item.get("candidates"), MAX_CANDIDATES),
            )
        )
    pairs = [(i.standard, i.level) for i in checked]
    if len(set(pairs)) != len(pairs):
        raise InvalidField("items", "must not name a standard and level twice")
    return Plan(check_year(year), tuple(checked))


def review_payload(plan: str, comments: str | None) -> dict[str, Any]:
    """The payload of a plan's review: the plan and the office's comments."""
    payload: dict[str, Any] = {"plan": check_plan_id(plan)}
    if comments is not None:
        payload["comments"] = check_text("comments", comments, MAX_REASON_LENGTH)
    return payload


def next_plan_status(plan: str, status: str, kind: str) -> PlanStatus:
    """The status a review leads to; Conflict unless the plan is under review (filed)."""
    if status != PlanStatus.FILED:
        raise Conflict(f"plan {plan} is {status}, not under review")
    return REVIEW_KINDS[kind]


# -- sites and fees -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Site:
    """An organization's assessment site."""

    city: str
    address: str
    capacity: int
    standards: tuple[str, ...]

    def __post_init__(self) -> None:
        check_city(self.city)
        check_text("address", self.address)
        _count("capacity", self.capacity, MAX_CAPACITY)
        if not 1 <= len(self.standards) <= MAX_PLAN_ITEMS:
            raise InvalidField("standards", f"must name 1 to {MAX_PLAN_ITEMS} standards")
        for code in self.standards:
            check_standard_code(code, "standards")
        if len(set(self.standards)) != len(self.standards):
            raise InvalidField("standards", "must not name a standard twice")

    def entry_payload(self, site: str, org: str) -> dict[str, Any]:
        """The payload of ``site.registered``."""
        return {
            "site": site,
            "org": org,
            "city": self.city,
            "address": self.address,
            "capacity": self.capacity,
            "standards": list(self.standards),
        }


def fee_payload(standard: str, level: str, cap: object) -> dict[str, Any]:
    """The payload of ``fee_guideline.set``: the cap in yuan for a standard and level."""
    return {
        "standard": check_standard_code(standard, "standard"),
        "level": _level("level", level).value,
        "cap": _count("cap", cap, MAX_FEE, minimum=0),
    }


# -- assessments --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assessment:
    """An assessment session an organization schedules."""

    standard: str
    level: Level
    site: str
    on: date
    fee: int

    def entry_payload(self, assessment: str, org: str) -> dict[str, Any]:
        """The payload of ``assessment.scheduled``."""
        return {
            "assessment": assessment,
            "org": org,
            "standard": self.standard,
            "level": self.level.value,
            "site": self.site,
            "date": self.on.isoformat(),
            "fee": self.fee,
        }


def assessment_from_request(
    *, standard: str, level: str, site: str, on: str, fee: object
) -> Assessment:
    """Check an assessment as an organization sends it."""
    return Assessment(
        check_standard_code(standard, "standard"),
        _level("level", level),
        check_site_id(site),
        parse_date(on, "date"),
        _count("fee", fee, MAX_FEE, minimum=0),
    )


@dataclass(frozen=True, slots=True)
class Result:
    """One candidate's result."""

    account: str
    score: int
    passed: bool

    def __post_init__(self) -> None:
        _count("score", self.score, 100, minimum=0)
        if not isinstance(self.passed, bool):
            raise InvalidField("passed", "must be true or false")


# -- self-evaluation ----------------------------------------------------------------


def report_digest(text: str) -> str:
    """Hex SHA-256 of a report's text in UTF-8: the ledger holds this, the text stays apart."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_report(title: str, text: str, year: object) -> tuple[str, str, int]:
    """A self-evaluation report's title, text and year, checked."""
    check_text("title", title)
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_REPORT_LENGTH:
        raise InvalidField("text", f"must be 1 to {MAX_REPORT_LENGTH} characters")
    return title, text, check_year(year)
