"""The certificate standards of the registry over HTTP: listing and lookup (an organization
publishes its own through api/registry.py); reads are public.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import (
    HTTP_404_NOT_FOUND,
)

from api.errors import error_spec
from api.params import ApiController, path_checked, query_checked, query_choice
from api.registry import (
    LIMIT,
    OFFSET,
    READ_ERRORS,
    standard_view,
)
from api.standard_documents import StandardDocumentMixin
from ledger.bootstrap import Ledger
from ledger.domain.registry import (
    Level,
    check_credit_code,
    check_standard_code,
)
from schemas.registry import (
    StandardPage,
    StandardView,
)

__all__ = ["StandardController"]


class StandardController(StandardDocumentMixin, ApiController):
    """Certificate standards: list and read (organizations publish under /orgs/{id})."""

    path = "/standards"
    tags = ["registry"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/",
        sync_to_thread=True,
        summary="List certificate standards",
        description="In publication order; org keeps one organization's, level those offering it.",
        responses=READ_ERRORS,
    )
    def list_standards(
        self,
        ledger: NamedDependency[Ledger],
        org: Annotated[
            str | None, QueryParameter(description="the owning organization's id")
        ] = None,
        level: Annotated[
            str | None, QueryParameter(description="junior, intermediate or senior")
        ] = None,
        limit: Annotated[int, LIMIT] = 50,
        offset: Annotated[int, OFFSET] = 0,
    ) -> StandardPage:
        """A page of standards."""
        page = ledger.registry.standards(
            org=query_checked("org", org, check_credit_code),
            level=query_choice("level", level, Level),
            limit=limit,
            offset=offset,
        )
        items = [standard_view(record) for record in page.items]
        return StandardPage(items=items, total=page.total, limit=limit, offset=offset)

    @get(
        "/{code:str}",
        sync_to_thread=True,
        summary="Read a certificate standard",
        responses={**READ_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such standard.")},
    )
    def get_standard(self, ledger: NamedDependency[Ledger], code: FromPath[str]) -> StandardView:
        """The standard ``code``."""
        return standard_view(
            ledger.registry.standard(path_checked("code", code, check_standard_code))
        )
