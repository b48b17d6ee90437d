"""The one place where ledger errors and request validation failures become HTTP responses.

Every error body is ``{"status_code": ..., "detail": "..."}``, with ``"detail_zh"`` beside it
for the errors a person may see (api/messages_zh.py); bad input is never a 500.

    InvalidInput (RangeError, ...)        400  the message says what was wrong
    InvalidRows                           400  and "errors": every bad row, field, problem
    ConversionRefused                     409 or 422, with "code" naming the rule
    ConversionRows                        422  and "errors": every refused row, code, problem
    EncodingError                         400  a value with no canonical encoding; says which
    litestar ValidationException          400  names the parameter and what was expected
    Unauthenticated                       401  why the credentials were refused; WWW-Authenticate
    Forbidden                             403  why this principal may not do this
    NotFound                              404
    Conflict                              409  the object exists or is in the wrong state
    RateLimited                           429  with Retry-After in seconds
    InternalServerException from a body   400  (see _body_named_like_a_dependency)
    ClientException: body is not JSON     400  says so (other ClientExceptions answer as usual;
                                               a 404 asked for as text/html gets a page)
    413 (a body over the limit)           413  names the byte limit (MAX_REQUEST_BODY_SIZE)
    UnicodeDecodeError from the body      400  the body is not UTF-8
    RecursionError from the body          400  the body is nested too deeply
    VerificationError (RootMismatch, ...) 503  the log failed its own integrity check
    SigningKeyError                       503  the log cannot sign
    any other LedgerError                 400  its message (the specific mappings above win)

Handlers are found by the exception's MRO, nearest class first (Litestar's
get_exception_handler), so RangeError meets InvalidInput's handler, not LedgerError's,
whatever the order of EXCEPTION_HANDLERS.

UnicodeDecodeError and RecursionError are 400 only when Litestar raised them decoding the
JSON body (msgspec raises them for invalid UTF-8 inside a string and for nesting deeper
than the interpreter's recursion limit); raised anywhere else they are bugs: 500.

A VerificationError reaching this mapping comes from the log checking itself, never
from something a caller sent: endpoints that verify caller input report the outcome
in their response instead of raising.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping
from types import CodeType
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    InternalServerException,
    SerializationException,
    ValidationException,
)
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.serialization import msgspec_hooks
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from api.messages_zh import chinese_detail
from api.pages.front import not_found_page, wants_html
from ledger.core.errors import (
    Conflict,
    EncodingError,
    Forbidden,
    InvalidInput,
    LedgerError,
    NotFound,
    RateLimited,
    RootMismatch,
    SigningKeyError,
    Unauthenticated,
    VerificationError,
)
from ledger.domain.certificates import InvalidRows
from ledger.domain.credit_bank import ConversionRefused, ConversionRows
from schemas.certificates import RowError, RowErrorDetail
from schemas.credit_bank import ConversionRefusal, ConversionRowError, ConversionRowErrors
from schemas.log import ErrorDetail

__all__ = [
    "EXCEPTION_HANDLERS",
    "MAX_REQUEST_BODY_SIZE",
    "describe_body_problem",
    "describe_value",
    "error_response",
    "error_spec",
]

logger = logging.getLogger(__name__)

#: The largest request body the service reads (1 MiB); larger ones get 413. Defined here
#: for the 413 message; api.app passes it to Litestar and re-exports it.
MAX_REQUEST_BODY_SIZE = 1_048_576

#: Where Litestar decodes a JSON request body: Request.json calls decode_json, which calls
#: msgspec (C code, so decode_json is the innermost Python frame of what msgspec raises).
_DECODE_JSON: CodeType = msgspec_hooks.decode_json.__code__
_REQUEST_JSON: CodeType = Request.json.__code__

#: Longest echo of a caller's value in an error message.
_MAX_ECHO = 40

#: msgspec says "Expected `int`, got `str`" or "Expected `int` >= 0"; the type in backticks.
_EXPECTED = re.compile(r"Expected `(?P<type>[^`]+)`(?P<constraint>[^,]*)")
_TYPE_NAMES = {
    "int": "an integer",
    "int | null": "an integer",
    "str": "a string",
    "str | null": "a string",
    "bool": "true or false",
    "object": "a JSON object",
    "object | null": "a JSON object",
    "array": "a JSON array",
}
#: msgspec's messages about the fields of an object, and what we say instead.
_FIELD_PROBLEMS = (
    (re.compile(r"Object contains unknown field `(?P<field>[^`]+)`"), "unknown field {field!r}"),
    (
        re.compile(r"Object missing required field `(?P<field>[^`]+)`"),
        "field {field!r} is required",
    ),
)
_SOURCE_NAMES = {
    "query": "query parameter",
    "path": "path parameter",
    "header": "header",
    "cookie": "cookie",
}


def error_spec(description: str) -> ResponseSpec:
    """The OpenAPI description of an error response (the ErrorDetail body)."""
    return ResponseSpec(ErrorDetail, generate_examples=False, description=description)


def error_response(
    status_code: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response[ErrorDetail]:
    """The error response every handler here returns, with ``detail_zh`` when a person
    may read it (api/messages_zh.py)."""
    return Response(
        ErrorDetail(
            status_code=status_code, detail=detail, detail_zh=chinese_detail(status_code, detail)
        ),
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def describe_value(value: str) -> str:
    """A caller's value quoted for an error message, shortened when long."""
    if len(value) > _MAX_ECHO:
        return f"{value[:_MAX_ECHO]!r}... ({len(value)} characters)"
    return repr(value)


def _invalid_request(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[ErrorDetail]:
    problems = exc.extra if isinstance(exc.extra, list) else []
    details = [
        detail
        for problem in problems
        if isinstance(problem, Mapping) and (detail := _describe_problem(request, problem))
    ]
    # Without itemised problems (a missing parameter, a body that does not parse),
    # Litestar's own message already says which parameter or what body.
    return error_response(HTTP_400_BAD_REQUEST, "; ".join(details) or _shortened(exc.detail))


def _shortened(detail: str) -> str:
    # Litestar ends "Missing required query parameter 'end'" with " for path <the whole
    # URL>", query string included: a caller's 8000 characters would come back verbatim.
    if detail.startswith("Missing required "):
        return detail.partition(" for path ")[0]
    return detail


def _describe_problem(request: Request[Any, Any, Any], problem: Mapping[str, object]) -> str | None:
    key, message = problem.get("key"), problem.get("message")
    if not isinstance(key, str) or not isinstance(message, str):
        return None
    # Litestar gives the source as a ParamType enum (a str enum) or a plain string.
    source = str(getattr(problem.get("source"), "value", problem.get("source")))
    if source == "body":
        if key == "data" and message == "'data'":
            # Litestar's KeyError when the request has no body at all.
            return "the body is missing: send a JSON object"
        # Litestar names the body "data" and its fields without the "data." prefix.
        return describe_body_problem(message, None if key == "data" else key)
    subject = f"{_SOURCE_NAMES.get(source, 'field')} {key!r}"
    raw = _raw_value(request, source, key)
    return f"{subject} {_requirement(message)}" + (
        "" if raw is None else f", got {describe_value(raw)}"
    )


def describe_body_problem(message: str, field: str | None = None) -> str:
    """Say what is wrong with a JSON body, naming the field, from a msgspec ValidationError.

    ``field`` is the dotted path of the offending value (None for the body itself);
    without it, the path msgspec appends (`` - at `$.a.b` ``) is used.
    """
    message, _, where = message.partition(" - at `")
    if field is None and where.startswith("$."):
        field = where.rstrip("`")[2:]
    for pattern, template in _FIELD_PROBLEMS:
        matched = pattern.match(message)
        if matched is not None:
            name = matched["field"] if field is None else f"{field}.{matched['field']}"
            return template.format(field=name) + " in the body"
    subject = "the body" if field is None else f"field {field!r}"
    return f"{subject} {_requirement(message)}"


def _requirement(message: str) -> str:
    expected = _EXPECTED.match(message)
    if expected is None:
        return f"is not valid ({message})"
    type_name = _TYPE_NAMES.get(expected["type"], f"of type {expected['type']}")
    return f"must be {type_name}{expected['constraint'].rstrip()}"


def _raw_value(request: Request[Any, Any, Any], source: str, key: str) -> str | None:
    if source == "query":
        values = request.query_params.getall(key, [])
        return values[-1] if values else None
    if source == "path":
        value = request.path_params.get(key)
        return None if value is None else str(value)
    return None


def _unauthenticated(
    request: Request[Any, Any, Any], exc: Unauthenticated
) -> Response[ErrorDetail]:
    # RFC 6750 section 3: no error code when the request carried no credentials.
    presented = "authorization" in request.headers
    challenge = 'Bearer error="invalid_token"' if presented else "Bearer"
    return error_response(HTTP_401_UNAUTHORIZED, str(exc), {"WWW-Authenticate": challenge})


def _rate_limited(_request: Request[Any, Any, Any], exc: RateLimited) -> Response[ErrorDetail]:
    return error_response(
        HTTP_429_TOO_MANY_REQUESTS, str(exc), {"Retry-After": str(exc.retry_after)}
    )


def _body_named_like_a_dependency(
    _request: Request[Any, Any, Any], exc: InternalServerException
) -> Response[ErrorDetail]:
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
        logger.error("internal error", exc_info=exc)
    return error_response(exc.status_code, exc.detail, exc.headers)


def _body_too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorDetail]:
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


def _body_not_utf8(
    _request: Request[Any, Any, Any], exc: UnicodeDecodeError
) -> Response[ErrorDetail]:
    # msgspec raises UnicodeDecodeError (not its DecodeError) for invalid UTF-8 inside a
    # JSON string, and Litestar lets it through.
    if _raised_decoding_the_body(exc):
        return error_response(HTTP_400_BAD_REQUEST, "the request body is not UTF-8")
    return _internal_error(exc)


def _body_nested_too_deeply(
    _request: Request[Any, Any, Any], exc: RecursionError
) -> Response[ErrorDetail]:
    # msgspec raises RecursionError for arrays or objects nested deeper than the recursion
    # limit ("[" * 5000); a RecursionError from our own code stays a 500.
    if _raised_decoding_the_body(exc):
        return error_response(HTTP_400_BAD_REQUEST, "the request body is nested too deeply")
    return _internal_error(exc)


def _body_not_json(
    request: Request[Any, Any, Any], exc: ClientException
) -> Response[ErrorDetail] | Response[bytes]:
    # Litestar re-raises a body that does not parse as a ClientException from a
    # SerializationException whose message is msgspec's ("Input data was truncated").
    if isinstance(exc.__cause__, SerializationException):
        return error_response(HTTP_400_BAD_REQUEST, f"the body is not valid JSON: {exc.detail}")
    # A browser that asked for an address with no page gets a page saying so, not JSON.
    if exc.status_code == HTTP_404_NOT_FOUND and wants_html(request):
        return not_found_page()
    # Any other ClientException (404 for no route, 405 ...) answers as Litestar would.
    return error_response(exc.status_code, exc.detail, exc.headers)


def _integrity_failure(
    _request: Request[Any, Any, Any], exc: VerificationError
) -> Response[ErrorDetail]:
    logger.error("the log failed its own integrity check: %s", exc, exc_info=exc)
    detail = "the log failed its own integrity check"
    if isinstance(exc, RootMismatch):
        detail += "; not signing"
    return error_response(HTTP_503_SERVICE_UNAVAILABLE, detail)


def _signing_unavailable(
    _request: Request[Any, Any, Any], exc: SigningKeyError
) -> Response[ErrorDetail]:
    # The message may name key files; it goes to the operator's log, not to callers.
    logger.error("the log cannot sign: %s", exc, exc_info=exc)
    return error_response(
        HTTP_503_SERVICE_UNAVAILABLE, "the log cannot sign: its signing key is unavailable"
    )


#: Ledger errors that answer with their own message, by the nearest class in the MRO.
#: They are raised on purpose and say what was wrong, so the caller gets the message.
_STATUS_OF_ERROR: dict[type[LedgerError], int] = {
    InvalidInput: HTTP_400_BAD_REQUEST,
    # A value the canonical encoding cannot hold (an integer beyond 2**53 - 1, ...).
    EncodingError: HTTP_400_BAD_REQUEST,
    Forbidden: HTTP_403_FORBIDDEN,
    NotFound: HTTP_404_NOT_FOUND,
    Conflict: HTTP_409_CONFLICT,
}


def _invalid_rows(_request: Request[Any, Any, Any], exc: InvalidRows) -> Response[RowErrorDetail]:
    errors = [RowError(row=p.row, field=p.field, problem=p.problem) for p in exc.problems]
    return Response(
        RowErrorDetail(status_code=HTTP_400_BAD_REQUEST, detail=str(exc), errors=errors),
        status_code=HTTP_400_BAD_REQUEST,
        headers={"Cache-Control": "no-store"},
    )


def _conversion_refused(
    _request: Request[Any, Any, Any], exc: ConversionRefused
) -> Response[ConversionRefusal]:
    status = HTTP_409_CONFLICT if exc.is_conflict else HTTP_422_UNPROCESSABLE_ENTITY
    return Response(
        ConversionRefusal(status_code=status, detail=str(exc), code=exc.code.value),
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _conversion_rows(
    _request: Request[Any, Any, Any], exc: ConversionRows
) -> Response[ConversionRowErrors]:
    errors = [
        ConversionRowError(row=row, code=code, problem=text) for row, code, text in exc.problems
    ]
    return Response(
        ConversionRowErrors(
            status_code=HTTP_422_UNPROCESSABLE_ENTITY, detail=str(exc), errors=errors
        ),
        status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        headers={"Cache-Control": "no-store"},
    )


def _ledger_error(_request: Request[Any, Any, Any], exc: LedgerError) -> Response[ErrorDetail]:
    for error_class in type(exc).__mro__:
        status = _STATUS_OF_ERROR.get(error_class)
        if status is not None:
            return error_response(status, str(exc) or "the request cannot be carried out")
    # A LedgerError subclass without a mapping of its own (one added later, say).
    logger.warning("%s has no HTTP mapping of its own; answering 400", type(exc).__name__)
    return error_response(HTTP_400_BAD_REQUEST, str(exc) or "the request cannot be carried out")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    **dict.fromkeys(_STATUS_OF_ERROR, _ledger_error),
    ValidationException: _invalid_request,
    InvalidRows: _invalid_rows,
    ConversionRefused: _conversion_refused,
    ConversionRows: _conversion_rows,
    Unauthenticated: _unauthenticated,
    RateLimited: _rate_limited,
    InternalServerException: _body_named_like_a_dependency,
    ClientException: _body_not_json,
    # Litestar looks status codes up before exception classes.
    HTTP_413_REQUEST_ENTITY_TOO_LARGE: _body_too_large,
    UnicodeDecodeError: _body_not_utf8,
    RecursionError: _body_nested_too_deeply,
    VerificationError: _integrity_failure,
    SigningKeyError: _signing_unavailable,
    # Last, for readers: the MRO lookup finds the specific handlers above first anyway.
    LedgerError: _ledger_error,
}
