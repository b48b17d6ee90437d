"""``certledger backup DEST`` and ``certledger restore SRC``, and the checks ``serve`` runs on
a database before it serves it.

A backup folder holds the database copy (ledger.db, or ledger.pgdump from pg_dump), the
public parts of the keys (jwks.json, vkey), the newest signed checkpoint (checkpoint) and
manifest.json: tree size, root hash, checkpoint and the SHA-256 of every file. Private keys
are never in it: they stay in $LEDGER_DATA_DIR/keys/, backed up by the operator apart.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from keys.published import PublishedCheckpoint
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.errors import InvalidInput, LedgerError
from ledger.storage.backup import copy_database, quick_problems, restore_database
from ledger.storage.engine import create_ledger_engine, is_sqlite
from ledger.storage.store import LedgerStore
from scripts.cli_common import console, settings_from_env

__all__ = ["backup_command", "check_before_serving", "restore_command"]

MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_command(args: argparse.Namespace) -> int:
    """Run ``certledger backup DEST``: a consistent copy of the running ledger."""
    target: Path = args.dest
    if target.exists() and any(target.iterdir()):
        raise InvalidInput(f"{target} is not empty: a backup goes to a new folder")
    settings = settings_from_env()
    ledger = open_ledger(settings, first_run=False)
    try:
        # Sign the current tree first, so the copy holds a checkpoint of all it holds.
        ledger.log.checkpoint()
        target.mkdir(parents=True, exist_ok=True)
        sqlite = is_sqlite(settings.database_url)
        database = target / ("ledger.db" if sqlite else "ledger.pgdump")
        method = copy_database(ledger.engine, database)
        (target / "jwks.json").write_text(json.dumps(ledger.log.jwks(), indent=2) + "\n")
        (target / "vkey").write_text(ledger.log.vkey() + "\n")
    finally:
        ledger.close()
    size, root, note = _copy_head(database) if sqlite else _live_head()
    (target / "checkpoint").write_text(note)
    files = {p.name: _sha256(p) for p in sorted(target.iterdir()) if p.name != MANIFEST}
    manifest = {
        "format": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "method": method,
        "tree_size": size,
        "root": root.hex(),
        "checkpoint": note,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"backed up {size} entries (root {root.hex()}) to {target} with {method}")
    print("the private keys are not in it: keep $LEDGER_DATA_DIR/keys/ backed up apart")
    return 0


def _copy_head(database: Path) -> tuple[int, bytes, str]:
    """Tree size, root and newest checkpoint of the copied SQLite file itself."""
    engine = create_ledger_engine(f"sqlite+pysqlite:///{database}")
    try:
        store = LedgerStore(engine)
        size = store.size()
        latest = store.latest_checkpoint()
        assert latest is not None, "the backup signed a checkpoint before copying"
        return size, store.root(size), latest.note
    finally:
        engine.dispose()


def _live_head() -> tuple[int, bytes, str]:
    # pg_dump's snapshot began after the checkpoint was signed: the copy holds at least it.
    ledger = open_ledger(settings_from_env(), first_run=False)
    try:
        latest = ledger.log.checkpoint()
        return latest.tree_size, latest.root, latest.note
    finally:
        ledger.close()


def restore_command(args: argparse.Namespace) -> int:
    """Run ``certledger restore SRC``: check the backup's files, then put its database in
    place of the configured one (the server must be stopped)."""
    source: Path = args.src
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise InvalidInput(f"{source} holds no {MANIFEST}: not a certledger backup")
    manifest = json.loads(manifest_path.read_text())
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != expected:
            raise InvalidInput(f"{path} is missing or differs from the manifest: not restoring")
    settings = settings_from_env()
    sqlite = is_sqlite(settings.database_url)
    database = source / ("ledger.db" if sqlite else "ledger.pgdump")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_ledger_engine(settings.database_url)
    try:
        target = Path(engine.url.database or "") if sqlite else None
        restore_database(engine, database, target)
    finally:
        engine.dispose()
    print(f"restored {manifest['tree_size']} entries (root {manifest['root']}) from {source}")
    published = PublishedCheckpoint(settings.data_dir).read()
    if published is not None and published.tree_size > int(manifest["tree_size"]):
        console.print(
            f"[yellow]warning:[/yellow] this ledger has published a checkpoint of "
            f"{published.tree_size} entries, more than the backup holds: it will refuse to "
            "sign (503) until a backup holding them is restored"
        )
    return 0


def check_before_serving(ledger: Ledger) -> str | None:
    """Why the database must not be served (damaged pages, a chain that does not match its
    newest checkpoint), or None; a database behind its published checkpoint is served
    (reads work) but is reported, as it will refuse to sign."""
    try:
        damage = quick_problems(ledger.engine)
        if damage:
            return f"the database file is damaged: {'; '.join(damage)}"
        latest = ledger.store.latest_checkpoint()
        if latest is not None and ledger.store.root(latest.tree_size) != latest.root:
            return (
                f"the database's first {latest.tree_size} entries do not match its own "
                "newest signed checkpoint: the entries were changed"
            )
    except DatabaseError as exc:
        return f"the database cannot be read: it is damaged ({exc.orig or exc})"
    try:
        ledger.log.ensure_caught_up()
    except LedgerError as exc:
        console.print(f"[yellow]warning:[/yellow] {exc}")
    return None
