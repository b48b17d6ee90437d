"""The benchmark's table: each figure, its raw limit, the ratio and whether a target is met."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ledger.bench.targets import (
    AUDIT_SECONDS_AT,
    AUDIT_SECONDS_TARGET,
    AUDIT_TARGET,
    BATCH,
    BATCHED_TARGET,
    CHECKPOINTS,
    INCLUSION_P99_TARGET_MS,
    ISSUANCE_TARGET,
    MEMORY_FLAT_FACTOR,
)


def print_report(out: Console, f: dict[str, Any]) -> None:
    def rate(value: float) -> str:
        return f"{value:,.0f}/s"

    def ratio(ours: float, limit: float) -> str:
        return f"{ours / limit:.0%}" if limit else "-"

    def met(ok: bool) -> str:
        return "[green]yes[/green]" if ok else "[red]no[/red]"

    def mib(value: int) -> str:
        return f"{value / 2**20:.1f} MiB"

    small, full = f["small_size"], f["full_size"]
    table = Table(title=f"certledger bench: {f['entries']:,} entries, {f['engine']}")
    for column in ("measure", "ours", "raw limit (same run)", "ratio", "target", "met?"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_row(
        "appends, one at a time",
        rate(f["single_per_s"]),
        rate(f["single_limit_per_s"]),
        ratio(f["single_per_s"], f["single_limit_per_s"]),
        "-",
        "-",
    )
    batched_ratio = f["batched_per_s"] / f["batched_limit_per_s"]
    table.add_row(
        f"appends, batches of {BATCH:,}",
        rate(f["batched_per_s"]),
        rate(f["batched_limit_per_s"]),
        f"{batched_ratio:.0%}",
        f">= {BATCHED_TARGET:.0%}",
        met(batched_ratio >= BATCHED_TARGET),
    )
    table.add_row(
        f"  of which the last 10% (to {f['entries']:,})",
        rate(f["tail_per_s"]),
        rate(f["tail_limit_per_s"]),
        ratio(f["tail_per_s"], f["tail_limit_per_s"]),
        "-",
        "-",
    )
    audit_ratio = f["audit_per_s"] / f["hash_limit_per_s"]
    table.add_row(
        f"audit of {full:,} entries",
        rate(f["audit_per_s"]),
        rate(f["hash_limit_per_s"]) + " SHA-256",
        f"{audit_ratio:.1%}",
        f">= {AUDIT_TARGET:.0%}",
        met(audit_ratio >= AUDIT_TARGET),
    )
    timed = full >= AUDIT_SECONDS_AT
    table.add_row(
        f"audit of {full:,} entries, wall time",
        f"{f['audit_s']:.1f} s",
        f"{full / f['hash_limit_per_s']:.1f} s SHA-256",
        "-",
        f"<= {AUDIT_SECONDS_TARGET:g} s" if timed else "-",
        met(f["audit_s"] <= AUDIT_SECONDS_TARGET) if timed else "-",
    )
    for name, label in (("inclusion", "inclusion proof"), ("consistency", "consistency proof")):
        for pct, cpu in (("p50", ""), ("p99", ""), ("p99", "_cpu")):
            ours, limit = f[f"{name}{cpu}_{pct}_ms"], f[f"{name}_raw{cpu}_{pct}_ms"]
            target = name == "inclusion" and pct == "p99" and not cpu
            table.add_row(
                f"{label} {pct}{' CPU time' if cpu else ''} at {full:,}",
                f"{ours:.3f} ms",
                f"{limit:.3f} ms fetch",
                f"{limit / ours:.0%}",
                f"<= {INCLUSION_P99_TARGET_MS:g} ms" if target else "-",
                met(ours <= INCLUSION_P99_TARGET_MS) if target else "-",
            )
    table.add_row(
        f"checkpoint p50 / max of {CHECKPOINTS}",
        f"{f['checkpoint_p50_ms']:.1f} / {f['checkpoint_max_ms']:.1f} ms",
        "-",
        "-",
        "-",
        "-",
    )
    audit_small = f["audit_rss_peak_small"] - f["audit_rss_before_small"]
    audit_full = f["audit_rss_peak_full"] - f["audit_rss_before_full"]
    growth = audit_full / max(audit_small, 1)
    table.add_row(
        f"audit RSS growth at {full:,}",
        mib(audit_full),
        f"{mib(audit_small)} at {small:,}",
        f"{growth:.2f}x",
        f"<= {MEMORY_FLAT_FACTOR:g}x",
        met(growth <= MEMORY_FLAT_FACTOR),
    )
    table.add_row(
        f"audit process peak RSS at {full:,}",
        mib(f["audit_rss_peak_full"]),
        f"{mib(f['audit_rss_peak_small'])} at {small:,}",
        f"{f['audit_rss_peak_full'] / f['audit_rss_peak_small']:.2f}x",
        "-",
        "-",
    )
    if f["audit_rss_workers_full"]:
        workers_growth = f["audit_rss_workers_full"] / max(f["audit_rss_workers_small"], 1)
        table.add_row(
            f"audit workers' peak RSS at {full:,}",
            mib(f["audit_rss_workers_full"]),
            f"{mib(f['audit_rss_workers_small'])} at {small:,}",
            f"{workers_growth:.2f}x",
            f"<= {MEMORY_FLAT_FACTOR:g}x",
            met(workers_growth <= MEMORY_FLAT_FACTOR),
        )
    append_growth = f["append_peak_full"] / f["append_peak_small"]
    table.add_row(
        f"append peak memory at {full:,}",
        mib(f["append_peak_full"]),
        f"{mib(f['append_peak_small'])} at {small:,}",
        f"{append_growth:.2f}x",
        f"<= {MEMORY_FLAT_FACTOR:g}x",
        met(append_growth <= MEMORY_FLAT_FACTOR),
    )
    issuance_ratio = f["issuance_per_s"] / f["sign_limit_per_s"]
    table.add_row(
        f"certificates, POST /certificates/batch of {f['issuance_batch']:,}",
        rate(f["issuance_per_s"]),
        rate(f["sign_limit_per_s"]) + " Ed25519 sign",
        f"{issuance_ratio:.1%}",
        f">= {ISSUANCE_TARGET:.0%}",
        met(issuance_ratio >= ISSUANCE_TARGET),
    )
    out.print(table)
    out.print(
        f"raw limit: {f['raw']}; ratio = ours / raw limit (proofs: raw fetch time / ours).\n"
        f"issuance: {f['issuance_rows']:,} certificates to fresh holders in "
        f"{f['issuance_requests']:,} requests, in process; raw limit: cryptography's "
        f"Ed25519 sign of a {f['signing_input_bytes']:,}-byte record signing input.\n"
        f"process peak RSS {mib(f['max_rss_bytes'])}; whole run {f['seconds']:.0f} s.\n"
        f"machine: {f['cpus']} CPUs, {f['platform']}, Python {f['python']}, "
        f"SQLite {f['sqlite']}; load average {f['load_before'][0]:.2f} before, "
        f"{f['load_after'][0]:.2f} after."
    )


def print_http_report(out: Console, f: dict[str, Any]) -> None:
    """The HTTP phase's table (ledger/bench/http.py): each load beside its limit."""
    from ledger.bench.http import READ_TARGET, WRITE_P99_TARGET_MS, WRITE_TARGET

    m = f["measures"]
    title = (
        f"certledger bench --http: {f['connections']} connections, {f['seconds']:g} s a measure "
        f"in {f['rounds']} rounds, {f['workers']} worker(s), {f['server']}, load by {f['tool']}"
    )
    table = Table(title=title)
    for column in (
        "measure",
        "rate",
        "p50",
        "p99",
        "failed",
        "limit (same run)",
        "ratio",
        "target",
    ):
        table.add_column(column, justify="left" if column == "measure" else "right")

    def row(name: str, ours: Any, limit: Any, target: str) -> None:
        ratio = f"{ours.per_s / limit.per_s:.2f}x" if limit and limit.per_s else "-"
        table.add_row(
            name,
            f"{ours.per_s:,.0f}/s",
            f"{ours.p50_ms:.1f} ms" if ours.runs and ours.runs[0].p50_ms else "-",
            f"{ours.p99_ms:.1f} ms" if ours.runs and ours.runs[0].p50_ms else "-",
            str(ours.failures),
            f"{limit.per_s:,.0f}/s" if limit else "-",
            ratio,
            target,
        )

    row("durable writes (deposits)", m["writes"], m["loop"], f">= {WRITE_TARGET}x")
    row("  the same, against hello world POST", m["writes"], m["hello_post"], "-")
    table.add_row("  p99 target", "", "", "", "", "", "", f"<= {WRITE_P99_TARGET_MS:g} ms")
    row("status reads", m["reads"], m["hello_get"], f">= {READ_TARGET:.0%}")
    row("bare sqlite3 loop, one row a commit", m["loop"], None, "-")
    row("hello world POST", m["hello_post"], None, "-")
    row("hello world GET", m["hello_get"], None, "-")
    out.print(table)
    out.print(
        f"{f['acknowledged_writes']:,} deposits answered 2xx (warm-up included); the ledger "
        f"holds {f['deposits_in_ledger']:,} new deposits (requests still in flight when a load "
        f"stopped count there, unanswered). Load average {f['load_average'][0]:.2f}."
    )
