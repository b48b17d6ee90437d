"""The office's registry pages: organizations and pilot schools listed with paging and
search; registering an organization, admitting a school, suspending, reinstating, barring
or expelling with a reason; inviting the first admin of each (the URL shown once)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, not_found, page, paging
from api.console.oversight import PAGE_SIZE, Form, Offset, may_write, refused, require_office, text
from ledger.bootstrap import Ledger
from ledger.core.errors import InvalidInput, LedgerError
from ledger.core.principals import Principal
from ledger.domain.registry import (
    CITIES,
    Organization,
    OrgStatus,
    School,
    SchoolLevel,
    SchoolStatus,
)
from ledger.domain.staff import StaffRole

ORG_STATUS = {
    "registered": "正常 registered",
    "suspended": "暂停 suspended",
    "barred": "禁入 barred",
}
SCHOOL_STATUS = {
    "admitted": "正常 admitted",
    "suspended": "暂停 suspended",
    "expelled": "退出 expelled",
}
LEVELS = {"secondary": "中职 secondary", "higher": "高职 higher"}
ORG_ACTIONS = {"suspend": "暂停 Suspend", "reinstate": "恢复 Reinstate", "bar": "禁入 Bar"}
SCHOOL_ACTIONS = {"suspend": "暂停 Suspend", "reinstate": "恢复 Reinstate", "expel": "退出 Expel"}


def _status(value: str, known: Any) -> Any:
    """The status to filter by, or None for all; InvalidInput (400) for an unknown one."""
    if not value:
        return None
    try:
        return known(value)
    except ValueError:
        raise InvalidInput(f"状态不正确 / unknown status {value[:20]!r}") from None


class RegistryController(Controller):
    """Organizations and schools for the office (auditors read)."""

    path = "/office"
    include_in_schema = False

    def _invited(self, request: Request[Any, Any, Any]) -> str | None:
        url = request.session.pop("invitation_url", None)
        return url if isinstance(url, str) else None

    @get("/orgs", sync_to_thread=True)
    def orgs(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        offset: Offset = 0,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Organizations in registration order, searched by name."""
        staff.require_oversight()
        found = ledger.registry.orgs(
            staff.principal,
            status=_status(status, OrgStatus),
            name_contains=q.strip()[:100] or None,
            limit=PAGE_SIZE,
            offset=offset,
        )
        admins = {o.id: ledger.staff.repository.count_admins(f"org:{o.id}") for o in found.items}
        return page(
            "office_orgs.html",
            staff,
            orgs=found.items,
            admins=admins,
            q=q,
            status=status,
            statuses=ORG_STATUS,
            actions=ORG_ACTIONS,
            paged=paging(offset, PAGE_SIZE, found.total),
            may_write=may_write(staff),
            invitation=self._invited(request),
            notice=done,
        )

    @get("/schools", sync_to_thread=True)
    def schools(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        city: FromQuery[str] = "",
        offset: Offset = 0,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Pilot schools in admission order, searched by name or code, by city and status."""
        staff.require_oversight()
        if city and city not in CITIES:
            raise InvalidInput(f"城市代码不正确 / unknown city {city[:20]!r}")
        found = ledger.registry.schools(
            city=city or None,
            status=_status(status, SchoolStatus),
            name_contains=q.strip()[:100] or None,
            limit=PAGE_SIZE,
            offset=offset,
        )
        admins = {s.id: ledger.staff.repository.count_admins(f"school:{s.id}") for s in found.items}
        return page(
            "office_schools.html",
            staff,
            schools=found.items,
            admins=admins,
            q=q,
            status=status,
            city=city,
            cities=CITIES,
            levels=LEVELS,
            statuses=SCHOOL_STATUS,
            actions=SCHOOL_ACTIONS,
            paged=paging(offset, PAGE_SIZE, found.total),
            may_write=may_write(staff),
            invitation=self._invited(request),
            notice=done,
        )

    @post("/orgs", sync_to_thread=True, status_code=303)
    def register_org(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Register an organization (its contact stays out of the ledger)."""
        require_office(staff)
        try:
            org = Organization(text(data, "id", 18), text(data, "name"), text(data, "contact"))
            ledger.registry.register_org(staff.principal, org)
        except LedgerError as exc:
            return refused(staff, "未能登记 / Not registered", exc, "/console/office/orgs")
        return back("/console/office/orgs", f"已登记 {org.id} / registered")

    @post("/schools", sync_to_thread=True, status_code=303)
    def admit_school(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Admit a pilot school."""
        require_office(staff)
        try:
            level = text(data, "level", 20)
            if level not in LEVELS:
                raise InvalidInput("level must be 'secondary' or 'higher' / 层次须为中职或高职")
            school = School(
                text(data, "id", 10), text(data, "name"), text(data, "city", 20), SchoolLevel(level)
            )
            ledger.registry.admit_school(staff.principal, school)
        except LedgerError as exc:
            return refused(staff, "未能接纳 / Not admitted", exc, "/console/office/schools")
        return back("/console/office/schools", f"已接纳 {school.id} / admitted")

    @post("/orgs/{org:str}/status", sync_to_thread=True, status_code=303)
    def change_org(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        org: FromPath[str],
        data: Form,
    ) -> Redirect | Template:
        """Suspend, reinstate or bar an organization with a reason."""
        require_office(staff)
        changes = {
            "suspend": ledger.registry.suspend_org,
            "reinstate": ledger.registry.reinstate_org,
            "bar": ledger.registry.bar_org,
        }
        change = changes.get(text(data, "action", 20))
        if change is None:
            raise not_found("这种操作 / this action")
        try:
            change(staff.principal, org[:18], text(data, "reason", 500))
        except LedgerError as exc:
            return refused(staff, "未能修改 / Not changed", exc, "/console/office/orgs")
        return back("/console/office/orgs", f"已修改 {org[:18]} / changed")

    @post("/schools/{school:str}/status", sync_to_thread=True, status_code=303)
    def change_school(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        school: FromPath[str],
        data: Form,
    ) -> Redirect | Template:
        """Suspend, reinstate or expel a school with a reason."""
        require_office(staff)
        changes = {
            "suspend": ledger.registry.suspend_school,
            "reinstate": ledger.registry.reinstate_school,
            "expel": ledger.registry.expel_school,
        }
        change = changes.get(text(data, "action", 20))
        if change is None:
            raise not_found("这种操作 / this action")
        try:
            change(staff.principal, school[:10], text(data, "reason", 500))
        except LedgerError as exc:
            return refused(staff, "未能修改 / Not changed", exc, "/console/office/schools")
        return back("/console/office/schools", f"已修改 {school[:10]} / changed")

    def _invite(
        self, request: Request[Any, Any, Any], ledger: Ledger, staff: StaffSession, party: str
    ) -> Redirect | Template:
        require_office(staff)
        listing = f"/console/office/{'orgs' if party.startswith('org:') else 'schools'}"
        try:
            invitation = ledger.staff.invite(
                staff.principal, Principal.parse(party), StaffRole.ADMIN
            )
        except LedgerError as exc:
            return refused(staff, "未能邀请 / Not invited", exc, listing)
        url = f"{ledger.settings.public_url}/console/invitations/{invitation.secret}"
        request.session["invitation_url"] = url
        return back(listing, f"已邀请 {party} 的管理员 / first admin invited")

    @post("/orgs/{org:str}/invite", sync_to_thread=True, status_code=303)
    def invite_org_admin(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        org: FromPath[str],
    ) -> Redirect | Template:
        """Invite the organization's first admin; the one-time URL is shown once."""
        return self._invite(request, ledger, staff, f"org:{org[:18]}")

    @post("/schools/{school:str}/invite", sync_to_thread=True, status_code=303)
    def invite_school_admin(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        school: FromPath[str],
    ) -> Redirect | Template:
        """Invite the school's first admin; the one-time URL is shown once."""
        return self._invite(request, ledger, staff, f"school:{school[:10]}")
