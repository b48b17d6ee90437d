"""Fixtures shared by every test: database URLs for SQLite and PostgreSQL.

Tests that should run on both engines take ``database_url``; it is
parametrized as ``[sqlite]`` and ``[postgres]``.  Tests that need PostgreSQL
only take ``postgres_url`` (or ``postgres_server``).  Every test using the
PostgreSQL server carries the ``postgres`` marker, so ``-m "not postgres"``
leaves them out.

One throwaway PostgreSQL server is started for the whole run, the first time a
test needs it.  Without PostgreSQL binaries those tests are skipped, except
under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.postgres import PostgresServer, find_pg_bin
from tests.served import Served, serving

REPO_ROOT = Path(__file__).resolve().parents[1]

# Real Argon2id, with argon2-cffi's cheapest parameters: a run signs staff and learners in
# hundreds of times, and servers the tests start inherit this. The default profile is tested
# in tests/unit/test_password_hashing.py.
os.environ.setdefault("LEDGER_PASSWORD_HASHING", "cheapest")
POSTGRES_FIXTURES = frozenset({"postgres_server", "postgres_url"})
NO_BINARIES = "PostgreSQL binaries not found (set LEDGER_PG_BIN); PostgreSQL tests skipped"


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the PostgreSQL server with ``postgres``."""
    for item in items:
        if POSTGRES_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The throwaway PostgreSQL server of this run."""
    bindir = find_pg_bin()
    if bindir is None:
        if running_under_ci():
            pytest.fail(
                "PostgreSQL binaries not found (set LEDGER_PG_BIN); "
                "under CI=true the PostgreSQL tests must run",
                pytrace=False,
            )
        pytest.skip(NO_BINARIES)
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test; its SQLAlchemy URL."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for this test; its SQLAlchemy URL."""
    return f"sqlite+pysqlite:///{tmp_path}/ledger.db"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on each engine in turn: SQLite, then PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The test data kept in the repository: ``data/`` (reference lists such as the cities)
    and ``vectors/`` (the RFC 6962 proof vectors), both under tests/."""
    return REPO_ROOT / "tests"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``serve(data_dir, *extra)`` starts `certledger serve` and returns its Served."""
    yield from serving(tmp_path)
