"""The audit in ranges on several processes (ledger/audit/parallel.py), on small logs.

The tamper cases (test_tamper.py) check that its faults are the single replay's; these
check that its ranges are really replayed by the workers, and what it needs to stitch
them: keys announced in one range and used in another, checkpoint sizes as cuts.
"""

from __future__ import annotations

import os

import pytest

from ledger.audit import auditor, parallel
from ledger.audit.auditor import PARALLEL_MIN_ENTRIES, audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger
from ledger.storage.engine import create_ledger_engine
from ledger.storage.store import LedgerStore
from tests.integration.helpers import append_raw, numbered


def test_ranges_are_replayed_by_the_workers_and_stitched(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_raw(ledger, numbered(20))
    older = ledger.log.checkpoint()
    ledger.log.rotate_key()  # the key of the latest checkpoint is announced mid-log
    append_raw(ledger, numbered(17, 20))
    latest = ledger.log.checkpoint()
    assert latest.tree_size == 40

    parent = os.getpid()
    replayed_here: list[int] = []
    replay_range = parallel.replay_range

    def counting(source: parallel.RangeSource, cursor: object, stop: int) -> object:
        if os.getpid() == parent:
            replayed_here.append(stop)
        return replay_range(source, cursor, stop)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "replay_range", counting)
    source = DatabaseSource(ledger.store)
    report = audit(source, older_note=older.note, workers=2)
    assert report.ok, report.fault
    assert (report.entries_checked, report.tree_size) == (40, 40)
    assert report.older_checkpoint == older.tree_size
    # Every range's claimed start held, so nothing was replayed again in this process.
    assert replayed_here == []
    assert report == audit(source, older_note=older.note, workers=1)


def test_small_logs_and_databases_in_memory_are_replayed_in_one_process(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_raw(ledger, numbered(5))
    ledger.log.checkpoint()
    called: list[str] = []
    monkeypatch.setattr(auditor, "replay_in_ranges", lambda *args: called.append("ranges"))
    assert audit(DatabaseSource(ledger.store)).ok
    assert ledger.store.size() < PARALLEL_MIN_ENTRIES and called == []

    memory = create_ledger_engine("sqlite://")
    try:
        assert DatabaseSource(LedgerStore(memory)).database_url() is None
    finally:
        memory.dispose()
