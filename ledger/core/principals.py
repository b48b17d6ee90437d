"""Who acts: the roles of BRIEF section 2 and the principal names written into entries.

A principal is written ``role`` or ``role:id`` (``office``, ``org:91610000MA6TG12349``,
``school:4161010001``); ``system`` is the service itself (keys, seeding).
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


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated actor: a role, and for org, school and learner the id it acts as."""

    role: Role
    id: str | None = None

    def __post_init__(self) -> None:
        if self.role in ROLES_WITH_ID and not self.id:
            raise InvalidInput(f"a {self.role} principal needs an id")
        if self.role is Role.OFFICE and self.id is not None:
            # There is one provincial office; "office:x" would be an office nobody can revoke.
            raise InvalidInput("the office principal has no id: write just 'office'")
        if self.id is not None and not _ID_PATTERN.fullmatch(self.id):
            raise InvalidInput(f"principal id {self.id!r} is not 1-64 letters, digits, _ . -")

    def __str__(self) -> str:
        return self.role.value if self.id is None else f"{self.role.value}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Principal:
        """Read ``role`` or ``role:id``; InvalidInput for an unknown role or a bad id."""
        role_text, _, id_text = text.partition(":")
        try:
            role = Role(role_text)
        except ValueError as exc:
            roles = ", ".join(r.value for r in Role)
            raise InvalidInput(f"unknown role {role_text!r}; roles are {roles}") from exc
        return cls(role, id_text or None)
