"""Rules of the registry: organizations, pilot schools and certificate standards.

Pure: identifier checks (GB 32100-2015 check character), entry payloads; the exit lifecycle
is in ledger.domain.lifecycle, re-exported here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ledger.core.errors import InvalidInput
from ledger.domain.lifecycle import (
    ORG_BARRED,
    ORG_LIFECYCLE,
    ORG_REGISTERED,
    ORG_REINSTATED,
    ORG_SUSPENDED,
    REGISTRY_KINDS,
    SCHOOL_ADMITTED,
    SCHOOL_EXPELLED,
    SCHOOL_LIFECYCLE,
    SCHOOL_REINSTATED,
    SCHOOL_SUSPENDED,
    STANDARD_PUBLISHED,
    Action,
    Lifecycle,
    OrgStatus,
    SchoolStatus,
)
from ledger.domain.text_rules import text_problem

__all__ = [
    "CITIES",
    "CONTACT_SALT_BYTES",
    "CREDIT_CODE_ALPHABET",
    "CREDIT_CODE_LENGTH",
    "CREDIT_CODE_WEIGHTS",
    "DOCUMENT_HASH_PATTERN",
    "LEVEL_ORDER",
    "MAX_CREDITS",
    "MAX_NAME_LENGTH",
    "MAX_REASON_LENGTH",
    "ORG_BARRED",
    "ORG_LIFECYCLE",
    "ORG_REGISTERED",
    "ORG_REINSTATED",
    "ORG_SUSPENDED",
    "REGISTRY_KINDS",
    "SCHOOL_ADMITTED",
    "SCHOOL_CODE_PATTERN",
    "SCHOOL_EXPELLED",
    "SCHOOL_LIFECYCLE",
    "SCHOOL_REINSTATED",
    "SCHOOL_SUSPENDED",
    "STANDARD_CODE_MAX_LENGTH",
    "STANDARD_CODE_PATTERN",
    "STANDARD_PUBLISHED",
    "Action",
    "City",
    "InvalidField",
    "Level",
    "Lifecycle",
    "OrgStatus",
    "Organization",
    "School",
    "SchoolLevel",
    "SchoolStatus",
    "Standard",
    "check_city",
    "check_credit_code",
    "check_school_code",
    "check_standard_code",
    "check_text",
    "commit_contact",
    "credit_code_check_character",
    "standard_credits",
    "status_change_payload",
]

# -- identifiers --------------------------------------------------------------------

#: GB 32100-2015 code characters; a character's value is its position (I, O, S, V, Z unused).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weight of each of the first 17 characters: 3**i mod 31.
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18
_CREDIT_CODE_VALUES = {character: value for value, character in enumerate(CREDIT_CODE_ALPHABET)}

#: 学校标识码: the ten-digit national school identification code.
SCHOOL_CODE_PATTERN = re.compile(r"[0-9]{10}", re.ASCII)

#: A certificate standard code: "1X-" then one to four groups of capital letters and
#: digits joined by "-", at most 32 characters in all ("1X-BIM", "1X-5G", "1X-WEB-FRONT").
STANDARD_CODE_PATTERN = re.compile(r"1X-[A-Z0-9]+(?:-[A-Z0-9]+){0,3}", re.ASCII)
STANDARD_CODE_MAX_LENGTH = 32

#: The SHA-256 of a standard document: 64 lowercase hex digits.
DOCUMENT_HASH_PATTERN = re.compile(r"[0-9a-f]{64}", re.ASCII)

MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 500
MAX_CREDITS = 1000
CONTACT_SALT_BYTES = 16


class InvalidField(InvalidInput):
    """A value that breaks a registry rule; ``field`` names it, ``problem`` says how."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field} {problem}")


def credit_code_check_character(first_seventeen: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are given.

    Raises InvalidField when ``first_seventeen`` is not 17 characters of the alphabet.
    """
    if len(first_seventeen) != CREDIT_CODE_LENGTH - 1 or not all(
        character in _CREDIT_CODE_VALUES for character in first_seventeen
    ):
        raise InvalidField("id", f"{_quote(first_seventeen)} is not 17 code characters")
    total = sum(
        _CREDIT_CODE_VALUES[character] * weight
        for character, weight in zip(first_seventeen, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(code: str, field: str = "id") -> str:
    """Return ``code`` if it is a unified social credit code; InvalidField otherwise."""
    if len(code) != CREDIT_CODE_LENGTH or not all(c in _CREDIT_CODE_VALUES for c in code):
        raise InvalidField(
            field,
            "must be a unified social credit code: 18 digits and capital letters "
            f"other than I, O, S, V, Z, got {_quote(code)}",
        )
    expected = credit_code_check_character(code[:-1])
    if code[-1] != expected:
        raise InvalidField(
            field,
            f"must be a unified social credit code, but the check character of {code!r} "
            f"should be {expected!r}, not {code[-1]!r}",
        )
    return code


def check_school_code(code: str, field: str = "id") -> str:
    """Return ``code`` if it is a ten-digit school identification code; InvalidField otherwise."""
    if not SCHOOL_CODE_PATTERN.fullmatch(code):
        raise InvalidField(
            field, f"must be a school identification code of 10 digits, got {_quote(code)}"
        )
    return code


def check_standard_code(code: str, field: str = "code") -> str:
    """Return ``code`` if it matches STANDARD_CODE_PATTERN; InvalidField otherwise."""
    if len(code) > STANDARD_CODE_MAX_LENGTH or not STANDARD_CODE_PATTERN.fullmatch(code):
        raise InvalidField(
            field,
            "must be a standard code such as '1X-BIM': '1X-' and up to four groups of "
            f"capital letters and digits joined by '-', at most {STANDARD_CODE_MAX_LENGTH} "
            f"characters, got {_quote(code)}",
        )
    return code


def check_text(
    field: str, value: str, max_length: int = MAX_NAME_LENGTH, *, formula: bool = True
) -> str:
    """Return ``value`` if it is 1..max_length characters of printable one-line text.

    Refused: empty text, leading or trailing whitespace, control characters and lone
    surrogates (which have no UTF-8 encoding), and what domain.text_rules refuses for the
    public ledger (not NFC, bidi and zero-width characters, and, when ``formula``, a
    leading =, +, - or @).
    """
    if not 1 <= len(value) <= max_length:
        raise InvalidField(field, f"must be 1 to {max_length} characters, got {len(value)}")
    if value != value.strip():
        raise InvalidField(field, "must not start or end with whitespace")
    if any(unicodedata.category(character) in ("Cc", "Cs") for character in value):
        raise InvalidField(field, "must not contain control characters")
    problem = text_problem(value, formula=formula)
    if problem is not None:
        raise InvalidField(field, problem)
    return value


def _quote(value: str) -> str:
    return repr(value) if len(value) <= 40 else f"{value[:40]!r}... ({len(value)} characters)"


# -- places and levels --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class City:
    """A city (or unit addressed like one) of the province's list."""

    code: str
    name_zh: str
    name_en: str
    kind: str


#: Shaanxi's prefecture-level cities and the units its 1+X notices address separately.
CITIES: Mapping[str, City] = {
    city.code: city
    for city in (
        City("xian", "西安市", "Xi'an", "prefecture"),
        City("tongchuan", "铜川市", "Tongchuan", "prefecture"),
        City("baoji", "宝鸡市", "Baoji", "prefecture"),
        City("xianyang", "咸阳市", "Xianyang", "prefecture"),
        City("weinan", "渭南市", "Weinan", "prefecture"),
        City("yanan", "延安市", "Yan'an", "prefecture"),
        City("hanzhong", "汉中市", "Hanzhong", "prefecture"),
        City("yulin", "榆林市", "Yulin", "prefecture"),
        City("ankang", "安康市", "Ankang", "prefecture"),
        City("shangluo", "商洛市", "Shangluo", "prefecture"),
        City("yangling", "杨凌示范区", "Yangling Demonstration Zone", "zone"),
        City("xixian", "西咸新区", "Xixian New Area", "zone"),
        City("hancheng", "韩城市", "Hancheng", "county-level city"),
        City("shenmu", "神木市", "Shenmu", "county-level city"),
        City("fugu", "府谷县", "Fugu", "county"),
    )
}


def check_city(code: str, field: str = "city") -> str:
    """Return ``code`` if it names a city of CITIES; InvalidField otherwise."""
    if code not in CITIES:
        raise InvalidField(
            field, f"must be one of the province's cities ({', '.join(CITIES)}), got {_quote(code)}"
        )
    return code


class SchoolLevel(StrEnum):
    """Secondary or higher vocational education."""

    SECONDARY = "secondary"
    HIGHER = "higher"


class Level(StrEnum):
    """A certificate level, in ascending order."""

    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"


LEVEL_ORDER = (Level.JUNIOR, Level.INTERMEDIATE, Level.SENIOR)


# -- status changes (the lifecycle itself is in ledger.domain.lifecycle) -------------


def status_change_payload(lifecycle: Lifecycle, object_id: str, reason: str) -> dict[str, Any]:
    """Payload of a suspension, reinstatement, bar or expulsion: the object and why."""
    check_id = check_credit_code if lifecycle is ORG_LIFECYCLE else check_school_code
    return {
        lifecycle.key: check_id(object_id),
        "reason": check_text("reason", reason, MAX_REASON_LENGTH),
    }


# -- the objects --------------------------------------------------------------------


def commit_contact(contact: str, salt: bytes) -> str:
    """Hex SHA-256 of ``salt`` (16 bytes) followed by ``contact`` in UTF-8."""
    if len(salt) != CONTACT_SALT_BYTES:
        raise InvalidInput(f"a contact salt is {CONTACT_SALT_BYTES} bytes, not {len(salt)}")
    return hashlib.sha256(salt + contact.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Organization:
    """A training and evaluation organization as registered; ``contact`` is personal data."""

    id: str
    name: str
    contact: str

    def __post_init__(self) -> None:
        check_credit_code(self.id)
        check_text("name", self.name)
        check_text("contact", self.contact, formula=False)  # "+86 ..." is a phone number

    def entry_payload(self, contact_commitment: str) -> dict[str, Any]:
        """The public facts of ``org.registered``: the contact only as its commitment."""
        return {"org": self.id, "name": self.name, "contact_commitment": contact_commitment}


@dataclass(frozen=True, slots=True)
class School:
    """A pilot school as admitted."""

    id: str
    name: str
    city: str
    level: SchoolLevel

    def __post_init__(self) -> None:
        check_school_code(self.id)
        check_text("name", self.name)
        check_city(self.city)
        if not isinstance(self.level, SchoolLevel):
            raise InvalidField("level", "must be 'secondary' or 'higher'")

    def entry_payload(self) -> dict[str, Any]:
        """The facts of ``school.admitted``."""
        return {"school": self.id, "name": self.name, "city": self.city, "level": self.level.value}


@dataclass(frozen=True, slots=True)
class Standard:
    """A certificate standard: its levels, the credits of each, and its document's hash."""

    code: str
    org: str
    title: str
    credits: Mapping[Level, int]
    document_hash: str

    def __post_init__(self) -> None:
        check_standard_code(self.code)
        check_credit_code(self.org, "org")
        check_text("title", self.title)
        if not self.credits:
            raise InvalidField("credits", "must name at least one level")
        for level, value in self.credits.items():
            if not isinstance(level, Level):
                raise InvalidField("credits", f"names {level!r}, which is not a level")
            if type(value) is not int or not 0 <= value <= MAX_CREDITS:
                raise InvalidField(f"credits.{level.value}", f"must be 0 to {MAX_CREDITS}")
        if not DOCUMENT_HASH_PATTERN.fullmatch(self.document_hash):
            raise InvalidField(
                "document_hash", "must be the SHA-256 of the document: 64 lowercase hex digits"
            )

    @property
    def levels(self) -> tuple[Level, ...]:
        """The levels offered, junior first."""
        return tuple(level for level in LEVEL_ORDER if level in self.credits)

    def entry_payload(self) -> dict[str, Any]:
        """The facts of ``standard.published``."""
        return {
            "standard": self.code,
            "org": self.org,
            "title": self.title,
            "levels": [level.value for level in self.levels],
            "credits": {level.value: self.credits[level] for level in self.levels},
            "document_hash": self.document_hash,
        }


def standard_credits(levels: list[str], credits: Mapping[str, int]) -> dict[Level, int]:
    """Credits by level from the levels offered and a credit value for each of them.

    Raises InvalidField when a level repeats, is unknown, or has no credit value (or a
    credit value names a level not offered).
    """
    known = {level.value for level in Level}
    for level in levels:
        if level not in known:
            raise InvalidField("levels", f"must hold junior, intermediate or senior, got {level!r}")
    if not levels:
        raise InvalidField("levels", "must offer at least one level")
    if len(set(levels)) != len(levels):
        raise InvalidField("levels", "must not repeat a level")
    if set(credits) != set(levels):
        raise InvalidField(
            "credits", f"must give one credit value for each level offered: {', '.join(levels)}"
        )
    return {Level(level): credits[level] for level in levels}
