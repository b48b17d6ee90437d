"""The one place where ledger errors and request validation failures become HTTP responses.

Every error body is ``{"status_code": ..., "detail": "..."}``; bad input is never a 500.

    InvalidInput (RangeError, ...)        400  the message says what was wrong
    litestar ValidationException          400  names the parameter and what was expected
    VerificationError (RootMismatch, ...) 503  the log failed its own integrity check
    SigningKeyError                       503  the log cannot sign

A VerificationError reaching this mapping comes from the log checking itself, never
from something a caller sent: endpoints that verify caller input report the outcome
in their response instead of raising.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_503_SERVICE_UNAVAILABLE
from litestar.types import ExceptionHandlersMap

from ledger.core.errors import InvalidInput, RootMismatch, SigningKeyError, VerificationError
from schemas.log import ErrorDetail

__all__ = ["EXCEPTION_HANDLERS", "describe_value", "error_response"]

logger = logging.getLogger(__name__)

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
}
_SOURCE_NAMES = {
    "query": "query parameter",
    "path": "path parameter",
    "header": "header",
    "cookie": "cookie",
}


def error_response(status_code: int, detail: str) -> Response[ErrorDetail]:
    """The error response every handler here returns."""
    return Response(
        ErrorDetail(status_code=status_code, detail=detail),
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def describe_value(value: str) -> str:
    """A caller's value quoted for an error message, shortened when long."""
    if len(value) > _MAX_ECHO:
        return f"{value[:_MAX_ECHO]!r}... ({len(value)} characters)"
    return repr(value)


def _invalid_input(_request: Request[Any, Any, Any], exc: InvalidInput) -> Response[ErrorDetail]:
    return error_response(HTTP_400_BAD_REQUEST, str(exc))


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
    return error_response(HTTP_400_BAD_REQUEST, "; ".join(details) or str(exc.detail))


def _describe_problem(request: Request[Any, Any, Any], problem: Mapping[str, object]) -> str | None:
    key, message = problem.get("key"), problem.get("message")
    if not isinstance(key, str) or not isinstance(message, str):
        return None
    # Litestar gives the source as a ParamType enum (a str enum) or a plain string.
    source = str(getattr(problem.get("source"), "value", problem.get("source")))
    subject = f"{_SOURCE_NAMES.get(source, 'field')} {key!r}"
    expected = _EXPECTED.match(message)
    if expected is not None:
        type_name = _TYPE_NAMES.get(expected["type"], f"of type {expected['type']}")
        requirement = f"must be {type_name}{expected['constraint'].rstrip()}"
    else:
        requirement = f"is not valid ({message})"
    raw = _raw_value(request, source, key)
    return f"{subject} {requirement}" + ("" if raw is None else f", got {describe_value(raw)}")


def _raw_value(request: Request[Any, Any, Any], source: str, key: str) -> str | None:
    if source == "query":
        values = request.query_params.getall(key, [])
        return values[-1] if values else None
    if source == "path":
        value = request.path_params.get(key)
        return None if value is None else str(value)
    return None


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


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    InvalidInput: _invalid_input,
    ValidationException: _invalid_request,
    VerificationError: _integrity_failure,
    SigningKeyError: _signing_unavailable,
}
