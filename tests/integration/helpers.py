"""Shared tools of the storage integration tests: settings, child processes, copies.

Copies of a database are made with the append-only guards switched off, so that a
test can play the forger and then check that the audit still catches it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import make_url

from ledger.bootstrap import Ledger, open_ledger
from ledger.core.canonical import EntryDraft
from ledger.core.merkle import CompactRange, NodeID, node_position
from ledger.settings import Settings
from ledger.storage.engine import WRITE_LOCK
from ledger.storage.replay import projected_tables
from ledger.storage.store import StoredEntry
from tests.postgres import PostgresServer

REPO_ROOT = Path(__file__).resolve().parents[2]
PUBLIC_URL = "https://ledger.test"
APPEND_ONLY_TABLES = ("entries", "merkle_nodes", "checkpoints")
#: Seconds after which a child process is killed whatever it is doing.
CHILD_TIMEOUT = 60.0
#: Parameters for a module-scoped fixture on each engine (see standalone_ledger).
ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def make_settings(data_dir: Path, database_url: str) -> Settings:
    """The settings every test ledger uses."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        host="127.0.0.1",
        port=8000,
        public_url=PUBLIC_URL,
    )


def child_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a child process open the same ledger."""
    env = dict(os.environ)
    env.update(
        LEDGER_DATA_DIR=str(settings.data_dir),
        LEDGER_DATABASE_URL=settings.database_url,
        LEDGER_PUBLIC_URL=settings.public_url,
        PYTHONUNBUFFERED="1",
    )
    return env


def numbered(count: int, start: int = 0, kind: str = "test.numbered") -> list[EntryDraft]:
    """Drafts whose payloads are {"n": start}, {"n": start + 1}, ..."""
    return [EntryDraft(kind, "tester", {"n": start + i}) for i in range(count)]


def append_raw(ledger: Ledger, drafts: Sequence[EntryDraft]) -> list[StoredEntry]:
    """Append drafts of any kind straight through the store, under the write lock, with no
    kind checks and no projections: the log's own mechanics, which these tests exercise."""
    engine = ledger.store.engine
    writer = engine.connect().execution_options(**{WRITE_LOCK: True})
    with writer as connection, connection.begin():
        if engine.dialect.name != "sqlite":
            connection.exec_driver_sql("LOCK TABLE entries IN SHARE ROW EXCLUSIVE MODE")
        return ledger.store.append_locked(connection, drafts)


def projected_rows(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table rebuilt from the ledger, sorted by primary key."""
    with ledger.engine.connect() as connection:
        return {
            table.name: [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in projected_tables()
        }


def payload(data: bytes) -> Any:
    """The payload of an entry's canonical bytes."""
    return json.loads(data)["payload"]


def node_count(size: int) -> int:
    """Stored Merkle nodes of a tree of ``size`` leaves: positions 0 .. 2n - popcount(n) - 1."""
    return 2 * size - size.bit_count()


def all_nodes(leaves: list[bytes]) -> dict[int, bytes]:
    """Every perfect node of the tree over ``leaves``, by storage position."""
    nodes: dict[int, bytes] = {}

    def keep(node: NodeID, digest: bytes) -> None:
        nodes[node_position(node)] = digest

    tree = CompactRange()
    for leaf in leaves:
        tree.append(leaf, keep)
    return nodes


@contextmanager
def standalone_ledger(
    engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """A fresh ledger outside the function-scoped ``database_url``, for module fixtures."""
    tmp = tmp_path_factory.mktemp(engine)
    server: PostgresServer | None = None
    name = ""
    if engine == "sqlite":
        url = f"sqlite+pysqlite:///{tmp}/ledger.db"
    else:
        server = request.getfixturevalue("postgres_server")
        name = f"test_{uuid.uuid4().hex[:16]}"
        url = server.create_database(name)
    ledger = open_ledger(make_settings(tmp / "data", url))
    try:
        yield ledger
    finally:
        ledger.close()
        if server is not None:
            server.drop_database(name)


# -- child processes -------------------------------------------------------------


class Child:
    """A child process with pipes, a stderr file and a watchdog that kills it."""

    def __init__(self, proc: subprocess.Popen[str], stderr_path: Path) -> None:
        self.proc = proc
        self.stderr_path = stderr_path

    @property
    def stdout(self) -> IO[str]:
        assert self.proc.stdout is not None
        return self.proc.stdout

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        """SIGKILL, no clean-up of any kind in the child."""
        os.kill(self.proc.pid, signal.SIGKILL)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-4000:]

    def describe(self) -> str:
        return f"child exit status {self.proc.poll()}; its stderr:\n{self.stderr()}"


@contextmanager
def spawn(args: list[str], env: Mapping[str, str], stderr_path: Path) -> Iterator[Child]:
    """Start ``args`` from the repository root; kill and reap it on the way out."""
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    watchdog = threading.Timer(CHILD_TIMEOUT, proc.kill)
    watchdog.start()
    try:
        yield Child(proc, stderr_path)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(BrokenPipeError):
                    stream.close()


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def certledger(*args: str) -> list[str]:
    """The installed console command, next to this interpreter."""
    return [str(Path(sys.executable).parent / "certledger"), *args]


# -- copies with the guards off ----------------------------------------------------

#: copy(ledger, name) -> URL of a copy of the ledger's database with its guards off.
Copier = Callable[..., str]


def copy_database(
    ledger: Ledger, dest: Path, server: PostgresServer | None, name: str = "copy"
) -> str:
    """Close ``ledger`` and copy its database; return the copy's URL, guards switched off.

    SQLite: checkpoint the WAL into the main file, copy the file, drop the triggers on
    the copy. PostgreSQL: CREATE DATABASE ... TEMPLATE the original, then disable the
    triggers of the append-only tables on the copy (as superuser). The caller drops a
    PostgreSQL copy with ``server.drop_database``.
    """
    url = ledger.settings.database_url
    ledger.close()
    original = make_url(url)
    if original.get_backend_name() == "sqlite":
        assert original.database is not None
        source = Path(original.database)
        with contextlib.closing(sqlite3.connect(source)) as connection:
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            assert busy == 0, "the original database is still in use"
        target = dest / f"{name}.db"
        shutil.copyfile(source, target)
        wal = source.with_name(source.name + "-wal")
        if wal.exists() and wal.stat().st_size:
            shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        with contextlib.closing(sqlite3.connect(target)) as connection:
            triggers = [
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
            ]
            assert len(triggers) >= 2 * len(APPEND_ONLY_TABLES)
            for trigger in triggers:
                connection.execute(f'DROP TRIGGER "{trigger}"')
            connection.commit()
        return f"sqlite+pysqlite:///{target}"
    assert server is not None, "a PostgreSQL copy needs the server"
    copy_name = f"{original.database}_{name}"
    with psycopg.connect(server.conninfo("postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy_name), sql.Identifier(original.database or "")
            )
        )
    copy_url = server.url(copy_name)
    engine = sa.create_engine(copy_url)
    try:
        with engine.begin() as connection:
            for table in APPEND_ONLY_TABLES:
                connection.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
    finally:
        engine.dispose()
    return copy_url


@contextmanager
def raw_engine(url: str) -> Iterator[sa.Engine]:
    """A plain SQLAlchemy engine, none of the ledger's settings; disposed on exit."""
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
