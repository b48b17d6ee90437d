"""Conversion rules of the credit bank: the courses a school counts a certificate for, their
credits and the rule's validity, checked as a school sends them. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.domain.certificates import parse_date
from ledger.domain.identifiers import check_id, new_id
from ledger.domain.registry import (
    LEVEL_ORDER,
    InvalidField,
    Level,
    check_standard_code,
    check_text,
)

__all__ = [
    "COURSE_CODE",
    "MAX_COURSES",
    "MAX_COURSE_CREDITS",
    "PROGRAMME_CODE",
    "Course",
    "Rule",
    "RuleVersion",
    "check_code",
    "check_credits",
    "check_rule_id",
    "level_at_least",
    "new_rule_id",
    "rule_from_request",
]

MAX_COURSE_CREDITS = 100
MAX_COURSES = 20
COURSE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}", re.ASCII)
PROGRAMME_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}", re.ASCII)


def new_rule_id() -> str:
    """A fresh random rule id: R, ten digits, a Luhn check digit."""
    return new_id("R")


def check_rule_id(text: str, field: str = "rule") -> str:
    """Return ``text`` if it is a rule id with a good check digit."""
    return check_id("R", "a rule id", text, field)


def check_code(pattern: re.Pattern[str], field: str, value: object) -> str:
    """Return ``value`` if it is a code ``pattern`` matches whole; InvalidField names ``field``."""
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


@dataclass(frozen=True, slots=True)
class Course:
    """A course a rule counts a certificate for, and its credits."""

    code: str
    title: str
    credits: int

    def __post_init__(self) -> None:
        check_code(COURSE_CODE, "courses.code", self.code)
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
        check_code(PROGRAMME_CODE, "programme", self.programme)
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


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """A published version of a rule and the school that published it."""

    rule: str
    version: int
    school: str
    body: Rule
