"""What the pilot's procedures share: who may act, the published standard a request names, and
appending one entry in a unit of work after the checks that read through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.core.errors import Forbidden
from ledger.core.principals import Principal, Role
from ledger.domain.registry import InvalidField
from ledger.kinds import kind_of
from ledger.services.certificates import CertificateService
from ledger.services.log import LogService
from ledger.storage.pilot import PilotRepository
from ledger.storage.pilot_reads import PilotReads
from ledger.storage.registry import StandardRecord, standard_in
from ledger.storage.unit_of_work import Draft, Transaction

__all__ = [
    "PilotProcedures",
    "Recorded",
    "published_standard",
    "require_office",
    "require_role",
]


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a procedure recorded: the object's id and the ledger index of its entry."""

    id: str
    index: int


def require_role(actor: Principal, role: Role, object_id: str, doing: str) -> str:
    """Return ``object_id`` when ``actor`` is ``role`` ``object_id`` itself; Forbidden otherwise."""
    if actor.role is not role or actor.id != object_id:
        raise Forbidden(f"only {role.value} {object_id} may {doing}; {actor} may not")
    return object_id


def require_office(actor: Principal, doing: str) -> None:
    """Forbidden unless ``actor`` is the office."""
    if actor.role is not Role.OFFICE:
        raise Forbidden(f"only the office may {doing}; {actor} may not")


def published_standard(connection: Transaction, code: str) -> StandardRecord:
    """The published standard ``code``, read through ``connection``; InvalidField if none."""
    record = standard_in(connection, code)
    if record is None:
        raise InvalidField("standard", f"{code} is not a published standard")
    return record


class PilotProcedures:
    """The services a pilot procedure uses, and its one-entry append."""

    def __init__(
        self,
        log: LogService,
        repository: PilotRepository,
        certificates: CertificateService,
        reads: PilotReads,
    ) -> None:
        self.log = log
        self.repository = repository
        self.certificates = certificates
        #: Lists and reports anyone authenticated may read (plans, sites, fee caps, ...).
        self.reads = reads

    def _append_one(
        self, actor: Principal, kind: str, payload: Mapping[str, Any], check: Any = None,
        beside: object = None,
    ) -> int:  # fmt: skip
        """Append one entry in a unit of work, after ``check`` read what it needs through it."""
        draft = Draft(kind_of(kind), str(actor), dict(payload), beside)
        with self.log.unit_of_work() as uow:
            if check is not None:
                check(uow.connection)
            [entry] = uow.append(draft)
            uow.commit()
        return entry.index
