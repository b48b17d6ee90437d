"""Read models of the office's access pages: every principal's staff accounts, every API
key (never its secret) and every revoked principal, paged, newest first where it helps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from ledger.storage.staff import StaffAccount, _account, _accounts_query
from ledger.storage.staff_tables import staff_accounts
from ledger.storage.tables import api_keys, revoked_principals


class AccessReads:
    """Lists over the staff, API key and revocation tables; one short transaction each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def staff_accounts(
        self, *, principal: str | None, limit: int, offset: int
    ) -> tuple[list[StaffAccount], int]:
        """Staff accounts of every party (or of parties whose name starts with
        ``principal``), in invitation order, and how many match."""
        conditions = []
        if principal:
            conditions.append(staff_accounts.c.principal.startswith(principal, autoescape=True))
        with self.engine.connect() as connection:
            total = connection.execute(
                select(func.count()).select_from(staff_accounts).where(*conditions)
            ).scalar_one()
            rows = connection.execute(
                _accounts_query()
                .where(*conditions)
                .order_by(staff_accounts.c.invited_index)
                .limit(limit)
                .offset(offset)
            )
            return [_account(row) for row in rows], int(total)

    def api_keys(
        self, *, principal: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """API keys (id, principal, created and revoked times), newest first."""
        conditions = []
        if principal:
            conditions.append(api_keys.c.principal.startswith(principal, autoescape=True))
        with self.engine.connect() as connection:
            total = connection.execute(
                select(func.count()).select_from(api_keys).where(*conditions)
            ).scalar_one()
            rows = connection.execute(
                select(api_keys)
                .where(*conditions)
                .order_by(api_keys.c.created_at.desc(), api_keys.c.key_id)
                .limit(limit)
                .offset(offset)
            )
            return [dict(row._mapping) for row in rows], int(total)

    def revocations(self) -> list[dict[str, Any]]:
        """Every revoked principal with the time its tokens stopped, newest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(revoked_principals).order_by(revoked_principals.c.revoked_at.desc())
            )
            return [dict(row._mapping) for row in rows]
