"""The token-bucket rate limiter and the LEDGER_RATE_LIMIT setting, on a fake clock."""

from __future__ import annotations

import pytest

from api.rate_limit import RateLimiter
from ledger.core.errors import RateLimited
from ledger.settings import DEFAULT_RATE_LIMIT, RateLimit, Settings, SettingsError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_up_to_the_limit_then_429_with_the_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(3, 60), "from this principal", clock)
    for _ in range(3):
        limiter.check("school:1")
    with pytest.raises(RateLimited) as refused:
        limiter.check("school:1")
    assert refused.value.retry_after == 20  # one token refills every 60 / 3 s
    assert "3 per 60 s" in str(refused.value)
    limiter.check("school:2")  # another key has its own bucket


def test_the_bucket_refills_with_time_and_never_beyond_the_limit() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(3, 60), "x", clock)
    for _ in range(3):
        limiter.check("k")
    clock.now += 20
    limiter.check("k")
    with pytest.raises(RateLimited):
        limiter.check("k")
    clock.now += 3600
    for _ in range(3):
        limiter.check("k")
    with pytest.raises(RateLimited):
        limiter.check("k")


def test_refused_requests_do_not_count() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(1, 10), "x", clock)
    limiter.check("k")
    for _ in range(100):
        with pytest.raises(RateLimited):
            limiter.check("k")
    clock.now += 10
    limiter.check("k")


def test_a_clock_going_backwards_refills_nothing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimit(1, 10), "x", clock)
    limiter.check("k")
    clock.now -= 100
    with pytest.raises(RateLimited):
        limiter.check("k")


@pytest.mark.parametrize(
    ("text", "limit"), [("600/60", RateLimit(600, 60)), (" 5/1 ", RateLimit(5, 1))]
)
def test_the_setting_parses(text: str, limit: RateLimit) -> None:
    settings = Settings.from_env({"LEDGER_RATE_LIMIT": text, "LEDGER_DATA_DIR": "/tmp/x"})
    assert settings.rate_limit == limit


def test_the_default_is_600_a_minute() -> None:
    assert Settings.from_env({"LEDGER_DATA_DIR": "/tmp/x"}).rate_limit == DEFAULT_RATE_LIMIT
    assert RateLimit(600, 60) == DEFAULT_RATE_LIMIT


@pytest.mark.parametrize("text", ["600", "600/", "/60", "0/60", "10/0", "-1/60", "a/b", "1.5/60"])
def test_a_bad_setting_names_the_variable(text: str) -> None:
    with pytest.raises(SettingsError, match="LEDGER_RATE_LIMIT"):
        Settings.from_env({"LEDGER_RATE_LIMIT": text, "LEDGER_DATA_DIR": "/tmp/x"})
