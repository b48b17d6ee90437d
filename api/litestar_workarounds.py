"""Where Litestar's own behaviour would give callers a 500, a vague message or a missing
header, and what the service does instead; tests/api/test_litestar_workarounds.py pins each.

    Litestar does                                           the service answers
    a bad body field named like a dependency ("principal")  400 naming the field, not 500
      fails as the dependency: InternalServerException      (body_named_like_a_dependency)
    a body that does not parse: ClientException from a      400 "the body is not valid JSON"
      SerializationException                                (body_not_json)
    a body over the limit: RequestEntityTooLarge, not       413 naming the byte limit
      exported, detail "Request Entity Too Large"           (body_too_large)
    invalid UTF-8 inside a JSON string: msgspec's           400 "the body is not UTF-8"
      UnicodeDecodeError, let through (a 500)               (body_not_utf8)
    nesting deeper than the recursion limit: msgspec's      400 "nested too deeply"
      RecursionError, let through (a 500)                   (body_nested_too_deeply)
    "Missing required query parameter 'end' for path        the sentence without the URL,
      <the whole URL, query string included>"               which echoes a caller's input
                                                            (shortened_detail)
    response_headers reach no 404 for an unknown path       X-Content-Type-Options on every
      and no 413                                            response (no_sniffing, before_send)

Litestar is also lenient with query strings (it ignores unknown names, takes the last of
repeated values and reads "1.0" as the integer 1); api/params.py's check_query refuses them.
"""

from __future__ import annotations

import logging
import traceback
from types import CodeType
from typing import Any, cast

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    InternalServerException,
    SerializationException,
)
from litestar.handlers import HTTPRouteHandler
from litestar.serialization import msgspec_hooks
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
)
from litestar.types import ExceptionHandlersMap, Message, Scope

from api.error_bodies import MAX_REQUEST_BODY_SIZE, describe_body_problem, error_response
from api.faults import unexpected_error
from api.pages.front import not_found_page, wants_html
from schemas.log import ErrorDetail

__all__ = [
    "WORKAROUND_HANDLERS",
    "body_named_like_a_dependency",
    "body_nested_too_deeply",
    "body_not_json",
    "body_not_utf8",
    "body_too_large",
    "no_sniffing",
    "shortened_detail",
]

logger = logging.getLogger(__name__)

#: Where Litestar decodes a JSON request body: Request.json calls decode_json, which calls
#: msgspec (C code, so decode_json is the innermost Python frame of what msgspec raises).
_DECODE_JSON: CodeType = msgspec_hooks.decode_json.__code__
_REQUEST_JSON: CodeType = Request.json.__code__


def shortened_detail(detail: str) -> str:
    """Litestar's message about a missing parameter without the URL it appends."""
    # Litestar ends "Missing required query parameter 'end'" with " for path <the whole
    # URL>", query string included: a caller's 8000 characters would come back verbatim.
    if detail.startswith("Missing required "):
        return detail.partition(" for path ")[0]
    return detail


def body_named_like_a_dependency(
    request: Request[Any, Any, Any], exc: InternalServerException
) -> Response[ErrorDetail]:
    """A 400 naming the body field when Litestar reports it as a failed dependency."""
    # Litestar reports a bad body field that shares its name with a dependency (a field
    # "principal" next to the "principal" dependency) as a failed dependency: a 500. The
    # msgspec error it chains says the value came from the body ($.data...): a 400.
    cause = exc.__cause__
    if isinstance(cause, msgspec.ValidationError) and not hasattr(cause, "errors"):
        message, _, where = str(cause).partition(" - at `")
        path = where.rstrip("`")
        if path == "$.data" or path.startswith("$.data."):
            field = path.removeprefix("$.data").removeprefix(".") or None
            return error_response(HTTP_400_BAD_REQUEST, describe_body_problem(message, field))
    # Anything else (ServiceUnavailableException and the other subclasses included)
    # answers as Litestar would have.
    if exc.status_code == HTTP_500_INTERNAL_SERVER_ERROR:
        # A dependency that failed on a full disk or a locked database is a 503 too.
        return unexpected_error(request, exc)
    return error_response(exc.status_code, exc.detail, exc.headers)


def body_too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorDetail]:
    """A 413 naming the byte limit of the route."""
    # Only Litestar's RequestEntityTooLarge (not exported by litestar.exceptions) is a 413;
    # its detail is a bare "Request Entity Too Large". The limit is the route's (a handler
    # may set its own), else the app's.
    handler = request.scope.get("route_handler")
    limit = (
        handler.resolve_request_max_body_size() if isinstance(handler, HTTPRouteHandler) else None
    )
    detail = f"the request body is larger than the {limit or MAX_REQUEST_BODY_SIZE}-byte limit"
    return error_response(HTTP_413_REQUEST_ENTITY_TOO_LARGE, detail, exc.headers)


def _raised_decoding_the_body(exc: BaseException) -> bool:
    """True when ``exc`` was raised by msgspec inside Request.json decoding the body."""
    codes = [frame.f_code for frame, _line in traceback.walk_tb(exc.__traceback__)]
    return len(codes) >= 2 and codes[-1] is _DECODE_JSON and codes[-2] is _REQUEST_JSON


def _internal_error(exc: BaseException) -> Response[ErrorDetail]:
    # What Litestar answers for an exception nobody maps.
    logger.error("internal error", exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "Internal Server Error")


def body_not_utf8(
    _request: Request[Any, Any, Any], exc: UnicodeDecodeError
) -> Response[ErrorDetail]:
    """400 for a body msgspec could not read as UTF-8; a 500 when raised anywhere else."""
    # msgspec raises UnicodeDecodeError (not its DecodeError) for invalid UTF-8 inside a
    # JSON string, and Litestar lets it through.
    if _raised_decoding_the_body(exc):
        return error_response(HTTP_400_BAD_REQUEST, "the request body is not UTF-8")
    return _internal_error(exc)


def body_nested_too_deeply(
    _request: Request[Any, Any, Any], exc: RecursionError
) -> Response[ErrorDetail]:
    """400 for a body nested too deeply for msgspec; a 500 when raised anywhere else."""
    # msgspec raises RecursionError for arrays or objects nested deeper than the recursion
    # limit ("[" * 5000); a RecursionError from our own code stays a 500.
    if _raised_decoding_the_body(exc):
        return error_response(HTTP_400_BAD_REQUEST, "the request body is nested too deeply")
    return _internal_error(exc)


def body_not_json(
    request: Request[Any, Any, Any], exc: ClientException
) -> Response[ErrorDetail] | Response[bytes]:
    """400 saying the body is not JSON; a browser asking for an address with no page gets a
    page saying so; any other ClientException answers as Litestar's."""
    # Litestar re-raises a body that does not parse as a ClientException from a
    # SerializationException whose message is msgspec's ("Input data was truncated").
    if isinstance(exc.__cause__, SerializationException):
        return error_response(HTTP_400_BAD_REQUEST, f"the body is not valid JSON: {exc.detail}")
    if exc.status_code == HTTP_404_NOT_FOUND and wants_html(request):
        return not_found_page()
    # Any other ClientException (404 for no route, 405 ...) answers as Litestar would.
    return error_response(exc.status_code, exc.detail, exc.headers)


async def no_sniffing(message: Message, _scope: Scope) -> None:
    """A before_send hook: ``X-Content-Type-Options: nosniff`` on every response."""
    # before_send sees every response, 404s and 413s included, unlike response_headers.
    if message["type"] == "http.response.start":
        headers = list(message.get("headers", ()))
        headers.append((b"x-content-type-options", b"nosniff"))
        cast(dict[str, Any], message)["headers"] = headers


#: The exception handlers above, for api/errors.py's one mapping.
WORKAROUND_HANDLERS: ExceptionHandlersMap = {
    InternalServerException: body_named_like_a_dependency,
    ClientException: body_not_json,
    # Litestar looks status codes up before exception classes.
    HTTP_413_REQUEST_ENTITY_TOO_LARGE: body_too_large,
    UnicodeDecodeError: body_not_utf8,
    RecursionError: body_nested_too_deeply,
}
