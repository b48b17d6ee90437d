"""The exit lifecycle of the registry (试点退出): the statuses of organizations and pilot schools,
what the office may do to each, and the entry kind that records each step. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ledger.core.errors import Conflict, InvalidInput
from ledger.kinds import Kind

__all__ = [
    "ORG_BARRED",
    "ORG_LIFECYCLE",
    "ORG_REGISTERED",
    "ORG_REINSTATED",
    "ORG_SUSPENDED",
    "REGISTRY_KINDS",
    "SCHOOL_ADMITTED",
    "SCHOOL_EXPELLED",
    "SCHOOL_LIFECYCLE",
    "SCHOOL_REINSTATED",
    "SCHOOL_SUSPENDED",
    "STANDARD_PUBLISHED",
    "Action",
    "Lifecycle",
    "OrgStatus",
    "SchoolStatus",
]


class OrgStatus(StrEnum):
    """Where an organization stands: registered (备案), suspended, or barred for good."""

    REGISTERED = "registered"
    SUSPENDED = "suspended"
    BARRED = "barred"


class SchoolStatus(StrEnum):
    """Where a pilot school stands: admitted, suspended, or expelled for good."""

    ADMITTED = "admitted"
    SUSPENDED = "suspended"
    EXPELLED = "expelled"


class Action(StrEnum):
    """What the office does to a registered object (试点退出 and its undoing)."""

    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    BAR = "bar"
    EXPEL = "expel"


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """The statuses of one kind of registry object, its transitions and their entry kinds.

    ``key`` is the payload member that names the object (``org``, ``school``).
    """

    noun: str
    key: str
    active: str
    suspended: str
    final: str
    final_note: str
    created_kind: str
    kinds: Mapping[Action, str]

    def next_status(self, object_id: str, status: str, action: Action) -> str:
        """The status after ``action``; Conflict with the reason when the status forbids it."""
        if action not in self.kinds:
            raise InvalidInput(f"the action {action.value!r} does not apply to {self.noun}s")
        name = f"{self.noun} {object_id}"
        if status == self.final:
            raise Conflict(f"{name} is {self.final}; {self.final_note}")
        if action is Action.SUSPEND and status == self.suspended:
            raise Conflict(f"{name} is already suspended")
        if action is Action.REINSTATE and status != self.suspended:
            raise Conflict(f"{name} is {status}, not suspended: there is nothing to reinstate")
        return self.status_after(action)

    def status_after(self, action: Action) -> str:
        """The status an allowed ``action`` leads to."""
        if action is Action.SUSPEND:
            return self.suspended
        return self.active if action is Action.REINSTATE else self.final

    def action_of(self, kind: str) -> Action | None:
        """The action an entry kind records, or None when it is not a status change."""
        for action, action_kind in self.kinds.items():
            if action_kind == kind:
                return action
        return None


ORG_REGISTERED = Kind.ORG_REGISTERED
ORG_SUSPENDED = Kind.ORG_SUSPENDED
ORG_REINSTATED = Kind.ORG_REINSTATED
ORG_BARRED = Kind.ORG_BARRED
SCHOOL_ADMITTED = Kind.SCHOOL_ADMITTED
SCHOOL_SUSPENDED = Kind.SCHOOL_SUSPENDED
SCHOOL_REINSTATED = Kind.SCHOOL_REINSTATED
SCHOOL_EXPELLED = Kind.SCHOOL_EXPELLED
STANDARD_PUBLISHED = Kind.STANDARD_PUBLISHED

ORG_LIFECYCLE = Lifecycle(
    noun="organization",
    key="org",
    active=OrgStatus.REGISTERED,
    suspended=OrgStatus.SUSPENDED,
    final=OrgStatus.BARRED,
    final_note="a bar is final",
    created_kind=ORG_REGISTERED,
    kinds={
        Action.SUSPEND: ORG_SUSPENDED,
        Action.REINSTATE: ORG_REINSTATED,
        Action.BAR: ORG_BARRED,
    },
)

SCHOOL_LIFECYCLE = Lifecycle(
    noun="school",
    key="school",
    active=SchoolStatus.ADMITTED,
    suspended=SchoolStatus.SUSPENDED,
    final=SchoolStatus.EXPELLED,
    final_note="an expulsion is final",
    created_kind=SCHOOL_ADMITTED,
    kinds={
        Action.SUSPEND: SCHOOL_SUSPENDED,
        Action.REINSTATE: SCHOOL_REINSTATED,
        Action.EXPEL: SCHOOL_EXPELLED,
    },
)

#: Every entry kind the registry writes.
REGISTRY_KINDS = frozenset(
    {ORG_REGISTERED, SCHOOL_ADMITTED, STANDARD_PUBLISHED}
    | set(ORG_LIFECYCLE.kinds.values())
    | set(SCHOOL_LIFECYCLE.kinds.values())
)
