"""The lists a school reads over HTTP: ``GET /schools/{id}/students``, ``GET
/schools/{id}/credits`` and ``GET /conversions?school=&programme=&account=``, paged like the
registry (``limit``, ``offset``). A school sees only its own; the office and auditors all.

The handlers live in mixins that the credit bank's controllers take in, because Litestar
serves one path from one controller.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from api.errors import error_spec
from api.params import path_checked, query_checked
from ledger.bootstrap import Ledger
from ledger.core.errors import Forbidden
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import check_account_number, check_token
from ledger.domain.registry import check_school_code
from ledger.services.registry import MAX_PAGE_SIZE
from schemas.school_lists import (
    ConversionItem,
    ConversionPage,
    CreditItem,
    CreditPage,
    StudentItem,
    StudentPage,
)

_LIMIT = QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"page size, at most {MAX_PAGE_SIZE}")
_OFFSET = QueryParameter(ge=0, le=1_000_000_000, description="rows to skip")
_ERRORS = {
    400: error_spec("A parameter is unknown, repeated or not valid; detail names it."),
    401: error_spec("No bearer token, or the token is refused."),
    403: error_spec("Only the school itself, the office and auditors read this."),
}
_OVERSIGHT = frozenset({Role.OFFICE, Role.AUDITOR})


def may_read_school(viewer: Principal, school: str) -> None:
    """Forbidden unless ``viewer`` is the school itself, the office or an auditor."""
    if viewer.role in _OVERSIGHT or (viewer.role is Role.SCHOOL and viewer.id == school):
        return
    raise Forbidden(
        f"only school {school}, the office and auditors read its lists; {viewer} may not"
    )


class SchoolListsMixin:
    """``GET /schools/{id}/students`` and ``GET /schools/{id}/credits``."""

    @get(
        "/{id:str}/students",
        sync_to_thread=True,
        summary="A school's students",
        description="Learning accounts enrolled at the school, in enrolment order.",
        responses=_ERRORS,
    )
    def students(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        limit: Annotated[int, _LIMIT] = 50,
        offset: Annotated[int, _OFFSET] = 0,
    ) -> StudentPage:
        """The students of school ``id``."""
        school = path_checked("id", id, check_school_code)
        may_read_school(principal, school)
        found = ledger.school_lists.students(school, limit=limit, offset=offset)
        items = [
            StudentItem(account=r["account"], enrolled_index=r["enrolled_index"])
            for r in found.items
        ]
        return StudentPage(items=items, total=found.total, limit=limit, offset=offset)

    @get(
        "/{id:str}/credits",
        sync_to_thread=True,
        summary="Course credits a school deposited",
        description="Newest first.",
        responses=_ERRORS,
    )
    def credits(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        limit: Annotated[int, _LIMIT] = 50,
        offset: Annotated[int, _OFFSET] = 0,
    ) -> CreditPage:
        """The course credits of school ``id``."""
        school = path_checked("id", id, check_school_code)
        may_read_school(principal, school)
        found = ledger.school_lists.credits(school, limit=limit, offset=offset)
        return CreditPage(
            items=[CreditItem(**row) for row in found.items],
            total=found.total,
            limit=limit,
            offset=offset,
        )


class ConversionListMixin:
    """``GET /conversions``."""

    @get(
        "/",
        sync_to_thread=True,
        summary="List conversions",
        description=(
            "Newest first, with reversals. A school reads its own (school defaults to it); "
            "the office and auditors read all, filtered by school, programme, account."
        ),
        responses=_ERRORS,
    )
    def conversions(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        school: Annotated[str | None, QueryParameter(description="keep this school")] = None,
        programme: Annotated[str | None, QueryParameter(description="keep this programme")] = None,
        account: Annotated[str | None, QueryParameter(description="keep this account")] = None,
        limit: Annotated[int, _LIMIT] = 50,
        offset: Annotated[int, _OFFSET] = 0,
    ) -> ConversionPage:
        """Conversions matching the filters that the caller may read."""
        checked_school = query_checked("school", school, check_school_code)
        if principal.role is Role.SCHOOL and checked_school is None:
            checked_school = principal.id
        if checked_school is None:
            if principal.role not in _OVERSIGHT:
                raise Forbidden(
                    f"only schools, the office and auditors list conversions; {principal} may not"
                )
        else:
            may_read_school(principal, checked_school)
        found = ledger.school_lists.conversions(
            school=checked_school,
            programme=query_checked("programme", programme, lambda v, f: check_token(f, v)),
            account=query_checked("account", account, check_account_number),
            limit=limit,
            offset=offset,
        )
        items = [
            ConversionItem(
                **{k: v for k, v in row.items() if k != "recorded_index"},
                index=row["recorded_index"],
            )
            for row in found.items
        ]
        return ConversionPage(items=items, total=found.total, limit=limit, offset=offset)
