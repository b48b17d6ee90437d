"""Group commit: concurrent units of work share one commit; a refused unit spoils none.

The threads here queue on the group for real: the first unit holds the group open while
the others line up behind it (the test waits until the group counts them as waiting), so
they join its transaction and one commit ends them all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger
from ledger.core.canonical import EntryDraft
from ledger.core.errors import Conflict
from ledger.services.samples import sample_drafts
from ledger.storage.group_commit import GroupCommit
from ledger.storage.store import StoredEntry
from tests.integration.helpers import payload

pytestmark = pytest.mark.usefixtures("database_url")


def sample(n: int) -> EntryDraft:
    """A sample entry numbered ``n`` (in its certificate number)."""
    [[draft]] = sample_drafts(1, 1, start=n)
    return draft


def number(entry: StoredEntry) -> int:
    return int(payload(entry.data)["certificate_number"].rsplit("-", 1)[1])


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the threads never queued on the group"
        time.sleep(0.001)


def test_a_refused_unit_spoils_no_other_unit_of_its_group(ledger: Ledger) -> None:
    # No age limit: on a busy machine the threads may take longer to queue than a group
    # is normally held open, and this test is about what one group does.
    group = ledger.store.group = GroupCommit(ledger.engine, max_seconds=3600)
    log = ledger.log
    before = ledger.store.size()
    groups_before = group.stats.groups
    holding, release = threading.Event(), threading.Event()
    results: dict[int, object] = {}

    def first() -> None:
        with log.unit_of_work() as uow:
            uow.append(sample(0))
            holding.set()
            release.wait(20)
            results[0] = [entry.index for entry in uow.commit()]

    def unit(n: int, refuse: bool) -> None:
        try:
            with log.unit_of_work() as uow:
                uow.append(sample(n))
                if refuse:  # a rule says no after the unit has appended
                    raise Conflict(f"unit {n} is refused")
                results[n] = [entry.index for entry in uow.commit()]
        except Conflict as refused:
            results[n] = refused

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert holding.wait(20)
    for n, refuse in ((1, False), (2, True), (3, False), (4, True), (5, False)):
        threads.append(threading.Thread(target=unit, args=(n, refuse)))
        threads[-1].start()
    wait_until(lambda: group.waiting == 5)
    release.set()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()

    assert isinstance(results[2], Conflict) and isinstance(results[4], Conflict)
    committed = {n: results[n] for n in (0, 1, 3, 5)}
    indexes = sorted(index for found in committed.values() for index in found)  # type: ignore[attr-defined]
    assert indexes == list(range(before, before + 4)), committed
    assert group.stats.groups == groups_before + 1, "the six units did not share one commit"

    stored = ledger.store.entries(before, before + 10)
    assert sorted(number(entry) for entry in stored) == [0, 1, 3, 5]
    ledger.log.checkpoint()
    report = audit(DatabaseSource(ledger.store))
    assert report.ok, report.fault


def test_concurrent_units_commit_in_fewer_groups_and_stay_gapless(ledger: Ledger) -> None:
    threads_count, per_thread = 8, 15
    before = ledger.store.size()
    group = ledger.store.group
    groups_before, units_before = group.stats.groups, group.stats.units
    acknowledged: list[tuple[int, int]] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        for i in range(per_thread):
            n = number * 1000 + i
            [entry] = ledger.log.append([sample(n)])
            # Acknowledged only after commit returned: the entry must be readable now.
            assert ledger.store.leaf_hash_at(entry.index) == entry.leaf_hash
            with lock:
                acknowledged.append((entry.index, n))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive()

    total = threads_count * per_thread
    assert sorted(index for index, _n in acknowledged) == list(range(before, before + total))
    stored = {entry.index: number(entry) for entry in ledger.store.iter_entries(before)}
    assert stored == dict(acknowledged)
    assert group.stats.units - units_before == total
    assert group.stats.groups - groups_before <= total
    ledger.log.checkpoint()
    assert audit(DatabaseSource(ledger.store)).ok


def test_a_nested_unit_of_work_in_one_thread_is_refused_not_deadlocked(ledger: Ledger) -> None:
    size = ledger.store.size()
    with ledger.log.unit_of_work() as uow:
        uow.append(sample(1))
        with pytest.raises(RuntimeError, match="already has a unit of work open"):
            ledger.log.unit_of_work().__enter__()
        uow.commit()
    assert ledger.store.size() == size + 1
    # The group is free again for the next unit.
    ledger.log.append([sample(2)])
    assert ledger.store.size() == size + 2
