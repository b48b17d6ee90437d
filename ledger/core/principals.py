"""Who acts: the roles of BRIEF section 2 and the principal names written into entries.

A principal is written ``role`` or ``role:id`` (``office``, ``org:91610000MA6TG12349``,
``school:4161010001``), and when a staff member acts for it, ``/`` and their staff account
id after it (``school:4161010001/U12345678903``); ``system`` is the service itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ledger.core.errors import InvalidInput


class Role(StrEnum):
    """The roles of BRIEF section 2."""

    OFFICE = "office"
    ORG = "org"
    SCHOOL = "school"
    LEARNER = "learner"
    AUDITOR = "auditor"


#: Roles whose principals are tied to one object of the registry (or one account).
ROLES_WITH_ID = frozenset({Role.ORG, Role.SCHOOL, Role.LEARNER})

_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: A staff account id: ``U``, ten digits and a check digit (ledger.domain.identifiers).
STAFF_ACCOUNT_PATTERN = re.compile(r"U[0-9]{11}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated actor: a role, and for org, school and learner the id it acts as;
    ``actor`` is the staff account (a pseudonymous id, never a name) acting for it, if any.

    Two principals that differ only in ``actor`` act for the same party: compare ``role``
    and ``id`` (or ``party()``) to decide what a caller may do."""

    role: Role
    id: str | None = None
    actor: str | None = None

    def __post_init__(self) -> None:
        if self.role in ROLES_WITH_ID and not self.id:
            raise InvalidInput(f"a {self.role} principal needs an id")
        if self.role is Role.OFFICE and self.id is not None:
            # There is one provincial office; "office:x" would be an office nobody can revoke.
            raise InvalidInput("the office principal has no id: write just 'office'")
        if self.id is not None and not _ID_PATTERN.fullmatch(self.id):
            raise InvalidInput(f"principal id {self.id!r} is not 1-64 letters, digits, _ . -")
        if self.actor is not None and not STAFF_ACCOUNT_PATTERN.fullmatch(self.actor):
            raise InvalidInput(f"staff account {self.actor!r} is not U and eleven digits")

    def __str__(self) -> str:
        party = self.role.value if self.id is None else f"{self.role.value}:{self.id}"
        return party if self.actor is None else f"{party}/{self.actor}"

    def party(self) -> Principal:
        """The principal without its staff account: the office, organization, school,
        learner or auditor itself, as payloads that name a principal write it."""
        return Principal(self.role, self.id)

    def acting(self, account: str) -> Principal:
        """The same party with staff account ``account`` acting for it."""
        return Principal(self.role, self.id, account)

    @classmethod
    def parse(cls, text: str) -> Principal:
        """Read ``role``, ``role:id``, optionally followed by ``/`` and a staff account id;
        InvalidInput for an unknown role, a bad id or a bad staff account."""
        text, slash, actor = text.partition("/")
        role_text, _, id_text = text.partition(":")
        try:
            role = Role(role_text)
        except ValueError as exc:
            roles = ", ".join(r.value for r in Role)
            raise InvalidInput(f"unknown role {role_text!r}; roles are {roles}") from exc
        if slash and not actor:
            raise InvalidInput("a principal ending in '/' names no staff account")
        return cls(role, id_text or None, actor or None)
