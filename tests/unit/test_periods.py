"""Reporting periods: months, half-years and years parse to their first and last day;
anything else is refused with a message naming the field and the forms it takes."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.errors import InvalidInput
from ledger.domain.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    PeriodKind,
    parse_period,
)
from ledger.domain.registry import InvalidField

years = st.integers(FIRST_YEAR, LAST_YEAR)
months = st.integers(1, 12)


@given(years, months)
def test_a_month_spans_its_days(year: int, month: int) -> None:
    period = parse_period(f"{year}-{month:02d}")
    assert period.kind is PeriodKind.MONTH
    assert period.text == f"{year}-{month:02d}"
    assert period.first == date(year, month, 1)
    assert period.last == date(year, month, calendar.monthrange(year, month)[1])
    assert (period.last + timedelta(days=1)).day == 1  # the last day of its month
    assert period.year == year
    assert period.months == (f"{year}-{month:02d}",)
    assert period.contains(period.first) and period.contains(period.last)
    assert not period.contains(period.first - timedelta(days=1))
    assert not period.contains(period.last + timedelta(days=1))


@given(years)
def test_a_year_spans_twelve_months(year: int) -> None:
    period = parse_period(str(year))
    assert period == Period(str(year), PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))
    assert period.months == tuple(f"{year}-{m:02d}" for m in range(1, 13))


@given(years)
def test_the_halves_of_a_year_meet(year: int) -> None:
    first, second = parse_period(f"{year}-H1"), parse_period(f"{year}-H2")
    assert first.kind is second.kind is PeriodKind.HALF_YEAR
    assert (first.first, first.last) == (date(year, 1, 1), date(year, 6, 30))
    assert (second.first, second.last) == (date(year, 7, 1), date(year, 12, 31))
    assert first.last + timedelta(days=1) == second.first
    assert first.months + second.months == parse_period(str(year)).months


@given(years, months)
def test_every_month_lies_in_its_half_and_its_year(year: int, month: int) -> None:
    period = parse_period(f"{year}-{month:02d}")
    half = parse_period(f"{year}-H{1 if month <= 6 else 2}")
    whole = parse_period(str(year))
    for outer in (half, whole):
        assert outer.first <= period.first <= period.last <= outer.last
        assert period.months[0] in outer.months


def test_february_of_a_leap_year() -> None:
    assert parse_period("2028-02").last == date(2028, 2, 29)
    assert parse_period("2026-02").last == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must be a month (YYYY-MM), a half-year (YYYY-H1 or YYYY-H2) or a year (YYYY)"),
        ("2026-13", "names month 13, which does not exist (01 to 12)"),
        ("2026-00", "names month 00, which does not exist"),
        ("2026-H3", "names half-year H3; a year has H1 and H2"),
        ("2026-H0", "names half-year H0"),
        ("2018", "must fall in a year 2019 to 2100, got '2018'"),
        ("2101-01", "must fall in a year 2019 to 2100"),
        ("0000", "must fall in a year 2019 to 2100"),
        ("2026-1", "must be a month (YYYY-MM)"),
        ("2026-011", "got '2026-011'"),
        ("2026-h2", "got '2026-h2'"),
        ("2026-Q4", "got '2026-Q4'"),
        ("2026-11-01", "got '2026-11-01'"),
        ("26-11", "got '26-11'"),
        ("2026/11", "got '2026/11'"),
        (" 2026", "got ' 2026'"),
        ("2026\n", "got '2026\\n'"),
        ("２０２６", "got '２０２６'"),  # full-width digits are not ASCII digits
        ("2026-H", "got '2026-H'"),
        ("x" * 500, "(500 characters)"),
    ],
)
def test_other_texts_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidField) as refused:
        parse_period(text)
    assert refused.value.field == "period"
    assert message in str(refused.value)
    assert isinstance(refused.value, InvalidInput)  # a 400 through the API


@pytest.mark.parametrize("value", [None, 2026, 2026.11, b"2026-11", ["2026"]])
def test_only_text_is_a_period(value: object) -> None:
    with pytest.raises(InvalidField, match="period must be a text"):
        parse_period(value)


def test_the_field_is_named_as_the_caller_says() -> None:
    with pytest.raises(InvalidField, match=r"^month must be"):
        parse_period("now", "month")


@given(st.text(max_size=12))
def test_whatever_parses_is_written_in_one_of_the_three_forms(text: str) -> None:
    try:
        period = parse_period(text)
    except InvalidField:
        return
    assert period.text == text
    canonical = {
        PeriodKind.MONTH: f"{period.first:%Y-%m}",
        PeriodKind.HALF_YEAR: f"{period.year}-H{1 if period.first.month == 1 else 2}",
        PeriodKind.YEAR: str(period.year),
    }[period.kind]
    assert text == canonical
