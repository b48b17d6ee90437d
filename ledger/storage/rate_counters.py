"""Rate-limit counters kept in the database, so every server process (``--workers N``) and
every server on the same database counts against one limit. Beside the ledger, pruned.

Each key counts hits per fixed window of the limit's length; a request is allowed while
this window's hits plus the previous window's, weighted by how much of it still overlaps
the sliding window that ends now, stay within the limit (a sliding-window estimate).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import BigInteger, Column, Engine, Integer, String, Table, and_, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ledger.core.errors import RateLimited
from ledger.settings import RateLimit
from ledger.storage.tables import metadata

__all__ = ["SharedRateLimiter", "rate_counters"]

rate_counters = Table(
    "rate_counters",
    metadata,
    # A name the server chose: the limit's scope and a client address, never personal data.
    Column("key", String(120), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),
    Column("hits", Integer, nullable=False),
)

#: Windows older than this many of their own length are deleted when a new window opens.
_KEEP_WINDOWS = 2


class SharedRateLimiter:
    """At most ``limit.requests`` per ``limit.seconds`` per key, counted in the database.

    ``check`` is one atomic upsert (plus a read of the previous window), so concurrent
    processes never both take the last allowed request. Refused requests count too: a
    client that keeps hammering stays refused.
    """

    def __init__(
        self,
        engine: Engine,
        limit: RateLimit,
        what: str,
        scope: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.limit = limit
        self.what = what
        self.scope = scope
        self._clock = clock

    def check(self, key: str) -> None:
        """Count one request for ``key``; RateLimited with the seconds to wait when over."""
        now = self._clock()
        length = self.limit.seconds
        start = int(now // length) * length
        stored = f"{self.scope}:{key}"[:120]
        with self.engine.begin() as connection:
            hits = connection.execute(self._upsert(stored, start)).scalar_one()
            previous = connection.execute(
                select(rate_counters.c.hits).where(
                    and_(
                        rate_counters.c.key == stored,
                        rate_counters.c.window_start == start - length,
                    )
                )
            ).scalar()
            if hits == 1:
                # A new window for this key: a moment to drop long-gone windows of all keys.
                connection.execute(
                    delete(rate_counters).where(
                        rate_counters.c.window_start < start - _KEEP_WINDOWS * length
                    )
                )
        overlap = 1.0 - (now - start) / length
        estimate = hits + (previous or 0) * overlap
        if estimate > self.limit.requests:
            # The estimate falls below the limit once this window's excess has slid out,
            # at the latest when the next window starts.
            wait = max(1, math.ceil(start + length - now))
            raise RateLimited(
                f"too many requests {self.what}: the limit is {self.limit.requests} "
                f"per {self.limit.seconds} s; retry in {wait} s",
                retry_after=wait,
            )

    def _upsert(self, key: str, start: int):  # type: ignore[no-untyped-def]
        dialect = self.engine.dialect.name
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        statement = insert(rate_counters).values(key=key, window_start=start, hits=1)
        return statement.on_conflict_do_update(
            index_elements=[rate_counters.c.key, rate_counters.c.window_start],
            set_={"hits": rate_counters.c.hits + 1},
        ).returning(rate_counters.c.hits)
