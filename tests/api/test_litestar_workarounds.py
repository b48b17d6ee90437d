"""Pins the Litestar behaviours api/litestar_workarounds.py and api/params.py work around.

Each test drives a bare Litestar app (none of the service's handlers or hooks) and asserts the
behaviour as Litestar has it today; when an upgrade changes it, the test fails and the
workaround is to be revisited (kept, changed or removed). A second assertion, where one is
cheap, shows the service's answer with the workaround in place.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import litestar.exceptions
import msgspec
import pytest
from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import (
    ClientException,
    InternalServerException,
    SerializationException,
    ValidationException,
)
from litestar.params import FromQuery, JSONBody
from litestar.serialization import msgspec_hooks
from litestar.testing import TestClient

from api.litestar_workarounds import WORKAROUND_HANDLERS, no_sniffing, shortened_detail


class Body(msgspec.Struct):
    principal: int
    note: str = ""


def _provide_principal() -> str:
    return "office"


@get("/numbers", sync_to_thread=False)
def numbers(limit: FromQuery[int] = 0) -> dict[str, int]:
    return {"limit": limit}


@get("/needs-end", sync_to_thread=False)
def needs_end(end: FromQuery[int]) -> dict[str, int]:
    return {"end": end}


@post("/bodies", sync_to_thread=False)
def bodies(data: JSONBody[Body], principal: NamedDependency[str]) -> dict[str, str]:
    return {"principal": principal}


@post("/plain", sync_to_thread=False)
def plain(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    return data


#: What the bare app's handlers saw: the exceptions Litestar raised.
Seen = list[BaseException]


def bare_app(seen: Seen, **options: Any) -> Litestar:
    """An app of the handlers above whose exception handler records what it is given."""

    def record(_request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
        seen.append(exc)
        status = getattr(exc, "status_code", 500)
        return Response(getattr(exc, "detail", "") or type(exc).__name__, status_code=status)

    return Litestar(
        [numbers, needs_end, bodies, plain],
        dependencies={"principal": Provide(_provide_principal, sync_to_thread=False)},
        exception_handlers={Exception: record},
        **options,
    )


@pytest.fixture
def bare() -> Iterator[tuple[TestClient[Litestar], Seen]]:
    seen: Seen = []
    with TestClient(bare_app(seen)) as client:
        yield client, seen


# -- the query string: api/params.py's check_query --------------------------------------------


def test_litestar_alone_is_lenient_with_query_strings(
    bare: tuple[TestClient[Litestar], Seen],
) -> None:
    client, _seen = bare
    # An unknown name is ignored, the last of repeated values wins, "1.0" reads as 1.
    assert client.get("/numbers", params={"limt": "5"}).json() == {"limit": 0}
    assert client.get("/numbers?limit=1&limit=2").json() == {"limit": 2}
    assert client.get("/numbers?limit=1.0").json() == {"limit": 1}


# -- bodies ----------------------------------------------------------------------------------


def test_a_bad_body_field_named_like_a_dependency_is_an_internal_error(
    bare: tuple[TestClient[Litestar], Seen],
) -> None:
    client, seen = bare
    response = client.post("/bodies", json={"principal": "x"})
    assert response.status_code == 500
    (exc,) = seen
    assert isinstance(exc, InternalServerException)
    assert isinstance(exc.__cause__, msgspec.ValidationError)
    assert str(exc.__cause__).endswith("- at `$.data.principal`")


def test_a_body_that_does_not_parse_is_a_client_exception_from_a_serialization_one(
    bare: tuple[TestClient[Litestar], Seen],
) -> None:
    client, seen = bare
    headers = {"Content-Type": "application/json"}
    response = client.post("/plain", content=b'{"a": ', headers=headers)
    assert response.status_code == 400
    (exc,) = seen
    assert type(exc) is ClientException
    assert isinstance(exc.__cause__, SerializationException)


def test_a_body_over_the_limit_is_a_bare_413_of_an_unexported_class() -> None:
    seen: Seen = []
    with TestClient(bare_app(seen, request_max_body_size=10)) as client:
        response = client.post("/plain", json={"a": "x" * 100})
    assert response.status_code == 413
    (exc,) = seen
    assert type(exc).__name__ == "RequestEntityTooLarge"
    assert not hasattr(litestar.exceptions, "RequestEntityTooLarge")
    assert getattr(exc, "detail", None) == "Request Entity Too Large"


def _innermost_codes(exc: BaseException) -> list[str]:
    return [frame.f_code.co_qualname for frame, _ in traceback.walk_tb(exc.__traceback__)][-2:]


@pytest.mark.parametrize(
    ("body", "raised"),
    [
        pytest.param(b'{"a": "\xff"}', UnicodeDecodeError, id="not-utf8-in-a-string"),
        pytest.param(b"[" * 5000 + b"]" * 5000, RecursionError, id="nested-too-deeply"),
    ],
)
def test_msgspec_errors_from_the_body_come_through_from_request_json(
    bare: tuple[TestClient[Litestar], Seen], body: bytes, raised: type[BaseException]
) -> None:
    client, seen = bare
    response = client.post("/plain", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 500
    (exc,) = seen
    assert type(exc) is raised
    # What the workaround looks for to tell them from errors of our own code.
    assert _innermost_codes(exc) == [
        Request.json.__code__.co_qualname,
        msgspec_hooks.decode_json.__code__.co_qualname,
    ]


def test_the_workarounds_turn_those_into_4xx_that_say_why() -> None:
    json = {"Content-Type": "application/json"}
    with TestClient(
        Litestar(
            [bodies, plain],
            dependencies={"principal": Provide(_provide_principal, sync_to_thread=False)},
            exception_handlers=WORKAROUND_HANDLERS,
            request_max_body_size=16384,
        )
    ) as client:
        answers = {
            "dependency": client.post("/bodies", json={"principal": "x"}),
            "json": client.post("/plain", content=b'{"a": ', headers=json),
            "large": client.post("/plain", json={"a": "x" * 20000}),
            "utf8": client.post("/plain", content=b'{"a": "\xff"}', headers=json),
            "deep": client.post("/plain", content=b"[" * 5000 + b"]" * 5000, headers=json),
        }
    assert {name: r.status_code for name, r in answers.items()} == {
        "dependency": 400,
        "json": 400,
        "large": 413,
        "utf8": 400,
        "deep": 400,
    }
    assert answers["dependency"].json()["detail"] == "field 'principal' must be an integer"
    assert answers["json"].json()["detail"].startswith("the body is not valid JSON: ")
    assert answers["large"].json()["detail"] == (
        "the request body is larger than the 16384-byte limit"
    )
    assert answers["utf8"].json()["detail"] == "the request body is not UTF-8"
    assert answers["deep"].json()["detail"] == "the request body is nested too deeply"


def test_no_body_at_all_is_a_key_error_named_data(
    bare: tuple[TestClient[Litestar], Seen],
) -> None:
    # api/errors.py's _describe_problem turns this one into "the body is missing".
    client, seen = bare
    assert client.post("/bodies").status_code == 400
    (exc,) = seen
    assert isinstance(exc, ValidationException)
    assert isinstance(exc.extra, list)
    assert [(p["key"], p["message"], str(p["source"])) for p in exc.extra] == [
        ("data", "'data'", "body")
    ]


# -- messages and headers --------------------------------------------------------------------


def test_a_missing_parameter_message_echoes_the_whole_url(
    bare: tuple[TestClient[Litestar], Seen],
) -> None:
    client, seen = bare
    client.get("/needs-end?x=" + "y" * 50)
    (exc,) = seen
    assert isinstance(exc, ValidationException)
    assert exc.detail.startswith("Missing required query parameter 'end' for path ")
    assert "y" * 50 in exc.detail
    assert shortened_detail(exc.detail) == "Missing required query parameter 'end'"


def test_response_headers_miss_the_404_of_an_unknown_path() -> None:
    # A handler of its own: Litestar keeps what it resolved for a handler on the handler.
    @get("/here", sync_to_thread=False)
    def here() -> str:
        return "here"

    header = [ResponseHeader(name="X-Content-Type-Options", value="nosniff")]
    with TestClient(Litestar([here], response_headers=header)) as client:
        assert client.get("/here").headers.get("x-content-type-options") == "nosniff"
        assert "x-content-type-options" not in client.get("/nowhere").headers
    with TestClient(Litestar([numbers], before_send=[no_sniffing])) as client:
        assert client.get("/nowhere").headers.get("x-content-type-options") == "nosniff"
