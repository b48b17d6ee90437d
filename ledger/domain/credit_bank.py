"""Rules of the credit bank: enrolments, course credits, conversion rules and conversions.

Pure. A learner's **balance** is the sum of the credits of their active learning
outcomes: certificates not revoked and course credits deposited by schools. A
**conversion** counts a certificate toward the courses of one programme at one school
under one version of a conversion rule; its credits are reported apart (``converted``),
so no learning counts twice, and one certificate converts at most once per programme.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ledger.core.errors import InvalidInput
from ledger.domain.certificates import parse_date
from ledger.domain.identifiers import check_id, new_id
from ledger.domain.registry import (
    LEVEL_ORDER,
    InvalidField,
    Level,
    check_standard_code,
    check_text,
)
from ledger.kinds import Kind

LEARNER_ENROLLED = Kind.LEARNER_ENROLLED
CREDIT_DEPOSITED = Kind.CREDIT_DEPOSITED
RULE_PUBLISHED = Kind.RULE_PUBLISHED
CONVERSION_RECORDED = Kind.CONVERSION_RECORDED
CONVERSION_REVERSED = Kind.CONVERSION_REVERSED

#: Every entry kind the credit bank writes.
CREDIT_BANK_KINDS = frozenset(
    {LEARNER_ENROLLED, CREDIT_DEPOSITED, RULE_PUBLISHED, CONVERSION_RECORDED, CONVERSION_REVERSED}
)

#: The reason a conversion reversed because its certificate was revoked carries.
REVOKED_CERTIFICATE = "certificate revoked"

MAX_COURSE_CREDITS = 100
MAX_COURSES = 20
COURSE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}", re.ASCII)
PROGRAMME_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}", re.ASCII)
TERM = re.compile(r"\d{4}-(?:1|2|S|W)", re.ASCII)
GRADE = re.compile(r"(?:100|[1-9]?\d|A|B|C|D|E|F|P|pass|fail|[ABCD][+-])", re.ASCII)


class Refusal(StrEnum):
    """Why a conversion is refused: a code a clerk's software can act on."""

    SCHOOL_NOT_ACTIVE = "school_not_active"
    NOT_SCHOOLS_STUDENT = "not_schools_student"
    UNKNOWN_CERTIFICATE = "unknown_certificate"
    CERTIFICATE_REVOKED = "certificate_revoked"
    NOT_HOLDERS_CERTIFICATE = "not_holders_certificate"
    UNKNOWN_RULE = "unknown_rule"
    NOT_SCHOOLS_RULE = "not_schools_rule"
    PROGRAMME_MISMATCH = "programme_mismatch"
    STANDARD_MISMATCH = "standard_mismatch"
    BELOW_RULE_LEVEL = "below_rule_level"
    OUTSIDE_RULE_VALIDITY = "outside_rule_validity"
    ALREADY_CONVERTED = "already_converted"


#: Refusals that depend on what happened before (409); the others are 422.
CONFLICTS = frozenset(
    {
        Refusal.SCHOOL_NOT_ACTIVE,
        Refusal.CERTIFICATE_REVOKED,
        Refusal.ALREADY_CONVERTED,
    }
)


class ConversionRefused(InvalidInput):
    """A conversion the rules forbid; ``code`` says which rule, the message says how."""

    def __init__(self, code: Refusal, message: str) -> None:
        self.code = code
        super().__init__(message)

    @property
    def is_conflict(self) -> bool:
        """True when the refusal comes from the state (HTTP 409), not the request (422)."""
        return self.code in CONFLICTS


class ConversionRows(InvalidInput):
    """Rows of a conversion batch that break a rule: each with its row, code and message."""

    def __init__(self, problems: Sequence[tuple[int, str, str]], total: int) -> None:
        self.problems = list(problems)
        row, code, message = problems[0]
        super().__init__(
            f"{len({p[0] for p in problems})} of {total} rows cannot be converted, nothing "
            f"was recorded; first: row {row}: {code}: {message}"
        )


def new_rule_id() -> str:
    """A fresh random rule id: R, ten digits, a Luhn check digit."""
    return new_id("R")


def new_conversion_id() -> str:
    """A fresh random conversion id: C, ten digits, a Luhn check digit."""
    return new_id("C")


def check_rule_id(text: str, field: str = "rule") -> str:
    """Return ``text`` if it is a rule id with a good check digit."""
    return check_id("R", "a rule id", text, field)


def _check_code(pattern: re.Pattern[str], field: str, value: object) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidField(field, "must be 1 to 32 letters, digits, '.', '_' or '-'")
    return value


def check_credits(value: object, field: str = "credits") -> int:
    """Credits of a course: an integer 1 to MAX_COURSE_CREDITS."""
    if type(value) is not int or not 1 <= value <= MAX_COURSE_CREDITS:
        raise InvalidField(field, f"must be an integer 1 to {MAX_COURSE_CREDITS}")
    return value


def level_at_least(level: str, minimum: str) -> bool:
    """True when certificate level ``level`` is ``minimum`` or above."""
    return LEVEL_ORDER.index(Level(level)) >= LEVEL_ORDER.index(Level(minimum))


# -- course credits -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CourseCredit:
    """Course credits a school deposits for its own student."""

    course: str
    title: str
    credits: int
    term: str
    grade: str

    def __post_init__(self) -> None:
        _check_code(COURSE_CODE, "course", self.course)
        check_text("title", self.title)
        check_credits(self.credits)
        if not isinstance(self.term, str) or not TERM.fullmatch(self.term):
            raise InvalidField(
                "term", "must be a year and a term: 2026-1, 2026-2, 2026-S or 2026-W"
            )
        if not isinstance(self.grade, str) or not GRADE.fullmatch(self.grade):
            raise InvalidField(
                "grade", "must be a mark 0 to 100, A to F (with + or -), pass or fail"
            )

    def entry_payload(self, account: str, school: str) -> dict[str, Any]:
        """The payload of ``credit.deposited``."""
        return {
            "account": account,
            "school": school,
            "course": self.course,
            "title": self.title,
            "credits": self.credits,
            "term": self.term,
            "grade": self.grade,
        }


# -- conversion rules ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Course:
    """A course a rule counts a certificate for, and its credits."""

    code: str
    title: str
    credits: int

    def __post_init__(self) -> None:
        _check_code(COURSE_CODE, "courses.code", self.code)
        check_text("courses.title", self.title)
        check_credits(self.credits, "courses.credits")


@dataclass(frozen=True, slots=True)
class Rule:
    """One version of a school's conversion rule."""

    programme: str
    standard: str
    min_level: Level
    courses: tuple[Course, ...]
    valid_from: date
    valid_to: date | None

    def __post_init__(self) -> None:
        _check_code(PROGRAMME_CODE, "programme", self.programme)
        check_standard_code(self.standard, "standard")
        if not isinstance(self.min_level, Level):
            raise InvalidField("min_level", "must be junior, intermediate or senior")
        if not 1 <= len(self.courses) <= MAX_COURSES:
            raise InvalidField("courses", f"must name 1 to {MAX_COURSES} courses")
        if len({course.code for course in self.courses}) != len(self.courses):
            raise InvalidField("courses", "must not name a course twice")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise InvalidField("valid_to", "must not be before valid_from")

    @property
    def credits(self) -> int:
        """The credits a conversion under this rule counts."""
        return sum(course.credits for course in self.courses)

    def covers(self, day: date) -> bool:
        """True when ``day`` lies in the rule's validity (both ends included)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def entry_payload(self, rule: str, version: int, school: str) -> dict[str, Any]:
        """The payload of ``rule.published``."""
        return {
            "rule": rule,
            "version": version,
            "school": school,
            "programme": self.programme,
            "standard": self.standard,
            "min_level": self.min_level.value,
            "courses": [
                {"code": c.code, "title": c.title, "credits": c.credits} for c in self.courses
            ],
            "valid_from": self.valid_from.isoformat(),
            "valid_to": None if self.valid_to is None else self.valid_to.isoformat(),
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Rule:
        """The rule a ``rule.published`` payload describes."""
        return cls(
            programme=payload["programme"],
            standard=payload["standard"],
            min_level=Level(payload["min_level"]),
            courses=tuple(Course(c["code"], c["title"], c["credits"]) for c in payload["courses"]),
            valid_from=date.fromisoformat(payload["valid_from"]),
            valid_to=None
            if payload["valid_to"] is None
            else date.fromisoformat(payload["valid_to"]),
        )


def rule_from_request(
    *,
    programme: str,
    standard: str,
    min_level: str,
    courses: Sequence[Mapping[str, Any]],
    valid_from: str,
    valid_to: str | None,
) -> Rule:
    """Check a rule as a school sends it; InvalidField names the field that is wrong."""
    try:
        level = Level(min_level)
    except ValueError:
        raise InvalidField("min_level", "must be junior, intermediate or senior") from None
    return Rule(
        programme=programme,
        standard=standard,
        min_level=level,
        courses=tuple(Course(c["code"], c["title"], c["credits"]) for c in courses),
        valid_from=parse_date(valid_from, "valid_from"),
        valid_to=None if valid_to is None else parse_date(valid_to, "valid_to"),
    )


# -- conversions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """What a conversion needs to know of a certificate."""

    number: str
    account: str
    standard: str
    level: str
    issued_on: date
    revoked: bool


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """A published version of a rule and the school that published it."""

    rule: str
    version: int
    school: str
    body: Rule


def check_conversion(
    *,
    school: str,
    school_standing: str | None,
    enrolled: bool,
    account: str,
    certificate: CertificateFacts | None,
    number: str,
    rule: RuleVersion | None,
    rule_id: str,
    programme: str,
    converted_for_programme: bool,
) -> None:
    """Raise ConversionRefused naming the first rule a conversion breaks.

    ``school_standing`` is None for an active pilot school, else why it is not. The
    order is the order a clerk fixes things in: the school, the student, the
    certificate, the rule, then what was converted before.
    """
    if school_standing is not None:
        raise ConversionRefused(
            Refusal.SCHOOL_NOT_ACTIVE,
            f"school {school} is not an active pilot school: {school_standing}",
        )
    if not enrolled:
        raise ConversionRefused(
            Refusal.NOT_SCHOOLS_STUDENT, f"account {account} is not a student of school {school}"
        )
    if certificate is None:
        raise ConversionRefused(Refusal.UNKNOWN_CERTIFICATE, f"there is no certificate {number}")
    if certificate.revoked:
        raise ConversionRefused(
            Refusal.CERTIFICATE_REVOKED, f"certificate {number} is revoked and converts to nothing"
        )
    if certificate.account != account:
        raise ConversionRefused(
            Refusal.NOT_HOLDERS_CERTIFICATE,
            f"certificate {number} is not held by account {account}",
        )
    if rule is None:
        raise ConversionRefused(Refusal.UNKNOWN_RULE, f"there is no conversion rule {rule_id}")
    if rule.school != school:
        raise ConversionRefused(
            Refusal.NOT_SCHOOLS_RULE, f"rule {rule_id} belongs to school {rule.school}"
        )
    if rule.body.programme != programme:
        raise ConversionRefused(
            Refusal.PROGRAMME_MISMATCH,
            f"rule {rule_id} is for programme {rule.body.programme}, not {programme}",
        )
    if rule.body.standard != certificate.standard:
        raise ConversionRefused(
            Refusal.STANDARD_MISMATCH,
            f"rule {rule_id} converts {rule.body.standard}; certificate {number} is "
            f"{certificate.standard}",
        )
    if not level_at_least(certificate.level, rule.body.min_level):
        raise ConversionRefused(
            Refusal.BELOW_RULE_LEVEL,
            f"certificate {number} is {certificate.level}; rule {rule_id} needs "
            f"{rule.body.min_level.value} or above",
        )
    if not rule.body.covers(certificate.issued_on):
        until = rule.body.valid_to.isoformat() if rule.body.valid_to else "open"
        raise ConversionRefused(
            Refusal.OUTSIDE_RULE_VALIDITY,
            f"certificate {number} was issued on {certificate.issued_on.isoformat()}, outside "
            f"rule {rule_id} version {rule.version} "
            f"({rule.body.valid_from.isoformat()} to {until})",
        )
    if converted_for_programme:
        raise ConversionRefused(
            Refusal.ALREADY_CONVERTED,
            f"certificate {number} is already converted for programme {programme}",
        )


@dataclass(frozen=True, slots=True)
class Converted:
    """A recorded conversion and the rule version it cites."""

    conversion: str
    account: str
    certificate: str
    rule: str
    version: int
    school: str
    programme: str
    credits: int
    index: int


def conversion_payload(
    *,
    conversion: str,
    account: str,
    certificate: str,
    rule: RuleVersion,
    school: str,
    batch: str | None = None,
) -> dict[str, Any]:
    """The payload of ``conversion.recorded``: it cites the rule version it used."""
    payload: dict[str, Any] = {
        "conversion": conversion,
        "account": account,
        "certificate": certificate,
        "rule": rule.rule,
        "version": rule.version,
        "school": school,
        "programme": rule.body.programme,
        "courses": [course.code for course in rule.body.courses],
        "credits": rule.body.credits,
    }
    if batch is not None:
        payload["batch"] = batch
    return payload
