"""The ``certledger`` console command: serve, token, audit, seed, keys, bench, verify.

This module parses the command line; each subcommand is a thin shell over ledger/ and api/
in scripts/cli_ledger.py, cli_seed.py and cli_verify.py. Settings come from the environment
(README.md lists the variables).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape

from ledger.core.errors import LedgerError
from scripts.cli_backup import backup_command, restore_command
from scripts.cli_common import console
from scripts.cli_identity import identity_set_command, identity_show_command
from scripts.cli_ledger import (
    audit_command,
    bench_command,
    keys_list_command,
    keys_rotate_command,
    rebuild_command,
    serve_command,
    token_command,
)
from scripts.cli_seed import seed_command
from scripts.cli_staff import staff_invite_command
from scripts.cli_verify import VERIFY_EPILOG, verify_command

__all__ = ["main"]


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
    serve.set_defaults(run=serve_command)

    token = commands.add_parser(
        "token", help="print a bearer token for an operator (office, org ID, school ID, ...)"
    )
    token.add_argument("role", help="office, org, school, learner or auditor")
    token.add_argument("id", nargs="?", help="the org, school or learner id the token acts as")
    token.add_argument(
        "--ttl", type=int, default=3600, metavar="SECONDS", help="lifetime (default 3600)"
    )
    token.set_defaults(run=token_command)

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
    audit.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="replay a database in ranges on N processes (default: one per core, "
        "for logs of 50,000 entries or more; 1: in one process)",
    )
    audit.set_defaults(run=audit_command)

    rebuild = commands.add_parser(
        "rebuild",
        help="recreate every projection from the ledger's entries alone",
        description=(
            "Replay every entry and rewrite every table the service answers from: keys, "
            "credentials, the registry, certificates, the credit bank and the pilot's "
            "procedures (under the write lock; writers wait). What lives beside the ledger "
            "(personal data, documents, key secrets) and the ledger itself are not touched."
        ),
    )
    rebuild.add_argument(
        "--database-url", help="rebuild this database (default: the configured one)"
    )
    rebuild.set_defaults(run=rebuild_command)

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
    seed.set_defaults(run=seed_command)

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
    invite.set_defaults(run=staff_invite_command)

    keys = commands.add_parser("keys", help="list or rotate the signing keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_commands.add_parser("list", help="every key the ledger announced").set_defaults(
        run=keys_list_command
    )
    keys_commands.add_parser(
        "rotate", help="add a new signing key and retire the current one"
    ).set_defaults(run=keys_rotate_command)

    identity = commands.add_parser(
        "identity", help="show or change the ledger's public URL, origin and issuer"
    )
    identity_commands = identity.add_subparsers(
        dest="identity_command", required=True, metavar="ACTION"
    )
    identity_commands.add_parser("show", help="every identity the ledger recorded").set_defaults(
        run=identity_show_command
    )
    change = identity_commands.add_parser(
        "set",
        help="record a new public URL (stop the server first)",
        description=(
            "Record URL as the ledger's identity in a ledger.identity entry: new records, "
            "tokens and checkpoints name it; records signed before keep the issuer of "
            "their time and still verify. LEDGER_PUBLIC_URL never changes it."
        ),
    )
    change.add_argument("url", metavar="URL", help="https://ledger.example.edu.cn")
    change.set_defaults(run=identity_set_command)

    backup = commands.add_parser(
        "backup",
        help="copy the running ledger consistently, with its public keys and a manifest",
        description=(
            "Write DEST (a new folder): the database copy (SQLite VACUUM INTO, or pg_dump for "
            "PostgreSQL), jwks.json and vkey (the keys' public parts), the newest checkpoint "
            "and manifest.json (tree size, root, checkpoint, SHA-256 of each file). The "
            "server keeps running. Private keys are not copied: back up keys/ apart."
        ),
    )
    backup.add_argument("dest", type=Path, metavar="DEST", help="a new or empty folder")
    backup.set_defaults(run=backup_command)
    restore = commands.add_parser(
        "restore",
        help="put a backup's database in place of the configured one (server stopped)",
        description=(
            "Check SRC's files against its manifest, then replace the configured database "
            "with its copy. A ledger that has published a checkpoint larger than the backup "
            "refuses to sign (503) until a backup holding those entries is restored."
        ),
    )
    restore.add_argument("src", type=Path, metavar="SRC", help="a folder certledger backup wrote")
    restore.set_defaults(run=restore_command)

    bench = commands.add_parser("bench", help="measure appends, audit and proofs")
    bench.add_argument(
        "--entries", type=int, default=1_000_000, help="log size for audit and proofs"
    )
    bench.add_argument("--database-url", help="benchmark this (empty) database instead")
    bench.add_argument(
        "--http", action="store_true", help="only the HTTP phase: a served instance under load"
    )
    bench.add_argument(
        "--seconds", type=float, default=15.0, help="HTTP phase: seconds of load per measure"
    )
    bench.add_argument("--rounds", type=int, default=3, help="HTTP phase: interleaved rounds")
    bench.add_argument("--connections", type=int, default=64, help="HTTP phase: connections")
    bench.add_argument("--workers", type=int, default=1, help="HTTP phase: server processes")
    bench.add_argument(
        "--app-dir", type=Path, help="HTTP phase: serve the code of this checkout (a before run)"
    )
    bench.add_argument(
        "--server",
        default="httptools,uvloop",
        help="HTTP phase: uvicorn's http and loop, e.g. h11,asyncio (default httptools,uvloop)",
    )
    bench.add_argument(
        "--python-load", action="store_true", help="HTTP phase: the Python load generator, not wrk"
    )
    bench.set_defaults(run=bench_command)

    verify = commands.add_parser(
        "verify",
        help="check a verification record or QR code offline, against the ledger's JWKS",
        description=(
            "Check a certificate's verification record with no service: FILE is the record "
            "(GET /certificates/N/record), an older verification URL carrying it, or an image "
            "of such a QR code. The record's signature is checked against the JWKS; with "
            "--checkpoint and --proof, also that its entry is in the log. FILE may also be a "
            "signed transcript (GET /learners/A/transcript): its signature and items are "
            "listed, and with --url each item is checked against its entry in the log. A "
            "short link (<public URL>/verify/<number>) carries no record: save the record."
        ),
        epilog=VERIFY_EPILOG,
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
        "--url",
        help="for a transcript: check each item against its entry, fetched from this "
        "ledger's public API and proven in a checkpoint the JWKS signed",
    )
    verify.add_argument(
        "--origin",
        help="the log's origin you expect, such as ledger.example.edu.cn "
        "(default: taken from the record's iss)",
    )
    verify.set_defaults(run=verify_command)
    return parser


if __name__ == "__main__":
    sys.exit(main())
