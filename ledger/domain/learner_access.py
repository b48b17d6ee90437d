"""Learners who sign in themselves: the entry kinds that record their activation and the
school's resets, and the rules of activation codes.

Pure. The entries name the learning account only (a pseudonymous number): never a name,
a code, a password or its hash, which stay in the credential store beside the ledger.
"""

from __future__ import annotations

import secrets
from typing import Any

from ledger.kinds import Kind

#: The learner's school gave them a new activation code (the first one, or a reset): any
#: password set before stops working and their sessions end. ``account``.
LEARNER_PASSWORD_RESET = Kind.LEARNER_PASSWORD_RESET
#: The learner signed in with the code and set a password. ``account``.
LEARNER_ACTIVATED = Kind.LEARNER_ACTIVATED

LEARNER_ACCESS_KINDS = (LEARNER_PASSWORD_RESET, LEARNER_ACTIVATED)

#: How long an activation code stays usable.
ACTIVATION_SECONDS = 30 * 24 * 3600
#: Letters and digits that cannot be mistaken for one another when printed.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_activation_code() -> str:
    """A fresh activation code: twelve characters in three groups, ``ABCD-EFGH-JKMN``."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str:
    """The code as typed, upper-cased, without spaces and dashes, so that ``abcd efgh jkmn``
    and ``ABCD-EFGH-JKMN`` match."""
    return "".join(c for c in text.upper() if c.isalnum())[:64]


def access_payload(account: str) -> dict[str, Any]:
    """The payload of both learner access kinds."""
    return {"account": account}
