"""The hello-world app the HTTP benchmark compares the service with (ledger/bench/http.py):
Litestar answering a GET and a POST with a small JSON body, under the same uvicorn."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get, post
from litestar.params import FromPath, JSONBody


@get("/")
async def hello() -> dict[str, str]:
    """Hello, world."""
    return {"hello": "world"}


@post("/learners/{account:str}/credits")
async def deposit(account: FromPath[str], data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    """The same POSTs the service's writes get: the JSON body parsed, nothing stored."""
    return {"account": account, "course": data.get("course")}


app = Litestar(route_handlers=[hello, deposit])
