"""The API beside the consoles, as mixins of the controllers that own the paths (Litestar
serves one path from one controller, an ApiController, whose hook holds the query
parameters to those the handler declares): ``GET /assessments``, ``GET /certificates``,
``GET /orgs/{id}/sites`` paged like the registry, and ``POST /learners/{account}/activation``.

An organization reads its own assessments and certificates (``org`` defaults to it; another
is 403); schools read assessments; the office and auditors read everything."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import (
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
)

from api.errors import error_spec
from api.params import path_checked, query_checked
from ledger.bootstrap import Ledger
from ledger.core.errors import Forbidden, InvalidInput
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import parse_date
from ledger.domain.registry import check_credit_code, check_standard_code
from ledger.services.registry import MAX_PAGE_SIZE

_LIMIT = QueryParameter(ge=1, le=MAX_PAGE_SIZE)
_OFFSET = QueryParameter(ge=0, le=1_000_000_000)
_OVERSIGHT = frozenset({Role.OFFICE, Role.AUDITOR})


def _org_filter(viewer: Principal, org: str | None, schools_too: bool) -> str | None:
    if viewer.role in _OVERSIGHT or (schools_too and viewer.role is Role.SCHOOL):
        return org
    if viewer.role is Role.ORG:
        if org not in (None, viewer.id):
            raise Forbidden(f"organization {viewer.id} reads only its own; {org} is not it")
        return viewer.id
    raise Forbidden(f"{viewer} may not read this list")


def _iso_date(value: str, field: str) -> str:
    return parse_date(value, field).isoformat()


def _page(found: Any, limit: int, offset: int) -> dict[str, Any]:
    return {"items": found.items, "total": found.total, "limit": limit, "offset": offset}


class AssessmentListMixin:
    """``GET /assessments?org=&standard=&from=&to=``."""

    @get(
        "/",
        sync_to_thread=True,
        summary="Assessments",
        description="By date; an organization its own, schools, the office and auditors all.",
    )
    def list_assessments(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        org: FromQuery[str | None] = None,
        standard: FromQuery[str | None] = None,
        date_from: Annotated[str | None, QueryParameter(name="from")] = None,
        date_to: Annotated[str | None, QueryParameter(name="to")] = None,
        limit: Annotated[int, _LIMIT] = 50,
        offset: Annotated[int, _OFFSET] = 0,
    ) -> dict[str, Any]:
        """A page of assessments."""
        found = ledger.org_lists.assessments(
            org=_org_filter(principal, query_checked("org", org, check_credit_code), True),
            standard=query_checked("standard", standard, check_standard_code),
            date_from=query_checked("from", date_from, _iso_date),
            date_to=query_checked("to", date_to, _iso_date),
            limit=limit,
            offset=offset,
        )
        return _page(found, limit, offset)


class CertificateListMixin:
    """``GET /certificates?org=&standard=&batch=&assessment=&status=``."""

    @get(
        "/",
        sync_to_thread=True,
        summary="Certificates",
        description="Newest first; an organization its own, the office and auditors all. "
        "status is valid or revoked.",
    )
    def list_certificates(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        org: FromQuery[str | None] = None,
        standard: FromQuery[str | None] = None,
        batch: FromQuery[str | None] = None,
        assessment: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        limit: Annotated[int, _LIMIT] = 50,
        offset: Annotated[int, _OFFSET] = 0,
    ) -> dict[str, Any]:
        """A page of certificates (no holder's name: account numbers only)."""
        if status not in (None, "valid", "revoked"):
            raise InvalidInput("status must be valid or revoked")
        found = ledger.org_lists.certificates(
            org=_org_filter(principal, query_checked("org", org, check_credit_code), False),
            standard=query_checked("standard", standard, check_standard_code),
            batch=batch,
            assessment=assessment,
            status=status,
            limit=limit,
            offset=offset,
        )
        return _page(found, limit, offset)


class SiteListMixin:
    """``GET /orgs/{id}/sites``."""

    @get(
        "/orgs/{id:str}/sites",
        sync_to_thread=True,
        summary="An organization's assessment sites",
        description="Any authenticated principal but learners.",
    )
    def list_sites(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        limit: Annotated[int, _LIMIT] = 50,
        offset: Annotated[int, _OFFSET] = 0,
    ) -> dict[str, Any]:
        """A page of the organization's sites, in registration order."""
        if principal.role is Role.LEARNER:
            raise Forbidden("learners do not read sites")
        org = ledger.registry.org(principal, path_checked("id", id, check_credit_code)).id
        sites = ledger.pilot.reads.sites(org=org, city=None)
        items = sites[offset : offset + limit]
        return {"items": items, "total": len(sites), "limit": limit, "offset": offset}


class ActivationMixin:
    """``POST /learners/{account}/activation``."""

    @post(
        "/{account:str}/activation",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="A new activation code for a learner",
        description="The learner's school: any earlier code or password stops working; "
        "records learner.password_reset. The code is shown once.",
        responses={
            HTTP_400_BAD_REQUEST: error_spec("The account number is malformed."),
            HTTP_403_FORBIDDEN: error_spec("Only the learner's school gives activation codes."),
            HTTP_404_NOT_FOUND: error_spec("Not a student of the calling school."),
        },
    )
    def activation(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        account: FromPath[str],
    ) -> dict[str, str]:
        """The new code."""
        code = ledger.learner_access.issue_code(principal, account[:20])
        return {"account": account[:20], "activation_code": code, "sign_in": "/learner/sign-in"}
