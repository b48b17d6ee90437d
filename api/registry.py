"""The registry over HTTP: organizations, and what api/schools.py and api/standards.py share.

Writes need a bearer token; who may do what is the service's decision. Problems come in
this order: 413 or 400 (unparsable body, query), 401, 400 (fields, path), 403, 404, 409.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
)

from api.errors import error_spec
from api.params import ApiController, fields_named, path_checked, query_choice
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.registry import (
    Organization,
    OrgStatus,
    Standard,
    check_credit_code,
    standard_credits,
)
from ledger.services.registry import (
    MAX_PAGE_SIZE,
    OrgRecord,
    Recorded,
    SchoolRecord,
    StandardRecord,
)
from schemas.registry import (
    ExitRequest,
    OrgPage,
    OrgRegistration,
    OrgView,
    RecordedChange,
    SchoolView,
    StandardPublication,
    StandardPublished,
    StandardView,
)

__all__ = [
    "CHANGE_ERRORS",
    "LIMIT",
    "NAME_CONTAINS",
    "OFFSET",
    "READ_ERRORS",
    "STATUS",
    "WRITE_ERRORS",
    "OrgController",
    "org_view",
    "recorded_change",
    "school_view",
    "standard_view",
]

#: The largest offset a list accepts (far beyond any registry, well inside 64 bits).
MAX_OFFSET = 1_000_000_000


READ_ERRORS = {
    HTTP_400_BAD_REQUEST: error_spec(
        "A parameter is unknown, repeated or not valid; detail names it."
    ),
}
WRITE_ERRORS = {
    HTTP_400_BAD_REQUEST: error_spec("The body is not JSON or a field is wrong; detail names it."),
    HTTP_401_UNAUTHORIZED: error_spec("No bearer token, or the token is refused; detail says why."),
    HTTP_403_FORBIDDEN: error_spec(
        "This principal may not do this, or is suspended; detail says why."
    ),
    HTTP_429_TOO_MANY_REQUESTS: error_spec("Over the rate limit; see Retry-After."),
}
CHANGE_ERRORS = {
    **WRITE_ERRORS,
    HTTP_404_NOT_FOUND: error_spec("No such object."),
    HTTP_409_CONFLICT: error_spec("The status does not allow this (a bar or expulsion is final)."),
}
LIMIT = QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"page size, at most {MAX_PAGE_SIZE}")
OFFSET = QueryParameter(ge=0, le=MAX_OFFSET, description="rows to skip")
STATUS = QueryParameter(description="keep objects with this status")
NAME_CONTAINS = QueryParameter(
    min_length=1, max_length=200, description="keep names containing this text"
)


def recorded_change(recorded: Recorded) -> RecordedChange:
    """The wire form of a registry change the ledger recorded."""
    return RecordedChange(id=recorded.id, status=str(recorded.status), index=recorded.index)


def org_view(record: OrgRecord) -> OrgView:
    """The wire form of an organization (its contact already shown or hidden by the service)."""
    return msgspec.convert(record, OrgView, from_attributes=True)


def school_view(record: SchoolRecord) -> SchoolView:
    """The wire form of a pilot school."""
    return msgspec.convert(record, SchoolView, from_attributes=True)


def standard_view(record: StandardRecord) -> StandardView:
    """The wire form of a certificate standard: its levels junior first, as are its credits."""
    return msgspec.convert(record, StandardView, from_attributes=True)


class OrgController(ApiController):
    """Training and evaluation organizations: register, list, read, exit, publish standards."""

    path = "/orgs"
    tags = ["registry"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Register an organization",
        description=(
            "Office only. Records org.registered with the name and a salted SHA-256 "
            "commitment to the contact; the contact itself stays out of the ledger."
        ),
        responses={**WRITE_ERRORS, HTTP_409_CONFLICT: error_spec("The organization exists.")},
    )
    def register(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[OrgRegistration],
    ) -> RecordedChange:
        """Register the organization in the body."""
        with fields_named():
            org = Organization(data.id, data.name, data.contact)
        return recorded_change(ledger.registry.register_org(principal, org))

    @get(
        "/",
        sync_to_thread=True,
        summary="List organizations",
        description=(
            "In registration order. name keeps organizations whose name contains it "
            "(ASCII letters in any case). contact is shown only to the office, auditors "
            "and the organization itself."
        ),
        responses=READ_ERRORS,
    )
    def list_orgs(
        self,
        ledger: NamedDependency[Ledger],
        optional_principal: NamedDependency[Principal | None],
        status: Annotated[str | None, STATUS] = None,
        name: Annotated[str | None, NAME_CONTAINS] = None,
        limit: Annotated[int, LIMIT] = 50,
        offset: Annotated[int, OFFSET] = 0,
    ) -> OrgPage:
        """A page of organizations."""
        page = ledger.registry.orgs(
            optional_principal,
            status=query_choice("status", status, OrgStatus),
            name_contains=name,
            limit=limit,
            offset=offset,
        )
        items = [org_view(record) for record in page.items]
        return OrgPage(items=items, total=page.total, limit=limit, offset=offset)

    @get(
        "/{id:str}",
        sync_to_thread=True,
        summary="Read an organization",
        description="contact is shown only to the office, auditors and the organization itself.",
        responses={**READ_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such organization.")},
    )
    def get_org(
        self,
        ledger: NamedDependency[Ledger],
        optional_principal: NamedDependency[Principal | None],
        id: FromPath[str],
    ) -> OrgView:
        """The organization ``id``."""
        org_id = path_checked("id", id, check_credit_code)
        return org_view(ledger.registry.org(optional_principal, org_id))

    @post(
        "/{id:str}/suspend",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Suspend an organization",
        description="Office only. A suspended organization can no longer write (403).",
        responses=CHANGE_ERRORS,
    )
    def suspend(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ExitRequest],
    ) -> RecordedChange:
        """Suspend the organization ``id`` for the reason in the body."""
        org_id = path_checked("id", id, check_credit_code)
        with fields_named():
            return recorded_change(ledger.registry.suspend_org(principal, org_id, data.reason))

    @post(
        "/{id:str}/reinstate",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Reinstate a suspended organization",
        description="Office only. 409 unless the organization is suspended.",
        responses=CHANGE_ERRORS,
    )
    def reinstate(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ExitRequest],
    ) -> RecordedChange:
        """Reinstate the organization ``id`` for the reason in the body."""
        org_id = path_checked("id", id, check_credit_code)
        with fields_named():
            return recorded_change(ledger.registry.reinstate_org(principal, org_id, data.reason))

    @post(
        "/{id:str}/bar",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Bar an organization",
        description="Office only. Final: a barred organization is never reinstated.",
        responses=CHANGE_ERRORS,
    )
    def bar(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ExitRequest],
    ) -> RecordedChange:
        """Bar the organization ``id`` for the reason in the body."""
        org_id = path_checked("id", id, check_credit_code)
        with fields_named():
            return recorded_change(ledger.registry.bar_org(principal, org_id, data.reason))

    @post(
        "/{id:str}/standards",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Publish a certificate standard",
        description=(
            "Only the organization id itself, and only while it is registered (a suspended "
            "or barred organization gets 403 saying why). Records standard.published."
        ),
        responses={**WRITE_ERRORS, HTTP_409_CONFLICT: error_spec("The standard code is taken.")},
    )
    def publish_standard(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[StandardPublication],
    ) -> StandardPublished:
        """Publish the standard in the body as organization ``id``'s."""
        org_id = path_checked("id", id, check_credit_code)
        offered: dict[str, int] = dict(data.credits.items())
        with fields_named():
            credits = standard_credits(list(data.levels), offered)
            standard = Standard(data.code, org_id, data.title, credits, data.document_hash)
        recorded = ledger.registry.publish_standard(principal, standard)
        return StandardPublished(code=recorded.id, index=recorded.index)
