"""What the office and auditors see of access to the service: staff accounts of every
party, API keys and revoked principals (the access pages of the office's console)."""

from __future__ import annotations

from typing import Any

from ledger.core.errors import Forbidden
from ledger.core.principals import Principal, Role
from ledger.storage.access_reads import AccessReads
from ledger.storage.staff import StaffAccount

__all__ = ["AccessOverview", "StaffAccount"]


class AccessOverview:
    """Read-only lists for oversight; every call Forbidden for anyone but the office and
    auditors."""

    def __init__(self, engine: Any) -> None:
        # The ledger's SQLAlchemy engine; typed loosely as only storage imports SQLAlchemy.
        self.reads = AccessReads(engine)

    @staticmethod
    def _check(viewer: Principal) -> None:
        if viewer.role not in (Role.OFFICE, Role.AUDITOR):
            raise Forbidden(f"only the office and auditors read access lists; {viewer} may not")

    def staff_accounts(
        self, viewer: Principal, principal: str | None, limit: int, offset: int
    ) -> tuple[list[StaffAccount], int]:
        """A page of every party's staff accounts (or those of ``principal``...)."""
        self._check(viewer)
        return self.reads.staff_accounts(principal=principal, limit=limit, offset=offset)

    def api_keys(
        self, viewer: Principal, principal: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of API keys, newest first; never a secret or its hash."""
        self._check(viewer)
        return self.reads.api_keys(principal=principal, limit=limit, offset=offset)

    def revocations(self, viewer: Principal) -> list[dict[str, Any]]:
        """Every revoked principal, newest first."""
        self._check(viewer)
        return self.reads.revocations()
