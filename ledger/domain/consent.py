"""Consent to enrolment: the one-time code a learner gives a school, and the one refusal
every enrolment without proof of consent gets.

Pure. The code is random (16 characters of a 31-letter alphabet, about 79 bits), so its
SHA-256 alone is kept; it names no person.
"""

from __future__ import annotations

import hashlib
import secrets

#: How long an enrolment code may be used, from when the learner made it.
ENROLMENT_CODE_SECONDS = 14 * 24 * 3600
#: Letters and digits that cannot be mistaken for one another when printed or read out.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16

#: The answer to every enrolment the learner did not agree to: an unknown account, a wrong,
#: used or expired code, a code of another learner, a name that does not match the ID
#: number. One text, one status, so that the answer tells nothing about who is known.
NO_CONSENT = (
    "no learner matches these details: give the enrolment code the learner made on their "
    "page, or their full name and ID number exactly as registered"
)


def new_enrolment_code() -> str:
    """A fresh code in four groups of four: ``ABCD-EFGH-JKMN-PQRS``."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def enrolment_code_hash(text: str) -> bytes:
    """SHA-256 of the code as typed, upper-cased, without spaces and dashes (so that
    ``abcd efgh jkmn pqrs`` matches); at most 64 characters are read."""
    typed = "".join(c for c in text.upper()[:64] if c.isalnum())
    return hashlib.sha256(b"certledger enrolment code\x00" + typed.encode("utf-8")).digest()
