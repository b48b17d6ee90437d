"""The console's home, its staff page (admins invite, list, disable colleagues and reset
their second factor; the office's admins invite the first admin of an organization or
school) and the personal-data access log the office and auditors read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, not_found, page, paging
from api.console.texts import describe_error
from ledger.bootstrap import Ledger
from ledger.core.errors import InvalidInput, LedgerError
from ledger.core.principals import Principal, Role
from ledger.domain.staff import StaffRole

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
STATUS_NAMES = {"invited": "已邀请 invited", "active": "在用 active", "disabled": "已停用 disabled"}
ROLE_NAMES = {"admin": "管理员 admin", "clerk": "经办人 clerk"}


class HomeController(Controller):
    """The console's first page."""

    path = "/"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def home(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession]
    ) -> Template:
        """What this staff member can do, by their party."""
        school = None
        if staff.principal.role is Role.SCHOOL:
            school = ledger.registry.repository.school(str(staff.principal.id))
        return page("home.html", staff, school=school)


class StaffController(Controller):
    """Colleagues of the same party."""

    path = "/staff"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def staff_list(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Colleagues with their status; the invitation form for admins."""
        accounts = ledger.staff.accounts(staff.principal)
        invitation = request.session.pop("invitation_url", None)
        return page(
            "staff.html",
            staff,
            accounts=accounts,
            statuses=STATUS_NAMES,
            roles=ROLE_NAMES,
            notice=done,
            invitation=invitation,
            office=staff.principal.role is Role.OFFICE,
        )

    @post("/", sync_to_thread=True, status_code=303)
    def invite(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        data: Form,
    ) -> Redirect | Template:
        """Invite a colleague (or, office admins, the first admin of an org or school);
        the one-time URL is shown once on the staff page."""
        staff.require_admin()
        party_text = str(data.get("principal", "")).strip()[:60]
        try:
            party = staff.party if not party_text else Principal.parse(party_text)
            if party.actor is not None:
                raise InvalidInput("name the school or organization, not a staff account")
            role = StaffRole.ADMIN if data.get("role") == "admin" else StaffRole.CLERK
            invitation = ledger.staff.invite(staff.principal, party, role)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能邀请 / Not invited",
                text=describe_error(exc),
                back_to="/console/staff",
                status_code=400,
            )
        url = f"{ledger.settings.public_url}/console/invitations/{invitation.secret}"
        request.session["invitation_url"] = url
        return back("/console/staff", f"已邀请 {invitation.account} / invited")

    def _change(
        self, ledger: Ledger, staff: StaffSession, account: str, action: str
    ) -> Redirect | Template:
        staff.require_admin()
        if not any(a.account == account for a in ledger.staff.accounts(staff.principal)):
            raise not_found("这个工作人员账号 / this staff account")
        try:
            if action == "disable":
                ledger.staff.disable(staff.principal, account)
            else:
                ledger.staff.reset_second_factor(staff.principal, account)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能修改 / Not changed",
                text=describe_error(exc),
                back_to="/console/staff",
                status_code=400,
            )
        return back("/console/staff", "已修改 / changed")

    @post("/{account:str}/disable", sync_to_thread=True, status_code=303)
    def disable(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        account: FromPath[str],
    ) -> Redirect | Template:
        """Disable a colleague's account; their sessions end at once."""
        return self._change(ledger, staff, account[:20], "disable")

    @post("/{account:str}/reset-second-factor", sync_to_thread=True, status_code=303)
    def reset(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        account: FromPath[str],
    ) -> Redirect | Template:
        """Remove a colleague's second factor: they set up a new one at their next sign-in."""
        return self._change(ledger, staff, account[:20], "reset")


class AccessLogController(Controller):
    """Who saw which learner's name or ID number, for the office and auditors."""

    path = "/access-log"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def access_log(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        learner: FromQuery[str] = "",
        offset: Annotated[int, QueryParameter(ge=0, le=10**9)] = 0,
    ) -> Template:
        """The access log, newest first, filtered by learning account."""
        staff.require_oversight()
        rows, total = ledger.staff.repository.access_log(
            learner=learner.strip()[:20] or None, principal=None, limit=50, offset=offset
        )
        for row in rows:
            row["at"] = datetime.fromtimestamp(row["at"], UTC).strftime("%Y-%m-%d %H:%M:%S")
        return page(
            "access_log.html", staff, rows=rows, learner=learner, paged=paging(offset, 50, total)
        )
