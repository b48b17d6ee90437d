"""What the office's console pages share: the office writes, auditors only read (every
write of theirs is 403), and a refused write shown as a page saying why."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body, QueryParameter
from litestar.response import Template

from api.console.base import StaffSession, page
from api.console.texts import describe_error
from ledger.core.errors import Forbidden, LedgerError
from ledger.core.principals import Role

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Offset = Annotated[int, QueryParameter(ge=0, le=10**9)]
PAGE_SIZE = 50


def may_write(staff: StaffSession) -> bool:
    """Whether the page shows its forms: to the office's staff, never to auditors."""
    return staff.principal.role is Role.OFFICE


def require_office(staff: StaffSession) -> None:
    """403 for anyone but the office's staff (auditors read the pages, never write)."""
    staff.require_oversight()
    if not may_write(staff):
        raise PermissionDeniedException("审计只能查看，不能修改 / auditors read only")


def refused(staff: StaffSession, title: str, exc: LedgerError, back_to: str) -> Template:
    """The page of a refused write: what was wrong, Chinese first, and the way back;
    403 when the service refused the staff member (an office clerk inviting, say), else
    400 (the form named something wrong, absent or in conflict)."""
    return page(
        "message.html",
        staff,
        title=title,
        text=describe_error(exc),
        back_to=back_to,
        status_code=403 if isinstance(exc, Forbidden) else 400,
    )


def text(data: dict[str, Any], field: str, most: int = 200) -> str:
    """A form field as stripped text of at most ``most`` characters."""
    return str(data.get(field, "")).strip()[:most]
