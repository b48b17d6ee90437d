"""Wire types of a school's lists: its students, the course credits it deposited, and
conversions, each a page ``{"items", "total", "limit", "offset"}`` like the registry's."""

from __future__ import annotations

import msgspec


class StudentItem(msgspec.Struct, frozen=True, kw_only=True):
    """A student of the school: the learning account (never a name or an ID number)."""

    account: str
    enrolled_index: int


class StudentPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a school's students, in enrolment order."""

    items: list[StudentItem]
    total: int
    limit: int
    offset: int


class CreditItem(msgspec.Struct, frozen=True, kw_only=True):
    """Course credits the school deposited."""

    index: int
    account: str
    course: str
    title: str
    credits: int
    term: str | None
    grade: str | None
    earned_on: str


class CreditPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a school's course credits, newest first."""

    items: list[CreditItem]
    total: int
    limit: int
    offset: int


class ConversionItem(msgspec.Struct, frozen=True, kw_only=True):
    """A conversion, with its reversal if the certificate was revoked."""

    conversion: str
    account: str
    certificate: str
    rule: str
    version: int
    school: str
    programme: str
    credits: int
    index: int
    recorded_on: str
    batch: str | None
    reversed_index: int | None
    reversal_reason: str | None


class ConversionPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of conversions, newest first."""

    items: list[ConversionItem]
    total: int
    limit: int
    offset: int
