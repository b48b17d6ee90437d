"""Strict request parameters: unknown or repeated query parameters and loose integers are 400s,
and domain rule failures are reworded to name the body field or parameter they came from."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, TypeVar

from litestar import Request

from api.errors import describe_value
from ledger.core.errors import InvalidInput
from ledger.domain.registry import InvalidField

__all__ = ["fields_named", "path_checked", "query_checked", "query_choice", "strict_query"]

E = TypeVar("E", bound=StrEnum)

#: Integer query parameters: plain decimal, no sign but minus, no leading zeros.
_DECIMAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)", re.ASCII)


def strict_query(
    *allowed: str, integers: tuple[str, ...] = ("limit", "offset")
) -> Callable[[Request[Any, Any, Any]], None]:
    """A before_request check: only ``allowed`` query parameters, each at most once, and
    ``integers`` among them plain decimal (Litestar alone reads "1.0" as 1, ignores a
    misspelt name and takes the last of repeated values)."""

    def check(request: Request[Any, Any, Any]) -> None:
        for name in request.query_params:
            if name not in allowed:
                takes = ", ".join(allowed) if allowed else "no query parameters"
                raise InvalidInput(
                    f"unknown query parameter {describe_value(name)}; this endpoint takes {takes}"
                )
        for name in allowed:
            values = request.query_params.getall(name, [])
            if len(values) > 1:
                raise InvalidInput(f"query parameter {name!r} is given {len(values)} times")
            if values and name in integers and not _DECIMAL_INTEGER.fullmatch(values[0]):
                raise InvalidInput(
                    f"query parameter {name!r} must be an integer, got {describe_value(values[0])}"
                )

    return check


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
