"""Rules of certificates: numbers, holders, issuance rows, entry payloads and records.

Pure. Personal data (a holder's full name and national ID number) enters here only to
be checked, masked and committed to; no message raised here repeats it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger.core.canonical import canonical_json
from ledger.core.errors import InvalidInput
from ledger.domain.identifiers import check_id, luhn_digit, new_id
from ledger.domain.registry import (
    MAX_REASON_LENGTH,
    InvalidField,
    Level,
    check_credit_code,
    check_standard_code,
    check_text,
)
from ledger.domain.text_rules import FORMULA_LEADS
from ledger.kinds import Kind

CERTIFICATE_ISSUED = Kind.CERTIFICATE_ISSUED
CERTIFICATE_REVOKED = Kind.CERTIFICATE_REVOKED
LEARNER_OPENED = Kind.LEARNER_OPENED
LEARNER_ERASED = Kind.LEARNER_ERASED

#: Every entry kind certificates write.
CERTIFICATE_KINDS = frozenset(
    {CERTIFICATE_ISSUED, CERTIFICATE_REVOKED, LEARNER_OPENED, LEARNER_ERASED}
)

#: Bytes of the random salt of each holder commitment (128 bits).
HOLDER_SALT_BYTES = 16
#: The first year of the 1+X pilot; no certificate is dated before it.
FIRST_YEAR = 2019
MAX_HOLDER_NAME_LENGTH = 100
MAX_SCORE = 100
#: China Standard Time: UTC+8 all year. Dates the service writes are dates there.
CHINA_OFFSET = timedelta(hours=8)
#: A client's batch id, or an assessment id: safe in URLs, logs and the public ledger.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}", re.ASCII)

CERTIFICATE_PATTERN = re.compile(r"X(\d{4})(\d{10})(\d)", re.ASCII)
ID_NUMBER_PATTERN = re.compile(r"(\d{6})(\d{8})\d{3}[0-9X]", re.ASCII)
#: GB 11643-1999 weights 2**(17 - i) mod 11 and the check characters by remainder.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
#: Characters a masked name keeps: spaces and the middle dots of transliterated names.
_KEPT_IN_MASK = frozenset(" ·•")


# -- numbers ------------------------------------------------------------------------


def new_certificate_number(year: int) -> str:
    """A fresh random certificate number of ``year``: X, year, ten digits, check digit."""
    body = f"{year:04d}{secrets.randbelow(10**10):010d}"
    return f"X{body}{luhn_digit(body)}"


def new_account_number() -> str:
    """A fresh random learning account number: L, ten digits, check digit."""
    return new_id("L")


def check_certificate_number(text: str, field: str = "certificate") -> str:
    """Return ``text`` if it is a certificate number with a good check digit."""
    match = CERTIFICATE_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidField(
            field, "must be a certificate number: X, the year and eleven digits (16 characters)"
        )
    if luhn_digit(match[1] + match[2]) != match[3]:
        raise InvalidField(field, "has a wrong check digit: a digit is mistyped")
    return text


def check_account_number(text: str, field: str = "account") -> str:
    """Return ``text`` if it is a learning account number with a good check digit."""
    return check_id("L", "an account number", text, field)


def check_token(field: str, value: str) -> str:
    """Return ``value`` if it is 1 to 64 of ``A-Z a-z 0-9 . _ : -``."""
    if not isinstance(value, str) or not TOKEN_PATTERN.fullmatch(value):
        raise InvalidField(field, "must be 1 to 64 letters, digits or . _ : -")
    return value


# -- holders ------------------------------------------------------------------------


def id_number_check_character(first_seventeen: str) -> str:
    """The 18th character of a resident identity number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first_seventeen, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def check_id_number(text: str, field: str = "id_number") -> str:
    """Return ``text`` upper-cased if it is an 18-character resident identity number.

    Checks the shape, the date of birth and the check character. The message never
    repeats the number.
    """
    value = text.strip().upper() if isinstance(text, str) else ""
    match = ID_NUMBER_PATTERN.fullmatch(value)
    if match is None:
        raise InvalidField(
            field, "must be an 18-character resident identity number (17 digits, then a digit or X)"
        )
    birth = match[2]
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        raise InvalidField(field, "holds a date of birth that does not exist") from None
    if born.year < 1900:
        raise InvalidField(field, "holds a date of birth before 1900")
    # The day in China (UTC+8): a person born today may hold a number, nobody born later.
    if born > (datetime.now(UTC) + timedelta(hours=8)).date():
        raise InvalidField(field, "holds a date of birth in the future")
    if id_number_check_character(value[:17]) != value[17]:
        raise InvalidField(field, "has a wrong check character: a digit is mistyped")
    return value


def normalize_name(text: str, field: str = "name") -> str:
    """A holder's full name in NFC, trimmed; InvalidField (never echoing it) otherwise."""
    if not isinstance(text, str):
        raise InvalidField(field, "must be a string")
    value = unicodedata.normalize("NFC", text).strip()
    if not 1 <= len(value) <= MAX_HOLDER_NAME_LENGTH:
        raise InvalidField(field, f"must be 1 to {MAX_HOLDER_NAME_LENGTH} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in value):
        raise InvalidField(field, "must not contain control or format characters")
    if any(c.isdigit() for c in value):
        raise InvalidField(field, "must not contain digits")
    if value.startswith(FORMULA_LEADS):
        # Worded without the characters themselves: a refusal never repeats the name.
        raise InvalidField(
            field, "must not start with a formula character (equals, plus, minus, at)"
        )
    return value


def name_key(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def mask_name(name: str) -> str:
    """The first character, then ``*`` for each other character but spaces and middle dots."""
    return name[0] + "".join(c if c in _KEPT_IN_MASK else "*" for c in name[1:])


def holder_commitment(salt: bytes, id_number: str, name: str) -> str:
    """Hex SHA-256(salt || ID number || 0x00 || name), all text UTF-8 (section 9.2)."""
    if len(salt) != HOLDER_SALT_BYTES:
        raise ValueError(f"a holder salt is {HOLDER_SALT_BYTES} bytes, not {len(salt)}")
    return hashlib.sha256(
        salt + id_number.encode("utf-8") + b"\x00" + name.encode("utf-8")
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class Holder:
    """A certificate's holder: personal data, bound for the personal-data store only."""

    name: str
    id_number: str

    def __repr__(self) -> str:  # never print personal data by accident
        return "Holder(<personal data>)"


# -- issuance -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one row of a batch: its position (from 1), the field, the problem."""

    row: int
    field: str
    problem: str


class InvalidRows(InvalidInput):
    """Rows of an issuance that break a rule; ``problems`` names each of them."""

    def __init__(self, problems: Sequence[RowProblem], total: int) -> None:
        self.problems = list(problems)
        rows = len({problem.row for problem in problems})
        first = problems[0]
        noun = "row is" if rows == 1 else "rows are"
        super().__init__(
            f"{rows} of {total} {noun} not valid, nothing was issued; "
            f"first: row {first.row}: {first.field} {first.problem}"
        )


@dataclass(frozen=True, slots=True)
class Issuance:
    """One certificate to issue, checked: what the issuing organization asked for."""

    standard: str
    level: Level
    holder: Holder
    issued_on: date
    assessment: str | None = None
    score: int | None = None


def china_date(timestamp: str) -> str:
    """The date in China Standard Time (UTC+8) of an entry timestamp (format section 2.3)."""
    moment = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return (moment + CHINA_OFFSET).date().isoformat()


def check_issue_date(value: date, today: date, field: str = "issued_on") -> date:
    """``value`` if it lies between the pilot's first year and ``today``."""
    if value > today:
        raise InvalidField(field, f"must not be later than today ({today.isoformat()})")
    if value.year < FIRST_YEAR:
        raise InvalidField(field, f"must not be earlier than {FIRST_YEAR}, when the pilot began")
    return value


def parse_date(text: str, field: str = "issued_on") -> date:
    """A ``YYYY-MM-DD`` date; InvalidField otherwise."""
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
        raise InvalidField(field, "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField(field, "is not a date of the calendar") from None


def check_score(value: object, field: str = "score") -> int:
    """An integer score 0 to MAX_SCORE."""
    if type(value) is not int or not 0 <= value <= MAX_SCORE:
        raise InvalidField(field, f"must be an integer 0 to {MAX_SCORE}")
    return value


def check_level(value: object, field: str = "level") -> Level:
    """A certificate level from its English name."""
    try:
        return Level(str(value)) if isinstance(value, str) else Level("")
    except ValueError:
        raise InvalidField(field, "must be junior, intermediate or senior") from None


def issuance(
    *,
    standard: str,
    level: str,
    name: str,
    id_number: str,
    issued_on: str | None,
    today: date,
    assessment: str | None = None,
    score: int | None = None,
) -> Issuance:
    """Check one issuance request; the first InvalidField names the field that is wrong."""
    return Issuance(
        standard=check_standard_code(standard, "standard"),
        level=check_level(level),
        holder=Holder(
            normalize_name(name, "holder.name"), check_id_number(id_number, "holder.id_number")
        ),
        issued_on=today if issued_on is None else check_issue_date(parse_date(issued_on), today),
        assessment=None if assessment is None else check_token("assessment", assessment),
        score=None if score is None else check_score(score),
    )


def issued_payload(
    *,
    certificate: str,
    account: str,
    org: str,
    issuance: Issuance,
    commitment: str,
    batch: str | None = None,
) -> dict[str, Any]:
    """The payload of ``certificate.issued`` (format section 2.4): no personal data."""
    payload: dict[str, Any] = {
        "certificate": certificate,
        "account": account,
        "standard": issuance.standard,
        "level": issuance.level.value,
        "org": org,
        "issued_on": issuance.issued_on.isoformat(),
        "holder": mask_name(issuance.holder.name),
        "holder_commitment": commitment,
    }
    if issuance.assessment is not None:
        payload["assessment"] = issuance.assessment
    if issuance.score is not None:
        payload["score"] = issuance.score
    if batch is not None:
        payload["batch"] = batch
    return payload


def revoked_payload(certificate: str, reason: str) -> dict[str, Any]:
    """The payload of ``certificate.revoked``."""
    return {
        "certificate": check_certificate_number(certificate),
        "reason": check_text("reason", reason, MAX_REASON_LENGTH),
    }


# -- verification records -----------------------------------------------------------

#: Members every record payload has, with their JSON types (format section 9.3).
RECORD_MEMBERS: Mapping[str, type] = {
    "iss": str,
    "certificate": str,
    "standard": str,
    "standard_title": str,
    "level": str,
    "org": str,
    "org_name": str,
    "issued_on": str,
    "holder": str,
    "holder_commitment": str,
    "index": int,
    "leaf_hash": str,
}
#: Members a record payload may have besides.
OPTIONAL_RECORD_MEMBERS: Mapping[str, type] = {"assessment": str, "score": int}


def record_payload(
    issued: Mapping[str, Any],
    *,
    iss: str,
    index: int,
    leaf_hash_b64: str,
    standard_title: str,
    org_name: str,
) -> bytes:
    """The canonical JSON payload of the record of one ``certificate.issued`` entry."""
    claims: dict[str, Any] = {
        "iss": iss,
        "certificate": issued["certificate"],
        "standard": issued["standard"],
        "standard_title": standard_title,
        "level": issued["level"],
        "org": issued["org"],
        "org_name": org_name,
        "issued_on": issued["issued_on"],
        "holder": issued["holder"],
        "holder_commitment": issued["holder_commitment"],
        "index": index,
        "leaf_hash": leaf_hash_b64,
    }
    for member in OPTIONAL_RECORD_MEMBERS:
        if member in issued:
            claims[member] = issued[member]
    return canonical_json(claims)


def check_record_claims(claims: object) -> dict[str, Any]:
    """The claims of a record payload if every member is there with its type.

    Raises InvalidInput saying which member is missing, unknown or of the wrong type.
    """
    if not isinstance(claims, dict):
        raise InvalidField("payload", "must be a JSON object")
    for member, kind in RECORD_MEMBERS.items():
        if type(claims.get(member)) is not kind:
            raise InvalidField(f"payload.{member}", f"must be a {kind.__name__}")
    for member in claims:
        if member not in RECORD_MEMBERS and member not in OPTIONAL_RECORD_MEMBERS:
            raise InvalidField("payload", f"has an unknown member {member!r}")
    for member, kind in OPTIONAL_RECORD_MEMBERS.items():
        if member in claims and type(claims[member]) is not kind:
            raise InvalidField(f"payload.{member}", f"must be a {kind.__name__}")
    check_certificate_number(claims["certificate"], "payload.certificate")
    check_credit_code(claims["org"], "payload.org")
    return claims


def verify_url(public_url: str, record: str) -> str:
    """The URL a QR code encodes: the verification page with the record in its fragment."""
    return f"{public_url}/verify#r={record}"
