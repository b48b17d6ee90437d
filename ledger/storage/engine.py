"""Engines for SQLite (WAL, synchronous=FULL) and PostgreSQL, set up for the ledger.

SQLite writers take the database lock at BEGIN (``BEGIN IMMEDIATE``) so two
processes never both read the same head and then race to append after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
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


def scrub(engine: Engine, tables: tuple[str, ...]) -> None:
    """Make overwritten rows of ``tables`` unreadable in the database files.

    SQLite (secure_delete is on) keeps old page images in its write-ahead log until a
    checkpoint, which this forces and truncates; PostgreSQL keeps dead row versions until
    VACUUM, which this runs on ``tables``.
    """
    if engine.dialect.name == "sqlite":
        # The driver connection runs in autocommit mode: no transaction holds the log.
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM {', '.join(tables)}")


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
