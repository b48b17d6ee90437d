"""Wire types of the registry: organizations, pilot schools, certificate standards, exit.

Request bodies refuse unknown fields; the rules msgspec cannot state (check characters,
the province's cities) are checked by the domain and answered with a 400 naming the field.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = [
    "ExitRequest",
    "OrgPage",
    "OrgRegistration",
    "OrgView",
    "RecordedChange",
    "SchoolAdmission",
    "SchoolPage",
    "SchoolView",
    "StandardPage",
    "StandardPublication",
    "StandardPublished",
    "StandardView",
]

LevelName = Literal["junior", "intermediate", "senior"]
SchoolLevelName = Literal["secondary", "higher"]

_CREDIT_CODE = msgspec.Meta(
    min_length=18,
    max_length=18,
    description=(
        "the unified social credit code (统一社会信用代码, GB 32100-2015): 18 digits and "
        "capital letters other than I, O, S, V, Z, the last a check character"
    ),
    examples=["91350100M000100Y43"],
)
_SCHOOL_CODE = msgspec.Meta(
    min_length=10,
    max_length=10,
    description="the ten-digit national school identification code (学校标识码)",
    examples=["4161010001"],
)
_STANDARD_CODE = msgspec.Meta(
    min_length=4,
    max_length=32,
    description=(
        "'1X-' and up to four groups of capital letters and digits joined by '-', "
        "at most 32 characters"
    ),
    examples=["1X-BIM"],
)
_NAME = msgspec.Meta(
    min_length=1,
    max_length=200,
    description="1 to 200 characters, no control characters or surrounding whitespace",
)
_INDEX = msgspec.Meta(ge=0, description="ledger index of the entry that records this")
_CREDITS = msgspec.Meta(ge=0, le=1000, description="credits of the certificate at this level")


class OrgRegistration(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Register a training and evaluation organization (备案); office only."""

    id: Annotated[str, _CREDIT_CODE]
    name: Annotated[str, _NAME]
    contact: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=200,
            description=(
                "contact person and phone: personal data, never written to the ledger "
                "(the entry holds a salted SHA-256 commitment)"
            ),
        ),
    ]


class SchoolAdmission(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Admit a pilot school; office only."""

    id: Annotated[str, _SCHOOL_CODE]
    name: Annotated[str, _NAME]
    city: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=32,
            description="a city code of the province's list, such as xian or yangling",
        ),
    ]
    level: Annotated[SchoolLevelName, msgspec.Meta(description="secondary or higher vocational")]


class StandardPublication(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Publish a certificate standard; only the owning organization, while registered."""

    code: Annotated[str, _STANDARD_CODE]
    title: Annotated[str, _NAME]
    levels: Annotated[
        list[LevelName],
        msgspec.Meta(min_length=1, max_length=3, description="the levels offered, no repeats"),
    ]
    credits: Annotated[
        dict[LevelName, Annotated[int, _CREDITS]],
        msgspec.Meta(description="one credit value for each level offered"),
    ]
    document_hash: Annotated[
        str,
        msgspec.Meta(
            pattern="^[0-9a-f]{64}$",
            description="SHA-256 of the standard document, 64 lowercase hex digits",
        ),
    ]


class ExitRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Why the office suspends, reinstates, bars or expels: recorded in the ledger."""

    reason: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=500,
            description="1 to 500 characters; public, in the ledger",
        ),
    ]


class RecordedChange(msgspec.Struct, frozen=True, kw_only=True):
    """An organization or school as a write left it, and the entry that records the write."""

    id: str
    status: str
    index: Annotated[int, _INDEX]


class StandardPublished(msgspec.Struct, frozen=True, kw_only=True):
    """A published standard's code and the entry that records it."""

    code: str
    index: Annotated[int, _INDEX]


class OrgView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An organization; ``contact`` only for the office, auditors and the organization itself."""

    id: str
    name: str
    status: Literal["registered", "suspended", "barred"]
    reason: Annotated[str | None, msgspec.Meta(description="why the last status change")]
    registered_index: Annotated[int, _INDEX]
    status_index: Annotated[int, msgspec.Meta(ge=0, description="entry of the last status")]
    contact: str | None = None


class SchoolView(msgspec.Struct, frozen=True, kw_only=True):
    """A pilot school."""

    id: str
    name: str
    city: str
    level: SchoolLevelName
    status: Literal["admitted", "suspended", "expelled"]
    reason: Annotated[str | None, msgspec.Meta(description="why the last status change")]
    admitted_index: Annotated[int, _INDEX]
    status_index: Annotated[int, msgspec.Meta(ge=0, description="entry of the last status")]


class StandardView(msgspec.Struct, frozen=True, kw_only=True):
    """A certificate standard, its levels and their credits."""

    code: str
    org: str
    title: str
    levels: list[LevelName]
    credits: dict[LevelName, int]
    document_hash: str
    published_index: Annotated[int, _INDEX]


class OrgPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of organizations; ``total`` counts every match of the filter."""

    items: list[OrgView]
    total: int
    limit: int
    offset: int


class SchoolPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of pilot schools; ``total`` counts every match of the filter."""

    items: list[SchoolView]
    total: int
    limit: int
    offset: int


class StandardPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of standards; ``total`` counts every match of the filter."""

    items: list[StandardView]
    total: int
    limit: int
    offset: int
