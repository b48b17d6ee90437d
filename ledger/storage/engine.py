"""Engines for SQLite (WAL, synchronous=FULL) and PostgreSQL, set up for the ledger.

SQLite writers take the database lock at BEGIN (``BEGIN IMMEDIATE``) so two
processes never both read the same head and then race to append after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

#: Execution option that makes a SQLite transaction take the write lock at BEGIN.
WRITE_LOCK = "ledger_write_lock"

#: How long a SQLite writer waits for another process's write lock.
SQLITE_BUSY_TIMEOUT_MS = 60_000


def is_sqlite(url: str) -> bool:
    """True when ``url`` selects the embedded SQLite engine."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file_exists(url: str) -> bool:
    """False only for a SQLite URL whose database file is missing (connecting would create it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).is_file()


#: How long an erasure waits for readers of older snapshots before leaving the rest of the
#: scrub to a background thread (which tries for SCRUB_RETRY_SECONDS more).
SCRUB_WAIT_SECONDS = 10.0
SCRUB_RETRY_SECONDS = 3600.0


def scrub(
    engine: Engine, tables: tuple[str, ...], wait_seconds: float = SCRUB_WAIT_SECONDS
) -> bool:
    """Make overwritten rows of ``tables`` unreadable in the database files; True when done.

    SQLite (secure_delete is on, so a changed page holds no old bytes) keeps old page images
    in its write-ahead log, and the old page in the main file while a reader still reads a
    snapshot from before the change. A truncating checkpoint ends both, but only once no
    reader needs them; it is tried without a busy handler, every 50 ms until
    ``wait_seconds`` pass, so the write lock is never held while waiting for readers and
    other writers go on between tries. False when readers stayed that long.

    PostgreSQL keeps dead row versions until VACUUM, which this runs on ``tables`` (see
    docs/personal-data.md for what that does and does not remove).
    """
    if engine.dialect.name != "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM {', '.join(tables)}")
        return True
    deadline = time.monotonic() + wait_seconds
    # The driver connection runs in autocommit mode: no transaction holds the log.
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        driver.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                busy, _frames, _copied = driver.execute(
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                ).fetchone()
                if busy == 0:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
        finally:
            driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        raw.close()


def scrub_soon(engine: Engine, tables: tuple[str, ...]) -> bool:
    """``scrub``, and when readers kept it from finishing, go on trying in a daemon thread
    (for SCRUB_RETRY_SECONDS); True when it finished before returning."""
    if scrub(engine, tables):
        return True
    threading.Thread(
        target=scrub, args=(engine, tables, SCRUB_RETRY_SECONDS), name="scrub", daemon=True
    ).start()
    return False


@contextmanager
def begin_writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads, then writes what it read decided. On SQLite it takes the
    write lock at BEGIN (``BEGIN IMMEDIATE``): a WAL snapshot that has read cannot be
    upgraded to a writer once another connection has committed, and SQLite then answers
    "database is locked" at once instead of waiting. PostgreSQL begins as usual."""
    with (
        engine.connect().execution_options(**{WRITE_LOCK: True}) as connection,
        connection.begin(),
    ):
        yield connection


def create_ledger_engine(url: str, **options: Any) -> Engine:
    """Create an engine for ``url`` with the durability settings the ledger needs."""
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"isolation_level": None}, **options)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Erased personal data must not linger in free space of the database pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # The driver runs in autocommit mode; SQLAlchemy's transaction is ours to begin.
        if connection.get_execution_options().get(WRITE_LOCK):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
