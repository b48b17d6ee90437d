"""The public page of verification reports: ``GET /reports/verify`` (a form for the code) and
``GET /reports/verify/{code}`` (what a report's QR code opens; the form sends ``?code=``).

Rendered on the server with autoescaped Jinja2, no script: while the report is valid it
shows the certificate, its live status and the holder's full name (the service records
each showing); otherwise it says the report expired, was withdrawn or does not exist.
Lookups are rate limited per client address like ``POST /lookup``.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_429_TOO_MANY_REQUESTS,
)
from litestar.types import ControllerRouterHandler

from api.auth import RateLimits, client_address
from api.messages_zh import chinese_detail
from api.pages.controller import CONTENT_SECURITY_POLICY
from ledger.bootstrap import Ledger
from ledger.core.errors import InvalidInput, NotFound, RateLimited
from ledger.domain.reports import beijing_time

__all__ = ["REPORT_HANDLERS"]

_ENVIRONMENT = Environment(
    loader=PackageLoader("api.pages", "templates"),
    autoescape=select_autoescape(default=True),
    keep_trailing_newline=True,
)
_TEMPLATE = _ENVIRONMENT.get_template("report.html")
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    # A page that may carry a name is never kept by a cache or the browser's history.
    "Cache-Control": "no-store",
}
_LEVELS = {"junior": "初级 Junior", "intermediate": "中级 Intermediate", "senior": "高级 Senior"}


def _page(status: int, **context: Any) -> Response[bytes]:
    body = _TEMPLATE.render(**context).encode("utf-8")
    return Response(body, status_code=status, media_type="text/html", headers=_HEADERS)


def _problem(status: int, outcome: str, detail: str, typed: str) -> Response[bytes]:
    return _page(
        status,
        outcome=outcome,
        detail=detail,
        detail_zh=chinese_detail(status, detail) or "",
        typed=typed,
    )


def _report(request: Request[Any, Any, Any], ledger: Ledger, typed: str) -> Response[bytes]:
    limits: RateLimits = request.app.state.rate_limits
    try:
        limits.lookup.check(f"report-address:{client_address(request)}")
        shown = ledger.reports.open(typed)
    except RateLimited as exc:
        response = _problem(HTTP_429_TOO_MANY_REQUESTS, "limited", str(exc), typed)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except InvalidInput as exc:
        return _problem(HTTP_400_BAD_REQUEST, "malformed", str(exc), typed)
    except NotFound as exc:
        return _problem(HTTP_404_NOT_FOUND, "unknown", str(exc), typed)
    certificate = shown.certificate
    return _page(
        HTTP_200_OK,
        outcome=shown.state,
        typed=typed,
        certificate=certificate,
        level=_LEVELS.get(certificate.level, certificate.level),
        name=shown.name,
        created_at=beijing_time(shown.report.created_at),
        valid_until=beijing_time(shown.report.valid_until),
        verify_link=f"/verify/{certificate.number}",
    )


@get("/reports/verify", sync_to_thread=True, include_in_schema=False, name="report_form")
def report_form(
    request: Request[Any, Any, Any],
    ledger: NamedDependency[Ledger],
    code: FromQuery[str | None] = None,
) -> Response[bytes]:
    """The form for a report code; with ``?code=`` the report it opens."""
    if code is None or not code.strip():
        return _page(HTTP_200_OK, outcome=None, typed="")
    return _report(request, ledger, code)


@get(
    "/reports/verify/{code:str}",
    sync_to_thread=True,
    include_in_schema=False,
    name="report_page",
)
def report_page(
    request: Request[Any, Any, Any], ledger: NamedDependency[Ledger], code: FromPath[str]
) -> Response[bytes]:
    """The report the code in the address opens (what its QR code holds)."""
    return _report(request, ledger, code)


REPORT_HANDLERS: list[ControllerRouterHandler] = [report_form, report_page]
