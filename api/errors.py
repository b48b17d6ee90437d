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
    InternalServerException from a body   400  (api/litestar_workarounds.py, as the four below)
    ClientException: body is not JSON     400  says so (other ClientExceptions answer as usual;
                                               a 404 asked for as text/html gets a page)
    413 (a body over the limit)           413  names the byte limit (MAX_REQUEST_BODY_SIZE)
    UnicodeDecodeError from the body      400  the body is not UTF-8
    RecursionError from the body          400  the body is nested too deeply
    VerificationError (RootMismatch, ...) 503  the log failed its own integrity check
    SigningKeyError                       503  the log cannot sign (BehindPublished: a restored
                                               database behind a published checkpoint)
    anything else                         503  a full disk, a read-only or damaged database
                                               (api/faults.py); 500 for a bug; both logged
    any other LedgerError                 400  its message (the specific mappings above win)

Handlers are found by the exception's MRO, nearest class first (Litestar's
get_exception_handler), so RangeError meets InvalidInput's handler, not LedgerError's,
whatever the order of EXCEPTION_HANDLERS.

UnicodeDecodeError and RecursionError are 400 only when Litestar raised them decoding the
JSON body; raised anywhere else they are bugs: 500 (see api/litestar_workarounds.py).

A VerificationError reaching this mapping comes from the log checking itself, never
from something a caller sent: endpoints that verify caller input report the outcome
in their response instead of raising.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from litestar import Request, Response
from litestar.exceptions import InternalServerException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from api.error_bodies import (
    MAX_REQUEST_BODY_SIZE,
    describe_body_problem,
    describe_value,
    error_response,
    error_spec,
    requirement,
)
from api.faults import unexpected_error
from api.litestar_workarounds import (
    WORKAROUND_HANDLERS,
    body_named_like_a_dependency,
    shortened_detail,
)
from keys.published import BehindPublished
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

_SOURCE_NAMES = {
    "query": "query parameter",
    "path": "path parameter",
    "header": "header",
    "cookie": "cookie",
}


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
    return error_response(HTTP_400_BAD_REQUEST, "; ".join(details) or shortened_detail(exc.detail))


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
    return f"{subject} {requirement(message)}" + (
        "" if raw is None else f", got {describe_value(raw)}"
    )


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
    if isinstance(exc, BehindPublished):
        # Sizes and a file name of the data folder: the operator's remedy, no secret.
        logger.error("%s", exc)
        return error_response(HTTP_503_SERVICE_UNAVAILABLE, str(exc))
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


def _unhandled(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorDetail]:
    # Litestar looks an HTTPException's status code up before its class, so the 500 handler
    # also meets InternalServerException: a bad body field named like a dependency is its
    # workaround's to answer (a 400), whatever else it is goes on to unexpected_error there.
    if isinstance(exc, InternalServerException):
        return body_named_like_a_dependency(request, exc)
    return unexpected_error(request, exc)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    **dict.fromkeys(_STATUS_OF_ERROR, _ledger_error),
    ValidationException: _invalid_request,
    InvalidRows: _invalid_rows,
    ConversionRefused: _conversion_refused,
    ConversionRows: _conversion_rows,
    Unauthenticated: _unauthenticated,
    RateLimited: _rate_limited,
    **WORKAROUND_HANDLERS,
    VerificationError: _integrity_failure,
    SigningKeyError: _signing_unavailable,
    # Last, for readers: the MRO lookup finds the specific handlers above first anyway.
    LedgerError: _ledger_error,
    # Anything else: logged with its traceback; 503 for a fault of the machine (api/faults.py).
    HTTP_500_INTERNAL_SERVER_ERROR: _unhandled,
}
