"""Enrolment of students, one or a whole sheet in one unit of work: the reads and drafts of
one enrolment, which the credit bank's service runs for each learner."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.core.errors import Conflict, NotFound
from ledger.domain.certificates import (
    check_account_number,
    check_id_number,
    new_account_number,
    normalize_name,
)
from ledger.domain.registry import InvalidField
from ledger.kinds import Kind
from ledger.services.certificates import fresh_values
from ledger.storage.certificates import accounts_of, taken_accounts
from ledger.storage.credit_bank import is_enrolled, learner_opened
from ledger.storage.projections.beside import NewIdentity
from ledger.storage.unit_of_work import Draft, UnitOfWork


@dataclass(frozen=True, slots=True)
class Enrolled:
    """An enrolment: the account (opened now or before), the school, the ledger index."""

    account: str
    school: str
    index: int
    opened: bool


def enrolment(
    account: str | None, name: str | None, id_number: str | None
) -> tuple[str | None, NewIdentity | None]:
    """An enrolment's account, or the identity to find or open one by; InvalidField."""
    if (account is None) == (name is None or id_number is None):
        raise InvalidField("body", "must give either account, or name and id_number")
    if account is not None:
        return check_account_number(account), None
    return None, NewIdentity(check_id_number(str(id_number)), normalize_name(str(name)))


def enrol_in(
    uow: UnitOfWork,
    principal: str,
    school: str,
    account: str | None,
    identity: NewIdentity | None,
) -> Enrolled:
    """Enrol one learner in ``uow`` (opening an account for a new identity); NotFound for
    an unknown account, Conflict when enrolled already."""
    connection = uow.connection
    drafts: list[Draft] = []
    learner = account
    if identity is not None:
        learner = accounts_of(connection, [identity.id_number]).get(identity.id_number)
        if learner is None:
            [learner] = fresh_values(connection, taken_accounts, 1, new_account_number)
            drafts.append(Draft(Kind.LEARNER_OPENED, principal, {"account": learner}, identity))
    elif not learner_opened(connection, str(learner)):
        raise NotFound(f"there is no learning account {learner}")
    assert learner is not None
    if is_enrolled(connection, learner, school):
        raise Conflict(f"account {learner} is enrolled at school {school} already")
    payload = {"account": learner, "school": school}
    drafts.append(Draft(Kind.LEARNER_ENROLLED, principal, payload))
    appended = uow.append(*drafts)
    return Enrolled(learner, school, appended[-1].index, opened=len(appended) == 2)
