"""Staff accounts: invitations, activation, sign-in with throttling and a TOTP second
factor, disabling and second-factor resets, and the standing a console session checks.

Invitations, activations, disabling and resets are ledger entries (ledger.domain.staff)
whose principal is the acting staff account (``school:4161010001/U...``) or ``system``
for the operator's ``certledger staff invite``; their projection is projections/staff.py.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ledger.core.canonical import EntryDraft
from ledger.core.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthenticated
from ledger.core.principals import Principal, Role
from ledger.domain.password_hashing import password_hasher
from ledger.domain.registry import InvalidField
from ledger.domain.staff import (
    INVITATION_SECONDS,
    STAFF_ACTIVATED,
    STAFF_DISABLED,
    STAFF_INVITED,
    STAFF_SECOND_FACTOR_RESET,
    StaffRole,
    StaffStatus,
    account_payload,
    check_party,
    check_password,
    check_staff_account,
    check_username,
    invited_payload,
    needs_second_factor,
    new_staff_account,
)
from ledger.services.log import SYSTEM_PRINCIPAL, LogService
from ledger.storage.principals import PrincipalStore
from ledger.storage.registry import RegistryRepository
from ledger.storage.sessions import FailureCounters
from ledger.storage.staff import StaffAccount, StaffRepository

#: Failed sign-ins of one username in the window before it is refused (but from a browser
#: that signed in to that account before: see authenticate).
ACCOUNT_FAILURES = 5
#: Failed sign-ins from one address in the window before it is refused.
ADDRESS_FAILURES = 30
THROTTLE_WINDOW = 15 * 60
#: The one answer to a wrong username, a wrong password and a disabled account alike.
SIGN_IN_REFUSED = "用户名或密码不正确 / the username or password is wrong"
_TOTP_WINDOW = 1


@dataclass(frozen=True, slots=True)
class Invitation:
    """A new invitation: the account it activates, its one-time secret, when it expires."""

    account: str
    secret: str
    expires_at: int
    index: int


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A right username and password: the account, and what the second factor needs."""

    account: str
    principal: Principal
    second_factor: str  # "none", "verify" or "set_up"


def _hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class StaffService:
    """Invite, activate, authenticate, disable staff; answer a session's standing."""

    def __init__(
        self,
        log: LogService,
        repository: StaffRepository,
        registry: RegistryRepository,
        principals: PrincipalStore,
        failures: FailureCounters,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.log = log
        self.repository = repository
        self.registry = registry
        self.principals = principals
        self.failures = failures
        self.clock = clock
        self.hasher = password_hasher()

    @cached_property
    def _dummy_hash(self) -> str:
        # Verified against when the username is unknown, so the time taken is the same.
        return self.hasher.hash(secrets.token_urlsafe(16))

    def _now(self) -> int:
        return int(self.clock())

    # -- invitations ---------------------------------------------------------------

    def invite(self, inviter: Principal | None, party: Principal, role: StaffRole) -> Invitation:
        """Invite a new staff member of ``party`` as ``role``. ``inviter`` None is the
        operator on the server (``certledger staff invite``); else an admin of ``party``,
        or an admin of the office inviting the first admin of an organization or school.
        Forbidden otherwise; NotFound when the organization or school is not registered."""
        party = check_party(party)
        if party.role is Role.ORG and self.registry.org(str(party.id)) is None:
            raise NotFound(f"there is no organization {party.id}")
        if party.role is Role.SCHOOL and self.registry.school(str(party.id)) is None:
            raise NotFound(f"there is no school {party.id}")
        if party.role in (Role.ORG, Role.SCHOOL):
            self.registry.ensure_not_excluded(
                org_id=party.id if party.role is Role.ORG else None,
                school_id=party.id if party.role is Role.SCHOOL else None,
            )
        by = SYSTEM_PRINCIPAL if inviter is None else self._authorize_invite(inviter, party, role)
        account = new_staff_account()
        draft = EntryDraft(STAFF_INVITED, by, invited_payload(account, party, role))
        [entry] = self.log.append([draft])
        secret = secrets.token_urlsafe(32)
        expires_at = self._now() + INVITATION_SECONDS
        self.repository.add_invitation(_hash_secret(secret), account, expires_at)
        return Invitation(account, secret, expires_at, entry.index)

    def _authorize_invite(self, inviter: Principal, party: Principal, role: StaffRole) -> str:
        admin = self._active_admin(inviter)
        if inviter.party() == party:
            return str(inviter)
        if admin.principal == "office" and party.role in (Role.ORG, Role.SCHOOL):
            if role is not StaffRole.ADMIN:
                raise Forbidden("the office invites only the first admin of a school or org")
            if self.repository.count_admins(str(party)):
                raise Conflict(f"{party} has an admin already: its admins invite colleagues")
            return str(inviter)
        raise Forbidden(f"only admins of {party} invite its staff")

    def _active_admin(self, actor: Principal) -> StaffAccount:
        record = None if actor.actor is None else self.repository.account(actor.actor)
        if record is None or record.status != StaffStatus.ACTIVE or record.role != "admin":
            raise Forbidden("only an active admin may do this")
        return record

    def invitation(self, secret: str) -> StaffAccount | None:
        """The invited account, while the invitation is unused and unexpired."""
        account = self.repository.open_invitation(_hash_secret(secret), self._now())
        return None if account is None else self.repository.account(account)

    def activate(
        self,
        secret: str,
        username: str,
        password: str,
        name: str | None = None,
        phone: str | None = None,
    ) -> StaffAccount:
        """Open an invitation: set the username and password (and keep the name and phone
        in the personal-data store); records ``staff.activated``. NotFound for a used,
        expired or unknown invitation; InvalidField for a bad username or password;
        Conflict when the username is taken."""
        username = check_username(username)
        password = check_password(password, username)
        name = (name or "").strip()[:100] or None
        phone = (phone or "").strip()[:32] or None
        account = self.repository.use_invitation(
            _hash_secret(secret),
            self._now(),
            username,
            self.hasher.hash(password),
            name,
            phone,
        )
        record = None if account is None else self.repository.account(account)
        if record is None:
            raise NotFound("邀请已使用或已过期 / the invitation is used or expired")
        actor = Principal.parse(record.principal).acting(record.account)
        self.log.append([EntryDraft(STAFF_ACTIVATED, str(actor), account_payload(record.account))])
        refreshed = self.repository.account(record.account)
        assert refreshed is not None
        return refreshed

    # -- signing in ----------------------------------------------------------------

    def authenticate(
        self, username: str, password: str, address: str, known_account: str | None = None
    ) -> SignedIn:
        """Check a username and password. Unauthenticated with one message whatever was
        wrong (no such user, a wrong password, an account not active), so the answer
        never says whether an account exists; RateLimited after too many failures of
        the username or of the address in 15 minutes. A browser that signed in to the
        account before (``known_account``, from its device cookie) is not held back by
        failures of the username, so an attacker cannot lock the right holder out."""
        now = self._now()
        name_key = "user:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()[:40]
        address_key = "addr:" + address[:64]
        if self.failures.failures(address_key, now, THROTTLE_WINDOW) >= ADDRESS_FAILURES:
            raise RateLimited("尝试次数过多，请稍后再试 / too many attempts: try later", 900)
        credentials = self.repository.credentials(username.strip().lower())
        known = credentials is not None and credentials.account == known_account
        if not known and self.failures.failures(name_key, now, THROTTLE_WINDOW) >= ACCOUNT_FAILURES:
            raise RateLimited("尝试次数过多，请稍后再试 / too many attempts: try later", 900)
        stored = self._dummy_hash if credentials is None else credentials.password_hash
        try:
            self.hasher.verify(stored, password)
            matched = credentials is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            matched = False
        record = None if credentials is None else self.repository.account(credentials.account)
        if not matched or record is None or record.status != StaffStatus.ACTIVE:
            self.failures.record_failure(name_key, now, THROTTLE_WINDOW)
            self.failures.record_failure(address_key, now, THROTTLE_WINDOW)
            raise Unauthenticated(SIGN_IN_REFUSED)
        assert credentials is not None
        self.failures.clear(name_key)
        if self.hasher.check_needs_rehash(credentials.password_hash):
            self.repository.set_password_hash(record.account, self.hasher.hash(password))
        party = Principal.parse(record.principal)
        factor = "none"
        if credentials.totp_secret is not None:
            factor = "verify"
        elif needs_second_factor(party):
            factor = "set_up"
        return SignedIn(record.account, party.acting(record.account), factor)

    def verify_second_factor(self, account: str, code: str) -> bool:
        """True when ``code`` is the account's current TOTP code, not used before."""
        credentials = self.repository.credentials_of(account)
        if credentials is None or credentials.totp_secret is None:
            return False
        step = self._matching_step(credentials.totp_secret, code)
        return step is not None and self.repository.use_totp_step(account, step)

    def _matching_step(self, secret: str, code: str) -> int | None:
        code = code.strip().replace(" ", "")
        totp = pyotp.TOTP(secret)
        now = self._now()
        for offset in range(-_TOTP_WINDOW, _TOTP_WINDOW + 1):
            at = now + offset * totp.interval
            if secrets.compare_digest(totp.at(at), code):
                return int(at // totp.interval)
        return None

    @staticmethod
    def new_second_factor_secret() -> str:
        """A fresh random TOTP secret (base32, 160 bits)."""
        return pyotp.random_base32(32)

    @staticmethod
    def provisioning_uri(secret: str, account: str, issuer: str) -> str:
        """The ``otpauth://`` URI an authenticator app reads (names the account id only)."""
        return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)

    def set_up_second_factor(self, account: str, secret: str, code: str) -> bool:
        """Keep ``secret`` as the account's second factor when ``code`` matches it."""
        step = self._matching_step(secret, code)
        if step is None:
            return False
        self.repository.set_totp(account, secret, step)
        return True

    # -- admins' changes -----------------------------------------------------------

    def disable(self, actor: Principal, account: str) -> int:
        """An admin disables a colleague's account (their sessions end at once)."""
        record = self._colleague(actor, account)
        if record.status == StaffStatus.DISABLED:
            raise Conflict(f"staff account {account} is disabled already")
        draft = EntryDraft(STAFF_DISABLED, str(actor), account_payload(record.account))
        [entry] = self.log.append([draft])
        return entry.index

    def reset_second_factor(self, actor: Principal, account: str) -> int:
        """An admin removes a colleague's TOTP secret; they set one up at next sign-in."""
        record = self._colleague(actor, account)
        draft = EntryDraft(STAFF_SECOND_FACTOR_RESET, str(actor), account_payload(record.account))
        [entry] = self.log.append([draft])
        self.repository.set_totp(record.account, None, None)
        return entry.index

    def _colleague(self, actor: Principal, account: str) -> StaffAccount:
        check_staff_account(account)
        self._active_admin(actor)
        record = self.repository.account(account)
        if record is None or record.principal != str(actor.party()):
            raise NotFound(f"there is no staff account {account} of {actor.party()}")
        if record.account == actor.actor:
            raise InvalidField("account", "is your own: another admin must change it")
        return record

    def accounts(self, viewer: Principal) -> list[StaffAccount]:
        """The staff of the viewer's own party."""
        return self.repository.accounts(str(viewer.party()))

    # -- sessions ------------------------------------------------------------------

    def standing(self, account: str, signed_in_at: int) -> Principal:
        """The principal a session of ``account`` signed in at ``signed_in_at`` acts as.
        Unauthenticated when the account is not active, its party is suspended,
        expelled, barred, or was revoked since the sign-in."""
        record = self.repository.account(account)
        if record is None or record.status != StaffStatus.ACTIVE:
            raise Unauthenticated("the staff account is not active")
        party = Principal.parse(record.principal)
        try:
            self.registry.ensure_not_excluded(
                org_id=party.id if party.role is Role.ORG else None,
                school_id=party.id if party.role is Role.SCHOOL else None,
            )
        except Forbidden as exc:
            raise Unauthenticated(str(exc)) from exc
        revoked_at, _ = self.principals.standing(str(party), None)
        if revoked_at is not None and revoked_at >= signed_in_at:
            raise Unauthenticated(f"{party} was revoked")
        return party.acting(account)
