"""Learners who sign in themselves: their school gives them an activation code, they set a
password with it, then sign in with their account number and password.

The school's reset and the learner's activation are ledger entries naming the account
only; codes (as SHA-256) and password hashes (Argon2id) stay in ``learner_credentials``.
Sign-in failures are throttled like the staff's, and a session signed in before the
last code or password change ends (``standing``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ledger.core.canonical import EntryDraft
from ledger.core.errors import Forbidden, InvalidInput, NotFound, RateLimited, Unauthenticated
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import check_account_number
from ledger.domain.consent import (
    ENROLMENT_CODE_SECONDS,
    enrolment_code_hash,
    new_enrolment_code,
)
from ledger.domain.learner_access import (
    ACTIVATION_SECONDS,
    LEARNER_ACTIVATED,
    LEARNER_PASSWORD_RESET,
    access_payload,
    new_activation_code,
    normalize_code,
)
from ledger.domain.password_hashing import password_hasher
from ledger.domain.staff import check_password
from ledger.services.log import LogService
from ledger.services.staff import ACCOUNT_FAILURES, ADDRESS_FAILURES, THROTTLE_WINDOW
from ledger.storage.consent import keep_code
from ledger.storage.credit_bank import learner_opened
from ledger.storage.learner_access import LearnerAccessRepository
from ledger.storage.school_lists import SchoolLists
from ledger.storage.sessions import FailureCounters

#: The most codes one printed or exported student list gives at once.
MAX_SHEET_CODES = 5000

REFUSED = "学习账号或密码不正确 / the account number or password is wrong"


@dataclass(frozen=True, slots=True)
class SignedInLearner:
    """A learner who gave the right secret: ``activate`` when it was their code, so they
    must set a password before anything else."""

    account: str
    activate: bool


def _hash_code(account: str, code: str) -> bytes:
    return hashlib.sha256(f"{account}:{normalize_code(code)}".encode()).digest()


class LearnerAccessService:
    """Issue activation codes, activate, authenticate, answer a session's standing."""

    def __init__(
        self,
        log: LogService,
        repository: LearnerAccessRepository,
        lists: SchoolLists,
        failures: FailureCounters,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.log = log
        self.repository = repository
        self.lists = lists
        self.failures = failures
        self.clock = clock
        self.hasher = password_hasher()

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash("not a password of anyone")

    def issue_code(self, actor: Principal, account: str) -> str:
        """A new activation code for ``account``, given by its school (``actor``): any
        code or password before stops working. Records ``learner.password_reset``.
        Forbidden for anyone but a school's staff; NotFound when the learner is not the
        school's student."""
        check_account_number(account)
        if actor.role is not Role.SCHOOL or actor.id is None:
            raise Forbidden("only the learner's school gives activation codes")
        if self.lists.identity(actor.id, account) is None:
            raise NotFound(f"{account} is not a student of school {actor.id}")
        code = new_activation_code()
        now = int(self.clock())
        self.repository.set_code(account, _hash_code(account, code), now + ACTIVATION_SECONDS, now)
        draft = EntryDraft(LEARNER_PASSWORD_RESET, str(actor), access_payload(account))
        self.log.append([draft])
        return code

    def issue_codes_for_sheet(self, actor: Principal, accounts: list[str]) -> dict[str, str]:
        """New activation codes for those of ``accounts`` (the school's own students) who
        have not activated yet, for a printed or exported student list: an activated
        learner keeps their password. One ``learner.password_reset`` entry per code, all
        appended together. Forbidden for anyone but a school's staff; NotFound naming
        the first account that is not the school's student; InvalidInput beyond
        MAX_SHEET_CODES accounts."""
        if actor.role is not Role.SCHOOL or actor.id is None:
            raise Forbidden("only the learner's school gives activation codes")
        if len(accounts) > MAX_SHEET_CODES:
            raise InvalidInput(f"at most {MAX_SHEET_CODES} students a sheet")
        for account in accounts:
            check_account_number(account)
            if self.lists.identity(actor.id, account) is None:
                raise NotFound(f"{account} is not a student of school {actor.id}")
        codes = {account: new_activation_code() for account in accounts}
        now = int(self.clock())
        hashes = {account: _hash_code(account, code) for account, code in codes.items()}
        given = self.repository.set_codes_unless_activated(hashes, now + ACTIVATION_SECONDS, now)
        drafts = [
            EntryDraft(LEARNER_PASSWORD_RESET, str(actor), access_payload(account))
            for account in given
        ]
        if drafts:
            self.log.append(drafts)
        return {account: codes[account] for account in given}

    def authenticate(self, account: str, secret: str, address: str) -> SignedInLearner:
        """Check an account number with its activation code or its password.
        Unauthenticated with one message whatever was wrong; RateLimited after too many
        failures of the account or of the address in 15 minutes."""
        now = int(self.clock())
        account = account.strip().upper()[:20]
        account_key = "learner:" + hashlib.sha256(account.encode()).hexdigest()[:40]
        address_key = "laddr:" + address[:64]
        for key, most in ((address_key, ADDRESS_FAILURES), (account_key, ACCOUNT_FAILURES)):
            if self.failures.failures(key, now, THROTTLE_WINDOW) >= most:
                raise RateLimited("尝试次数过多，请稍后再试 / too many attempts: try later", 900)
        found = self.repository.credentials(account)
        if (
            found is not None
            and found.code_hash is not None
            and found.code_expires_at is not None
            and found.code_expires_at > now
            and found.code_hash == _hash_code(account, secret)
        ):
            self.failures.clear(account_key)
            return SignedInLearner(account, activate=True)
        real = found.password_hash if found is not None else None
        try:
            # The dummy hash is checked when there is no password, so the time is the same.
            self.hasher.verify(real or self._dummy_hash, secret)
            matched = real is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            matched = False
        if not matched or real is None:
            self.failures.record_failure(account_key, now, THROTTLE_WINDOW)
            self.failures.record_failure(address_key, now, THROTTLE_WINDOW)
            raise Unauthenticated(REFUSED)
        self.failures.clear(account_key)
        if self.hasher.check_needs_rehash(real):
            self.repository.set_password_hash(account, self.hasher.hash(secret))
        return SignedInLearner(account, activate=False)

    def activate(self, account: str, code: str, password: str) -> None:
        """Set the learner's password with their unexpired code, once; records
        ``learner.activated``. InvalidField for a password that may not be used;
        NotFound when the code is used, expired or wrong."""
        password = check_password(password, account)
        now = int(self.clock())
        if not self.repository.use_code(
            account, _hash_code(account, code), self.hasher.hash(password), now
        ):
            raise NotFound("激活码已使用或已过期 / the activation code is used or expired")
        actor = Principal(Role.LEARNER, account)
        draft = EntryDraft(LEARNER_ACTIVATED, str(actor), access_payload(account))
        self.log.append([draft])

    def standing(self, account: str, signed_in_at: int) -> Principal:
        """The learner's principal while a session signed in at ``signed_in_at`` may act:
        Unauthenticated once their code or password changed after it."""
        found = self.repository.credentials(account)
        if found is None or found.password_hash is None or found.changed_at > signed_in_at:
            raise Unauthenticated("请重新登录 / sign in again")
        return Principal(Role.LEARNER, account)

    def enrolment_code(self, actor: Principal) -> tuple[str, int]:
        """A new one-time enrolment code of the learner ``actor`` and when it expires
        (UNIX seconds): the learner gives it to a school to consent to be enrolled there.
        Forbidden for anyone but a learner; NotFound for an account never opened."""
        if actor.role is not Role.LEARNER or actor.id is None:
            raise Forbidden(f"only a learner makes their own enrolment codes; {actor} may not")
        with self.repository.engine.connect() as connection:
            if not learner_opened(connection, actor.id):
                raise NotFound(f"there is no learning account {actor.id}")
        code = new_enrolment_code()
        expires_at = int(self.clock()) + ENROLMENT_CODE_SECONDS
        keep_code(self.repository.engine, enrolment_code_hash(code), actor.id, expires_at)
        return code, expires_at
