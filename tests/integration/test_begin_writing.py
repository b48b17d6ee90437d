"""A SQLite transaction that reads and then writes takes the write lock at BEGIN: once it
has read, another connection's commit would make its write fail at once ("database is
locked", a WAL snapshot cannot be upgraded), with no busy wait."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ledger.storage.engine import begin_writing, create_ledger_engine


def test_a_read_then_write_transaction_is_never_overtaken(tmp_path: Path) -> None:
    engine = create_ledger_engine(f"sqlite+pysqlite:///{tmp_path}/t.db")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1, 0)"))

    def other_writer() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t (v) VALUES (7)"))

    # A deferred transaction that read is overtaken by another writer's commit.
    with pytest.raises(OperationalError, match="locked"), engine.begin() as overtaken:
        overtaken.execute(text("SELECT v FROM t WHERE k = 1")).scalar_one()
        other_writer()
        overtaken.execute(text("UPDATE t SET v = v + 1 WHERE k = 1"))

    # begin_writing holds the lock from BEGIN: the other writer waits for it instead.
    with begin_writing(engine) as connection:
        value = connection.execute(text("SELECT v FROM t WHERE k = 1")).scalar_one()
        waiting = threading.Thread(target=other_writer)
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive()  # queued behind our lock, not failed
        connection.execute(text("UPDATE t SET v = :v WHERE k = 1"), {"v": value + 1})
    waiting.join(10)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT v FROM t WHERE k = 1")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 3
    engine.dispose()
