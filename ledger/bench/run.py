"""The benchmark behind ``certledger bench``: every figure beside a limit from the same run.

The machine this runs on is shared and noisy, so no figure is compared with a number
from elsewhere. Each is printed beside a raw limit measured in the same process on
the same disk, interleaved with it so that both see the same load:

- durable appends, one at a time and in batches of 1,000, through ``LogService.append``
  -- against raw inserts (stdlib ``sqlite3``, or ``psycopg`` on PostgreSQL) of the
  very rows the ledger stored, into identical tables without triggers, with the same
  durability (WAL + synchronous=FULL) and the same commits;
- the audit of the whole log -- against a bare SHA-256 chain over the same entry bytes;
- inclusion and consistency proofs -- against one raw query fetching the same nodes;
- memory: the peak RSS the audit adds, in a fresh process, at a tenth of the size and
  at the full size (flat means the same), and one batched append's traced peak;
- batch issuance: signed certificates per second through ``POST /certificates/batch``
  (the real app, in process), on the grown ledger -- against raw Ed25519 signatures of
  a record's signing input (issuance.py).

docs/performance.md explains each figure and records a full run.
"""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from ledger.bench.issuance import (
    AppFactory,
    check_issuance_size,
)
from ledger.bench.measure import Bench, Rate, max_rss, percentile, stderr
from ledger.bench.raw import PostgresRaw, RawLimit, SqliteRaw
from ledger.bench.report import print_report
from ledger.bench.targets import (
    BATCH,
    CHECKPOINTS,
    ISSUANCE_BATCH,
    ISSUANCE_ROWS,
    MIN_ENTRIES,
    PROOFS,
    SINGLE_MAX,
)
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.errors import InvalidInput
from ledger.settings import DEFAULT_RATE_LIMIT, Settings
from ledger.storage import migrate
from ledger.storage.engine import is_sqlite

# -- measuring ------------------------------------------------------------------------


# -- the run ---------------------------------------------------------------------------


def run_benchmarks(
    entries: int = 1_000_000,
    database_url: str | None = None,
    *,
    proofs: int = PROOFS,
    seed: int = 2026,
    out: Console | None = None,
    issuance_rows: int | None = None,
    issuance_batch: int = ISSUANCE_BATCH,
    app_factory: AppFactory,
) -> dict[str, Any]:
    """Build a fresh ledger of ``entries`` entries, measure it, print and return the figures.

    SQLite in a temporary directory by default; ``database_url`` names an empty
    database instead (PostgreSQL: the ledger's tables stay there afterwards, the raw
    limit's scratch schema is dropped). Batch issuance issues ``issuance_rows``
    certificates (default: a fifth of ``entries``, at least one batch and at most
    ISSUANCE_ROWS) in batches of ``issuance_batch`` through the app ``app_factory``
    builds (api.app.create_app: ledger/ never imports api/, so the caller passes it).
    Raises InvalidInput for fewer than MIN_ENTRIES entries, issuance sizes the API
    would refuse, or a database that already holds a ledger.
    """
    if entries < MIN_ENTRIES:
        raise InvalidInput(f"the benchmark needs at least {MIN_ENTRIES:,} entries")
    if issuance_rows is None:
        issuance_rows = min(ISSUANCE_ROWS, max(entries // 5, issuance_batch))
    check_issuance_size(issuance_rows, issuance_batch, DEFAULT_RATE_LIMIT)
    out = out or Console(width=None if sys.stdout.isatty() else 120)
    started = time.perf_counter()
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="certledger-bench-"))
    url = database_url or f"sqlite+pysqlite:///{workdir}/ledger.db"
    settings = Settings(workdir, url, "127.0.0.1", 8000, "http://bench.certledger.invalid")
    ledger: Ledger | None = None
    raw: RawLimit | None = None
    try:
        if database_url is not None:
            _refuse_a_ledger(settings)
        ledger = open_ledger(settings)
        active = ledger.log.registry.active()
        ours = active is not None and (settings.keys_dir / f"{active.kid}.pem").exists()
        if ledger.store.size() != 1 or not ours:
            raise InvalidInput("the benchmark needs an empty database; this one holds a ledger")
        if is_sqlite(url):
            ledger_file = Path(ledger.engine.url.database or "")
            raw = SqliteRaw(ledger_file, workdir / "raw.db")
            engine = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=FULL)"
        else:
            pg = PostgresRaw(url)
            raw = pg
            engine = f"PostgreSQL {pg.server_version // 10000}.{pg.server_version % 10000}"
        stderr.print(f"benchmarking {entries:,} entries on {engine} in {workdir}")
        bench = Bench(ledger, raw, url, workdir)
        figures = _measure(bench, entries, proofs, seed)
        issuance = bench.issuance(issuance_rows, issuance_batch, app_factory)
        figures.update(
            issuance_rows=issuance.certificates,
            issuance_batch=issuance_batch,
            issuance_requests=issuance.requests,
            issuance_per_s=issuance.per_s,
            sign_limit_per_s=issuance.sign_per_s,
            signing_input_bytes=issuance.signing_input_bytes,
        )
        figures["raw"] = raw.description
    finally:
        if raw is not None:
            raw.close()
        if ledger is not None:
            ledger.close()
        shutil.rmtree(workdir, ignore_errors=True)
    figures.update(
        engine=engine,
        entries=entries,
        cpus=os.cpu_count(),
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        platform=platform.platform(),
        load_before=load_before,
        load_after=os.getloadavg(),
        max_rss_bytes=max_rss(),
        seconds=time.perf_counter() - started,
    )
    print_report(out, figures)
    return figures


def _refuse_a_ledger(settings: Settings) -> None:
    """InvalidInput if the database already holds ledger entries (before writing any)."""
    probe = open_ledger(settings, first_run=False)
    try:
        if migrate.is_current(probe.engine) and probe.store.size() > 0:
            raise InvalidInput("the benchmark needs an empty database; this one holds a ledger")
    finally:
        probe.close()


def _measure(bench: Bench, entries: int, proofs: int, seed: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    single = bench.appends_one_at_a_time(min(SINGLE_MAX, entries // 20))
    figures.update(single_per_s=single.ours_per_s, single_limit_per_s=single.raw_per_s)

    # Grow to a tenth of the size (but past the audit's read batches) and audit there.
    small = max(min(max(entries // 10, 10_000), entries // 2), bench.size + BATCH)
    batched, tail = Rate(), Rate()
    tail_from = entries - entries // 10
    bench.grow(small, batched, tail, tail_from)
    bench.ledger.log.checkpoint()
    figures["small_size"] = bench.size
    small_audit = bench.audit()
    figures.update(
        audit_small_per_s=bench.size / small_audit["seconds"],
        audit_rss_before_small=small_audit["rss_before"],
        audit_rss_peak_small=small_audit["rss_peak"],
        audit_rss_workers_small=small_audit["rss_workers"],
    )
    figures["append_peak_small"] = bench.append_peak()
    bench.grow(entries, batched, tail, tail_from)
    figures.update(
        batched_per_s=batched.ours_per_s,
        batched_limit_per_s=batched.raw_per_s,
        tail_per_s=tail.ours_per_s,
        tail_limit_per_s=tail.raw_per_s,
    )

    began = time.perf_counter()
    bench.ledger.log.checkpoint()
    figures["first_checkpoint_s"] = time.perf_counter() - began
    figures["full_size"] = bench.size
    full_audit = bench.audit()
    figures.update(
        audit_per_s=bench.size / full_audit["seconds"],
        audit_s=full_audit["seconds"],
        audit_rss_before_full=full_audit["rss_before"],
        audit_rss_peak_full=full_audit["rss_peak"],
        audit_rss_workers_full=full_audit["rss_workers"],
    )
    figures["hash_limit_per_s"] = bench.hash_chain_rate()
    figures.update(bench.proofs(proofs, seed))
    figures["proofs"] = proofs
    figures["append_peak_full"] = bench.append_peak()
    latencies = bench.checkpoint_latency(CHECKPOINTS)
    figures["checkpoint_p50_ms"] = percentile(latencies, 0.5) * 1e3
    figures["checkpoint_max_ms"] = latencies[-1] * 1e3
    return figures
