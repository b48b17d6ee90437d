"""Identifiers the service draws: a capital letter, ten random digits, a Luhn check digit.

Pure. Learning accounts are ``L``, conversion rules ``R``, conversions ``C``, plans ``P``,
assessment sites ``S``, assessments ``A`` and self-evaluation reports ``E``; certificate
numbers (``X`` and the year) are made in ledger.domain.certificates. The check digit
catches every single mistyped digit and most swaps of neighbours.
"""

from __future__ import annotations

import re
import secrets

from ledger.domain.registry import InvalidField

_IDENTIFIER = re.compile(r"([A-Z])(\d{10})(\d)", re.ASCII)


def luhn_digit(digits: str) -> str:
    """The Luhn (ISO/IEC 7812-1) check digit to append to ``digits``."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str(-total % 10)


def new_id(prefix: str) -> str:
    """A fresh random identifier: ``prefix``, ten digits and a Luhn check digit."""
    body = f"{secrets.randbelow(10**10):010d}"
    return f"{prefix}{body}{luhn_digit(body)}"


def check_id(prefix: str, what: str, text: object, field: str) -> str:
    """``text`` if it is ``what`` (an identifier with ``prefix``); InvalidField naming
    ``field`` otherwise, telling a wrong shape from a mistyped digit."""
    match = _IDENTIFIER.fullmatch(text) if isinstance(text, str) else None
    if match is None or match[1] != prefix:
        raise InvalidField(field, f"must be {what}: {prefix} and eleven digits")
    if luhn_digit(match[2]) != match[3]:
        raise InvalidField(field, "has a wrong check digit: a digit is mistyped")
    return match[0]
