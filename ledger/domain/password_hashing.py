"""The Argon2id parameters staff and learners' passwords are hashed with.

RFC 9106's low-memory recommendation by default; `LEDGER_PASSWORD_HASHING=cheapest` selects
argon2-cffi's cheapest profile, which only a test run should use (a hash made with one profile
still verifies under the other, because the parameters travel inside the hash).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from argon2 import PasswordHasher, profiles

from ledger.core.errors import InvalidInput

#: Names accepted in LEDGER_PASSWORD_HASHING, and the argon2-cffi profile each selects.
PROFILES = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,
    "cheapest": profiles.CHEAPEST,
}
DEFAULT_PROFILE = "rfc9106-low-memory"


def password_hasher(environ: Mapping[str, str] = os.environ) -> PasswordHasher:
    """The hasher named by LEDGER_PASSWORD_HASHING (default: RFC 9106 low memory);
    InvalidInput naming the accepted values for any other name."""
    name = environ.get("LEDGER_PASSWORD_HASHING", "").strip() or DEFAULT_PROFILE
    if name not in PROFILES:
        accepted = ", ".join(sorted(PROFILES))
        raise InvalidInput(f"LEDGER_PASSWORD_HASHING must be one of {accepted}, not {name!r}")
    return PasswordHasher.from_parameters(PROFILES[name])
