"""Enrolment of students, one or a whole sheet in one unit of work: the reads and drafts of
one enrolment, which the credit bank's service runs for each learner.

A school enrols a learner only with proof that the learner agreed: the one-time enrolment
code the learner made on their page (ledger/domain/consent.py), or their full name and ID
number matching the personal-data store. Anything short of that (an unknown account, a
wrong, used or expired code, a name that does not match) gets the same NotFound, so the
answer never tells a school whether someone is known. A name and ID number the store does
not hold open a new account: that is a learner.opened entry under the school's name, so
probing by opening accounts is on the record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ledger.core.errors import Conflict, NotFound
from ledger.domain.certificates import (
    check_account_number,
    check_id_number,
    name_key,
    new_account_number,
    normalize_name,
)
from ledger.domain.consent import NO_CONSENT, enrolment_code_hash
from ledger.domain.registry import InvalidField
from ledger.kinds import Kind
from ledger.services.fresh_values import fresh_values
from ledger.storage.certificates import taken_accounts
from ledger.storage.consent import registered_identity, spend_code
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


@dataclass(frozen=True, slots=True)
class Wanted:
    """One checked enrolment request: a code (and, if given, the account it must be of), or
    the identity to find or open an account by."""

    account: str | None
    code_hash: bytes | None
    identity: NewIdentity | None


def enrolment(
    account: str | None,
    name: str | None,
    id_number: str | None,
    enrolment_code: str | None = None,
) -> Wanted:
    """Check the shape of one enrolment request; InvalidField when it carries no proof of
    consent (an account number alone) or mixes the two kinds of proof."""
    if enrolment_code:
        if name is not None or id_number is not None:
            raise InvalidField("body", "give enrolment_code, or name and id_number, not both")
        checked = None if account is None else check_account_number(account)
        return Wanted(checked, enrolment_code_hash(enrolment_code), None)
    if name is None or id_number is None or account is not None:
        raise InvalidField(
            "body",
            "must give the learner's enrolment_code (with or without account), or name and "
            "id_number: an account number alone is not the learner's consent",
        )
    identity = NewIdentity(check_id_number(str(id_number)), normalize_name(str(name)))
    return Wanted(None, None, identity)


def _consenting(uow: UnitOfWork, wanted: Wanted, now: int) -> str | None:
    """The account ``wanted`` proves consent for, None for a new identity; NotFound."""
    connection = uow.connection
    if wanted.identity is not None:
        registered = registered_identity(connection, wanted.identity.id_number)
        if registered is None:
            return None
        account, name = registered
        if name is None or name_key(name) != name_key(wanted.identity.name):
            raise NotFound(NO_CONSENT)
        return account
    assert wanted.code_hash is not None
    learner = spend_code(connection, wanted.code_hash, now)
    if learner is None or wanted.account not in (None, learner):
        raise NotFound(NO_CONSENT)
    if not learner_opened(connection, learner):
        raise NotFound(NO_CONSENT)
    return learner


def enrol_in(uow: UnitOfWork, principal: str, school: str, wanted: Wanted) -> Enrolled:
    """Enrol one learner in ``uow`` (opening an account for a new identity, spending the
    code); NotFound (NO_CONSENT) without the learner's consent, Conflict when enrolled
    already."""
    connection = uow.connection
    drafts: list[Draft] = []
    learner = _consenting(uow, wanted, int(time.time()))
    if learner is None:
        [learner] = fresh_values(connection, taken_accounts, 1, new_account_number)
        drafts.append(Draft(Kind.LEARNER_OPENED, principal, {"account": learner}, wanted.identity))
    if is_enrolled(connection, learner, school):
        raise Conflict(f"account {learner} is enrolled at school {school} already")
    payload = {"account": learner, "school": school}
    drafts.append(Draft(Kind.LEARNER_ENROLLED, principal, payload))
    appended = uow.append(*drafts)
    return Enrolled(learner, school, appended[-1].index, opened=len(appended) == 2)
