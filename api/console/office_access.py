"""The office's access pages: the staff accounts of every party, API keys (revoke one)
and revoked principals (revoke one); the personal-data access log is its own page
(people.py). Auditors read them all, never write."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, page, paging
from api.console.oversight import PAGE_SIZE, Form, Offset, may_write, refused, require_office, text
from api.console.people import ROLE_NAMES, STATUS_NAMES
from ledger.bootstrap import Ledger
from ledger.core.errors import LedgerError
from ledger.core.principals import Principal
from ledger.services.access_overview import AccessOverview


def _overview(ledger: Ledger) -> AccessOverview:
    return AccessOverview(ledger.engine)


def _when(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")


class OfficeAccessController(Controller):
    """Who may act: staff accounts, API keys, revocations."""

    path = "/office"
    include_in_schema = False

    @get("/staff", sync_to_thread=True)
    def staff_accounts(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        party: FromQuery[str] = "",
        offset: Offset = 0,
    ) -> Template:
        """Every party's staff accounts (no passwords, no second-factor secrets)."""
        staff.require_oversight()
        accounts, total = _overview(ledger).staff_accounts(
            staff.principal, party.strip()[:60] or None, PAGE_SIZE, offset
        )
        return page(
            "office_staff.html",
            staff,
            accounts=accounts,
            party=party,
            statuses=STATUS_NAMES,
            roles=ROLE_NAMES,
            paged=paging(offset, PAGE_SIZE, total),
        )

    @get("/api-keys", sync_to_thread=True)
    def api_keys(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        party: FromQuery[str] = "",
        offset: Offset = 0,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """API keys, newest first (never a secret), with the office's revoke button."""
        staff.require_oversight()
        keys, total = _overview(ledger).api_keys(
            staff.principal, party.strip()[:60] or None, PAGE_SIZE, offset
        )
        for key in keys:
            key["created"], key["revoked"] = _when(key["created_at"]), _when(key["revoked_at"])
        return page(
            "office_api_keys.html",
            staff,
            keys=keys,
            party=party,
            paged=paging(offset, PAGE_SIZE, total),
            may_write=may_write(staff),
            notice=done,
        )

    @post("/api-keys/{key:str}/revoke", sync_to_thread=True, status_code=303)
    def revoke_key(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        key: FromPath[str],
    ) -> Redirect | Template:
        """Revoke one API key."""
        require_office(staff)
        try:
            ledger.tokens.revoke_api_key(key[:32], staff.principal)
        except LedgerError as exc:
            return refused(staff, "未能撤销 / Not revoked", exc, "/console/office/api-keys")
        return back("/console/office/api-keys", f"已撤销 {key[:32]} / revoked")

    @get("/revocations", sync_to_thread=True)
    def revocations(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Revoked principals, newest first; the office revokes one."""
        staff.require_oversight()
        rows = _overview(ledger).revocations(staff.principal)
        for row in rows:
            row["when"] = _when(row["revoked_at"])
        return page(
            "office_revocations.html",
            staff,
            rows=rows,
            may_write=may_write(staff),
            notice=done,
        )

    @post("/revocations", sync_to_thread=True, status_code=303)
    def revoke_principal(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Refuse every token of a principal issued until now, and revoke its API keys."""
        require_office(staff)
        try:
            principal = Principal.parse(text(data, "principal", 60))
            ledger.tokens.revoke_principal(principal, staff.principal)
        except LedgerError as exc:
            return refused(staff, "未能撤销 / Not revoked", exc, "/console/office/revocations")
        return back("/console/office/revocations", f"已撤销 {principal} / revoked")
