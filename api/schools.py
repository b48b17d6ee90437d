"""The pilot schools of the registry over HTTP: admission, listing, and exit.

Writes are the office's and need a bearer token; reads are public. Problems come in the order
api/registry.py gives.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
)

from api.errors import error_spec
from api.params import ApiController, fields_named, path_checked, query_checked, query_choice
from api.registry import (
    CHANGE_ERRORS,
    LIMIT,
    OFFSET,
    READ_ERRORS,
    STATUS,
    WRITE_ERRORS,
    recorded_change,
    school_view,
)
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.registry import (
    School,
    SchoolLevel,
    SchoolStatus,
    check_city,
    check_school_code,
)
from schemas.registry import (
    ExitRequest,
    RecordedChange,
    SchoolAdmission,
    SchoolPage,
    SchoolView,
)

__all__ = ["SchoolController"]


class SchoolController(ApiController):
    """Pilot schools: admit, list, read, suspend, reinstate, expel."""

    path = "/schools"
    tags = ["registry"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Admit a pilot school",
        description="Office only. Records school.admitted; city is a code of the province's list.",
        responses={**WRITE_ERRORS, HTTP_409_CONFLICT: error_spec("The school exists.")},
    )
    def admit(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[SchoolAdmission],
    ) -> RecordedChange:
        """Admit the school in the body."""
        with fields_named():
            school = School(data.id, data.name, data.city, SchoolLevel(data.level))
        return recorded_change(ledger.registry.admit_school(principal, school))

    @get(
        "/",
        sync_to_thread=True,
        summary="List pilot schools",
        description="In admission order; filter by city code, level and status.",
        responses=READ_ERRORS,
    )
    def list_schools(
        self,
        ledger: NamedDependency[Ledger],
        city: Annotated[str | None, QueryParameter(description="a city code, such as xian")] = None,
        level: Annotated[str | None, QueryParameter(description="secondary or higher")] = None,
        status: Annotated[str | None, STATUS] = None,
        limit: Annotated[int, LIMIT] = 50,
        offset: Annotated[int, OFFSET] = 0,
    ) -> SchoolPage:
        """A page of pilot schools."""
        page = ledger.registry.schools(
            city=query_checked("city", city, check_city),
            level=query_choice("level", level, SchoolLevel),
            status=query_choice("status", status, SchoolStatus),
            limit=limit,
            offset=offset,
        )
        items = [school_view(record) for record in page.items]
        return SchoolPage(items=items, total=page.total, limit=limit, offset=offset)

    @get(
        "/{id:str}",
        sync_to_thread=True,
        summary="Read a pilot school",
        responses={**READ_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such school.")},
    )
    def get_school(self, ledger: NamedDependency[Ledger], id: FromPath[str]) -> SchoolView:
        """The pilot school ``id``."""
        return school_view(ledger.registry.school(path_checked("id", id, check_school_code)))

    @post(
        "/{id:str}/suspend",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Suspend a pilot school",
        description="Office only. A suspended school can no longer write (403).",
        responses=CHANGE_ERRORS,
    )
    def suspend(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ExitRequest],
    ) -> RecordedChange:
        """Suspend the school ``id`` for the reason in the body."""
        school_id = path_checked("id", id, check_school_code)
        with fields_named():
            return recorded_change(
                ledger.registry.suspend_school(principal, school_id, data.reason)
            )

    @post(
        "/{id:str}/reinstate",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Reinstate a suspended pilot school",
        description="Office only. 409 unless the school is suspended.",
        responses=CHANGE_ERRORS,
    )
    def reinstate(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ExitRequest],
    ) -> RecordedChange:
        """Reinstate the school ``id`` for the reason in the body."""
        school_id = path_checked("id", id, check_school_code)
        with fields_named():
            return recorded_change(
                ledger.registry.reinstate_school(principal, school_id, data.reason)
            )

    @post(
        "/{id:str}/expel",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Expel a pilot school",
        description="Office only. Final: an expelled school is never reinstated.",
        responses=CHANGE_ERRORS,
    )
    def expel(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ExitRequest],
    ) -> RecordedChange:
        """Expel the school ``id`` for the reason in the body."""
        school_id = path_checked("id", id, check_school_code)
        with fields_named():
            return recorded_change(ledger.registry.expel_school(principal, school_id, data.reason))
