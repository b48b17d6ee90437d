"""Staff accounts of the office, auditors, organizations and schools: the entry kinds that
record them, their roles, and the rules of usernames, passwords and invitations.

Pure. Entries about staff carry a pseudonymous account id (``U`` and eleven digits), the
principal the account acts for and its role; never a name, a username or a phone number.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from ledger.core.principals import Principal, Role
from ledger.domain.identifiers import check_id, new_id
from ledger.domain.registry import InvalidField
from ledger.kinds import Kind

#: An invitation was made: ``account``, ``principal`` (the party), ``role``.
STAFF_INVITED = Kind.STAFF_INVITED
#: The invited person opened the invitation and set a username and password: ``account``.
STAFF_ACTIVATED = Kind.STAFF_ACTIVATED
#: An admin disabled the account; its sessions end at once: ``account``.
STAFF_DISABLED = Kind.STAFF_DISABLED
#: An admin removed the account's second factor; it sets a new one at its next sign-in.
STAFF_SECOND_FACTOR_RESET = Kind.STAFF_SECOND_FACTOR_RESET

STAFF_KINDS = (STAFF_INVITED, STAFF_ACTIVATED, STAFF_DISABLED, STAFF_SECOND_FACTOR_RESET)

#: How long an invitation URL stays valid.
INVITATION_SECONDS = 72 * 3600
#: Shortest password; there are no composition rules (NIST SP 800-63B section 3.1.1.2).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
#: Roles whose accounts must sign in with a second factor (TOTP).
SECOND_FACTOR_ROLES = frozenset({Role.OFFICE, Role.AUDITOR})
#: The parties that have staff accounts.
STAFF_PARTIES = frozenset({Role.OFFICE, Role.AUDITOR, Role.ORG, Role.SCHOOL})

_USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{2,39}", re.ASCII)


class StaffRole(StrEnum):
    """An admin invites and disables colleagues of the same party; a clerk does the work."""

    ADMIN = "admin"
    CLERK = "clerk"


class StaffStatus(StrEnum):
    """An account is invited, then active once its invitation is opened, until disabled."""

    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"


def new_staff_account() -> str:
    """A fresh staff account id: ``U``, ten random digits and a Luhn check digit."""
    return new_id("U")


def check_staff_account(text: object, field: str = "account") -> str:
    """``text`` if it is a staff account id; InvalidField otherwise."""
    return check_id("U", "a staff account id", text, field)


def check_party(principal: Principal) -> Principal:
    """``principal`` without its staff account, if it is a party that has staff (the
    office, an auditor, an organization or a school); InvalidField otherwise."""
    if principal.role not in STAFF_PARTIES:
        raise InvalidField("principal", f"{principal.role.value} principals have no staff")
    return principal.party()


def needs_second_factor(party: Principal) -> bool:
    """True when staff of ``party`` must sign in with a TOTP code too."""
    return party.role in SECOND_FACTOR_ROLES


def check_username(text: str) -> str:
    """A username: 3 to 40 of lower-case ``a-z 0-9 _ . -``, starting with a letter or
    digit (upper case is folded); InvalidField otherwise."""
    folded = text.strip().lower() if isinstance(text, str) else ""
    if not _USERNAME.fullmatch(folded):
        raise InvalidField(
            "username", "must be 3 to 40 of a-z, 0-9, _ . -, starting with a letter or digit"
        )
    return folded


@cache
def common_passwords() -> frozenset[str]:
    """The list of common passwords shipped beside this module (lower case)."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def check_password(password: str, username: str | None = None) -> str:
    """``password`` if it may be used: 10 to 200 characters (NFC), not on the list of
    common passwords and not the username. InvalidField (never echoing it) otherwise."""
    if not isinstance(password, str):
        raise InvalidField("password", "must be text")
    password = unicodedata.normalize("NFC", password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidField("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidField("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")
    if password.lower() in common_passwords():
        raise InvalidField("password", "is on the list of common passwords: choose another")
    if username is not None and password.lower() == username.lower():
        raise InvalidField("password", "must not be the username")
    return password


def invited_payload(account: str, party: Principal, role: StaffRole) -> dict[str, Any]:
    """The payload of ``staff.invited``."""
    return {"account": account, "principal": str(party), "role": role.value}


def account_payload(account: str) -> dict[str, Any]:
    """The payload of ``staff.activated``, ``staff.disabled`` and
    ``staff.second_factor_reset``."""
    return {"account": account}
