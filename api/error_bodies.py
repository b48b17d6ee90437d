"""The bodies of error responses and the wording of their messages: what every 4xx says.

Used by the error mapping (api/errors.py), the Litestar workarounds and the parameter checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from litestar import Response
from litestar.openapi import ResponseSpec

from api.messages_zh import chinese_detail
from schemas.log import ErrorDetail

__all__ = [
    "MAX_REQUEST_BODY_SIZE",
    "describe_body_problem",
    "describe_value",
    "error_response",
    "error_spec",
    "requirement",
]

#: The largest request body the service reads (1 MiB); larger ones get 413. Defined here
#: for the 413 message; api.app passes it to Litestar and re-exports it.
MAX_REQUEST_BODY_SIZE = 1_048_576

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
    return f"{subject} {requirement(message)}"


def requirement(message: str) -> str:
    """What a msgspec message ("Expected `int` >= 0, got ...") requires, in plain words."""
    expected = _EXPECTED.match(message)
    if expected is None:
        return f"is not valid ({message})"
    type_name = _TYPE_NAMES.get(expected["type"], f"of type {expected['type']}")
    return f"must be {type_name}{expected['constraint'].rstrip()}"
