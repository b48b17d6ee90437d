"""The ``certledger`` console command: serve, token, audit, seed, keys, bench, verify.

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
from typing import Any

from rich.console import Console
from rich.markup import escape
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
        console.print(f"[red]error:[/red] {escape(str(exc))}")
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

    rebuild = commands.add_parser(
        "rebuild",
        help="recreate the credit bank's tables from the ledger's entries alone",
        description=(
            "Replay every entry and rewrite the learning accounts, enrolments, outcomes, "
            "conversion rules, conversions and balances from them (under the write lock; "
            "writers wait). The personal-data store and the ledger itself are not touched."
        ),
    )
    rebuild.add_argument(
        "--database-url", help="rebuild this database (default: the configured one)"
    )
    rebuild.set_defaults(run=_rebuild)

    seed = commands.add_parser(
        "seed",
        help="fill a fresh instance with a demo province (or append N sample entries)",
        description=(
            "Without N: fill a fresh ledger with a sample province through the normal "
            "services (organizations, pilot schools in every city, plans, sites, "
            "assessments, learners, certificates, conversions, revocations, exits). All "
            "personal data is fictitious. Refused when the ledger holds organizations or "
            "schools already. With N (or --samples N): append N sample entries, as a "
            "benchmark does."
        ),
    )
    seed.add_argument(
        "count", type=int, nargs="?", metavar="N", help="append N sample entries instead"
    )
    seed.add_argument("--samples", type=int, metavar="N", help="the same as a positional N")
    seed.add_argument(
        "--batch", type=int, default=1000, help="sample entries per commit (default 1000)"
    )
    seed.add_argument(
        "--scale",
        type=float,
        metavar="S",
        help="size of the province (default 1.0: 40 schools, about 3,000 learners)",
    )
    seed.set_defaults(run=_seed)

    staff = commands.add_parser("staff", help="invite staff to sign in to a console")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    invite = staff_commands.add_parser(
        "invite",
        help="print a one-time invitation URL (valid 72 hours) for a staff member",
        description=(
            "PRINCIPAL is office, auditor, auditor:ID, org:CREDIT_CODE or school:CODE. The "
            "person who opens the URL sets a username and password; office and auditor "
            "staff also set up a TOTP second factor at their first sign-in."
        ),
    )
    invite.add_argument("principal", help="whom the staff member acts for")
    invite.add_argument("--admin", action="store_true", help="may invite and disable colleagues")
    invite.set_defaults(run=_staff_invite)

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

    verify = commands.add_parser(
        "verify",
        help="check a verification record or QR code offline, against the ledger's JWKS",
        description=(
            "Check a certificate's verification record with no service: FILE is the record "
            "(GET /certificates/N/record), the verification URL of its QR code, or an image "
            "(PNG, JPEG, ...) of the QR code. The record's signature is checked against the "
            "JWKS; with --checkpoint and --proof, also that its entry is in the log."
        ),
        epilog=_VERIFY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument(
        "file", type=Path, metavar="FILE", help="a record, a verification URL or a QR code image"
    )
    verify.add_argument(
        "--jwks",
        type=Path,
        required=True,
        metavar="JWKS.json",
        help="the ledger's keys, as GET /.well-known/jwks.json serves them",
    )
    verify.add_argument(
        "--checkpoint",
        type=Path,
        metavar="CHECKPOINT.txt",
        help="a signed checkpoint, as GET /log/checkpoint serves it",
    )
    verify.add_argument(
        "--proof",
        type=Path,
        metavar="PROOF.json",
        help="GET /log/proof/inclusion?index=I&size=N: I the record's index, N the "
        "checkpoint's size (needs --checkpoint)",
    )
    verify.add_argument(
        "--origin",
        help="the log's origin you expect, such as ledger.example.edu.cn "
        "(default: taken from the record's iss)",
    )
    verify.set_defaults(run=_verify)
    return parser


_VERIFY_EPILOG = """\
verdicts (and exit status):
  valid     (0)  signed by a key of the JWKS, and the proof shows its entry in the
                 checkpoint's tree, which a key of the JWKS signed
  signed    (0)  signed by a key of the JWKS; inclusion not checked (no --checkpoint
                 and --proof given)
  unproven  (1)  signed by a key of the JWKS, but the checkpoint or the proof given do
                 not prove its inclusion (not signed by the JWKS, another entry's proof,
                 a proof for another tree size, a checkpoint older than the record)
  forged    (1)  the record does not parse, its key is not in the JWKS, its signature
                 or its payload fails, a URL leads elsewhere than the ledger that signed
                 it, or the log holds another entry at its index
  exit status 2: a usage error (a missing or unreadable file, an unusable JWKS, no QR
  code in the image).
Revocation cannot be checked offline: a record says nothing about it. Ask
GET <public URL>/certificates/<number>/status.
"""


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
        # With the database at hand, the projections are checked against a replay too.
        differences = ledger.credit_bank.audit() if ledger is not None and report.ok else []
    finally:
        if ledger is not None:
            ledger.close()
    if differences:
        print("FAILED: the credit bank's tables differ from a replay of the ledger:")
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
            print(f"note: {report.unsigned} newer entries are not yet under a signed checkpoint")
        if ledger is not None:
            print("OK: the credit bank's tables match a replay of the ledger")
        return 0
    print(f"FAILED: {report.fault}")
    return 1


def _rebuild(args: argparse.Namespace) -> int:
    ledger = open_ledger(_settings(args.database_url), first_run=False)
    try:
        with _progress_bar("replaying the ledger") as update:
            size = ledger.store.size()
            written = ledger.credit_bank.rebuild(lambda done: update(done, size))
    finally:
        ledger.close()
    rows = ", ".join(f"{count} {table}" for table, count in written.items())
    print(f"rebuilt from {size} entries: {rows}")
    return 0


def _seed(args: argparse.Namespace) -> int:
    if args.count is not None and args.samples is not None:
        raise SystemExit("give N or --samples N, not both")
    count = args.samples if args.count is None else args.count
    if count is None:
        return _seed_province(args.scale)
    if args.scale is not None:
        raise SystemExit("--scale sizes the province; it does not apply to N sample entries")
    return _seed_samples(count, args.batch)


def _seed_province(scale: float | None) -> int:
    import time

    from ledger.seed import seed_province
    from ledger.services.certificates import china_today

    settings = _settings()
    ledger = open_ledger(settings)
    started = time.monotonic()
    try:
        with _progress_bar("seeding the province") as update:
            summary = seed_province(ledger, scale=1.0 if scale is None else scale, progress=update)
    finally:
        ledger.close()
    url, s = settings.public_url, summary
    lines = [
        f"seeded a sample province for {s.year} in {time.monotonic() - started:.1f} s: "
        f"{s.entries} ledger entries (all personal data is fictitious)",
        f"  {s.orgs} organizations, {s.standards} standards, {s.schools} pilot schools "
        f"(school {s.suspended_school} and organization {s.suspended_org} suspended)",
        f"  {s.plans} plans, {s.sites} assessment sites (none in {', '.join(s.gap_cities)}), "
        f"{s.assessments} assessments, {s.monitoring_points} monitoring points, "
        f"{s.reports} self-evaluation reports",
        f"  {s.learners} learners, {s.certificates} certificates ({s.revocations} revoked), "
        f"{s.course_credits} course credits, {s.conversions} conversions "
        f"({s.reversals} reversed) under {s.rules} rules",
        "open:",
        f"  {url}/verify",
        f"  {url}/learner",
        f"  {url}/reports/bulletin?period={china_today():%Y-%m}",
        "the office's token: certledger token office",
        "demo staff accounts (demo data; sign in at " + f"{url}/console/sign-in):",
        *(
            f"  {who:<32} username {user:<14} password {password}"
            for who, user, password in s.staff
        ),
        "  the office's and the auditor's second factor (TOTP) is set up at their first sign-in",
    ]
    if s.learner:
        lines.append(
            f"demo learner (demo data; sign in at {url}/learner/sign-in): "
            f"account {s.learner[0]} activation code {s.learner[1]}"
        )
    if s.example_account:
        lines += [
            f"a learner's token: certledger token learner {s.example_account}",
            f"one of their certificates: {s.example_verify_url}",
        ]
    print("\n".join(lines))
    return 0


def _seed_samples(count: int, batch: int) -> int:
    from ledger.services.samples import sample_drafts

    if count < 0 or batch < 1:
        raise SystemExit("count must be >= 0 and --batch >= 1")
    ledger = open_ledger(_settings())
    try:
        with _progress_bar("seeding") as update:
            done = 0
            for drafts in sample_drafts(count, batch, start=ledger.store.size()):
                ledger.log.append(drafts)
                done += len(drafts)
                update(done, count)
        ledger.log.checkpoint()
        print(f"appended {count} sample entries; the log has {ledger.store.size()}")
    finally:
        ledger.close()
    return 0


def _staff_invite(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from ledger.core.principals import Principal
    from ledger.domain.staff import StaffRole

    party = Principal.parse(args.principal)
    settings = _settings()
    ledger = open_ledger(settings)
    try:
        role = StaffRole.ADMIN if args.admin else StaffRole.CLERK
        invitation = ledger.staff.invite(None, party, role)
    finally:
        ledger.close()
    expires = datetime.fromtimestamp(invitation.expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    console.print(
        f"invited a {role.value} of {party} (staff account {invitation.account}, ledger "
        f"index {invitation.index}); the URL works once, until {expires}:"
    )
    print(f"{settings.public_url}/console/invitations/{invitation.secret}")
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
    from api.app import create_app
    from ledger.bench import run_benchmarks

    run_benchmarks(entries=args.entries, database_url=args.database_url, app_factory=create_app)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from rich.table import Table

    from ledger.audit.records import Outcome, Verdict, verify_record_offline
    from ledger.core.errors import InvalidInput

    if args.proof is not None and args.checkpoint is None:
        raise InvalidInput("--proof needs --checkpoint: the proof leads to the checkpoint's root")
    try:
        text = _record_text(args.file)
        jwks = _json_file(args.jwks, "--jwks")
        note = _text_file(args.checkpoint, "--checkpoint") if args.checkpoint else None
        proof = _json_file(args.proof, "--proof") if args.proof else None
        report = verify_record_offline(text, jwks, note, proof, args.origin)
    except LedgerError as exc:
        raise InvalidInput(str(exc)) from None

    out = Console(highlight=False)
    styles = {Outcome.OK: "green", Outcome.FAILED: "red", Outcome.NOT_CHECKED: "yellow"}
    table = Table(title=f"verification record: {escape(str(args.file))}")
    for column in ("check", "outcome", "detail"):
        table.add_column(column)
    for check in report.checks:
        style = styles[check.outcome]
        table.add_row(check.name, f"[{style}]{check.outcome}[/{style}]", escape(check.detail))
    out.print(table)
    if report.claims is not None:
        claims = report.claims
        out.print(
            escape(
                f"certificate {claims['certificate']}: {claims['standard']} "
                f"{claims['standard_title']}, {claims['level']}, holder {claims['holder']}, "
                f"issued on {claims['issued_on']} by {claims['org_name']} ({claims['org']}); "
                f"entry {claims['index']} of {claims['iss']}"
            )
        )
    meaning = {
        Verdict.VALID: "signed by a key of the JWKS and included in the signed checkpoint",
        Verdict.SIGNED: "signed by a key of the JWKS; inclusion not checked "
        "(give --checkpoint and --proof)",
        Verdict.UNPROVEN: "signed by a key of the JWKS, but the checkpoint or proof given "
        "do not prove its inclusion",
        Verdict.FORGED: "the record fails a check",
    }[report.verdict]
    style = "green" if report.verdict in (Verdict.VALID, Verdict.SIGNED) else "red"
    out.print(f"verdict: [bold {style}]{report.verdict}[/bold {style}]: {escape(meaning)}")
    for note_text in report.notes:
        out.print(escape(note_text))
    return 0 if report.verdict in (Verdict.VALID, Verdict.SIGNED) else 1


def _file_bytes(path: Path, option: str) -> bytes:
    from ledger.core.errors import InvalidInput

    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{option} {path}: {exc.strerror or exc}") from None


def _text_file(path: Path, option: str) -> str:
    from ledger.core.errors import InvalidInput

    try:
        return _file_bytes(path, option).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{option} {path} is not UTF-8 text") from None


def _json_file(path: Path, option: str) -> Any:
    import json

    from ledger.core.errors import InvalidInput

    try:
        return json.loads(_text_file(path, option))
    except ValueError as exc:
        raise InvalidInput(f"{option} {path} is not JSON: {exc}") from None


def _record_text(path: Path) -> str:
    """The text of FILE, or the text of the one QR code in it if it is an image."""
    import io

    from PIL import Image, UnidentifiedImageError

    from ledger.core.errors import InvalidInput

    data = _file_bytes(path, "FILE")
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:  # not an image: a record or a URL
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{path} is neither an image nor UTF-8 text") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"{path}: cannot read the image: {exc}") from None
    import zxingcpp

    try:
        codes = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"{path}: cannot read the image: {exc}") from None
    texts = sorted({code.text for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode})
    if not texts:
        raise InvalidInput(f"{path}: no QR code found in the image")
    if len(texts) > 1:
        raise InvalidInput(f"{path}: the image holds {len(texts)} different QR codes; crop it")
    return texts[0]


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
