"""Which entries of given kinds the log gained since last asked: what in-memory caches of the
request path (tokens, principals' standing) check before they answer from memory.

Any process may append (other server workers, the CLI), so the watch asks the database
itself, with one indexed read of the entries past the head it saw last; that read is
empty when nothing was written, and holds only the newest entries otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from sqlalchemy import Engine

_NEWER = "SELECT idx, kind FROM entries WHERE idx >= ? ORDER BY idx LIMIT ?"
_HEAD = "SELECT max(idx) FROM entries"
#: Past this many new entries at once the watch stops reading kinds and reports a change.
_MAX_SCAN = 5_000


class ChangeWatch:
    """A generation number that grows whenever the log gains an entry of ``kinds``."""

    def __init__(self, engine: Engine, kinds: Iterable[str]) -> None:
        self._engine = engine
        self._kinds = frozenset(kinds)
        self._seen: int | None = None
        self._generation = 0
        self._lock = threading.Lock()
        self._newer = _NEWER if engine.dialect.paramstyle == "qmark" else _NEWER.replace("?", "%s")

    def generation(self) -> int:
        """The current generation: unchanged exactly while no entry of the watched kinds
        was committed since the last call (by this process or any other)."""
        with self._lock:
            # The driver's own connection: this runs on every authenticated request, and
            # SQLAlchemy's statement and transaction handling would cost more than the read.
            raw = self._engine.raw_connection()
            try:
                cursor = raw.cursor()
                if self._seen is None:
                    cursor.execute(_HEAD)
                    last = cursor.fetchone()[0]  # type: ignore[index]
                    self._seen = 0 if last is None else int(last) + 1
                    return self._generation
                cursor.execute(self._newer, (self._seen, _MAX_SCAN))
                rows = cursor.fetchall()
                if len(rows) == _MAX_SCAN:
                    self._seen = int(rows[-1][0]) + 1
                    self._generation += 1
                    return self._generation
                cursor.close()
            finally:
                raw.close()
            if rows:
                self._seen = int(rows[-1][0]) + 1
                if any(kind in self._kinds for _index, kind in rows):
                    self._generation += 1
            return self._generation
