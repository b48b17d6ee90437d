"""Reads of the staff accounts (projections/staff.py writes them), and the reads and writes
of the staff credentials, personal data and access log beside them (staff_tables.py).

Credentials are written in their own short transactions, never derived from entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.exc import IntegrityError

from ledger.core.errors import Conflict
from ledger.domain.staff import (
    StaffStatus,
)
from ledger.storage.staff_tables import (
    personal_data_access,
    staff_accounts,
    staff_credentials,
    staff_invitations,
    staff_people,
)


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A staff account as projected, with its username once activated."""

    account: str
    principal: str
    role: str
    status: str
    invited_index: int
    activated_index: int | None
    disabled_index: int | None
    username: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Credentials:
    """What sign-in checks: the account's password hash and TOTP secret."""

    account: str
    username: str
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None


def _account(row: Any) -> StaffAccount:
    return StaffAccount(
        row.account,
        row.principal,
        row.role,
        row.status,
        row.invited_index,
        row.activated_index,
        row.disabled_index,
        row.username,
        row.name,
    )


_ACCOUNT_COLUMNS = (
    *staff_accounts.c,
    staff_credentials.c.username,
    staff_people.c.name,
)


def _accounts_query() -> Any:
    return select(*_ACCOUNT_COLUMNS).select_from(
        staff_accounts.outerjoin(
            staff_credentials, staff_credentials.c.account == staff_accounts.c.account
        ).outerjoin(staff_people, staff_people.c.account == staff_accounts.c.account)
    )


class StaffRepository:
    """Staff accounts, credentials, people and the access log, one short transaction each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- accounts ------------------------------------------------------------------

    def account(self, account: str) -> StaffAccount | None:
        """The account ``account``, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                _accounts_query().where(staff_accounts.c.account == account)
            ).first()
        return None if row is None else _account(row)

    def accounts(self, principal: str) -> list[StaffAccount]:
        """Every account of ``principal`` (a party), in invitation order."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                _accounts_query()
                .where(staff_accounts.c.principal == principal)
                .order_by(staff_accounts.c.invited_index)
            )
            return [_account(row) for row in rows]

    def count_admins(self, principal: str) -> int:
        """Accounts of ``principal`` that are admins and not disabled."""
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count())
                    .select_from(staff_accounts)
                    .where(
                        staff_accounts.c.principal == principal,
                        staff_accounts.c.role == "admin",
                        staff_accounts.c.status != StaffStatus.DISABLED.value,
                    )
                ).scalar_one()
            )

    # -- invitations ---------------------------------------------------------------

    def add_invitation(self, secret_hash: bytes, account: str, expires_at: int) -> None:
        """Store the hash of a new invitation secret for ``account``."""
        with self.engine.begin() as connection:
            connection.execute(
                staff_invitations.insert(),
                {"secret_hash": secret_hash, "account": account, "expires_at": expires_at},
            )

    def open_invitation(self, secret_hash: bytes, now: int) -> str | None:
        """The account of an unused, unexpired invitation; None otherwise."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(staff_invitations.c.account).where(
                    staff_invitations.c.secret_hash == secret_hash,
                    staff_invitations.c.used_at.is_(None),
                    staff_invitations.c.expires_at > now,
                )
            ).first()
        return None if row is None else str(row.account)

    def use_invitation(
        self,
        secret_hash: bytes,
        now: int,
        username: str,
        password_hash: str,
        name: str | None,
        phone: str | None,
    ) -> str | None:
        """Mark the invitation used and store the account's credentials and personal data,
        in one transaction; None (nothing written) when the invitation is used, expired or
        unknown. Conflict (nothing written) when the username is taken."""
        try:
            return self._use_invitation(secret_hash, now, username, password_hash, name, phone)
        except IntegrityError as exc:
            raise Conflict("这个用户名已被使用 / that username is taken") from exc

    def _use_invitation(
        self,
        secret_hash: bytes,
        now: int,
        username: str,
        password_hash: str,
        name: str | None,
        phone: str | None,
    ) -> str | None:
        with self.engine.begin() as connection:
            row = connection.execute(
                select(staff_invitations.c.account).where(
                    staff_invitations.c.secret_hash == secret_hash,
                    staff_invitations.c.used_at.is_(None),
                    staff_invitations.c.expires_at > now,
                )
            ).first()
            if row is None:
                return None
            account = str(row.account)
            claimed = connection.execute(
                staff_invitations.update()
                .where(
                    staff_invitations.c.secret_hash == secret_hash,
                    staff_invitations.c.used_at.is_(None),
                )
                .values(used_at=now)
            )
            if claimed.rowcount != 1:
                return None
            connection.execute(
                staff_credentials.insert(),
                {"account": account, "username": username, "password_hash": password_hash},
            )
            connection.execute(
                staff_people.insert(), {"account": account, "name": name, "phone": phone}
            )
        return account

    # -- credentials ---------------------------------------------------------------

    def credentials(self, username: str) -> Credentials | None:
        """The credentials of ``username``, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(staff_credentials).where(staff_credentials.c.username == username)
            ).first()
        return None if row is None else _credentials(row)

    def credentials_of(self, account: str) -> Credentials | None:
        """The credentials of staff account ``account``, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(staff_credentials).where(staff_credentials.c.account == account)
            ).first()
        return None if row is None else _credentials(row)

    def set_password_hash(self, account: str, password_hash: str) -> None:
        """Replace the stored hash (a rehash with newer parameters)."""
        with self.engine.begin() as connection:
            connection.execute(
                staff_credentials.update()
                .where(staff_credentials.c.account == account)
                .values(password_hash=password_hash)
            )

    def set_totp(self, account: str, secret: str | None, step: int | None) -> None:
        """Store (or with None, remove) the account's TOTP secret and last step used."""
        with self.engine.begin() as connection:
            connection.execute(
                staff_credentials.update()
                .where(staff_credentials.c.account == account)
                .values(totp_secret=secret, totp_last_step=step)
            )

    def use_totp_step(self, account: str, step: int) -> bool:
        """Record ``step`` as used unless it (or a later one) was; True when recorded."""
        with self.engine.begin() as connection:
            updated = connection.execute(
                staff_credentials.update()
                .where(
                    staff_credentials.c.account == account,
                    (staff_credentials.c.totp_last_step.is_(None))
                    | (staff_credentials.c.totp_last_step < step),
                )
                .values(totp_last_step=step)
            )
        return bool(updated.rowcount == 1)

    # -- the access log ------------------------------------------------------------

    def log_access(
        self,
        at: int,
        staff_account: str,
        principal: str,
        learners: Sequence[str],
        page: str,
        shown: str,
    ) -> None:
        """Record that ``staff_account`` saw ``shown`` (name, id_number) of ``learners``."""
        if not learners:
            return
        with self.engine.begin() as connection:
            connection.execute(
                personal_data_access.insert(),
                [
                    {
                        "at": at,
                        "staff_account": staff_account,
                        "principal": principal,
                        "learner": learner,
                        "page": page[:200],
                        "shown": shown,
                    }
                    for learner in learners
                ],
            )

    def access_log(
        self, *, learner: str | None, principal: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Access log rows, newest first, and how many match."""
        conditions = []
        if learner is not None:
            conditions.append(personal_data_access.c.learner == learner)
        if principal is not None:
            conditions.append(personal_data_access.c.principal == principal)
        where = and_(True, *conditions)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(personal_data_access)
                .where(where)
                .order_by(personal_data_access.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
            found = [dict(row._mapping) for row in rows]
            total = connection.execute(
                select(func.count()).select_from(personal_data_access).where(where)
            ).scalar_one()
        return found, int(total)


def _credentials(row: Any) -> Credentials:
    return Credentials(
        row.account, row.username, row.password_hash, row.totp_secret, row.totp_last_step
    )
