"""The query parameters a route takes are those its handler declares (api/params.py).

The 400s' wording is held by the tests of each endpoint (test_log_api.py, test_registry.py,
test_hostile_input.py ...); these tests hold the mechanism: what counts as declared, and that
every route of the API is checked.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from api.app import create_app
from api.errors import EXCEPTION_HANDLERS
from api.params import ApiController, DeclaredQuery, check_request, declared_query
from ledger.bootstrap import Ledger


def _provide_page(cursor: FromQuery[str | None] = None) -> str:
    return cursor or ""


class Sample(ApiController):
    path = "/samples"
    dependencies = {"page": Provide(_provide_page, sync_to_thread=False)}  # noqa: RUF012

    @get("/{id:str}", sync_to_thread=False)
    def one(
        self,
        id: FromPath[str],
        page: NamedDependency[str],
        size: FromQuery[int | None] = None,
        since: Annotated[str | None, QueryParameter(name="from")] = None,
        flag: FromQuery[bool] = False,
        count: FromQuery[int] = 1,
    ) -> dict[str, Any]:
        return {"id": id, "page": page, "size": size, "from": since, "count": count}

    @get("/", sync_to_thread=False)
    def none(self) -> str:
        return "none"


@pytest.fixture
def sample() -> TestClient[Litestar]:
    return TestClient(Litestar([Sample], exception_handlers=EXCEPTION_HANDLERS))


def _handler(app: Litestar, path: str) -> tuple[HTTPRouteHandler, HTTPRoute]:
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path == path:
            return route.route_handler_map["GET"][0], route
    raise AssertionError(f"no route {path}")


def test_declared_are_the_handlers_and_its_dependencies_query_parameters() -> None:
    app = Litestar([Sample])
    handler, route = _handler(app, "/samples/{id:str}")
    declared = declared_query(handler, route.path_parameters)
    # Signature order, under the query alias; the path parameter and the dependency are not
    # query parameters, the dependency's own query parameter is, after the handler's.
    assert declared == DeclaredQuery(
        names=("size", "from", "flag", "count", "cursor"), integers=frozenset({"size", "count"})
    )
    empty, route = _handler(app, "/samples")
    assert declared_query(empty, route.path_parameters) == DeclaredQuery((), frozenset())


def test_the_check_refuses_what_is_not_declared(sample: TestClient[Litestar]) -> None:
    with sample as client:
        ok = client.get("/samples/a?size=2&from=x&cursor=c&count=3")
        assert ok.status_code == 200
        assert ok.json() == {"id": "a", "page": "c", "size": 2, "from": "x", "count": 3}
        refused = {
            "/samples/a?since=x": "unknown query parameter 'since'",
            "/samples/a?id=b": "unknown query parameter 'id'",
            "/samples/a?page=b": "unknown query parameter 'page'",
            "/samples/a?size=1&size=2": "query parameter 'size' is given 2 times",
            "/samples/a?cursor=1&cursor=2": "query parameter 'cursor' is given 2 times",
            "/samples/a?size=1.0": "query parameter 'size' must be an integer, got '1.0'",
            "/samples/a?count=%2B1": "query parameter 'count' must be an integer, got '+1'",
            "/samples/a?count=01": "query parameter 'count' must be an integer, got '01'",
            "/samples?x=1": "unknown query parameter 'x'; this endpoint takes no query parameters",
        }
        for url, detail in refused.items():
            response = client.get(url)
            assert response.status_code == 400, url
            assert response.json()["detail"].startswith(detail), url
        assert client.get("/samples/a?flag=true").status_code == 200
        assert client.get("/samples/a?count=-3").json()["count"] == -3


def test_every_route_of_the_api_is_checked_and_the_pages_are_not(ledger: Ledger) -> None:
    app = create_app(ledger)
    checked, unchecked = set(), set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _model) in route.route_handler_map.items():
            if method == "OPTIONS":
                continue
            hook = handler.resolve_before_request()
            # check_request runs check_query, then the JSON body checks (api/json_body.py).
            is_checked = hook is not None and getattr(hook, "func", hook) is check_request
            (checked if is_checked else unchecked).add((method, route.path))
            # Every route described in the OpenAPI document is one of the API's.
            if handler.resolve_include_in_schema():
                assert is_checked, (method, route.path)
    assert ("GET", "/log/entries") in checked
    assert ("POST", "/auth/token") in checked
    # Pages read their query in the browser, and links to them pick up parameters
    # (a messenger's share tag): they take any.
    assert ("GET", "/verify") in unchecked
    assert ("GET", "/reports/bulletin") in unchecked


def test_pages_take_any_query_and_the_api_none_it_does_not_declare(
    client: TestClient[Litestar],
) -> None:
    assert client.get("/verify?certificate=X&from=singlemessage").status_code == 200
    refused = client.post("/auth/token?api_key=clk_x", json={"api_key": "clk_x"})
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "unknown query parameter 'api_key'; this endpoint takes no query parameters"
    )
