"""Reporting periods of the office's statistics and bulletins: a month, a half-year or a year.

Pure. A period is written ``YYYY-MM`` (a month, ``2026-11``), ``YYYY-H1`` or ``YYYY-H2``
(January to June, July to December) or ``YYYY`` (a year), for years of the pilot, 2019 to
2100. Anything else is refused with an InvalidField naming what is wrong.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ledger.domain.registry import InvalidField

__all__ = ["FIRST_YEAR", "LAST_YEAR", "PERIOD_FORMS", "Period", "PeriodKind", "parse_period"]

#: The years a period may fall in: the pilot began in 2019.
FIRST_YEAR = 2019
LAST_YEAR = 2100

#: How a period is written, for error messages and API descriptions.
PERIOD_FORMS = "a month (YYYY-MM), a half-year (YYYY-H1 or YYYY-H2) or a year (YYYY)"

_LONGEST = len("2026-H2")
_SHAPE = re.compile(r"(\d{4})(?:-(\d{2})|-H(\d))?", re.ASCII)


class PeriodKind(StrEnum):
    """What a period spans."""

    MONTH = "month"
    HALF_YEAR = "half-year"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: how it is written, what it spans, its first and last day."""

    text: str
    kind: PeriodKind
    first: date
    last: date

    @property
    def year(self) -> int:
        """The calendar year the period lies in."""
        return self.first.year

    @property
    def months(self) -> tuple[str, ...]:
        """Every month of the period, ``YYYY-MM``, in order."""
        return tuple(
            f"{self.year:04d}-{month:02d}" for month in range(self.first.month, self.last.month + 1)
        )

    def contains(self, day: date) -> bool:
        """True when ``day`` lies in the period, its first and last day included."""
        return self.first <= day <= self.last


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 20 else f"{text[:20]!r}... ({len(text)} characters)"


def parse_period(text: object, field: str = "period") -> Period:
    """The period ``text`` writes; InvalidField naming ``field`` and the problem otherwise."""
    if not isinstance(text, str):
        raise InvalidField(field, f"must be a text: {PERIOD_FORMS}")
    match = _SHAPE.fullmatch(text) if len(text) <= _LONGEST else None
    if match is None:
        raise InvalidField(field, f"must be {PERIOD_FORMS}, got {_shown(text)}")
    year = int(match[1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidField(
            field, f"must fall in a year {FIRST_YEAR} to {LAST_YEAR}, got {_shown(text)}"
        )
    if match[2] is not None:
        month = int(match[2])
        if not 1 <= month <= 12:
            raise InvalidField(field, f"names month {match[2]}, which does not exist (01 to 12)")
        return Period(text, PeriodKind.MONTH, date(year, month, 1), _month_end(year, month))
    if match[3] is not None:
        if match[3] not in ("1", "2"):
            raise InvalidField(field, f"names half-year H{match[3]}; a year has H1 and H2")
        first_month = 1 if match[3] == "1" else 7
        return Period(
            text,
            PeriodKind.HALF_YEAR,
            date(year, first_month, 1),
            _month_end(year, first_month + 5),
        )
    return Period(text, PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))
