"""The rules the server enforces, written into the OpenAPI description: the pattern of each
kind of path and query parameter and body member, request bodies that refuse unknown fields
and are required, and the rules between parameters a schema cannot express (stated in the
description); and OPTIONS answers whose Allow header lists every method of the path.

The handlers check these values themselves (api.params.path_checked and the domain checks),
with messages that say what is wrong; this module only states the same rules in the
description, once, by the name of the parameter and the first segment of its path.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, cast

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

from ledger.domain.pilot import PlanStatus
from ledger.domain.registry import CITIES, OrgStatus, SchoolStatus

__all__ = ["allow_every_method", "describe_rules"]

_ACCOUNT = Schema(pattern="^L[0-9]{11}$", description="a learning account: L and 11 digits")
_CERTIFICATE = Schema(pattern="^X[0-9]{15}$", description="a certificate number: X and 15 digits")
_CREDIT_CODE = Schema(
    pattern="^[0-9A-HJ-NPQRTUWXY]{18}$",
    description="a unified social credit code (18 characters, GB 32100-2015 check character)",
)
_SCHOOL = Schema(pattern="^[0-9]{10}$", description="a school identification code: 10 digits")
_STANDARD = Schema(
    pattern="^1X-[A-Z0-9]+(-[A-Z0-9]+){0,3}$",
    max_length=32,
    description="a standard code such as 1X-BIM",
)


def _id(letter: str, what: str) -> Schema:
    return Schema(pattern=f"^{letter}[0-9]{{11}}$", description=f"{what}: {letter} and 11 digits")


#: Path parameters by the first segment of the path and the parameter's name.
_PATH: dict[tuple[str, str], Schema] = {
    ("learners", "account"): _ACCOUNT,
    ("certificates", "number"): _CERTIFICATE,
    ("orgs", "id"): _CREDIT_CODE,
    ("schools", "id"): _SCHOOL,
    ("standards", "code"): _STANDARD,
    ("rules", "rule"): _id("R", "a conversion rule id"),
    ("plans", "id"): _id("P", "a plan id"),
    ("assessments", "id"): _id("A", "an assessment id"),
}
_CITY = Schema(enum=list(CITIES), description="a city code of the province's list")
#: One line of text a person reads: no control character, no leading or trailing space, no
#: leading =, +, - or @. (NFC and the invisible format characters are stated in words.)
_BAD = "\\x00-\\x1f\\x7f-\\x9f"
_TEXT = f"^[^\\s=+@{_BAD}-]([^{_BAD}]*[^\\s{_BAD}])?$"
#: A holder's name: the same, and no digits (str.isdigit: decimal digits, which \\d covers,
#: and the others, such as superscripts and circled digits, listed one by one).
_OTHER_DIGITS = "".join(
    f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
    for c in map(chr, range(0x110000))
    if c.isdigit() and not c.isdecimal()
)
_NO_DIGITS = _BAD + "\\d" + _OTHER_DIGITS
_HOLDER_NAME = f"^[^\\s=+@{_NO_DIGITS}-]([^{_NO_DIGITS}]*[^\\s{_NO_DIGITS}])?$"
_PRINCIPAL = Schema(
    pattern=(
        "^(office|auditor|auditor:[A-Za-z0-9_-]{1,64}|org:[0-9A-HJ-NPQRTUWXY]{18}"
        "|school:[0-9]{10}|learner:L[0-9]{11})$"
    ),
    description="a principal: office, auditor[:id], org:ID, school:ID or learner:ACCOUNT",
)
_PERIOD = Schema(
    pattern="^(2019|20[2-9][0-9]|2100)(-(0[1-9]|1[0-2])|-H[12])?$",
    description="a month (YYYY-MM), a half-year (YYYY-H1 or YYYY-H2) or a year (YYYY)",
)

_PATH["principals", "subject"] = _PRINCIPAL

#: Query parameters by name, wherever they appear.
_QUERY: dict[str, Schema] = {
    "account": _ACCOUNT,
    "org": _CREDIT_CODE,
    "school": _SCHOOL,
    "standard": _STANDARD,
    "city": _CITY,
    "period": _PERIOD,
}
#: The ``status`` query parameter's values by the first segment of the path.
_STATUS: dict[str, list[str]] = {
    "orgs": [s.value for s in OrgStatus],
    "schools": [s.value for s in SchoolStatus],
    "plans": [s.value for s in PlanStatus],
    "certificates": ["valid", "revoked"],
}
#: Body members by name, in every request body.
_MEMBERS: dict[str, Schema] = {
    "standard": _STANDARD,
    "city": _CITY,
    "certificate": _CERTIFICATE,
    "account": _ACCOUNT,
    "reason": Schema(pattern=_TEXT),
    "name": Schema(pattern=_TEXT),
    "title": Schema(pattern=_TEXT),
    "comments": Schema(pattern=_TEXT),
    "address": Schema(pattern=_TEXT),
    "term": Schema(pattern="^[0-9]{4}-[12SW]$", description="a year and a term: 2026-1"),
    "valid_from": Schema(format=OpenAPIFormat.DATE),
    "valid_to": Schema(format=OpenAPIFormat.DATE),
    "score": Schema(minimum=0),
    "principal": _PRINCIPAL,
    "school": _SCHOOL,
    "org": _CREDIT_CODE,
    "date": Schema(format=OpenAPIFormat.DATE),
    "issued_on": Schema(format=OpenAPIFormat.DATE),
    "site": _id("S", "a site id"),
    "plan": _id("P", "a plan id"),
    "assessment": _id("A", "an assessment id"),
    "rule": _id("R", "a conversion rule id"),
    "grade": Schema(
        pattern="^(100|[1-9]?[0-9]|[A-F][+-]?|pass|fail)$",
        description="a mark 0 to 100, A to F (with + or -), pass or fail",
    ),
}
#: The ``id`` member of a body by the schema's name.
_IDS: dict[str, Schema] = {"OrgRegistration": _CREDIT_CODE, "SchoolAdmission": _SCHOOL}
#: Rules between parameters, added to the operation's description.
_BETWEEN: dict[str, str] = {
    "/log/entries": "start must be less than end, and end at most start + 1000.",
    "/log/proof/inclusion": "index must be less than size, and size at most the log's size.",
    "/log/proof/consistency": "old must be at most new, and new at most the log's size.",
}


#: The body of a route that takes a sheet: CSV text (or an .xlsx workbook, as bytes).
_SHEET = RequestBody(
    content={
        "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, min_length=1)),
        "application/octet-stream": OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, min_length=1)
        ),
    },
    description="the sheet: a header line naming the columns, then one line per row",
    required=True,
)


#: The body of a standard's document upload: the file's bytes (its type told by its content).
_DOCUMENT = RequestBody(
    content={
        "application/octet-stream": OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, min_length=1)
        ),
    },
    description="the file: a PDF or .docx whose content matches the extension of filename",
    required=True,
)


def _apply(schema: Schema | Reference, rule: Schema) -> None:
    """Copy the constraints of ``rule`` into ``schema`` (or its non-null alternatives)."""
    if not isinstance(schema, Schema):
        return
    targets = [s for s in (schema.one_of or []) if isinstance(s, Schema) and s.type != "null"]
    for target in targets or [schema]:
        if target.type == "array" and isinstance(target.items, Schema):
            _apply(target.items, rule)
            continue
        for name in ("pattern", "max_length", "enum", "format", "minimum"):
            value = getattr(rule, name)
            if value is not None:
                setattr(target, name, value)


def _tighten_parameter(first: str, parameter: Parameter) -> None:
    rule = None
    if parameter.param_in == "path":
        rule = _PATH.get((first, parameter.name))
    elif parameter.param_in == "query":
        rule = _QUERY.get(parameter.name)
        if parameter.name == "status" and first in _STATUS:
            rule = Schema(enum=_STATUS[first])
        if parameter.name == "period":
            parameter.required = True
            parameter.schema = Schema(type=OpenAPIType.STRING)
    if rule is None or parameter.schema is None:
        return
    _apply(parameter.schema, rule)
    if parameter.description is None:
        parameter.description = rule.description


def _closed_bodies(openapi: OpenAPI) -> None:
    """Request bodies are msgspec Structs that refuse unknown fields: say so, and state the
    rules of their members by name."""
    components = openapi.components.schemas if openapi.components else None
    for name, schema in (components or {}).items():
        if not isinstance(schema, Schema) or schema.type != "object":
            continue
        if name in _CLOSED:
            schema.additional_properties = False
        elif not name.endswith(("Request", "In")):
            continue
        for member, value in (schema.properties or {}).items():
            rule = _IDS.get(name) if member == "id" else _MEMBERS.get(member.rstrip("s"))
            if (name, member) in (("HolderIn", "name"), ("LookupRequest", "name")):
                rule = Schema(pattern=_HOLDER_NAME)
            if member == "credits" and isinstance(value, Schema) and value.type == "object":
                value.property_names = Schema(enum=["junior", "intermediate", "senior"])
                value.additional_properties = Schema(
                    type=OpenAPIType.INTEGER, minimum=0, maximum=1000
                )
            if rule is not None:
                _apply(value, rule)


def _closed_structs() -> frozenset[str]:
    """The names of the request Structs that refuse unknown fields."""
    import schemas

    found: set[str] = set()
    for module in pkgutil.iter_modules(schemas.__path__):
        loaded = importlib.import_module(f"schemas.{module.name}")
        for value in vars(loaded).values():
            config = getattr(value, "__struct_config__", None)
            if isinstance(value, type) and config is not None and config.forbid_unknown_fields:
                found.add(value.__name__)
    return frozenset(found)


_CLOSED = _closed_structs()


def tighten(openapi: OpenAPI) -> OpenAPI:
    """State the server's rules in ``openapi`` (in place); the same object."""
    for path, item in (openapi.paths or {}).items():
        first = path.strip("/").split("/", 1)[0]
        for method in ("get", "put", "post", "delete", "patch"):
            operation: Operation | None = getattr(item, method, None)
            if operation is None:
                continue
            for parameter in operation.parameters or []:
                if isinstance(parameter, Parameter):
                    _tighten_parameter(first, parameter)
            if path in _BETWEEN:
                operation.description = f"{operation.description or ''} {_BETWEEN[path]}".strip()
            body = operation.request_body
            if body is None and method == "post" and path.endswith(".csv"):
                operation.request_body = _SHEET
            elif body is None and method == "put" and path.endswith("/document"):
                operation.request_body = _DOCUMENT
            elif body is not None and not isinstance(body, Reference):
                body.required = True
    _closed_bodies(openapi)
    return openapi


class _StatedRulesPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, with the rules stated in what it builds."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        return tighten(super()._build_openapi())


def describe_rules(app: Litestar) -> None:
    """Make ``app`` serve its OpenAPI description with the rules stated. The description is
    still built on first use, so creating an app stays cheap."""
    # Litestar makes the plugin itself; the subclass adds no state, only the last step.
    app.plugins.get(OpenAPIPlugin).__class__ = _StatedRulesPlugin


async def allow_every_method(message: Message, scope: Scope) -> None:
    """A before_send hook: the ``Allow`` header of an OPTIONS answer lists every method of
    the path. Litestar builds one OPTIONS handler per group of handlers, so a path served by
    two controllers (a school's students: GET from one, POST from another) listed only one
    group's methods."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    template = scope.get("path_template")
    app = scope.get("app")
    if not isinstance(template, str) or app is None:
        return
    methods = {"OPTIONS"}
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path_format == template:
            methods.update(str(method) for method in route.methods)
    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"allow"]
    headers.append((b"allow", ", ".join(sorted(methods)).encode("ascii")))
    cast(dict[str, Any], message)["headers"] = headers
