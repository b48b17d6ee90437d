"""Tampering with a copy of the database, guards off: the audit fails and names the index.

Each case copies a signed ledger (SQLite: the file, triggers dropped; PostgreSQL:
CREATE DATABASE ... TEMPLATE, triggers disabled), changes the copy the way a forger
with database access would, and audits the copy from its database.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from keys.folder import KeyFolder
from ledger.audit.auditor import (
    BAD_SIGNATURE,
    ENTRY_CHANGED,
    ENTRY_MISSING,
    NODE_CHANGED,
    REORDERED,
    ROOT_MISMATCH,
    AuditReport,
    audit,
)
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.canonical import EntryDraft, decode_entry
from ledger.core.chain import chain_link
from ledger.core.merkle import NodeID, leaf_hash, node_position
from ledger.services.log import LogService
from ledger.settings import Settings
from ledger.storage.engine import create_ledger_engine
from ledger.storage.store import LedgerStore
from tests.integration.helpers import (
    ENGINES,
    Copier,
    all_nodes,
    append_raw,
    certledger,
    child_env,
    copy_database,
    make_settings,
    node_count,
    numbered,
    raw_engine,
    standalone_ledger,
)

#: The entry the cases tamper with, somewhere in the middle of the log.
K = 17
#: Entries in the log build() makes.
SIZE = 41


def build(ledger: Ledger) -> int:
    """Entry 0 (the key), then 40 entries in singles and a batch; signed. Returns SIZE."""
    for n in range(10):
        append_raw(ledger, numbered(1, n))
    append_raw(ledger, numbered(30, 10))
    ledger.log.checkpoint()
    return ledger.store.size()


def audit_copy(url: str, older_note: str | None = None) -> AuditReport:
    """Audit the copy at ``url`` in one process, and again in ranges by two worker
    processes (ranges of 6 entries here, one starting at K + 1); the reports must agree."""
    engine = create_ledger_engine(url)
    try:
        source = DatabaseSource(LedgerStore(engine))
        alone = audit(source, older_note=older_note, workers=1)
        in_ranges = audit(source, older_note=older_note, workers=2)
    finally:
        engine.dispose()
    assert in_ranges == alone, f"in ranges: {in_ranges.fault}; in one replay: {alone.fault}"
    return alone


# -- what a forger does ----------------------------------------------------------------


def _entry(connection: sa.Connection, index: int) -> tuple[bytes, bytes, bytes]:
    data, leaf, link = connection.execute(
        sa.text("SELECT data, leaf_hash, link FROM entries WHERE idx = :i"), {"i": index}
    ).one()
    return bytes(data), bytes(leaf), bytes(link)


def _store_entry(
    connection: sa.Connection, index: int, data: bytes, leaf: bytes, link: bytes
) -> None:
    connection.execute(
        sa.text("UPDATE entries SET data = :data, leaf_hash = :leaf, link = :link WHERE idx = :i"),
        {"data": data, "leaf": leaf, "link": link, "i": index},
    )


def _flip_payload_digit(data: bytes) -> bytes:
    """Change the last digit of the payload's number: one byte, still canonical JSON."""
    match = re.search(rb'"payload":\{"n":\d*(\d)\}', data)
    assert match is not None, data
    digit = match.start(1)
    changed = str((int(data[digit : digit + 1]) + 1) % 10).encode()
    return data[:digit] + changed + data[digit + 1 :]


def change_one_byte(connection: sa.Connection, _size: int, k: int) -> None:
    data, leaf, link = _entry(connection, k)
    _store_entry(connection, k, _flip_payload_digit(data), leaf, link)


def forge_entry(connection: sa.Connection, _size: int, k: int) -> None:
    """Change the data and store the leaf hash and chain link that go with it."""
    data, _leaf, _link = _entry(connection, k)
    _prev_data, _prev_leaf, prev_link = _entry(connection, k - 1)
    forged = _flip_payload_digit(data)
    leaf = leaf_hash(forged)
    _store_entry(connection, k, forged, leaf, chain_link(prev_link, leaf))


def _rewrite_nodes(connection: sa.Connection) -> None:
    leaves = [
        bytes(leaf)
        for leaf in connection.execute(sa.text("SELECT leaf_hash FROM entries ORDER BY idx"))
        .scalars()
        .all()
    ]
    stored = dict(connection.execute(sa.text("SELECT position, hash FROM merkle_nodes")).all())
    for position, digest in all_nodes(leaves).items():
        if bytes(stored[position]) != digest:
            connection.execute(
                sa.text("UPDATE merkle_nodes SET hash = :h WHERE position = :p"),
                {"h": digest, "p": position},
            )


def forge_entry_and_nodes(connection: sa.Connection, size: int, k: int) -> None:
    """The careful forger: data, leaf hash, link and every Merkle node recomputed."""
    forge_entry(connection, size, k)
    _rewrite_nodes(connection)


def forge_last_entry_and_nodes(connection: sa.Connection, size: int, _k: int) -> None:
    """No later entry links to the last one: only the signed root can catch this."""
    forge_entry_and_nodes(connection, size, size - 1)


def delete_entry(connection: sa.Connection, _size: int, k: int) -> None:
    connection.execute(sa.text("DELETE FROM entries WHERE idx = :i"), {"i": k})


def truncate_last_5(connection: sa.Connection, size: int, _k: int) -> None:
    connection.execute(sa.text("DELETE FROM entries WHERE idx >= :i"), {"i": size - 5})
    connection.execute(
        sa.text("DELETE FROM merkle_nodes WHERE position >= :p"), {"p": node_count(size - 5)}
    )


def swap_with_next(connection: sa.Connection, _size: int, k: int) -> None:
    first, second = _entry(connection, k), _entry(connection, k + 1)
    _store_entry(connection, k, *second)
    _store_entry(connection, k + 1, *first)


def change_merkle_node(connection: sa.Connection, _size: int, k: int) -> None:
    """The stored level-2 node over entry k and its three neighbours (16..19 for k = 17)."""
    position = node_position(NodeID(2, k >> 2))
    connection.execute(
        sa.text("UPDATE merkle_nodes SET hash = :h WHERE position = :p"),
        {"h": bytes(32), "p": position},
    )


def garble_signature(connection: sa.Connection, size: int, _k: int) -> None:
    """Keep the signature line and its key hash; replace the 64 signature bytes."""
    note = connection.execute(
        sa.text("SELECT note FROM checkpoints WHERE tree_size = :s"), {"s": size}
    ).scalar_one()
    body, blank, signature_line = note.rstrip("\n").rpartition("\n")
    prefix, _space, encoded = signature_line.rpartition(" ")
    raw = base64.b64decode(encoded)
    assert len(raw) == 4 + 64
    garbage = hashlib.sha512(b"not a signature").digest()
    forged = f"{body}{blank}{prefix} {base64.b64encode(raw[:4] + garbage).decode()}\n"
    connection.execute(
        sa.text("UPDATE checkpoints SET note = :n WHERE tree_size = :s"), {"n": forged, "s": size}
    )


def untouched(_connection: sa.Connection, _size: int, _k: int) -> None:
    """The control: a copy made the same way, guards off, nothing changed."""


@dataclass(frozen=True)
class Tampering:
    mutate: Callable[[sa.Connection, int, int], None]
    kind: str | None  # None: the audit passes
    index: Callable[[int], int | None]  # the index the fault names, from the log size


TAMPERINGS = {
    "untouched": Tampering(untouched, None, lambda size: None),
    "one_byte_in_data": Tampering(change_one_byte, ENTRY_CHANGED, lambda size: K),
    "data_leaf_and_link_recomputed": Tampering(forge_entry, NODE_CHANGED, lambda size: K),
    # Entry K is now self-consistent; entry K+1's prev link no longer matches it.
    "data_leaf_link_and_nodes_recomputed": Tampering(
        forge_entry_and_nodes, ENTRY_CHANGED, lambda size: K + 1
    ),
    "last_entry_and_nodes_recomputed": Tampering(
        forge_last_entry_and_nodes, ROOT_MISMATCH, lambda size: size - 1
    ),
    "entry_deleted": Tampering(delete_entry, ENTRY_MISSING, lambda size: K),
    "last_5_truncated": Tampering(truncate_last_5, ENTRY_MISSING, lambda size: size - 5),
    "swapped_with_next": Tampering(swap_with_next, REORDERED, lambda size: K),
    # The fault names the last entry under the changed node (16..19).
    "merkle_node_changed": Tampering(
        change_merkle_node, NODE_CHANGED, lambda size: ((K >> 2) + 1) * 4 - 1
    ),
    "signature_garbage": Tampering(garble_signature, BAD_SIGNATURE, lambda size: None),
}


@pytest.fixture(scope="module", params=ENGINES)
def original(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """One signed ledger per engine; every case tampers with its own copy of it."""
    with standalone_ledger(request.param, request, tmp_path_factory) as ledger:
        assert build(ledger) == SIZE
        assert audit(DatabaseSource(ledger.store)).ok
        ledger.close()  # a PostgreSQL template must have no open connections
        yield ledger


@pytest.fixture
def unguarded_copy(
    original: Ledger, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """A copy of the original database with the append-only guards off."""
    server = None
    if original.engine.dialect.name == "postgresql":
        server = request.getfixturevalue("postgres_server")
    url = copy_database(original, tmp_path, server, uuid.uuid4().hex[:8])
    yield url
    if server is not None:
        server.drop_database(make_url(url).database or "")


@pytest.mark.parametrize("name", TAMPERINGS, ids=TAMPERINGS.keys())
def test_audit_names_the_tampering(unguarded_copy: str, name: str) -> None:
    tampering = TAMPERINGS[name]
    with raw_engine(unguarded_copy) as engine, engine.begin() as connection:
        tampering.mutate(connection, SIZE, K)

    report = audit_copy(unguarded_copy)
    if tampering.kind is None:
        assert report.ok, report.fault
        assert report.entries_checked == report.tree_size == SIZE
        return
    assert report.fault is not None, f"{name} went unnoticed"
    found = (report.fault.kind, report.fault.index)
    assert found == (tampering.kind, tampering.index(SIZE)), str(report.fault)
    if report.fault.index is not None:
        assert str(report.fault).startswith(f"index {report.fault.index}: ")


def run_audit_cli(url: str, data_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = child_env(make_settings(data_dir, url))
    return subprocess.run(
        certledger("audit", "--database-url", url, *options),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_audit_of_a_tampered_sqlite_copy(sqlite_url: str, tmp_path: Path) -> None:
    ledger = open_ledger(make_settings(tmp_path / "data", sqlite_url))
    try:
        build(ledger)
        clean = copy_database(ledger, tmp_path, None, "clean")
        tampered = copy_database(ledger, tmp_path, None, "tampered")
    finally:
        ledger.close()
    with raw_engine(tampered) as engine, engine.begin() as connection:
        change_one_byte(connection, 0, K)

    failed = run_audit_cli(tampered, tmp_path / "cli")
    assert failed.returncode == 1, failed.stderr
    assert f"FAILED: index {K}: {ENTRY_CHANGED}" in failed.stdout
    in_ranges = run_audit_cli(tampered, tmp_path / "cli", "--workers", "2")
    assert (in_ranges.returncode, in_ranges.stdout) == (1, failed.stdout), in_ranges.stderr

    passed = run_audit_cli(clean, tmp_path / "cli")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.startswith("OK: 41 entries")


# -- an older checkpoint the auditor kept ----------------------------------------------


def rewrite_history(url: str, settings: Settings, k: int, replay: bool) -> None:
    """The forger with the signing key: drop entries k.., optionally append them again
    with entry k changed, and sign a fresh checkpoint. Self-consistent afterwards."""
    engine = create_ledger_engine(url)
    try:
        store = LedgerStore(engine)
        tail = [decode_entry(entry.data) for entry in store.iter_entries(k)]
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM checkpoints"))
            connection.execute(sa.text("DELETE FROM entries WHERE idx >= :k"), {"k": k})
            connection.execute(
                sa.text("DELETE FROM merkle_nodes WHERE position >= :p"), {"p": node_count(k)}
            )
        log = LogService(store, KeyFolder(settings.keys_dir), settings.origin, settings.public_url)
        if replay:
            drafts = [EntryDraft(entry.kind, entry.principal, entry.payload) for entry in tail]
            drafts[0] = EntryDraft(drafts[0].kind, drafts[0].principal, {"n": 999_999})
            with engine.begin() as connection:
                store.append_locked(connection, drafts)
        log.checkpoint()
    finally:
        engine.dispose()


def test_older_checkpoint(ledger: Ledger, copy_of: Copier, tmp_path: Path) -> None:
    append_raw(ledger, numbered(30))
    older = ledger.log.checkpoint()
    m = older.tree_size
    assert m == 31
    append_raw(ledger, numbered(20, 30))
    latest = ledger.log.checkpoint()

    report = audit(DatabaseSource(ledger.store), older_note=older.note)
    assert report.ok, report.fault
    assert (report.older_checkpoint, report.tree_size) == (m, latest.tree_size)

    k = 10
    changed = copy_of(ledger, "changed")
    rewritten = copy_of(ledger, "rewritten")
    rolled_back = copy_of(ledger, "rolledback")
    with raw_engine(changed) as engine, engine.begin() as connection:
        change_one_byte(connection, latest.tree_size, k)
    rewrite_history(rewritten, ledger.settings, k, replay=True)
    rewrite_history(rolled_back, ledger.settings, k, replay=False)

    fault = audit_copy(changed, older_note=older.note).fault
    assert fault is not None and (fault.kind, fault.index) == (ENTRY_CHANGED, k), fault

    # History rewritten from entry k and re-signed with the log's own key: consistent
    # in itself, so only the older checkpoint the auditor kept can tell.
    assert audit_copy(rewritten).ok
    fault = audit_copy(rewritten, older_note=older.note).fault
    assert fault is not None and (fault.kind, fault.index) == (ROOT_MISMATCH, m - 1), fault

    # Rolled back to k entries and re-signed: shorter than what the auditor saw.
    assert audit_copy(rolled_back).ok
    fault = audit_copy(rolled_back, older_note=older.note).fault
    assert fault is not None and (fault.kind, fault.index) == (ENTRY_MISSING, k), fault

    # The same through the command line, with the note in a file.
    note_file = tmp_path / "older.note"
    note_file.write_text(older.note)
    result = run_audit_cli(rewritten, tmp_path / "cli", "--older", str(note_file))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAILED: index {m - 1}: {ROOT_MISMATCH}" in result.stdout
