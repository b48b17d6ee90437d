"""Fixtures for the HTTP tests: a Ledger with sample entries and a client for its app.

``ledger`` and ``client`` run on SQLite only; ``engine_ledger`` and ``engine_client``
run on each engine in turn (a PostgreSQL database per test, so few tests use them).
``token_for("school:4161010001")`` gives the Authorization header of a fresh token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.canonical import EntryDraft
from ledger.core.principals import Principal
from ledger.services import samples
from ledger.settings import Settings

#: Sample entries appended after the first key entry: the log holds SAMPLE_ENTRIES + 1.
SAMPLE_ENTRIES = 40
ORIGIN = "ledger.test"


def sample_drafts(count: int, first: int = 0) -> list[EntryDraft]:
    """``count`` sample entries (certledger seed N's kind) numbered from ``first``."""
    return [draft for batch in samples.sample_drafts(count, count, first) for draft in batch]


def build_ledger(database_url: str, data_dir: Path) -> Ledger:
    """A first-run ledger on ``database_url`` with the sample entries appended."""
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        host="127.0.0.1",
        port=8000,
        public_url=f"https://{ORIGIN}",
    )
    ledger = open_ledger(settings)
    ledger.log.append(sample_drafts(SAMPLE_ENTRIES))
    return ledger


@pytest.fixture
def ledger(sqlite_url: str, tmp_path: Path) -> Iterator[Ledger]:
    """A SQLite ledger holding the key entry and the sample entries."""
    opened = build_ledger(sqlite_url, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def client(ledger: Ledger) -> Iterator[TestClient[Litestar]]:
    """A client of the app serving ``ledger``."""
    with TestClient(create_app(ledger)) as test_client:
        yield test_client


@pytest.fixture
def engine_ledger(database_url: str, tmp_path: Path) -> Iterator[Ledger]:
    """Like ``ledger``, on SQLite and then on PostgreSQL."""
    opened = build_ledger(database_url, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def engine_client(engine_ledger: Ledger) -> Iterator[TestClient[Litestar]]:
    """A client of the app serving ``engine_ledger``."""
    with TestClient(create_app(engine_ledger)) as test_client:
        yield test_client


#: ``token_for(principal_text)`` -> ``{"Authorization": "Bearer ..."}``.
TokenFor = Callable[[str], dict[str, str]]


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying ``token``."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token_for(ledger: Ledger) -> TokenFor:
    """Headers with a fresh one-hour token of ``ledger``'s service key for a principal."""

    def headers(principal: str) -> dict[str, str]:
        return bearer(ledger.tokens.mint(Principal.parse(principal)))

    return headers
