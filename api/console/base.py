"""What every console page shares: the signed-in staff member (``StaffSession``), the
redirect of unsigned visitors, page rendering, masking and the personal-data access log.

A session holds the staff account and the sign-in time only; each request asks the
staff service for the account's standing, so a disabled account or a suspended,
expelled, barred or revoked party loses its sessions at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from api.console.sessions import ABSOLUTE_SECONDS
from ledger.bootstrap import Ledger
from ledger.core.errors import Unauthenticated
from ledger.core.principals import Principal, Role

SIGN_IN_PATH = "/console/sign-in"
#: Console pages load nothing but their own style sheet, and post only to themselves.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}

ROLE_NAMES = {
    Role.OFFICE: "项目办 Office",
    Role.AUDITOR: "审计 Auditor",
    Role.ORG: "培训评价组织 Organization",
    Role.SCHOOL: "试点院校 Pilot school",
}


class SignInRequired(Exception):
    """The visitor has no valid session: the router answers with the sign-in page."""


@dataclass(frozen=True, slots=True)
class StaffSession:
    """The staff member behind a request: their account, the principal they act as (with
    the account as its actor) and whether they are an admin."""

    account: str
    principal: Principal
    admin: bool
    username: str

    @property
    def party(self) -> Principal:
        return self.principal.party()

    @property
    def school(self) -> str:
        """The school they act for; 403 for staff of any other party."""
        if self.principal.role is not Role.SCHOOL or self.principal.id is None:
            raise PermissionDeniedException(
                "只有试点院校的工作人员可以打开此页 / school staff only"
            )
        return self.principal.id

    def require_admin(self) -> None:
        if not self.admin:
            raise PermissionDeniedException("只有管理员可以这样做 / admins only")

    def require_oversight(self) -> None:
        if self.principal.role not in (Role.OFFICE, Role.AUDITOR):
            raise PermissionDeniedException(
                "只有项目办和审计可以打开此页 / office and auditors only"
            )


def staff_of(request: Request[Any, Any, Any], ledger: Ledger) -> StaffSession:
    """The signed-in staff member; SignInRequired when there is none, when the session
    is past its absolute end, or when the account or its party may no longer act."""
    session = request.session if "session" in request.scope else {}
    account = session.get("account")
    signed_in_at = session.get("signed_in_at")
    if not isinstance(account, str) or not isinstance(signed_in_at, int):
        raise SignInRequired
    if session.get("stage") != "in" or time.time() - signed_in_at > ABSOLUTE_SECONDS:
        request.clear_session()
        raise SignInRequired
    try:
        principal = ledger.staff.standing(account, signed_in_at)
    except Unauthenticated:
        request.clear_session()
        raise SignInRequired from None
    record = ledger.staff.repository.account(account)
    assert record is not None
    return StaffSession(account, principal, record.role == "admin", record.username or "")


def provide_staff(request: Request[Any, Any, Any], ledger: NamedDependency[Ledger]) -> StaffSession:
    """The ``staff`` dependency of console handlers (see staff_of), for a form's write only
    while the database holds what this ledger published (refuse_writes_while_behind)."""
    staff = staff_of(request, ledger)
    refuse_writes_while_behind(request, ledger)
    return staff


def refuse_writes_while_behind(request: Request[Any, Any, Any], ledger: Ledger) -> None:
    """BehindPublished (503) for a form's write while the database is behind the checkpoint
    this ledger published, as the API's writes are: an acknowledged write there would be
    lost at the next restore. Pages that only read are served."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        ledger.log.ensure_caught_up()


def sign_in_redirect(request: Request[Any, Any, Any], _exc: Exception) -> Response[Any]:
    """Send an unsigned visitor to the sign-in page, remembering where they were going."""
    target = request.url.path if request.method == "GET" else "/console"
    return Redirect(f"{SIGN_IN_PATH}?next={quote(target)}", status_code=HTTP_303_SEE_OTHER)


def page(
    template: str, staff: StaffSession | None = None, status_code: int = 200, **context: Any
) -> Template:
    """A console page from ``template`` with the signed-in staff member and the context."""
    return Template(
        template_name=template,
        context={"staff": staff, "role_names": ROLE_NAMES, **context},
        status_code=status_code,
        headers={"Cache-Control": "no-store", **PAGE_HEADERS},
    )


def back(path: str, message: str | None = None) -> Redirect:
    """Redirect (303) to ``path`` after a form, with an optional notice for the next page."""
    target = (
        path if message is None else f"{path}{'&' if '?' in path else '?'}done={quote(message)}"
    )
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


def not_found(what: str) -> NotFoundException:
    """A 404 that says nothing about whether the object exists for someone else."""
    return NotFoundException(f"没有找到{what} / not found")


def mask_id_number(id_number: str | None) -> str:
    """``610102********1234``: the region and the last four characters."""
    if not id_number:
        return "—"
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def log_access(
    ledger: Ledger,
    staff: StaffSession,
    learners: list[str],
    request: Request[Any, Any, Any],
    shown: str,
) -> None:
    """Record in the access log that ``staff`` was shown ``shown`` of ``learners``."""
    ledger.staff.repository.log_access(
        int(time.time()), staff.account, str(staff.party), learners, request.url.path, shown
    )


def paging(offset: int, limit: int, total: int) -> dict[str, Any]:
    """What the pager of a list shows."""
    return {
        "offset": offset,
        "limit": limit,
        "total": total,
        "previous": max(0, offset - limit) if offset > 0 else None,
        "next": offset + limit if offset + limit < total else None,
    }
