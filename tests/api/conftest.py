"""Fixtures for the HTTP tests: a Ledger with sample entries and a client for its app.

``ledger`` and ``client`` run on SQLite only; ``engine_ledger`` and ``engine_client``
run on each engine in turn (a PostgreSQL database per test, so few tests use them).
``token_for("school:4161010001")`` gives the Authorization header of a fresh token.

The SQLite ledgers are copies of one template built once per session (``ledger_template``:
the database file and its keys folder), so a test costs a file copy, not a first run; each
test still gets a ledger of its own.
"""

from __future__ import annotations

import shutil
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


def ledger_settings(database_url: str, data_dir: Path) -> Settings:
    """The settings of a test ledger on ``database_url`` keeping its keys in ``data_dir``."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        host="127.0.0.1",
        port=8000,
        public_url=f"https://{ORIGIN}",
    )


def build_ledger(database_url: str, data_dir: Path) -> Ledger:
    """A first-run ledger on ``database_url`` with the sample entries appended."""
    ledger = open_ledger(ledger_settings(database_url, data_dir))
    ledger.log.append(sample_drafts(SAMPLE_ENTRIES))
    return ledger


#: The template's database file, in its folder beside keys/.
TEMPLATE_DATABASE = "ledger.db"
SQLITE_PREFIX = "sqlite+pysqlite:///"


@pytest.fixture(scope="session")
def ledger_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a closed first-run SQLite ledger with the sample entries: its
    database file (TEMPLATE_DATABASE) and its keys/ folder. Never opened after this."""
    folder = tmp_path_factory.mktemp("ledger-template")
    build_ledger(f"{SQLITE_PREFIX}{folder / TEMPLATE_DATABASE}", folder).close()
    # Closing the last connection folds the write-ahead log into the file: the file is whole.
    leftovers = sorted(path.name for path in folder.glob(f"{TEMPLATE_DATABASE}-*"))
    assert not leftovers, f"the template left {leftovers} beside its database"
    return folder


def ledger_from_template(template: Path, sqlite_url: str, data_dir: Path) -> Ledger:
    """An independent copy of the template ledger: its database at ``sqlite_url`` (a file
    URL), its keys in ``data_dir``; opened as a worker opens an existing ledger."""
    assert sqlite_url.startswith(SQLITE_PREFIX), sqlite_url
    database = Path(sqlite_url.removeprefix(SQLITE_PREFIX))
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / TEMPLATE_DATABASE, database)
    shutil.copytree(template / "keys", data_dir / "keys", dirs_exist_ok=True)
    return open_ledger(ledger_settings(sqlite_url, data_dir), first_run=False)


@pytest.fixture
def ledger(ledger_template: Path, sqlite_url: str, tmp_path: Path) -> Iterator[Ledger]:
    """A SQLite ledger of its own holding the key entry and the sample entries."""
    opened = ledger_from_template(ledger_template, sqlite_url, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def client(ledger: Ledger) -> Iterator[TestClient[Litestar]]:
    """A client of the app serving ``ledger``."""
    with TestClient(create_app(ledger)) as test_client:
        yield test_client


@pytest.fixture
def engine_ledger(ledger_template: Path, database_url: str, tmp_path: Path) -> Iterator[Ledger]:
    """Like ``ledger``, on SQLite (a copy of the template) and then on PostgreSQL (built)."""
    if database_url.startswith(SQLITE_PREFIX):
        opened = ledger_from_template(ledger_template, database_url, tmp_path)
    else:
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
