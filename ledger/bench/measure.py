"""The measurements of certledger bench: a fresh ledger and its raw twin, timed side by side
(ledger/bench/run.py runs them and prints the report).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bench.issuance import (
    AppFactory,
    IssuanceRate,
    measure_issuance,
)
from ledger.bench.raw import RawLimit
from ledger.bench.targets import (
    BATCH,
    SINGLE_ROUND,
    SINGLE_SECONDS,
    EntryRow,
    NodeRow,
)
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.merkle import (
    NodeID,
    consistency_proof_plan,
    inclusion_proof_plan,
    node_position,
    verify_consistency,
    verify_inclusion,
)
from ledger.services.samples import sample_drafts
from ledger.settings import Settings
from ledger.storage.store import LedgerStore

__all__ = ["Bench", "Rate", "audit_child", "max_rss", "percentile", "progress_bar", "stderr"]


stderr = Console(stderr=True)


@dataclass
class Rate:
    """Entries appended by the ledger and by the raw limit, and the seconds each took."""

    entries: int = 0
    ours: float = 0.0
    raw: float = 0.0

    @property
    def ours_per_s(self) -> float:
        return self.entries / self.ours if self.ours else 0.0

    @property
    def raw_per_s(self) -> float:
        return self.entries / self.raw if self.raw else 0.0


def _leaf_position(index: int) -> int:
    return node_position(NodeID(0, index))


def _stored_groups(
    store: LedgerStore, start: int, end: int, per_commit: int
) -> list[tuple[list[EntryRow], list[NodeRow]]]:
    """The rows the ledger stored for entries start..end-1, in groups of ``per_commit``."""
    first, last = _leaf_position(start), _leaf_position(end)
    hashes = list(itertools.islice(store.iter_node_hashes(first), last - first))
    if len(hashes) != last - first:
        raise RuntimeError(f"expected {last - first} stored nodes from position {first}")
    groups: list[tuple[list[EntryRow], list[NodeRow]]] = []
    stored = store.entries(start, end)
    for offset in range(0, len(stored), per_commit):
        chunk = stored[offset : offset + per_commit]
        low = _leaf_position(chunk[0].index)
        high = _leaf_position(chunk[-1].index + 1)
        groups.append(
            (
                [
                    (e.index, e.kind, e.principal, e.timestamp, e.data, e.leaf_hash, e.link)
                    for e in chunk
                ],
                [(p, hashes[p - first]) for p in range(low, high)],
            )
        )
    return groups


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr when it is a terminal; yields update(done, total)."""
    started = time.perf_counter()
    if not stderr.is_terminal:
        yield lambda _done, _total: None
    else:
        # No refresh thread: it would take the GIL in the middle of timed calls. The bar
        # is redrawn by update(), which the benchmark calls between timed calls.
        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(
            "{task.description}", *columns, console=stderr, transient=True, auto_refresh=False
        ) as bar:
            task = bar.add_task(description, total=total)
            drawn = [0.0]

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)
                now = time.perf_counter()
                if now - drawn[0] >= 0.25 or done >= total:
                    drawn[0] = now
                    bar.refresh()

            yield update
    stderr.print(f"{description}: {time.perf_counter() - started:.1f} s")


def _children_rss() -> int:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def max_rss() -> int:
    """This process's peak resident set size so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


#: What the audit's child process runs: audit_child(database_url, data_dir).
_CHILD = "import sys; from ledger.bench import audit_child; audit_child(*sys.argv[1:3])"


def audit_child(database_url: str, data_dir: str) -> None:
    """Audit the ledger at ``database_url`` and print progress and one JSON result line.

    Runs in a child process of the benchmark (see Bench.audit); prints
    ``progress DONE TOTAL`` lines, then ``result {...}`` with the audit's seconds,
    the process's peak RSS before the audit and after it, and the entries checked.
    """
    settings = Settings(Path(data_dir), database_url, "127.0.0.1", 8000, "http://bench.invalid")
    ledger = open_ledger(settings, first_run=False)
    try:
        before = max_rss()
        began = time.perf_counter()
        report = audit(
            DatabaseSource(ledger.store),
            progress=lambda done, total: print(f"progress {done} {total}", flush=True),
        )
        seconds = time.perf_counter() - began
        if not report.ok:
            raise SystemExit(f"audit failed: {report.fault}")
        result = {
            "seconds": seconds,
            "rss_before": before,
            "rss_peak": max_rss(),
            # The audit's worker processes (ledger.audit.parallel): the largest one's peak.
            "rss_workers": _children_rss(),
            "entries": report.entries_checked,
        }
        print("result " + json.dumps(result), flush=True)
    finally:
        ledger.close()


def _traced_peak(action: Callable[[], object]) -> int:
    """Peak bytes Python allocated (tracemalloc) while ``action`` ran."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class Bench:
    """One run: a fresh ledger, its raw twin, and the figures measured on them."""

    def __init__(self, ledger: Ledger, raw: RawLimit, url: str, workdir: Path) -> None:
        self.ledger = ledger
        self.url = url
        self.workdir = workdir
        self.store = ledger.store
        self.raw = raw
        self.size = self.store.size()

    def appends_one_at_a_time(self, limit: int) -> Rate:
        """Single-entry appends alternating, round by round, with raw single inserts."""
        rate = Rate()
        with progress_bar("appends, one at a time", limit) as update:
            while rate.entries < limit and rate.ours < SINGLE_SECONDS:
                count = min(SINGLE_ROUND, limit - rate.entries)
                start = self.size
                drafts = list(sample_drafts(count, 1, start=start))
                began = time.perf_counter()
                for single in drafts:
                    self.ledger.log.append(single)
                rate.ours += time.perf_counter() - began
                self.size += count
                rate.raw += self.raw.insert(_stored_groups(self.store, start, self.size, 1))
                rate.entries += count
                update(rate.entries, limit)
        return rate

    def grow(self, target: int, rate: Rate, tail: Rate, tail_from: int) -> None:
        """Batched appends up to ``target`` entries, each batch followed by its raw twin.

        Batches that start at or after ``tail_from`` are also counted in ``tail``.
        """
        with progress_bar(
            f"appends, batches of {BATCH:,}, to {target:,} entries", target
        ) as update:
            for drafts in sample_drafts(target - self.size, BATCH, start=self.size):
                start = self.size
                began = time.perf_counter()
                self.ledger.log.append(drafts)
                ours = time.perf_counter() - began
                self.size += len(drafts)
                raw = self.raw.insert(_stored_groups(self.store, start, self.size, BATCH))
                for counted in (rate, tail) if start >= tail_from else (rate,):
                    counted.entries += len(drafts)
                    counted.ours += ours
                    counted.raw += raw
                update(self.size, target)

    def audit(self) -> dict[str, float]:
        """Audit the whole log in a fresh child process; its time and peak RSS.

        A process's peak RSS never goes down, so each audit runs in a process of its
        own: its peak is the audit's, at this size, and nothing else's.
        """
        command = [sys.executable, "-c", _CHILD, self.url, str(self.workdir)]
        with progress_bar(f"audit of {self.size:,} entries", self.size) as update:
            child = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            assert child.stdout is not None
            result: dict[str, float] = {}
            for line in child.stdout:
                word, _, rest = line.partition(" ")
                if word == "progress":
                    done, total = rest.split()
                    update(int(done), int(total))
                elif word == "result":
                    result = json.loads(rest)
            _, errors = child.communicate()
        if child.returncode != 0 or not result:
            raise RuntimeError(f"the audit process failed ({child.returncode}): {errors}")
        if result["entries"] != self.size:
            raise RuntimeError(f"the audit checked {result['entries']} of {self.size} entries")
        return result

    def hash_chain_rate(self, chunk: int = 20_000) -> float:
        """Bare SHA-256 chain steps per second over the stored entry bytes."""
        sha256 = hashlib.sha256
        digest = bytes(32)
        seconds = 0.0
        with progress_bar("raw SHA-256 chain over the entries", self.size) as update:
            for start in range(0, self.size, chunk):
                datas = [entry.data for entry in self.store.entries(start, start + chunk)]
                began = time.perf_counter()
                for data in datas:
                    digest = sha256(digest + data).digest()
                seconds += time.perf_counter() - began
                update(start + len(datas), self.size)
        return self.size / seconds

    def proofs(self, count: int, seed: int) -> dict[str, float]:
        """Inclusion and consistency proof latencies (ms), each beside a raw node fetch.

        Each latency is taken as wall time and as this thread's CPU time: on a busy
        machine the difference is time spent waiting for a core.
        """
        size, store, raw = self.size, self.store, self.raw
        rng = random.Random(seed)
        root = store.root(size)
        samples: dict[str, list[int]] = {}

        def timed(name: str, call: Callable[..., list[bytes]], *args: Any) -> list[bytes]:
            wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
            result = call(*args)
            cpu, wall = time.thread_time_ns() - cpu, time.perf_counter_ns() - wall
            samples.setdefault(name, []).append(wall)
            samples.setdefault(f"{name}_cpu", []).append(cpu)
            return result

        with progress_bar(f"{count:,} inclusion and consistency proofs", count) as update:
            for warm in range(20):  # pool connections and compiled statements
                store.inclusion_proof(warm, size)
                raw.fetch_nodes(_plan_positions(inclusion_proof_plan(warm, size)))
            for done in range(count):
                index = rng.randrange(size)
                proof = timed("inclusion", store.inclusion_proof, index, size)
                positions = _plan_positions(inclusion_proof_plan(index, size))
                timed("inclusion_raw", raw.fetch_nodes, positions)
                verify_inclusion(store.leaf_hash_at(index), index, size, proof, root)

                old = rng.randrange(1, size)
                new = rng.randrange(old + 1, size + 1)
                proof = timed("consistency", store.consistency_proof, old, new)
                positions = _plan_positions(consistency_proof_plan(old, new))
                timed("consistency_raw", raw.fetch_nodes, positions)
                verify_consistency(old, new, store.root(old), store.root(new), proof)
                update(done + 1, count)
        figures: dict[str, float] = {}
        for name, values in samples.items():
            ordered = sorted(values)
            figures[f"{name}_p50_ms"] = percentile(ordered, 0.50) / 1e6
            figures[f"{name}_p99_ms"] = percentile(ordered, 0.99) / 1e6
        return figures

    def append_peak(self) -> int:
        """Peak traced bytes of one batched append at the current size."""
        drafts = next(sample_drafts(BATCH, BATCH, start=self.size))
        peak = _traced_peak(lambda: self.ledger.log.append(drafts))
        self.size += len(drafts)
        return peak

    def checkpoint_latency(self, count: int) -> list[float]:
        """Seconds of LogService.checkpoint() after each of ``count`` single appends."""
        seconds: list[float] = []
        for single in sample_drafts(count, 1, start=self.size):
            self.ledger.log.append(single)
            self.size += 1
            began = time.perf_counter()
            self.ledger.log.checkpoint()
            seconds.append(time.perf_counter() - began)
        return sorted(seconds)

    def issuance(self, rows: int, batch: int, app_factory: AppFactory) -> IssuanceRate:
        """Certificates issued through the API in batches, each beside raw signatures."""
        with progress_bar(
            f"issuance of {rows:,} certificates, batches of {batch:,}", rows
        ) as update:
            rate = measure_issuance(
                self.ledger, rows, batch, app_factory=app_factory, progress=update
            )
        self.size = self.store.size()
        return rate


def _plan_positions(plan: list[list[NodeID]]) -> list[int]:
    """Storage positions of the nodes a proof plan reads."""
    return [node_position(node) for element in plan for node in element]
