"""The database itself refuses to change or remove what the ledger wrote.

Every statement here goes through a fresh, plain SQLAlchemy engine (none of the
ledger's connection settings), as a careless script or a stolen connection would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger, open_ledger
from ledger.storage import migrate
from ledger.storage.tables import metadata
from tests.integration.helpers import (
    APPEND_ONLY_TABLES,
    ENGINES,
    append_raw,
    node_count,
    numbered,
    raw_engine,
    standalone_ledger,
)

ZERO_HASH = bytes(32)


def filled(ledger: Ledger) -> int:
    """Append 20 entries in singles and batches and sign a checkpoint; return the size."""
    for n in range(5):
        append_raw(ledger, numbered(1, n))
    append_raw(ledger, numbered(15, 5))
    ledger.log.checkpoint()
    return ledger.store.size()


# The guards only ever refuse here, so one filled ledger per engine serves the module;
# every test checks that the data is unchanged afterwards.
@pytest.fixture(scope="module", params=ENGINES)
def guarded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """A ledger of 21 entries and a checkpoint, on each engine in turn."""
    with standalone_ledger(request.param, request, tmp_path_factory) as ledger:
        filled(ledger)
        yield ledger


@pytest.fixture(scope="module")
def guarded_postgres(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """The same ledger on PostgreSQL only."""
    with standalone_ledger("postgres", request, tmp_path_factory) as ledger:
        filled(ledger)
        yield ledger


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the append-only tables, in key order."""
    with engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for name, table in metadata.tables.items()
            if name in APPEND_ONLY_TABLES
        }


CHANGES = {
    "entries-update-one": "UPDATE entries SET data = :junk WHERE idx = 3",
    "entries-update-all": "UPDATE entries SET kind = 'forged.kind'",
    "entries-update-link": "UPDATE entries SET link = :zero WHERE idx = 7",
    "entries-delete-last": "DELETE FROM entries WHERE idx = (SELECT MAX(idx) FROM entries)",
    "entries-delete-all": "DELETE FROM entries",
    "merkle_nodes-update": "UPDATE merkle_nodes SET hash = :zero WHERE position = 2",
    "merkle_nodes-delete-last": (
        "DELETE FROM merkle_nodes WHERE position = (SELECT MAX(position) FROM merkle_nodes)"
    ),
    "merkle_nodes-delete-all": "DELETE FROM merkle_nodes",
    "checkpoints-update-note": "UPDATE checkpoints SET note = 'forged'",
    "checkpoints-update-root": "UPDATE checkpoints SET root = :zero",
    "checkpoints-delete": "DELETE FROM checkpoints",
}


@pytest.mark.parametrize("statement", CHANGES.values(), ids=CHANGES.keys())
def test_update_and_delete_are_refused(guarded: Ledger, statement: str) -> None:
    with raw_engine(guarded.settings.database_url) as engine:
        before = snapshot(engine)
        with (
            pytest.raises(DBAPIError, match="append-only") as refused,
            engine.begin() as connection,
        ):
            connection.execute(sa.text(statement), {"junk": b"{}", "zero": ZERO_HASH})
        assert refused.value.orig is not None  # refused by the database, not by SQLAlchemy
        assert snapshot(engine) == before
    report = audit(DatabaseSource(guarded.store))
    assert report.ok, report.fault


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_truncate_is_refused_on_postgresql(guarded_postgres: Ledger, table: str) -> None:
    with raw_engine(guarded_postgres.settings.database_url) as engine:
        before = snapshot(engine)
        with (
            pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"),
            engine.begin() as connection,
        ):
            connection.execute(sa.text(f"TRUNCATE {table} CASCADE"))
        assert snapshot(engine) == before


def _insert_entry(connection: sa.Connection, index: int) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO entries (idx, kind, principal, timestamp, data, leaf_hash, link) "
            "VALUES (:idx, 'forged.entry', 'mallory', '2026-01-01T00:00:00.000Z', "
            ":data, :zero, :zero)"
        ),
        {"idx": index, "data": b"{}", "zero": ZERO_HASH},
    )


def _insert_node(connection: sa.Connection, position: int) -> None:
    connection.execute(
        sa.text("INSERT INTO merkle_nodes (position, hash) VALUES (:position, :zero)"),
        {"position": position, "zero": ZERO_HASH},
    )


@pytest.mark.parametrize(
    "where", ["gap", "duplicate", "first", "negative"], ids=lambda where: f"entry-at-{where}"
)
def test_entry_insert_off_the_sequence_is_refused(guarded: Ledger, where: str) -> None:
    size = guarded.store.size()
    index = {"gap": size + 1, "duplicate": size - 1, "first": 0, "negative": -1}[where]
    with raw_engine(guarded.settings.database_url) as engine:
        before = snapshot(engine)
        with pytest.raises(IntegrityError, match="next in sequence"), engine.begin() as connection:
            _insert_entry(connection, index)
        assert snapshot(engine) == before


@pytest.mark.parametrize("where", ["gap", "duplicate"], ids=lambda where: f"node-at-{where}")
def test_node_insert_off_the_sequence_is_refused(guarded: Ledger, where: str) -> None:
    nodes = node_count(guarded.store.size())
    position = {"gap": nodes + 1, "duplicate": nodes - 1}[where]
    with raw_engine(guarded.settings.database_url) as engine:
        before = snapshot(engine)
        with pytest.raises(IntegrityError, match="next in sequence"), engine.begin() as connection:
            _insert_node(connection, position)
        assert snapshot(engine) == before


def test_next_in_sequence_is_accepted(guarded: Ledger) -> None:
    """The control: the guards refuse gaps and duplicates, not the next row (rolled back)."""
    size = guarded.store.size()
    with raw_engine(guarded.settings.database_url) as engine, engine.connect() as connection:
        transaction = connection.begin()
        _insert_entry(connection, size)
        _insert_node(connection, node_count(size))
        count = connection.execute(sa.text("SELECT COUNT(*) FROM entries")).scalar_one()
        assert count == size + 1
        transaction.rollback()
    assert guarded.store.size() == size


def test_replacing_upsert_is_refused(guarded: Ledger) -> None:
    """INSERT OR REPLACE / ON CONFLICT DO UPDATE would rewrite a row without an UPDATE."""
    columns = "(idx, kind, principal, timestamp, data, leaf_hash, link)"
    values = "VALUES (2, 'forged.entry', 'mallory', '2026-01-01T00:00:00.000Z', :data, :z, :z)"
    if guarded.engine.dialect.name == "sqlite":
        upsert = f"INSERT OR REPLACE INTO entries {columns} {values}"
    else:
        upsert = (
            f"INSERT INTO entries {columns} {values} ON CONFLICT (idx) DO UPDATE SET kind = 'x'"
        )
    with raw_engine(guarded.settings.database_url) as engine:
        before = snapshot(engine)
        with pytest.raises(IntegrityError, match="next in sequence"), engine.begin() as connection:
            connection.execute(sa.text(upsert), {"data": b"{}", "z": ZERO_HASH})
        assert snapshot(engine) == before


def test_duplicate_checkpoint_size_is_refused(guarded: Ledger) -> None:
    size = guarded.store.size()
    with raw_engine(guarded.settings.database_url) as engine:
        before = snapshot(engine)
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO checkpoints (tree_size, root, key_id, note) "
                    "VALUES (:size, :zero, 'mallory', 'forged')"
                ),
                {"size": size, "zero": ZERO_HASH},
            )
        assert snapshot(engine) == before


def _guards(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        else:
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"
        return list(connection.execute(sa.text(query)).scalars())


def test_migration_is_idempotent(guarded: Ledger) -> None:
    settings = guarded.settings
    size = guarded.store.size()
    guards = _guards(guarded.engine)
    # Two per append-only table (UPDATE/DELETE, or change/TRUNCATE) and two gapless ones.
    assert len(guards) == 2 * len(APPEND_ONLY_TABLES) + 2, guards
    with raw_engine(settings.database_url) as engine:
        before = snapshot(engine)
    migrate.upgrade(guarded.engine)
    migrate.upgrade(guarded.engine)
    again = open_ledger(settings)  # a second first run: nothing new is created
    try:
        assert again.store.size() == size
        assert len(again.log.key_records()) == 1
    finally:
        again.close()
    assert migrate.is_current(guarded.engine)
    assert _guards(guarded.engine) == guards
    with raw_engine(settings.database_url) as engine:
        assert snapshot(engine) == before
        with engine.connect() as connection:
            versions = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert list(versions.scalars()) == [migrate.head()]
        # Still guarded after the upgrades.
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM entries"))


@pytest.mark.parametrize("guarded", ["sqlite"], indirect=True)
def test_sqlite_runs_in_wal_with_synchronous_full(guarded: Ledger) -> None:
    # A connection of the store's own pool, after the ledger has been written to.
    with guarded.store.engine.connect() as connection:

        def pragma(name: str) -> Any:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") > 0
        assert pragma("foreign_keys") == 1
    database = guarded.engine.url.database
    assert database is not None and Path(database + "-wal").exists()
