"""The benchmark still runs end to end (at its smallest size) and reports every figure."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from api.app import create_app
from ledger.bench import run_benchmarks
from ledger.bench.http import run_http_bench
from ledger.bench.issuance import fictitious_holder, issuance_rows
from ledger.core.errors import InvalidInput
from ledger.domain.certificates import check_id_number, normalize_name


def test_a_small_benchmark_prints_each_figure_beside_its_limit() -> None:
    printed = io.StringIO()
    figures = run_benchmarks(
        entries=2_000,
        proofs=50,
        out=Console(file=printed, width=160),
        issuance_rows=30,
        issuance_batch=10,
        app_factory=create_app,
    )
    for rate, limit in (
        ("single_per_s", "single_limit_per_s"),
        ("batched_per_s", "batched_limit_per_s"),
        ("audit_per_s", "hash_limit_per_s"),
        ("issuance_per_s", "sign_limit_per_s"),
    ):
        assert figures[rate] > 0 and figures[limit] > 0, (rate, limit)
    assert figures["inclusion_p99_ms"] > 0 and figures["inclusion_raw_p99_ms"] > 0
    assert (figures["issuance_rows"], figures["issuance_requests"]) == (30, 3)
    assert 500 <= figures["signing_input_bytes"] <= 1_000  # a typical record's
    table = printed.getvalue()
    for measure in (
        "appends, batches of 1,000",
        "audit of",
        "inclusion proof p99",
        "certificates, POST /certificates/batch of 10",
        "Ed25519 sign",
        "raw limit",
    ):
        assert measure in table


def test_issuance_sizes_the_api_would_refuse_are_refused_before_anything_runs() -> None:
    with pytest.raises(InvalidInput, match="batches of 1 to 10,000"):
        run_benchmarks(entries=2_000, issuance_batch=10_001, app_factory=create_app)
    with pytest.raises(InvalidInput, match="rate limit"):
        run_benchmarks(
            entries=2_000, issuance_rows=100_000, issuance_batch=10, app_factory=create_app
        )


def test_the_benchmarks_holders_are_fictitious_well_formed_and_distinct() -> None:
    numbers = [*range(2_000), *range(10**7 - 2_000, 10**7)]
    holders = [fictitious_holder(number) for number in numbers]
    for name, id_number in holders:
        assert normalize_name(name) == name
        assert check_id_number(id_number) == id_number
    assert len({name for name, _ in holders}) == len(holders)
    assert len({id_number for _, id_number in holders}) == len(holders)
    rows = issuance_rows("1X-BENCH", 5, 2)
    assert [row["holder"]["name"] for row in rows] == [h[0] for h in holders[5:7]]


def test_the_http_phase_serves_loads_and_counts_every_acknowledged_write() -> None:
    # The Python load generator (wrk may be missing), under a second of load per measure.
    figures = run_http_bench(0.6, 1, connections=4, use_wrk=False)
    measures = figures["measures"]
    for name in ("writes", "loop", "hello_post", "reads", "hello_get"):
        assert measures[name].per_s > 0, name
        assert measures[name].failures == 0, name
    assert figures["acknowledged_writes"] > 0
    assert figures["deposits_in_ledger"] >= figures["acknowledged_writes"]
    assert measures["writes"].p99_ms >= measures["writes"].p50_ms > 0
