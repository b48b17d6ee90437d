"""Rate limits over HTTP: per authenticated principal, and per API key at POST /auth/token.

Limits are injected small; a forged X-Forwarded-For never changes whose bucket a request takes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.auth import RateLimits
from ledger.bootstrap import Ledger
from ledger.settings import RateLimit
from tests.api.conftest import TokenFor


@pytest.fixture
def limited(ledger: Ledger) -> Iterator[TestClient[Litestar]]:
    """A client of an app whose ledger settings allow 3 requests a minute per principal."""
    settings = dataclasses.replace(ledger.settings, rate_limit=RateLimit(3, 60))
    app = create_app(dataclasses.replace(ledger, settings=settings))
    with TestClient(app) as client:
        yield client


def test_the_limit_comes_from_the_settings(limited: TestClient[Litestar]) -> None:
    limits: RateLimits = limited.app.state.rate_limits
    assert limits.principal.limit == RateLimit(3, 60)


def test_over_the_limit_is_429_with_retry_after_and_others_are_unaffected(
    limited: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    school = token_for("school:4161010001")
    for _ in range(3):
        assert limited.post("/api-keys", headers=school).status_code == 201
    size = ledger.store.size()
    response = limited.post("/api-keys", headers=school)
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "3 per 60 s" in response.json()["detail"]
    assert ledger.store.size() == size
    # A new token of the same principal shares its bucket; another principal has its own.
    assert limited.post("/api-keys", headers=token_for("school:4161010001")).status_code == 429
    assert limited.post("/api-keys", headers=token_for("school:4161010002")).status_code == 201


def test_a_forged_forwarded_for_does_not_change_the_bucket(
    limited: TestClient[Litestar], token_for: TokenFor
) -> None:
    school = token_for("org:A1")
    for n in range(3):
        headers = {**school, "X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"198.51.100.{n}"}
        assert limited.post("/api-keys", headers=headers).status_code == 201
    forged = {**school, "X-Forwarded-For": "192.0.2.77", "Forwarded": "for=192.0.2.78"}
    assert limited.post("/api-keys", headers=forged).status_code == 429


def test_refused_tokens_do_not_spend_a_principals_allowance(
    limited: TestClient[Litestar], token_for: TokenFor
) -> None:
    for _ in range(5):
        forged = {"Authorization": "Bearer not-a-token", "X-Forwarded-For": "10.0.0.1"}
        assert limited.post("/api-keys", headers=forged).status_code == 401
    assert limited.post("/api-keys", headers=token_for("org:A1")).status_code == 201


def test_wrong_guesses_are_limited_but_never_lock_out_the_right_key(
    client: TestClient[Litestar], token_for: TokenFor
) -> None:
    client.app.state.rate_limits = RateLimits.create(RateLimit(600, 60), RateLimit(3, 60))
    created = client.post("/api-keys", headers=token_for("school:4161010001")).json()
    wrong = f"clk_{created['key_id']}_" + "A" * 43
    statuses = [
        client.post(
            "/auth/token", json={"api_key": wrong}, headers={"X-Forwarded-For": f"10.0.0.{n}"}
        ).status_code
        for n in range(4)
    ]
    # Failures count per peer address, whatever X-Forwarded-For claims.
    assert statuses == [401, 401, 401, 429]
    # Key ids are public (the ledger names them): wrong guesses must not lock the owner out.
    response = client.post("/auth/token", json={"api_key": created["api_key"]})
    assert response.status_code == 200


def test_unknown_keys_are_limited_by_the_peer_address(client: TestClient[Litestar]) -> None:
    client.app.state.rate_limits = RateLimits.create(RateLimit(600, 60), RateLimit(3, 60))
    for n in range(3):
        response = client.post(
            "/auth/token",
            json={"api_key": f"clk_{n:016x}_" + "A" * 43},
            headers={"X-Forwarded-For": f"10.0.0.{n}"},
        )
        assert response.status_code == 401
    response = client.post("/auth/token", json={"api_key": "clk_" + "f" * 16 + "_" + "A" * 43})
    assert response.status_code == 429
