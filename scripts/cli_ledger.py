"""The subcommands that run and look after a ledger: serve, token, audit, rebuild, keys, bench."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from ledger.bootstrap import open_ledger
from scripts.cli_backup import check_before_serving
from scripts.cli_common import console, progress_bar, settings_from_env

__all__ = [
    "audit_command",
    "bench_command",
    "keys_list_command",
    "keys_rotate_command",
    "rebuild_command",
    "serve_command",
    "token_command",
]


def serve_command(args: argparse.Namespace) -> int:
    """Run ``certledger serve``: create the database and keys if new, then serve."""
    import uvicorn

    from api.request_log import uvicorn_log_config

    if args.host:
        os.environ["LEDGER_HOST"] = args.host
    if args.port:
        os.environ["LEDGER_PORT"] = str(args.port)
    settings = settings_from_env()
    try:
        ledger = open_ledger(settings)  # first run: schema, data folder and signing keys
    except DatabaseError as exc:
        console.print(f"[red]error:[/red] the database cannot be read: it is damaged ({exc.orig})")
        console.print("not serving it: restore a backup (certledger restore SRC)")
        return 2
    problem = check_before_serving(ledger)
    if problem is not None:
        ledger.close()
        console.print(f"[red]error:[/red] {problem}")
        console.print("not serving it: restore a backup (certledger restore SRC)")
        return 2
    if ledger.adopt_identity() is not None:
        console.print(f"the ledger's identity is now {ledger.settings.public_url} (recorded)")
    settings = ledger.settings  # the stored identity, whatever LEDGER_PUBLIC_URL says
    size = ledger.store.size()
    kid = ledger.log.signing_key().kid
    ledger.close()
    console.print(f"ledger ready: {size} entries, signing key {kid}")
    console.print(f"data in {settings.data_dir}")
    console.print(f"open {settings.public_url}/  (API documentation: {settings.public_url}/schema)")
    # There are no default passwords: the operator mints the office's token locally.
    console.print("the office's bearer token: run `certledger token office` on this machine")
    uvicorn.run(
        "api.app:create_served_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        log_level="info",
        # One JSON object a line, each naming its request (api/request_log.py).
        log_config=uvicorn_log_config(),
        # The C parser and event loop of uvicorn[standard], named so a missing one fails
        # loudly instead of falling back to the slower pure-Python ones.
        http="httptools",
        loop="uvloop",
        # Rate limits key on the peer address where no principal exists yet; trusting
        # X-Forwarded-For from loopback would let a local client choose that address.
        proxy_headers=False,
    )
    return 0


def token_command(args: argparse.Namespace) -> int:
    """Run ``certledger token``: print a bearer token for a principal."""
    from ledger.core.principals import Principal

    principal = Principal.parse(args.role if args.id is None else f"{args.role}:{args.id}")
    ledger = open_ledger(settings_from_env())  # first run, so the token key exists
    try:
        token = ledger.tokens.mint(principal, ttl_seconds=args.ttl)
    finally:
        ledger.close()
    # The token goes to stdout only, so `export TOKEN=$(certledger token office)` works.
    print(token)
    return 0


def audit_command(args: argparse.Namespace) -> int:
    """Run ``certledger audit``: 0 when the ledger (and its projections) check out."""
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
        try:
            ledger = open_ledger(settings_from_env(args.database_url), first_run=False)
        except DatabaseError as exc:
            print(f"FAILED: the database cannot be read: it is damaged ({exc.orig or exc})")
            return 1
        source = DatabaseSource(ledger.store)
        where = "the database"
    try:
        damage = [] if ledger is None else ledger.store.integrity_problems()
        if damage:
            print(f"FAILED: the database file is damaged: {'; '.join(damage)}")
            return 1
        with progress_bar(f"auditing {where}") as update:
            report = audit(
                source, pinned=pinned, older_note=older, progress=update, workers=args.workers
            )
        # With the database at hand, every projection is checked against a replay too.
        differences = []
        if ledger is not None and report.ok:
            size = report.entries_checked
            with progress_bar("replaying the ledger into a scratch copy") as update:
                differences = ledger.log.differences(progress=lambda done: update(done, size))
    except DatabaseError as exc:
        print(f"FAILED: the database cannot be read: it is damaged ({exc.orig or exc})")
        return 1
    finally:
        if ledger is not None:
            ledger.close()
    if differences:
        print("FAILED: the projections differ from a replay of the ledger:")
        for difference in differences:
            print(f"  {difference}")
        print("run `certledger rebuild` to recreate them from the ledger")
        return 1
    if report.ok:
        print(
            f"OK: {report.entries_checked} entries: the chain holds; the checkpoint of "
            f"{report.tree_size} entries (root {report.root.hex()}) matches and is signed by "
            f"key {report.signed_by}"
        )
        if report.older_checkpoint is not None:
            print(f"OK: consistent with the older checkpoint of {report.older_checkpoint} entries")
        if report.unsigned:
            # The replay above went on past the checkpoint: the head was checked too.
            print(
                f"OK: the head at {report.entries_checked} entries checks out too (chain, leaf "
                f"hashes, stored Merkle nodes); the latest checkpoint lags it by "
                f"{report.unsigned} entries (a running service signs within a second or so)"
            )
        if ledger is not None:
            print("OK: every projection matches a replay of the ledger")
        return 0
    print(f"FAILED: {report.fault}")
    return 1


def rebuild_command(args: argparse.Namespace) -> int:
    """Run ``certledger rebuild``: recreate the projections from the entries."""
    ledger = open_ledger(settings_from_env(args.database_url), first_run=False)
    try:
        with progress_bar("replaying the ledger") as update:
            size = ledger.store.size()
            written = ledger.log.rebuild(lambda done: update(done, size))
    finally:
        ledger.close()
    rows = ", ".join(f"{count} {table}" for table, count in written.items())
    print(f"rebuilt from {size} entries: {rows}")
    return 0


def keys_list_command(_args: argparse.Namespace) -> int:
    """Run ``certledger keys list``: every key the ledger announced."""
    ledger = open_ledger(settings_from_env())
    try:
        for record in ledger.log.key_records():
            state = (
                "active" if record.retired_index is None else f"retired at {record.retired_index}"
            )
            print(f"{record.kid}  added at {record.added_index}  {state}")
    finally:
        ledger.close()
    return 0


def keys_rotate_command(_args: argparse.Namespace) -> int:
    """Run ``certledger keys rotate``: a new signing key; the old one retires."""
    ledger = open_ledger(settings_from_env())
    try:
        rotation = ledger.log.rotate_key()
        ledger.log.checkpoint()
    finally:
        ledger.close()
    print(f"new signing key {rotation.added} (entry {rotation.index}); retired {rotation.retired}")
    return 0


def bench_command(args: argparse.Namespace) -> int:
    """Run ``certledger bench``: measure and print the figures beside their limits."""
    from api.app import create_app
    from ledger.bench import run_benchmarks

    if args.http:
        from rich.console import Console

        from ledger.bench.http import run_http_bench
        from ledger.bench.report import print_http_report

        http, loop = args.server.split(",")
        figures = run_http_bench(
            args.seconds,
            args.rounds,
            connections=args.connections,
            workers=args.workers,
            app_dir=args.app_dir,
            server=(http, loop),
            use_wrk=False if args.python_load else None,
        )
        print_http_report(Console(width=None if sys.stdout.isatty() else 140), figures)
        return 0
    run_benchmarks(entries=args.entries, database_url=args.database_url, app_factory=create_app)
    return 0
