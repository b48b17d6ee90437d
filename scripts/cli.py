"""The ``certledger`` console command: serve, token, audit, seed, keys, bench.

Each subcommand is a thin shell over ledger/ and api/; settings come from the
environment (README.md lists the variables).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from ledger.bootstrap import open_ledger
from ledger.core.errors import LedgerError
from ledger.settings import Settings

console = Console(stderr=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except LedgerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certledger",
        description="Certificate ledger and credit bank for the 1+X pilot.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="create the database and keys if new, then serve")
    serve.add_argument("--host", help="interface to bind (default $LEDGER_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default $LEDGER_PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    serve.set_defaults(run=_serve)

    token = commands.add_parser(
        "token", help="print a bearer token for an operator (office, org ID, school ID, ...)"
    )
    token.add_argument("role", help="office, org, school, learner or auditor")
    token.add_argument("id", nargs="?", help="the org, school or learner id the token acts as")
    token.add_argument(
        "--ttl", type=int, default=3600, metavar="SECONDS", help="lifetime (default 3600)"
    )
    token.set_defaults(run=_token)

    audit = commands.add_parser(
        "audit", help="re-verify the chain, the Merkle root and the signed checkpoint"
    )
    where = audit.add_mutually_exclusive_group()
    where.add_argument("--url", help="audit a running instance through its public API")
    where.add_argument("--database-url", help="audit this database (default: the configured one)")
    audit.add_argument(
        "--older", type=Path, metavar="FILE", help="an older checkpoint note the log must extend"
    )
    audit.add_argument(
        "--vkey", metavar="VKEY", help="trust only this verifier key (note vkey text or a file)"
    )
    audit.set_defaults(run=_audit)

    seed = commands.add_parser("seed", help="append N realistic sample entries")
    seed.add_argument("count", type=int, help="how many entries")
    seed.add_argument("--batch", type=int, default=1000, help="entries per commit (default 1000)")
    seed.set_defaults(run=_seed)

    keys = commands.add_parser("keys", help="list or rotate the signing keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_commands.add_parser("list", help="every key the ledger announced").set_defaults(
        run=_keys_list
    )
    keys_commands.add_parser(
        "rotate", help="add a new signing key and retire the current one"
    ).set_defaults(run=_keys_rotate)

    bench = commands.add_parser("bench", help="measure appends, audit and proofs")
    bench.add_argument(
        "--entries", type=int, default=1_000_000, help="log size for audit and proofs"
    )
    bench.add_argument("--database-url", help="benchmark this (empty) database instead")
    bench.set_defaults(run=_bench)
    return parser


def _settings(database_url: str | None = None) -> Settings:
    settings = Settings.from_env()
    return replace(settings, database_url=database_url) if database_url else settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.host:
        os.environ["LEDGER_HOST"] = args.host
    if args.port:
        os.environ["LEDGER_PORT"] = str(args.port)
    settings = _settings()
    ledger = open_ledger(settings)  # first run: schema, data folder and signing keys
    size = ledger.store.size()
    kid = ledger.log.signing_key().kid
    ledger.close()
    console.print(f"ledger ready: {size} entries, signing key {kid}")
    console.print(f"data in {settings.data_dir}")
    console.print(f"open {settings.public_url}/log/checkpoint  (API: {settings.public_url}/schema)")
    # There are no default passwords: the operator mints the office's token locally.
    console.print("the office's bearer token: run `certledger token office` on this machine")
    uvicorn.run(
        "api.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        log_level="info",
        # Rate limits key on the peer address where no principal exists yet; trusting
        # X-Forwarded-For from loopback would let a local client choose that address.
        proxy_headers=False,
    )
    return 0


def _token(args: argparse.Namespace) -> int:
    from ledger.core.principals import Principal

    principal = Principal.parse(args.role if args.id is None else f"{args.role}:{args.id}")
    ledger = open_ledger(_settings())  # first run, so the token key exists
    try:
        token = ledger.tokens.mint(principal, ttl_seconds=args.ttl)
    finally:
        ledger.close()
    # The token goes to stdout only, so `export TOKEN=$(certledger token office)` works.
    print(token)
    return 0


def _audit(args: argparse.Namespace) -> int:
    from ledger.audit.auditor import audit
    from ledger.audit.sources import DatabaseSource, HttpSource
    from ledger.core.checkpoint import NoteVerifier

    pinned = []
    if args.vkey:
        text = Path(args.vkey).read_text() if Path(args.vkey).is_file() else args.vkey
        pinned = [NoteVerifier.from_vkey(text.strip())]
    older = args.older.read_text() if args.older else None
    ledger = None
    if args.url:
        source: DatabaseSource | HttpSource = HttpSource(args.url)
        where = args.url
    else:
        ledger = open_ledger(_settings(args.database_url), first_run=False)
        source = DatabaseSource(ledger.store)
        where = "the database"
    try:
        with _progress_bar(f"auditing {where}") as update:
            report = audit(source, pinned=pinned, older_note=older, progress=update)
    finally:
        if ledger is not None:
            ledger.close()
    if report.ok:
        print(
            f"OK: {report.entries_checked} entries: the chain holds; the checkpoint of "
            f"{report.tree_size} entries (root {report.root.hex()}) matches and is signed by "
            f"key {report.signed_by}"
        )
        if report.older_checkpoint is not None:
            print(f"OK: consistent with the older checkpoint of {report.older_checkpoint} entries")
        if report.unsigned:
            print(f"note: {report.unsigned} newer entries are not yet under a signed checkpoint")
        return 0
    print(f"FAILED: {report.fault}")
    return 1


def _seed(args: argparse.Namespace) -> int:
    from ledger.services.samples import sample_drafts

    if args.count < 0 or args.batch < 1:
        raise SystemExit("count must be >= 0 and --batch >= 1")
    ledger = open_ledger(_settings())
    try:
        with _progress_bar("seeding") as update:
            done = 0
            for drafts in sample_drafts(args.count, args.batch, start=ledger.store.size()):
                ledger.log.append(drafts)
                done += len(drafts)
                update(done, args.count)
        ledger.log.checkpoint()
        print(f"appended {args.count} sample entries; the log has {ledger.store.size()}")
    finally:
        ledger.close()
    return 0


def _keys_list(_args: argparse.Namespace) -> int:
    ledger = open_ledger(_settings())
    try:
        for record in ledger.log.key_records():
            state = (
                "active" if record.retired_index is None else f"retired at {record.retired_index}"
            )
            print(f"{record.kid}  added at {record.added_index}  {state}")
    finally:
        ledger.close()
    return 0


def _keys_rotate(_args: argparse.Namespace) -> int:
    ledger = open_ledger(_settings())
    try:
        rotation = ledger.log.rotate_key()
        ledger.log.checkpoint()
    finally:
        ledger.close()
    print(f"new signing key {rotation.added} (entry {rotation.index}); retired {rotation.retired}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from ledger.bench import run_benchmarks

    run_benchmarks(entries=args.entries, database_url=args.database_url)
    return 0


@contextmanager
def _progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on a terminal, silent otherwise; yields update(done, total)."""
    if not console.is_terminal:
        yield lambda _done, _total: None
        return
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress("{task.description}", *columns, console=console) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


if __name__ == "__main__":
    sys.exit(main())
