"""Rules of the credit bank: enrolments, course credits, conversion rules and conversions.

Pure. A learner's **balance** is the sum of the credits of their active learning
outcomes: certificates not revoked and course credits deposited by schools. A
**conversion** counts a certificate toward the courses of one programme at one school
under one version of a conversion rule; its credits are reported apart (``converted``),
so no learning counts twice, and one certificate converts at most once per programme.
The rules themselves (courses, versions, validity) are in ledger.domain.conversion_rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ledger.core.errors import InvalidInput
from ledger.domain.conversion_rules import (
    COURSE_CODE,
    MAX_COURSE_CREDITS,
    MAX_COURSES,
    PROGRAMME_CODE,
    Course,
    Rule,
    RuleVersion,
    check_code,
    check_credits,
    check_rule_id,
    level_at_least,
    new_rule_id,
    rule_from_request,
)
from ledger.domain.identifiers import new_id
from ledger.domain.registry import InvalidField, check_text
from ledger.kinds import Kind

__all__ = [
    "CONFLICTS",
    "CONVERSION_RECORDED",
    "CONVERSION_REVERSED",
    "COURSE_CODE",
    "CREDIT_BANK_KINDS",
    "CREDIT_DEPOSITED",
    "GRADE",
    "LEARNER_ENROLLED",
    "MAX_COURSES",
    "MAX_COURSE_CREDITS",
    "PROGRAMME_CODE",
    "REVOKED_CERTIFICATE",
    "RULE_PUBLISHED",
    "TERM",
    "CertificateFacts",
    "ConversionRefused",
    "ConversionRows",
    "Converted",
    "Course",
    "CourseCredit",
    "Refusal",
    "Rule",
    "RuleVersion",
    "check_conversion",
    "check_credits",
    "check_rule_id",
    "conversion_payload",
    "level_at_least",
    "new_conversion_id",
    "new_rule_id",
    "rule_from_request",
]

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


def new_conversion_id() -> str:
    """A fresh random conversion id: C, ten digits, a Luhn check digit."""
    return new_id("C")


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
        check_code(COURSE_CODE, "course", self.course)
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
