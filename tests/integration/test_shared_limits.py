"""The per-address limits hold across server processes, and only a trusted proxy names the
client: two `certledger serve` processes on one database share the lookup and token limits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from ledger.bootstrap import Ledger
from ledger.core.errors import RateLimited
from ledger.settings import RateLimit, SettingsError, parse_trusted_proxies
from tests.served import Served


def _statuses(servers: list[Served], count: int, path: str, body: object) -> list[int]:
    """POST ``body`` to ``path`` ``count`` times, alternating between the servers."""
    with httpx.Client(timeout=30) as client:
        return [
            client.post(servers[n % len(servers)].url + path, json=body).status_code
            for n in range(count)
        ]


def test_two_processes_on_one_database_share_the_per_address_limits(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    servers = [serve(data), serve(data)]
    lookups = _statuses(servers, 30, "/lookup", {"certificate": "X", "name": "Y"})
    # The documented 20 a minute in all, not 20 per process.
    assert lookups.count(429) == 10, lookups
    assert lookups[:20].count(429) == 0
    exchanges = _statuses(servers, 40, "/auth/token", {"api_key": "clk_wrong"})
    assert exchanges.count(401) == 30 and exchanges.count(429) == 10, exchanges


def test_forwarded_for_names_the_client_only_from_a_trusted_proxy(
    serve: Callable[..., Served], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    untrusting = serve(tmp_path / "plain")
    monkeypatch.setenv("LEDGER_TRUSTED_PROXIES", "127.0.0.1, ::1")
    behind_proxy = serve(tmp_path / "proxied")
    with httpx.Client(timeout=30) as client:

        def statuses(server: Served, forwarded: str) -> list[int]:
            headers = {"X-Forwarded-For": forwarded}
            body = {"certificate": "X", "name": "Y"}
            return [
                client.post(server.url + "/lookup", json=body, headers=headers).status_code
                for _ in range(12)
            ]

        # Behind the trusted proxy, each client address has its own 20 a minute ...
        assert 429 not in statuses(behind_proxy, "198.51.100.7, 127.0.0.1")
        assert 429 not in statuses(behind_proxy, "203.0.113.9")
        # ... and a client's forged hop before the proxy's does not choose the bucket.
        assert statuses(behind_proxy, "192.0.2.1, 198.51.100.7").count(429) == 4
        # A server trusting no proxy counts by the peer, whatever the header says.
        assert 429 not in statuses(untrusting, "198.51.100.7")
        assert statuses(untrusting, "203.0.113.9").count(429) == 4


def test_the_shared_limiter_counts_one_window_on_each_engine(ledger: Ledger) -> None:
    now = [1_000_040.0]
    limiter = ledger.shared_limiter(RateLimit(3, 60), "in this test", "test")
    limiter._clock = lambda: now[0]  # a fake clock for the window arithmetic
    for _ in range(3):
        limiter.check("address:192.0.2.1")
    with pytest.raises(RateLimited) as refused:
        limiter.check("address:192.0.2.1")
    assert refused.value.retry_after == 40 and "3 per 60 s" in str(refused.value)
    limiter.check("address:192.0.2.2")  # another address has its own count
    # The previous window still weighs in early in the next one, not at its end.
    now[0] = 1_000_090.0
    with pytest.raises(RateLimited):
        limiter.check("address:192.0.2.1")
    now[0] = 1_000_300.0
    limiter.check("address:192.0.2.1")


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert list(parse_trusted_proxies(" 10.0.0.5, 192.168.0.0/24,")) == [
        "10.0.0.5/32",
        "192.168.0.0/24",
    ]
    with pytest.raises(SettingsError, match="LEDGER_TRUSTED_PROXIES"):
        parse_trusted_proxies("proxy.example")
