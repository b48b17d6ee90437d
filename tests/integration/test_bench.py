"""The benchmark still runs end to end (at its smallest size) and reports every figure."""

from __future__ import annotations

import io

from rich.console import Console

from ledger.bench import run_benchmarks


def test_a_small_benchmark_prints_each_figure_beside_its_limit() -> None:
    printed = io.StringIO()
    figures = run_benchmarks(entries=2_000, proofs=50, out=Console(file=printed, width=160))
    for rate, limit in (
        ("single_per_s", "single_limit_per_s"),
        ("batched_per_s", "batched_limit_per_s"),
        ("audit_per_s", "hash_limit_per_s"),
    ):
        assert figures[rate] > 0 and figures[limit] > 0, (rate, limit)
    assert figures["inclusion_p99_ms"] > 0 and figures["inclusion_raw_p99_ms"] > 0
    table = printed.getvalue()
    for measure in ("appends, batches of 1,000", "audit of", "inclusion proof p99", "raw limit"):
        assert measure in table
