"""Strict request parameters: unknown or repeated query parameters and loose integers are 400s,
and domain rule failures are reworded to name the body field or parameter they came from.

The query parameters a route takes are those its handler declares: ``ApiController`` checks
every request against what Litestar itself reads for the handler (the kwargs model it builds
from the handler's signature and dependencies), so there is no second list to keep in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from litestar import Controller, Request
from litestar.handlers import HTTPRouteHandler
from litestar.typing import FieldDefinition

from api.error_bodies import describe_value
from api.json_body import check_json_body
from ledger.core.errors import InvalidInput
from ledger.domain.registry import InvalidField

__all__ = [
    "ApiController",
    "DeclaredQuery",
    "check_query",
    "declared_query",
    "fields_named",
    "path_checked",
    "query_checked",
    "query_choice",
]

E = TypeVar("E", bound=StrEnum)

#: Integer query parameters: plain decimal, no sign but minus, no leading zeros.
_DECIMAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)", re.ASCII)


@dataclass(frozen=True, slots=True)
class DeclaredQuery:
    """The query parameters a handler takes, in the order of its signature, and which of
    them are integers (annotated ``int`` or ``int | None``)."""

    names: tuple[str, ...]
    integers: frozenset[str]


#: What each handler declares, by handler and then by the names of its path parameters
#: (a handler mounted on several paths may have different ones on each).
_DECLARED: WeakKeyDictionary[HTTPRouteHandler, dict[frozenset[str], DeclaredQuery]] = (
    WeakKeyDictionary()
)


def _is_integer(field: FieldDefinition) -> bool:
    kinds = [kind for kind in field.inner_types if not kind.is_none_type]
    return all(kind.annotation is int for kind in (kinds if field.is_union else [field]))


def declared_query(handler: HTTPRouteHandler, path_parameters: Iterable[str]) -> DeclaredQuery:
    """The query parameters ``handler`` takes when mounted with ``path_parameters``: those of
    the kwargs model Litestar builds for it (its signature, its dependencies' signatures and
    parameters declared on its layers, under their query aliases)."""
    path_names = frozenset(path_parameters)
    by_path = _DECLARED.setdefault(handler, {})
    declared = by_path.get(path_names)
    if declared is None:
        # Only the names of the path parameters matter to the kwargs model.
        model = handler.create_kwargs_model(dict.fromkeys(path_names))  # type: ignore[arg-type]
        fields = handler.parsed_fn_signature.parameters
        order = list(fields)
        # The handler's own in the order of its signature, then its dependencies' by name.
        expected = sorted(
            model.expected_query_params,
            key=lambda p: (
                (order.index(p.field_name), "")
                if p.field_name in order
                else (len(order), p.field_alias)
            ),
        )
        declared = DeclaredQuery(
            names=tuple(parameter.field_alias for parameter in expected),
            integers=frozenset(
                parameter.field_alias
                for parameter in expected
                if parameter.field_name in fields and _is_integer(fields[parameter.field_name])
            ),
        )
        by_path[path_names] = declared
    return declared


def check_query(request: Request[Any, Any, Any]) -> None:
    """A before_request hook: only the query parameters the route's handler declares, each
    at most once, and its integer ones plain decimal (Litestar alone reads "1.0" as 1,
    ignores a misspelt name and takes the last of repeated values); else InvalidInput."""
    declared = declared_query(request.route_handler, request.path_params)
    for name in request.query_params:
        if name not in declared.names:
            takes = ", ".join(declared.names) if declared.names else "no query parameters"
            raise InvalidInput(
                f"unknown query parameter {describe_value(name)}; this endpoint takes {takes}"
            )
    for name in declared.names:
        values = request.query_params.getall(name, [])
        if len(values) > 1:
            raise InvalidInput(f"query parameter {name!r} is given {len(values)} times")
        if values and name in declared.integers and not _DECIMAL_INTEGER.fullmatch(values[0]):
            raise InvalidInput(
                f"query parameter {name!r} must be an integer, got {describe_value(values[0])}"
            )


async def check_request(request: Request[Any, Any, Any]) -> None:
    """The before_request hook of the API: ``check_query``, then ``check_json_body`` (a JSON
    body sent as JSON, with no key given twice). Litestar's own OPTIONS handler (which
    answers Allow) takes neither, and cannot be looked up like the route's handlers."""
    if request.method == "OPTIONS":
        return
    check_query(request)
    await check_json_body(request)


class ApiController(Controller):
    """A controller of the API: each route takes only the query parameters its handler
    declares (``check_query``). Every controller of the API derives from it."""

    # A static method: the hook takes the request only (Litestar unbinds it likewise).
    before_request = staticmethod(check_request)


@contextmanager
def fields_named(path: Mapping[str, str] | None = None) -> Iterator[None]:
    """Reword a domain InvalidField as a problem with a body field, or with the parameter
    ``path`` maps its field to ("path parameter 'id'")."""
    try:
        yield
    except InvalidField as exc:
        subject = path[exc.field] if path and exc.field in path else f"field {exc.field!r}"
        raise InvalidInput(f"{subject} {exc.problem}") from exc


def query_choice(name: str, value: str | None, choices: type[E]) -> E | None:
    """The member of ``choices`` a query parameter names, None if absent; else InvalidInput."""
    if value is None:
        return None
    try:
        return choices(value)
    except ValueError:
        names = ", ".join(choice.value for choice in choices)
        raise InvalidInput(
            f"query parameter {name!r} must be one of {names}, got {describe_value(value)}"
        ) from None


def query_checked(name: str, value: str | None, check: Callable[[str, str], str]) -> str | None:
    """A query parameter passed by a domain check, None if absent; InvalidInput naming it."""
    if value is None:
        return None
    with fields_named({name: f"query parameter {name!r}"}):
        return check(value, name)


def path_checked(name: str, value: str, check: Callable[[str, str], str]) -> str:
    """A path parameter passed by a domain check; InvalidInput naming it."""
    with fields_named({name: f"path parameter {name!r}"}):
        return check(value, name)
