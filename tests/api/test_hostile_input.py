"""Hostile input never gets a 500: bad bytes, deep nesting, huge bodies and odd query strings.

Every hostile body goes to the three writes a stranger can reach first (POST /orgs with an
office token, POST /auth/token anonymous, POST /api-keys with a school token): the answer
is a 4xx whose detail is a sentence, and the ledger does not grow.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import TestClient

from api.app import MAX_REQUEST_BODY_SIZE, create_app
from ledger.bootstrap import Ledger
from ledger.core.errors import (
    EncodingError,
    LedgerError,
    NotFound,
    ProofError,
    RangeError,
)
from ledger.core.principals import Principal
from tests.api.conftest import TokenFor
from tests.api.registry_support import org_body
from tests.registry_helpers import sample_school

SCHOOL = "school:4161010001"
NOT_UTF8 = "the request body is not UTF-8"
TOO_DEEP = "the request body is nested too deeply"
# JSON sent as another media type is refused before it is read (issue 11): 415.
NOT_JSON = (
    "the request body must be sent as JSON (Content-Type: application/json), not 'text/plain'"
)
TOO_LARGE = f"the request body is larger than the {MAX_REQUEST_BODY_SIZE}-byte limit"
#: Litestar's bare reason phrases: a detail that is one of these says nothing.
BARE_PHRASES = {
    "Bad Request",
    "Internal Server Error",
    "Request Entity Too Large",
    "Unsupported Media Type",
    "Unauthorized",
    "Not Found",
}
#: Replaced by hostile bytes in a JSON body made from a valid one.
MARKER = "@@HOSTILE@@"
DEPTH = 5000


@dataclass(frozen=True)
class Endpoint:
    """A write endpoint, who calls it, a body it accepts and the string field to spoil."""

    path: str
    principal: str | None
    valid: dict[str, Any]
    field: str


ENDPOINTS = {
    "orgs": Endpoint("/orgs", "office", org_body(9001), "name"),
    "auth-token": Endpoint(
        "/auth/token", None, {"api_key": "clk_0123456789abcdef_" + "A" * 43}, "api_key"
    ),
    "api-keys": Endpoint("/api-keys", SCHOOL, {"principal": SCHOOL}, "principal"),
}


def with_field(endpoint: Endpoint, value: Any) -> dict[str, Any]:
    return {**endpoint.valid, endpoint.field: value}


def spliced(endpoint: Endpoint, raw: bytes) -> bytes:
    """The valid body (UTF-8) with the field's value replaced by the raw bytes ``raw``."""
    text = json.dumps(with_field(endpoint, MARKER), ensure_ascii=False).encode()
    return text.replace(json.dumps(MARKER).encode(), raw)


def in_string(endpoint: Endpoint, raw: bytes) -> bytes:
    """The valid body with ``raw`` inside the field's string."""
    return spliced(endpoint, b'"a' + raw + b'b"')


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


JSON = "application/json"
#: name -> (body from the endpoint, content type, exact detail or None for any sentence)
Hostile = tuple[Callable[[Endpoint], bytes], str, str | None]
HOSTILE: dict[str, Hostile] = {
    # Not UTF-8: msgspec raises UnicodeDecodeError inside strings, DecodeError outside.
    "invalid-utf8-in-string": (lambda e: in_string(e, b"\xff\xfe"), JSON, NOT_UTF8),
    "overlong-utf8": (lambda e: in_string(e, b"\xc0\xaf"), JSON, NOT_UTF8),
    "utf8-encoded-surrogate": (lambda e: in_string(e, b"\xed\xa0\x80"), JSON, NOT_UTF8),
    "truncated-utf8": (lambda e: in_string(e, "样".encode()[:2]), JSON, NOT_UTF8),
    "gbk-encoded": (
        lambda e: json.dumps(with_field(e, "样例学院"), ensure_ascii=False).encode("gbk"),
        JSON,
        NOT_UTF8,
    ),
    "latin1-declared": (
        lambda e: in_string(e, "café".encode("latin-1")),
        "application/json; charset=latin-1",
        NOT_UTF8,
    ),
    "utf16-encoded": (lambda e: json.dumps(e.valid).encode("utf-16"), JSON, None),
    "invalid-byte-outside-strings": (lambda e: b"\xff" + json.dumps(e.valid).encode(), JSON, None),
    # Nesting deeper than the interpreter's recursion limit: RecursionError in msgspec.
    "deep-arrays-unclosed": (lambda e: b"[" * DEPTH, JSON, TOO_DEEP),
    "deep-arrays-closed": (lambda e: nested(DEPTH), JSON, TOO_DEEP),
    "deep-objects": (lambda e: b'{"a":' * DEPTH + b"1" + b"}" * DEPTH, JSON, TOO_DEEP),
    "deep-in-a-field": (lambda e: spliced(e, nested(DEPTH)), JSON, TOO_DEEP),
    "nested-below-the-limit": (lambda e: spliced(e, nested(200)), JSON, None),
    # NUL: escaped it decodes to a string the checks refuse; raw it is not JSON.
    "nul-escaped-in-field": (lambda e: json.dumps(with_field(e, "a\x00b")).encode(), JSON, None),
    "nul-raw-in-string": (lambda e: in_string(e, b"\x00"), JSON, None),
    "nul-in-a-key": (lambda e: json.dumps({**e.valid, "a\x00": "x"}).encode(), JSON, None),
    "nul-body": (lambda e: b"\x00", JSON, None),
    # Integers far beyond 64 bits.
    "huge-integer-in-field": (lambda e: json.dumps(with_field(e, 10**400)).encode(), JSON, None),
    "huge-integer-body": (lambda e: str(10**400).encode(), JSON, None),
    "huge-integer-extra-field": (
        lambda e: json.dumps({**e.valid, "n": -(10**400)}).encode(),
        JSON,
        None,
    ),
    "huge-exponent": (lambda e: spliced(e, b"1e400"), JSON, None),
    # Duplicate keys: the last value wins and is checked; a valid first one lets nothing by.
    "duplicate-key-last-invalid": (
        lambda e: json.dumps(e.valid).encode()[:-1] + f', "{e.field}": 12}}'.encode(),
        JSON,
        None,
    ),
    "duplicate-key-last-has-nul": (
        lambda e: json.dumps(e.valid).encode()[:-1] + f', "{e.field}": "a\\u0000"}}'.encode(),
        JSON,
        None,
    ),
    # The wrong shape.
    "array-of-the-valid-body": (lambda e: json.dumps([e.valid]).encode(), JSON, None),
    "empty-array": (lambda e: b"[]", JSON, None),
    "string-body": (lambda e: b'"{}"', JSON, None),
    "whitespace-body": (lambda e: b" \r\n\t ", JSON, None),
    "truncated-body": (lambda e: json.dumps(e.valid).encode()[:-1], JSON, None),
    # Not JSON at all, and said so.
    "text-plain": (lambda e: b"hello, ledger", "text/plain", NOT_JSON),
    "text-plain-deep": (lambda e: b"[" * DEPTH, "text/plain", NOT_JSON),
    "text-plain-valid": (lambda e: json.dumps(e.valid).encode(), "text/plain", NOT_JSON),
    "form-encoded": (
        lambda e: b"api_key=x&principal=office",
        "application/x-www-form-urlencoded",
        None,
    ),
    # Over the 1 MiB cap.
    "just-over-the-cap": (lambda e: b" " * (MAX_REQUEST_BODY_SIZE + 1), JSON, TOO_LARGE),
    "ten-megabytes": (lambda e: in_string(e, b"x" * 10 * 1024 * 1024), JSON, TOO_LARGE),
}
#: Bodies an endpoint accepts on purpose: POST /api-keys takes no body (or null) to
#: mean "a key for the caller".
EMPTY_BODIES = {
    "empty-body": (lambda e: b"", JSON, None),
    "null-body": (lambda e: b"null", JSON, None),
}


@pytest.fixture
def admitted(ledger: Ledger) -> Ledger:
    """``ledger`` with the pilot school SCHOOL admitted, so its token may write."""
    ledger.registry.admit_school(Principal.parse("office"), sample_school(10001))
    return ledger


def headers_of(endpoint: Endpoint, token_for: TokenFor, content_type: str) -> dict[str, str]:
    auth = {} if endpoint.principal is None else token_for(endpoint.principal)
    return {**auth, "Content-Type": content_type}


def assert_readable(response: Any) -> str:
    """The response is a 4xx whose detail is a sentence (not a bare reason phrase)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = response.json()
    assert body["status_code"] == response.status_code
    detail = body["detail"]
    assert isinstance(detail, str) and detail not in BARE_PHRASES, detail
    assert 10 <= len(detail) <= 300 and " " in detail, detail
    assert "Traceback" not in detail and "\x00" not in detail, detail
    return detail


def hostile_cases() -> list[Any]:
    return [
        pytest.param(endpoint, case, id=f"{endpoint_name}-{case_name}")
        for endpoint_name, endpoint in ENDPOINTS.items()
        for case_name, case in (
            HOSTILE if endpoint.path == "/api-keys" else {**HOSTILE, **EMPTY_BODIES}
        ).items()
    ]


@pytest.mark.parametrize(("endpoint", "case"), hostile_cases())
def test_a_hostile_body_is_a_4xx_that_says_why_and_writes_nothing(
    client: TestClient[Litestar],
    admitted: Ledger,
    token_for: TokenFor,
    endpoint: Endpoint,
    case: Hostile,
) -> None:
    make_body, content_type, expected = case
    size = admitted.store.size()
    response = client.post(
        endpoint.path,
        content=make_body(endpoint),
        headers=headers_of(endpoint, token_for, content_type),
    )
    detail = assert_readable(response)
    if expected is not None:
        assert detail == expected
        statuses = {TOO_LARGE: 413, NOT_JSON: 415}
        assert response.status_code == statuses.get(expected, 400)
    assert admitted.store.size() == size


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_the_valid_bodies_the_hostile_ones_spoil_are_accepted(
    client: TestClient[Litestar], admitted: Ledger, token_for: TokenFor, endpoint: Endpoint
) -> None:
    # So the 4xx above come from the spoiling, not from a body that was wrong anyway.
    response = client.post(
        endpoint.path, json=endpoint.valid, headers=headers_of(endpoint, token_for, JSON)
    )
    if endpoint.path == "/auth/token":
        # The key is well formed but unknown: refused after the body parsed.
        assert response.status_code == 401
        assert response.json()["detail"] == "API key not recognised"
    else:
        assert response.status_code == 201, response.text


def test_a_ten_megabyte_body_without_a_length_is_413(
    client: TestClient[Litestar], admitted: Ledger, token_for: TokenFor
) -> None:
    # Chunked, so no Content-Length to refuse early: the limit is counted on the bytes read.
    size = admitted.store.size()

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    for endpoint in ENDPOINTS.values():
        response = client.post(
            endpoint.path, content=chunks(), headers=headers_of(endpoint, token_for, JSON)
        )
        assert response.status_code == 413
        assert assert_readable(response) == TOO_LARGE
    assert admitted.store.size() == size


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS.keys())
def test_bad_bytes_come_before_authentication(
    client: TestClient[Litestar], ledger: Ledger, endpoint: Endpoint
) -> None:
    # Without a token (or with a forged one) an unparsable body is still a clear 400.
    size = ledger.store.size()
    for headers in ({}, {"Authorization": "Bearer x.y.z"}):
        for body, expected in ((in_string(endpoint, b"\xff"), NOT_UTF8), (nested(DEPTH), TOO_DEEP)):
            response = client.post(
                endpoint.path, content=body, headers={**headers, "Content-Type": JSON}
            )
            assert response.status_code == 400
            assert response.json()["detail"] == expected
    assert ledger.store.size() == size


def test_a_token_whose_header_is_deeply_nested_json_is_401(client: TestClient[Litestar]) -> None:
    # 3000 levels: deeper than the recursion limit, yet under the 4096-character token cap.
    header = base64.urlsafe_b64encode(b"[" * 3000).rstrip(b"=").decode()
    token = f"{header}.e30.c2ln"
    for method, path in [("POST", "/api-keys"), ("POST", "/orgs"), ("GET", "/orgs")]:
        response = client.request(method, path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (path, response.text)
        assert response.json()["detail"] == "malformed token: its header is not base64url JSON"


LONG = "9" * 8000
HOSTILE_QUERIES = [
    "/orgs?limit=%FF",
    "/orgs?limit=%00",
    "/orgs?offset=%FF%FE",
    f"/orgs?offset={LONG}",
    "/orgs?status=%FF",
    "/orgs?status=%00",
    f"/orgs?name={'a' * 8000}",
    "/orgs?%FF=1",
    "/orgs?%00=1",
    "/schools?limit=%FF",
    "/schools?city=%00",
    "/standards?offset=%00",
    "/log/entries?start=%00",
    f"/log/entries?{'k' * 8000}=1",
    "/log/entries?start=%00&end=1",
    "/log/entries?start=%FF&end=%FF",
    f"/log/entries?start={LONG}&end=1",
    f"/log/entries?start=0&end={LONG}",
    f"/log/entries?start={10**30}&end={10**30 + 1}",
    "/log/entries?start=-0&end=1e3",
    "/log/entries?start=0x10&end=0x20",
    "/log/entries?start=%EF%BC%91&end=2",
    f"/log/proof/inclusion?index={LONG}",
    f"/log/proof/inclusion?index=0&size={10**30}",
    f"/log/proof/inclusion?index={10**30}",
    "/log/proof/inclusion?index=%00",
    f"/log/proof/consistency?old={10**30}",
    f"/log/proof/consistency?old=1&new={LONG}",
    "/log/proof/consistency?old=%FF",
    "/orgs/%00",
    "/orgs/%FF",
    f"/orgs/{'A' * 8000}",
    "/schools/%00",
    "/standards/%FF",
]


@pytest.mark.parametrize("url", HOSTILE_QUERIES, ids=lambda url: url[:60])
def test_a_hostile_query_is_a_4xx_never_a_5xx(client: TestClient[Litestar], url: str) -> None:
    assert_readable(client.get(url))


@pytest.mark.parametrize("text", ["%00", "%FF", "%EF%BF%BD", "%E2%80%AE"])
def test_a_name_filter_of_odd_characters_finds_nothing(
    client: TestClient[Litestar], text: str
) -> None:
    # A free-text filter: no stored name holds a control character, so nothing matches.
    response = client.get(f"/orgs?name={text}")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_a_long_unknown_parameter_name_is_400(client: TestClient[Litestar]) -> None:
    # The detail quotes the name shortened (api/error_bodies.py's describe_value).
    response = client.get(f"/orgs?{'k' * 8000}=1")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("unknown query parameter 'kkkk")
    assert "... (8000 characters); this endpoint takes status, name, limit, offset" in detail


# -- the mapping itself ----------------------------------------------------------------


class UnmappedError(LedgerError):
    """A LedgerError subclass api/errors.py has never heard of."""


class GoneMissing(NotFound):
    """A subclass of a mapped error: its parent's mapping applies."""


RAISED: dict[str, BaseException] = {
    "unmapped": UnmappedError("the widget is not frobnicated"),
    "encoding": EncodingError("integer 10**400 is outside the range JSON numbers hold exactly"),
    "range": RangeError("start 99 is beyond the log's size 41"),
    "not-found-subclass": GoneMissing("no such widget"),
    "proof": ProofError("inclusion proof does not verify"),
    "recursion": RecursionError("maximum recursion depth exceeded"),
    "unicode": UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
}


@pytest.fixture
def raising_client(ledger: Ledger) -> Iterator[TestClient[Litestar]]:
    """A client of an app with GET /test-raise/{name} raising RAISED[name]."""

    @get("/test-raise/{name:str}", sync_to_thread=False)
    def raising(name: FromPath[str]) -> None:
        raise RAISED[name]

    app = create_app(ledger)
    app.register(raising)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("name", "status", "detail"),
    [
        ("unmapped", 400, "the widget is not frobnicated"),
        ("encoding", 400, "integer 10**400 is outside the range JSON numbers hold exactly"),
        ("range", 400, "start 99 is beyond the log's size 41"),
        ("not-found-subclass", 404, "no such widget"),
        ("proof", 503, "the log failed its own integrity check"),
    ],
)
def test_ledger_errors_map_by_their_nearest_class(
    raising_client: TestClient[Litestar], name: str, status: int, detail: str
) -> None:
    # The LedgerError fallback never shadows a mapping of a more specific class.
    response = raising_client.get(f"/test-raise/{name}")
    assert response.status_code == status
    body = response.json()
    # The log failing is an error a person may see: it carries Chinese text too.
    if status == 503:
        assert (
            body.pop("detail_zh") == "账本暂时无法提供经过校验的答复，请稍后再试或联系账本运营方。"
        )
    assert body == {"status_code": status, "detail": detail}


@pytest.mark.parametrize("name", ["recursion", "unicode"])
def test_recursion_and_unicode_errors_from_our_code_stay_500(
    raising_client: TestClient[Litestar], name: str
) -> None:
    # Only Litestar decoding the request body makes them a caller's fault.
    response = raising_client.get(f"/test-raise/{name}")
    assert response.status_code == 500
    assert response.json()["detail"] == "Internal Server Error"


def test_an_endless_recursion_in_a_handler_is_a_500_not_a_400(ledger: Ledger) -> None:
    @get("/test-recurse", sync_to_thread=False)
    def recurse() -> int:
        def down(depth: int) -> int:
            return down(depth + 1) + 1

        return down(0)

    app = create_app(ledger)
    app.register(recurse)
    with TestClient(app) as client:
        response = client.get("/test-recurse")
    assert response.status_code == 500
    assert response.json()["detail"] == "Internal Server Error"
