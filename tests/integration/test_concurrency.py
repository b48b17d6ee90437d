"""Concurrent writers, in several processes, never fork the chain or leave a gap.

The ledger is created once by the test first (schema and first key, entry 0); the
writers open it after that, so the first-run key creation is not what is raced here.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import ExitStack
from itertools import groupby
from pathlib import Path

import pytest

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.canonical import decode_entry
from ledger.core.chain import GENESIS_LINK, chain_link
from ledger.core.merkle import leaf_hash
from ledger.services.samples import SAMPLE_KIND
from ledger.settings import Settings
from ledger.storage.store import StoredCheckpoint, StoredEntry
from tests.integration.helpers import (
    append_raw,
    certledger,
    child_env,
    numbered,
    payload,
    python_module,
    spawn,
)
from tests.integration.ledger_process import WRITER_KIND, batch_sizes

WRITERS = 4
PER_WRITER = 150


def check_chain(stored: list[StoredEntry]) -> None:
    """Gapless indexes; every entry links to the one before; time never goes back."""
    assert [entry.index for entry in stored] == list(range(len(stored)))
    link = GENESIS_LINK
    last_time = ""
    for entry in stored:
        decoded = decode_entry(entry.data)
        assert decoded.index == entry.index
        assert decoded.prev == link, f"entry {entry.index} does not link to the one before"
        assert entry.leaf_hash == leaf_hash(entry.data)
        link = chain_link(link, entry.leaf_hash)
        assert entry.link == link
        assert entry.timestamp >= last_time
        last_time = entry.timestamp


def check_checkpoints_consistent(ledger: Ledger) -> list[StoredCheckpoint]:
    """Every stored checkpoint commits to the root the log has at its size."""
    checkpoints = []
    size = ledger.store.size()
    for tree_size in range(1, size + 1):
        stored = ledger.store.checkpoint_at(tree_size)
        if stored is not None:
            assert stored.root == ledger.store.root(tree_size), tree_size
            checkpoints.append(stored)
    return checkpoints


@pytest.mark.slow
def test_writer_processes_append_concurrently(settings: Settings, tmp_path: Path) -> None:
    created = open_ledger(settings)
    created.close()

    outputs: dict[int, list[str]] = {}
    with ExitStack() as stack:
        children = [
            stack.enter_context(
                spawn(
                    python_module(
                        "tests.integration.ledger_process", "writer", str(w), str(PER_WRITER)
                    ),
                    child_env(settings),
                    tmp_path / f"writer-{w}.err",
                )
            )
            for w in range(WRITERS)
        ]
        for child in children:  # every writer has opened the ledger ...
            assert child.stdout.readline() == "ready\n", child.describe()
        for child in children:  # ... before any of them starts appending
            child.send("go")
        for w, child in enumerate(children):
            outputs[w] = child.stdout.read().splitlines()
            assert child.proc.wait() == 0, child.describe()

    ledger = open_ledger(settings, first_run=False)
    try:
        size = ledger.store.size()
        assert size == 1 + WRITERS * PER_WRITER
        stored = list(ledger.store.iter_entries())
        check_chain(stored)
        assert stored[0].kind == "key.added"

        owner: dict[int, int] = {}
        started, ended = [], []
        for w, lines in outputs.items():
            assert lines[0].startswith("start ") and lines[-2].startswith("end ")
            assert lines[-1] == "done"
            started.append(int(lines[0].split()[1]))
            ended.append(int(lines[-2].split()[1]))
            acks = [tuple(int(part) for part in line.split()[1:]) for line in lines[1:-2]]
            assert [count for _first, _n, count in acks] == batch_sizes(PER_WRITER)
            for first, n, count in acks:
                # A batch is one transaction: its entries are contiguous, in order.
                for offset in range(count):
                    entry = stored[first + offset]
                    assert entry.kind == WRITER_KIND
                    assert entry.principal == f"writer-{w}"
                    assert payload(entry.data) == {"writer": w, "n": n + offset}
                    assert first + offset not in owner
                    owner[first + offset] = w
            indexes = sorted(index for index, writer in owner.items() if writer == w)
            assert [payload(stored[i].data)["n"] for i in indexes] == list(range(PER_WRITER))
        assert sorted(owner) == list(range(1, size))
        assert Counter(owner.values()) == dict.fromkeys(range(WRITERS), PER_WRITER)
        # The writers really contended: all had started before the first one was through.
        assert max(started) < min(ended), "the writers did not overlap; the test proved nothing"
        if ledger.engine.dialect.name == "postgresql":
            # PostgreSQL queues lock waiters, so the writers' appends interleave. (SQLite's
            # busy handler polls: a writer may hold on to the lock and run to its end.)
            switches = sum(1 for _ in groupby(owner[i] for i in range(1, size))) - 1
            assert switches > WRITERS - 1, switches

        # Each writer signed a checkpoint when done, racing the others.
        assert check_checkpoints_consistent(ledger)
        ledger.log.checkpoint()
        report = audit(DatabaseSource(ledger.store))
        assert report.ok, report.fault
        assert report.tree_size == size
    finally:
        ledger.close()


@pytest.mark.slow
def test_cli_seed_beside_in_process_appends(ledger: Ledger, tmp_path: Path) -> None:
    mine: list[StoredEntry] = []
    seed_args = certledger("seed", "300", "--batch", "10")
    with spawn(seed_args, child_env(ledger.settings), tmp_path / "seed.err") as seed:
        # Append here for as long as the seed command runs.
        while seed.proc.poll() is None:
            mine.extend(append_raw(ledger, numbered(1, len(mine), kind="test.beside")))
        printed = seed.stdout.read()
        assert seed.proc.returncode == 0, seed.describe()
    assert "appended 300 sample entries" in printed

    size = ledger.store.size()
    assert size == 1 + 300 + len(mine)
    stored = list(ledger.store.iter_entries())
    check_chain(stored)
    assert [payload(stored[entry.index].data) for entry in mine] == [
        {"n": n} for n in range(len(mine))
    ]
    samples = [entry for entry in stored if entry.kind == SAMPLE_KIND]
    numbers = [payload(entry.data)["certificate_number"] for entry in samples]
    serials = [int(number.rsplit("-", 1)[1]) for number in numbers]
    assert serials == list(range(serials[0], serials[0] + 300)), "seed entries lost or reordered"
    # The seed commits 10 at a time: its entries come in unbroken runs of tens.
    runs = [len(list(run)) for kind, run in groupby(e.kind for e in stored) if kind == SAMPLE_KIND]
    assert all(run % 10 == 0 for run in runs), runs
    # The two ran side by side: this process appended before and after the seed did.
    assert mine[0].index < samples[0].index and mine[-1].index > samples[-1].index

    assert check_checkpoints_consistent(ledger)  # the one the seed command signed
    ledger.log.checkpoint()
    report = audit(DatabaseSource(ledger.store))
    assert report.ok, report.fault


def sign_together(signers: list[Ledger]) -> tuple[list[StoredCheckpoint], list[Exception]]:
    """Every signer calls checkpoint() at the same moment, each in its own thread."""
    barrier = threading.Barrier(len(signers))
    results: list[StoredCheckpoint] = []
    errors: list[Exception] = []

    def sign(signer: Ledger) -> None:
        barrier.wait()
        try:
            results.append(signer.log.checkpoint())
        except Exception as exc:  # reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(signer,)) for signer in signers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_checkpoints_of_the_same_size(ledger: Ledger) -> None:
    """Several processes (here: engines) signing the same tree size at once all succeed.

    Before store.save_checkpoint took the write lock, the losers of this race failed
    with "database is locked" (SQLite) or a unique violation (PostgreSQL).
    """
    signers = [ledger] + [open_ledger(ledger.settings, first_run=False) for _ in range(3)]
    try:
        for round_number in range(15):
            append_raw(ledger, numbered(1, round_number))
            size = ledger.store.size()
            results, errors = sign_together(signers)
            assert not errors, errors
            assert {(c.tree_size, c.root, c.note) for c in results} == {
                (size, ledger.store.root(size), results[0].note)
            }
    finally:
        for signer in signers[1:]:
            signer.close()
    assert audit(DatabaseSource(ledger.store)).ok
