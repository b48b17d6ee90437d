"""Fixtures of the storage integration tests (on top of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ledger.bootstrap import Ledger, open_ledger
from ledger.settings import Settings
from ledger.storage.engine import is_sqlite
from tests.integration.helpers import Copier, copy_database, make_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings of a fresh ledger on the engine under test."""
    return make_settings(tmp_path / "data", database_url)


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    """A freshly opened ledger (schema, first key: entry 0); closed afterwards."""
    opened = open_ledger(settings)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def copy_of(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Copier]:
    """Make unguarded copies of the test database; PostgreSQL copies are dropped afterwards."""
    server = None if is_sqlite(database_url) else request.getfixturevalue("postgres_server")
    made: list[str] = []

    def copy(ledger: Ledger, name: str = "copy") -> str:
        url = copy_database(ledger, tmp_path, server, name)
        made.append(url)
        return url

    yield copy
    if server is not None:
        for url in made:
            server.drop_database(make_url(url).database or "")
