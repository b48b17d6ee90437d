"""The server logs one JSON object a line, each request's lines (the access line included)
carrying the request id it also sends back in X-Request-Id."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.served import Served


def test_every_log_line_is_json_and_names_its_request(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    served = serve(tmp_path / "data")
    first = httpx.get(served.url + "/healthz", timeout=10)
    second = httpx.get(served.url + "/no-such-page", timeout=10)
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert len(set(ids)) == 2 and all(len(i) == 16 for i in ids)
    log = served.stop()
    # The command's own start-up messages come first; from uvicorn's start on, only JSON.
    lines = log[log.index('{"time"') :].splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(r) for r in records)
    access = [r for r in records if r["logger"] == "uvicorn.access"]
    # The fixture asked /healthz while waiting for the start; ours are the last two.
    assert [(r["path"], r["status"], r["request_id"]) for r in access[-2:]] == [
        ("/healthz", 200, ids[0]),
        ("/no-such-page", 404, ids[1]),
    ]
    assert all(r["request_id"] == "-" for r in records if r["logger"] == "uvicorn.error")
