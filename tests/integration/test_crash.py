"""kill -9 in the middle of a stream of appends loses nothing that was acknowledged.

A child process appends entries and writes each acknowledged index to stdout after
``append`` returned; the parent kills it with SIGKILL after a couple of hundred acks
(the child is almost always inside an append then), reopens the ledger and checks
that the log is whole: every ack present, no partial batch, gapless, auditable.

Right after an ack the child has barely begun its next append, so the kill waits a
random fraction of an append's time first: sometimes it lands before the commit,
sometimes after the commit but before the ack (an entry there but never acknowledged,
which is allowed). No step of the test waits on that delay for anything.

SIGKILL of the writer tests atomicity and recovery (SQLite WAL recovery, a
PostgreSQL backend losing its client mid-transaction); it cannot test power loss.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger, open_ledger
from ledger.settings import Settings
from tests.integration.helpers import (
    append_raw,
    child_env,
    node_count,
    numbered,
    payload,
    python_module,
    spawn,
)
from tests.integration.ledger_process import STREAM_KIND

#: (entries per append, acks to wait for before the kill)
STREAMS = {"single": (1, 200), "batch": (10, 40)}
#: Up to this many seconds between the last ack read and the kill: about one append.
KILL_JITTER = 0.003


def read_acks(lines: list[str]) -> list[tuple[int, int, int]]:
    """Parse complete ``ack FIRST N COUNT`` lines; a torn last line is no ack."""
    acks = []
    for line in lines:
        if not line.endswith("\n"):
            continue
        word, first, n, count = line.split()
        assert word == "ack", line
        acks.append((int(first), int(n), int(count)))
    return acks


@pytest.mark.parametrize("mode", STREAMS, ids=STREAMS.keys())
def test_kill_9_loses_no_acknowledged_append(settings: Settings, tmp_path: Path, mode: str) -> None:
    batch, wanted = STREAMS[mode]
    jitter = random.uniform(0, KILL_JITTER)
    created = open_ledger(settings)  # schema and key exist before the child starts
    created.close()

    args = python_module("tests.integration.ledger_process", "stream", "--batch", str(batch))
    with spawn(args, child_env(settings), tmp_path / "child.err") as child:
        lines: list[str] = []
        while len(lines) < wanted:
            line = child.stdout.readline()
            assert line, f"the child stopped after {len(lines)} acks; {child.describe()}"
            lines.append(line)
        time.sleep(jitter)  # where in the next append the kill lands, not synchronisation
        child.kill()
        assert child.proc.wait() == -9
        lines.extend(child.stdout.readlines())  # acks still in the pipe
    acks = read_acks(lines)
    assert len(acks) >= wanted

    ledger = open_ledger(settings, first_run=False)
    try:
        check_whole_after_crash(ledger, acks, batch, f"killed {jitter * 1000:.2f} ms after an ack")
    finally:
        ledger.close()


def check_whole_after_crash(
    ledger: Ledger, acks: list[tuple[int, int, int]], batch: int, when: str
) -> None:
    size = ledger.store.size()
    stored = list(ledger.store.iter_entries())
    assert [entry.index for entry in stored] == list(range(size)), "indexes are not gapless"

    # Every acknowledged entry is there, with the payload it was acknowledged with.
    for first, n, count in acks:
        assert count == batch
        for offset in range(count):
            entry = stored[first + offset]
            assert entry.kind == STREAM_KIND
            assert payload(entry.data) == {"n": n + offset}
    acknowledged = sum(count for _first, _n, count in acks)
    assert [first for first, _n, _count in acks] == list(range(1, acknowledged + 1, batch))
    # At most the one append in flight committed without its ack, and never in part.
    assert size - 1 - acknowledged in (0, batch), (size, acknowledged, when)
    assert [payload(entry.data)["n"] for entry in stored[1:]] == list(range(size - 1))

    # The Merkle nodes of exactly this many leaves, no more, no fewer.
    with ledger.engine.connect() as connection:
        count, last = connection.execute(
            sa.text("SELECT COUNT(*), MAX(position) FROM merkle_nodes")
        ).one()
    assert count == last + 1 == node_count(size)

    # A checkpoint signed now (the key file is in the same data dir) audits clean.
    checkpoint = ledger.log.checkpoint()
    assert checkpoint.tree_size == size
    report = audit(DatabaseSource(ledger.store))
    assert report.ok, report.fault
    assert report.entries_checked == report.tree_size == size

    # And the log goes on from where it stopped.
    appended = append_raw(ledger, numbered(2, size - 1, kind=STREAM_KIND))
    assert [entry.index for entry in appended] == [size, size + 1]
    ledger.log.checkpoint()
    assert audit(DatabaseSource(ledger.store)).ok
