"""Fixtures of the console tests: a SQLite ledger served by the real app through
Litestar's TestClient, at an https public URL (so cookies are Secure) or plain http."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger, open_ledger
from ledger.settings import Settings
from tests.console_helpers import ConsoleClient

PUBLIC_URL = "https://testserver.local"


def open_test_ledger(folder: Path, public_url: str = PUBLIC_URL) -> Ledger:
    folder.mkdir(parents=True, exist_ok=True)
    return open_ledger(
        Settings(folder, f"sqlite+pysqlite:///{folder}/ledger.db", "127.0.0.1", 8000, public_url)
    )


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    opened = open_test_ledger(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def app(ledger: Ledger) -> Litestar:
    return create_app(ledger)


@pytest.fixture
def browser_client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    """A TestClient at https://testserver.local, so Secure cookies travel."""
    with TestClient(app, base_url=PUBLIC_URL) as client:
        yield client


@pytest.fixture
def console(browser_client: TestClient[Litestar]) -> ConsoleClient:
    return ConsoleClient(browser_client)


@pytest.fixture
def other_console(ledger: Ledger) -> Iterator[ConsoleClient]:
    """A second browser (its own cookies), on an app of its own over the same ledger, as
    a second server process would be."""
    with TestClient(create_app(ledger), base_url=PUBLIC_URL) as client:
        yield ConsoleClient(client)
