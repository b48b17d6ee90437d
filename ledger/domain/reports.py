"""Verification reports a holder controls: the report code (its alphabet, check character
and normal form), the validity a learner may choose, and the address a report opens at.

Pure: no clock, no database. The ledger keeps only SHA-256 of a code (code_hash).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from ledger.core.errors import InvalidInput

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_DAYS",
    "MIN_DAYS",
    "REPORT_VERIFY_PATH",
    "beijing_time",
    "check_days",
    "check_report_id",
    "code_hash",
    "format_code",
    "new_code",
    "new_report_id",
    "normal_code",
    "report_url",
]

#: 31 characters (a prime, so the check character catches every single mistyped character
#: and every swap of two neighbours): digits and capitals without 0, O, 1, I and Z (which
#: is read as 2).
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXY"
#: Fifteen random characters (about 74 bits, so that the public SHA-256 in the ledger
#: cannot be searched back to a code) and one check character, shown as four groups.
CODE_LENGTH = 16
MIN_DAYS, MAX_DAYS = 30, 180
REPORT_VERIFY_PATH = "/reports/verify/"
_MODULUS = len(CODE_ALPHABET)
_HEX = frozenset("0123456789abcdef")


def _check_character(body: str) -> str:
    total = sum((weight + 1) * CODE_ALPHABET.index(c) for weight, c in enumerate(body))
    return CODE_ALPHABET[(_MODULUS - total % _MODULUS) % _MODULUS]


def new_code() -> str:
    """A fresh report code in normal form (16 characters of CODE_ALPHABET)."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH - 1))
    return body + _check_character(body)


def format_code(code: str) -> str:
    """``code`` as people read it: four groups of four joined by hyphens."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normal_code(text: str) -> str:
    """The normal form of a typed code (capitals, no spaces or hyphens).

    InvalidInput saying what is wrong: the length, a character not in the alphabet (such
    as 0, O, 1 or I), or a wrong check character (one character mistyped).
    """
    code = "".join(text.split()).replace("-", "").replace("－", "").upper()
    if len(code) != CODE_LENGTH:
        raise InvalidInput(
            f"code must be a report code of {CODE_LENGTH} characters, such as "
            f"{format_code('23456789ABCDEFG' + _check_character('23456789ABCDEFG'))}; "
            f"this has {len(code)}"
        )
    wrong = sorted({c for c in code if c not in CODE_ALPHABET})
    if wrong:
        raise InvalidInput(
            "code holds characters a report code never has: "
            f"{' '.join(wrong)} (codes have no 0, O, 1, I or Z)"
        )
    if _check_character(code[:-1]) != code[-1]:
        raise InvalidInput("code has a wrong check character: a character is mistyped")
    return code


def code_hash(code: str) -> str:
    """SHA-256 of the normal form of ``code``, 64 lowercase hex digits (what the ledger
    and the projection hold)."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def new_report_id() -> str:
    """A fresh report id: 16 lowercase hex digits."""
    return secrets.token_hex(8)


def check_report_id(text: str) -> str:
    """``text`` if it is a report id; InvalidInput otherwise."""
    if len(text) != 16 or not set(text) <= _HEX:
        raise InvalidInput("report must be a report id of 16 lowercase hex digits")
    return text


def check_days(days: object) -> int:
    """The validity in days if it is a whole number from 30 to 180; InvalidInput otherwise."""
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidInput(
            f"days must be a whole number of days from {MIN_DAYS} to {MAX_DAYS}; got {days!r}"
        )
    return days


def report_url(public_url: str, code: str) -> str:
    """The page that shows the report of ``code`` (what the report's QR code holds)."""
    return f"{public_url}{REPORT_VERIFY_PATH}{format_code(code)}"


def beijing_time(timestamp: str) -> str:
    """An entry timestamp (``...Z``) as a Beijing date and time (UTC+8), to the minute."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")) + timedelta(hours=8)
    return moment.strftime("%Y-%m-%d %H:%M")
