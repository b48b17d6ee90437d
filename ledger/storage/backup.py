"""Consistent copies of a running ledger's database, and the checks a start runs on it.

SQLite: ``VACUUM INTO`` writes a whole, compacted copy from one read transaction, so
writers carry on and the copy is of one moment. PostgreSQL: ``pg_dump`` (one snapshot)
when it is installed. ``quick_problems`` is SQLite's quick_check (every page readable and
well formed; indexes not compared with their tables, so it is fast enough for each start).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ledger.core.errors import InvalidInput

__all__ = ["copy_database", "quick_problems", "restore_database"]


def quick_problems(engine: Engine, limit: int = 5) -> list[str]:
    """What SQLite's quick_check finds wrong in the database file (empty: nothing);
    PostgreSQL checks its own pages, so nothing for it."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"PRAGMA quick_check({int(limit)})").all()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def _libpq_url(engine: Engine) -> str:
    # pg_dump takes a libpq URL: the SQLAlchemy one without its driver suffix.
    url = make_url(engine.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_program(name: str) -> str | None:
    # PATH first, then LEDGER_PG_BIN (the folder the tests' PostgreSQL comes from).
    folder = os.environ.get("LEDGER_PG_BIN") or "/usr/lib/postgresql/15/bin"
    return shutil.which(name) or shutil.which(name, path=folder)


def copy_database(engine: Engine, target: Path) -> str:
    """Write a consistent copy of the database to ``target`` (which must not exist); the
    name of the method used. InvalidInput when PostgreSQL's pg_dump is not installed."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            # Autocommit driver: VACUUM INTO runs in its own read transaction.
            raw.driver_connection.execute("VACUUM INTO ?", (str(target),))  # type: ignore[union-attr]
        finally:
            raw.close()
        return "sqlite VACUUM INTO"
    pg_dump = _pg_program("pg_dump")
    if pg_dump is None:
        raise InvalidInput(
            "pg_dump is not installed: install PostgreSQL's client programs (version 15 or "
            "newer) to back up a PostgreSQL ledger"
        )
    subprocess.run(
        [pg_dump, "--format=custom", f"--file={target}", _libpq_url(engine)],
        check=True,
        capture_output=True,
    )
    return "pg_dump --format=custom"


def restore_database(engine: Engine, source: Path, database_file: Path | None) -> None:
    """Put the copy ``source`` in place of the database: for SQLite ``database_file`` is
    replaced (its -wal and -shm files removed); for PostgreSQL pg_restore replaces every
    table. The server must be stopped."""
    if engine.dialect.name == "sqlite":
        assert database_file is not None
        engine.dispose()
        staged = database_file.with_name(database_file.name + ".restoring")
        shutil.copyfile(source, staged)
        for suffix in ("-wal", "-shm"):
            database_file.with_name(database_file.name + suffix).unlink(missing_ok=True)
        staged.replace(database_file)
        return
    pg_restore = _pg_program("pg_restore")
    if pg_restore is None:
        raise InvalidInput("pg_restore is not installed: install PostgreSQL's client programs")
    engine.dispose()
    subprocess.run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "-d", _libpq_url(engine), str(source)],
        check=True,
        capture_output=True,
    )
