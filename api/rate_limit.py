"""An in-process token-bucket rate limiter, keyed on names the server chose (principals, key ids).

Each server process keeps its own buckets: with N workers a principal gets up to N times the
limit. The per-address limits count in the database instead (ledger/storage/rate_counters.py).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ledger.core.errors import RateLimited
from ledger.settings import RateLimit

__all__ = ["Limiter", "RateLimiter"]

#: Buckets kept before full (idle) ones are dropped, so memory stays bounded.
_MAX_BUCKETS = 10_000


class Limiter(Protocol):
    """What handlers use of a limiter: its limit, and a check that raises RateLimited."""

    @property
    def limit(self) -> RateLimit: ...

    def check(self, key: str) -> None: ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """At most ``limit.requests`` per ``limit.seconds`` per key, with bursts up to the limit.

    A token bucket: it holds ``requests`` tokens, refills at ``requests / seconds`` a
    second, and each request takes one. Thread-safe (sync handlers run in threads).
    """

    def __init__(
        self, limit: RateLimit, what: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.what = what
        self._clock = clock
        self._rate = limit.requests / limit.seconds
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Count one request for ``key``; RateLimited with the seconds to wait when over."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_BUCKETS:
                    self._drop_full(now)
                bucket = self._buckets[key] = _Bucket(float(self.limit.requests), now)
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(self.limit.requests, bucket.tokens + elapsed * self._rate)
                bucket.updated = now
            if bucket.tokens < 1:
                wait = max(1, math.ceil((1 - bucket.tokens) / self._rate))
                raise RateLimited(
                    f"too many requests {self.what}: the limit is {self.limit.requests} "
                    f"per {self.limit.seconds} s; retry in {wait} s",
                    retry_after=wait,
                )
            bucket.tokens -= 1

    def _drop_full(self, now: float) -> None:
        refill = self.limit.seconds
        idle = [key for key, bucket in self._buckets.items() if now - bucket.updated >= refill]
        for key in idle:
            del self._buckets[key]
