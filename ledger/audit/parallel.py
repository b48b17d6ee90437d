"""The audit on every core: ranges of a log replayed by worker processes, each from the state
the database claims at its start, then stitched in order by chain link and Merkle frontier.

A range's result counts only when the state it started from is the one the ranges before it
ended in; otherwise it is replayed again here, from the true state. So the report (the first
fault, its index and words) is exactly that of one replay from index 0.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ledger.audit.checks import (
    Cursor,
    EntryRecord,
    Failed,
    Fault,
    Progress,
    node_comparer,
    replay_entries,
)
from ledger.core.merkle import CompactRange, NodeID, node_position
from ledger.core.signing import VerifyingKey

#: Ranges per worker process: more than one, so a worker slowed by a busy core holds up
#: the stitching less.
RANGES_PER_WORKER = 4


@runtime_checkable
class RangeSource(Protocol):
    """A source whose log can be read from any index: a database, by its URL."""

    def database_url(self) -> str | None:
        """The URL a worker process opens the same database with (None: it cannot)."""
        ...

    def size(self) -> int:
        """The number of entries stored."""
        ...

    def entries_from(self, start: int, count: int | None = None) -> Iterator[EntryRecord]:
        """The stored entries from index ``start`` on, in index order, at most ``count``."""
        ...

    def node_hashes_from(self, position: int, count: int | None = None) -> Iterator[bytes]:
        """Stored Merkle node hashes from ``position`` on (at most ``count``), up to the
        first gap."""
        ...

    def claimed_state(self, start: int) -> tuple[bytes, str, list[bytes]] | None:
        """What the database holds for the entries before ``start``: the last one's stored
        link and timestamp, and the stored frontier hashes; None when some are missing."""
        ...


@dataclass(frozen=True, slots=True)
class State:
    """A replay's state between two entries, as worker processes hand it over."""

    expected: int
    link: bytes
    last_time: str
    frontier: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class RangeResult:
    """One range replayed by a worker: the state it assumed (None: the database claimed
    none), the state it ended in, its first fault and the raw keys its entries announced."""

    start: State | None
    end: State
    fault: Fault | None
    announced: tuple[bytes, ...]


def _state(cursor: Cursor) -> State:
    return State(cursor.expected, cursor.link, cursor.last_time, tuple(cursor.tree.hashes))


def replay_range(
    source: RangeSource,
    cursor: Cursor,
    stop: int,
    checks: set[int] | None = None,
    before: Callable[[int, CompactRange], None] | None = None,
) -> tuple[Fault | None, list[VerifyingKey]]:
    """Replay the entries from ``cursor`` up to ``stop``; the first fault and the keys
    announced. ``cursor`` ends where the replay stopped; ``before`` runs at ``checks``."""
    announced: list[VerifyingKey] = []
    # No more rows than the range needs: its nodes, and its entries and the one after them
    # (the next stored entry, which names a gap at the range's end as one replay would).
    first_node = node_position(NodeID(0, cursor.expected))
    nodes = node_position(NodeID(0, stop)) - first_node
    compare = node_comparer(source.node_hashes_from(first_node, nodes))
    try:
        replay_entries(
            source.entries_from(cursor.expected, stop - cursor.expected + 1),
            cursor,
            compare,
            announced,
            stop=stop,
            checks=checks or (),
            before=before,
        )
    except Failed as failed:
        return failed.fault, announced
    return None, announced


_WORKER_SOURCE: list[RangeSource] = []


def _start_worker(url: str) -> None:
    # Imported here: the storage layer is the worker's, not the auditor's.
    from ledger.audit.sources import DatabaseSource
    from ledger.storage.engine import create_ledger_engine
    from ledger.storage.store import LedgerStore

    _WORKER_SOURCE[:] = [DatabaseSource(LedgerStore(create_ledger_engine(url)))]


def _replay_claimed(start: int, stop: int) -> RangeResult:
    """In a worker: replay ``start`` .. ``stop - 1`` from the state the database claims."""
    [source] = _WORKER_SOURCE
    claimed = source.claimed_state(start)
    if claimed is None:
        return RangeResult(None, State(start, b"", "", ()), None, ())
    link, last_time, frontier = claimed
    cursor = Cursor(start, link, last_time, CompactRange(start, frontier))
    began = _state(cursor)
    fault, announced = replay_range(source, cursor, stop)
    return RangeResult(began, _state(cursor), fault, tuple(key.raw for key in announced))


def _context() -> multiprocessing.context.BaseContext:
    # Forking is cheapest (the modules are loaded already) but unsafe while other threads
    # may hold locks; a process with threads starts its workers from a fork server.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    return multiprocessing.get_context(method)


def replay_in_ranges(
    url: str,
    source: RangeSource,
    cursor: Cursor,
    announced: list[VerifyingKey],
    checks: set[int],
    before: Callable[[int, CompactRange], None],
    workers: int | None,
    progress: Progress | None,
) -> None:
    """Replay ``source`` from ``cursor`` (at index 0) to its end with ``workers`` processes
    (default: one per core), as replay_entries would in one: the same checks, the same
    first fault (raised as Failed), ``before`` at each index in ``checks``."""
    size = source.size()
    count = max(2, workers or os.cpu_count() or 2)
    step = max(1, -(-size // (count * RANGES_PER_WORKER)))
    # Checkpoint sizes are cuts, so their roots are checked here, between two ranges.
    cuts = sorted({*range(0, size, step), *(c for c in checks if 0 < c < size), size})
    ranges = list(itertools.pairwise(cuts))
    try:
        _replay_with_workers(
            source, cursor, announced, checks, before, ranges, url, count, progress
        )
    except BrokenProcessPool:
        # A worker could not start (a fork server needs an importable main module) or
        # died: the rest of the log is replayed here, from where the stitching stands.
        if cursor.expected in checks:
            before(cursor.expected, cursor.tree)
        fault, keys = replay_range(source, cursor, size)
        announced.extend(keys)
        if fault is not None:
            raise Failed(fault) from None


def _replay_with_workers(
    source: RangeSource,
    cursor: Cursor,
    announced: list[VerifyingKey],
    checks: set[int],
    before: Callable[[int, CompactRange], None],
    ranges: list[tuple[int, int]],
    url: str,
    count: int,
    progress: Progress | None,
) -> None:
    size = ranges[-1][1] if ranges else 0
    with ProcessPoolExecutor(
        count, mp_context=_context(), initializer=_start_worker, initargs=(url,)
    ) as pool:
        futures = [pool.submit(_replay_claimed, start, stop) for start, stop in ranges]
        try:
            for (start, stop), future in zip(ranges, futures, strict=True):
                if cursor.expected in checks:
                    before(cursor.expected, cursor.tree)
                result = future.result()
                if result.start is not None and result.start == _state(cursor):
                    end = result.end
                    cursor.expected, cursor.link, cursor.last_time = (
                        end.expected,
                        end.link,
                        end.last_time,
                    )
                    cursor.tree = CompactRange(end.expected, end.frontier)
                    announced.extend(VerifyingKey(raw) for raw in result.announced)
                    fault = result.fault
                else:  # the state before it was not what the database claims
                    assert cursor.expected == start
                    fault, keys = replay_range(source, cursor, stop)
                    announced.extend(keys)
                if fault is not None:
                    raise Failed(fault)
                if cursor.expected < stop:  # the log ended before the range did
                    return
                if progress is not None:
                    progress(cursor.expected, max(cursor.expected, size))
        finally:
            for future in futures:
                future.cancel()
