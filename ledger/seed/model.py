"""The shapes of the made-up province: its students, schools, organizations, sessions and
sites, filled in as the province is made up and written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ledger.core.principals import Principal, Role
from ledger.domain.registry import LEVEL_ORDER, Level, School


@dataclass
class Student:
    name: str
    id_number: str
    item: tuple[str, Level] | None  # the plan item the student sits, if any
    course: tuple[str, str, int] | None  # a course result the school deposits, if any
    account: str = ""


@dataclass
class PilotSchool:
    school: School
    items: list[tuple[str, Level]] = field(default_factory=list)
    students: list[Student] = field(default_factory=list)
    review: str = "approve"  # approve; return (then refile and approve); reject
    #: Published conversion rules: (rule id, standard, minimum level, programme).
    rules: list[tuple[str, str, Level, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.school.id

    @property
    def actor(self) -> Principal:
        return Principal(Role.SCHOOL, self.school.id)

    @property
    def approved(self) -> bool:
        return self.review != "reject"

    @property
    def standards(self) -> list[str]:
        """The standards of the plan, in plan order, once each."""
        return list(dict.fromkeys(code for code, _level in self.items))

    def minimum_level(self, code: str) -> Level:
        return min((lv for c, lv in self.items if c == code), key=LEVEL_ORDER.index)


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    standards: tuple[str, ...]

    @property
    def actor(self) -> Principal:
        return Principal(Role.ORG, self.id)


@dataclass
class Session:
    org: Org
    host: str  # the city of the site
    standard: str
    level: Level
    on: date
    seats: list[tuple[PilotSchool, Student]]


@dataclass
class SitePlan:
    standards: set[str] = field(default_factory=set)
    capacity: int = 40
    id: str = ""
