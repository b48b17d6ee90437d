"""The auditor: replay the whole log and check it against its signed checkpoints.

It trusts nothing but the entries' bytes, the keys the log itself announced (or a
key pinned by the auditor) and the signatures; it stops at the first fault.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from ledger.audit.checks import (
    BAD_CHECKPOINT,
    BAD_SIGNATURE,
    ENTRY_CHANGED,
    ENTRY_MISSING,
    NODE_CHANGED,
    REORDERED,
    ROOT_MISMATCH,
    AuditedEntry,
    Cursor,
    EntryRecord,
    Failed,
    Fault,
    Progress,
    node_comparer,
    replay_entries,
)
from ledger.audit.parallel import RangeSource, replay_in_ranges
from ledger.core.chain import GENESIS_LINK
from ledger.core.checkpoint import Checkpoint, NoteVerifier, SignedNote, key_hash
from ledger.core.errors import BadSignature, MalformedNote
from ledger.core.merkle import CompactRange
from ledger.core.signing import VerifyingKey

__all__ = [
    "BAD_CHECKPOINT",
    "BAD_SIGNATURE",
    "ENTRY_CHANGED",
    "ENTRY_MISSING",
    "NODE_CHANGED",
    "PARALLEL_MIN_ENTRIES",
    "REORDERED",
    "ROOT_MISMATCH",
    "AuditReport",
    "AuditSource",
    "AuditedEntry",
    "EntryRecord",
    "Fault",
    "audit",
]

#: The smallest log audited in ranges by several processes when the caller does not say.
PARALLEL_MIN_ENTRIES = 50_000


class AuditSource(Protocol):
    """Where the auditor reads a log: a database or a running instance's public API."""

    def checkpoint_note(self) -> str:
        """The latest signed checkpoint note."""
        ...

    def entries(self) -> Iterator[EntryRecord]:
        """Every entry from index 0 on, in stored order, as they are stored."""
        ...

    def node_hashes(self) -> Iterator[bytes] | None:
        """Stored Merkle node hashes in position order, or None when the source has none."""
        ...


@dataclass(slots=True)
class AuditReport:
    """The outcome of an audit; ``fault`` is None when everything held."""

    tree_size: int = 0
    entries_checked: int = 0
    root: bytes = b""
    signed_by: str | None = None
    older_checkpoint: int | None = None
    unsigned: int = 0
    fault: Fault | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no fault was found."""
        return self.fault is None


def audit(
    source: AuditSource,
    *,
    origin: str | None = None,
    pinned: Iterable[NoteVerifier] = (),
    older_note: str | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> AuditReport:
    """Replay ``source`` and check chain, Merkle root and signatures.

    The latest checkpoint must be signed by ``pinned`` verifiers when any are given,
    else by a key the log announced in a ``key.added`` entry. ``older_note`` is an
    earlier checkpoint the auditor kept: the log must be consistent with it.
    Memory stays bounded whatever the log's size. Never raises for a bad log: the
    report's ``fault`` names the first bad index and what is wrong.

    A source that names its database (RangeSource) of at least PARALLEL_MIN_ENTRIES
    entries is replayed in ranges by ``workers`` processes (default: one per core),
    stitched in order; the report is the same as one replay's. ``workers=1`` replays in
    this process; ``workers`` above 1 runs the processes whatever the log's size.
    """
    report = AuditReport()
    try:
        _audit(source, report, origin, list(pinned), older_note, progress, workers)
    except Failed as failed:
        report.fault = failed.fault
    return report


def _parse_checkpoint(
    note_text: str, origin: str | None, what: str
) -> tuple[SignedNote, Checkpoint]:
    try:
        note = SignedNote.from_text(note_text)
        checkpoint = Checkpoint.from_text(note.text)
    except MalformedNote as exc:
        raise Failed(Fault(None, BAD_CHECKPOINT, f"{what} does not parse: {exc}")) from exc
    if origin is not None and checkpoint.origin != origin:
        raise Failed(
            Fault(
                None, BAD_CHECKPOINT, f"{what} is for origin {checkpoint.origin!r}, not {origin!r}"
            )
        )
    return note, checkpoint


def _audit(
    source: AuditSource,
    report: AuditReport,
    origin: str | None,
    pinned: list[NoteVerifier],
    older_note: str | None,
    progress: Progress | None,
    workers: int | None,
) -> None:
    latest_note, latest = _parse_checkpoint(source.checkpoint_note(), origin, "latest checkpoint")
    parallel_url = _parallel_url(source, workers)
    report.tree_size = latest.size
    older: tuple[SignedNote, Checkpoint] | None = None
    if older_note is not None:
        older = _parse_checkpoint(older_note, latest.origin, "older checkpoint")
        report.older_checkpoint = older[1].size
        if older[1].size > latest.size:
            raise Failed(
                Fault(
                    latest.size,
                    ENTRY_MISSING,
                    f"the older checkpoint has {older[1].size} entries, "
                    f"the latest only {latest.size}: the log was truncated",
                )
            )

    checks = {latest.size} if older is None else {latest.size, older[1].size}

    def before(size: int, tree: CompactRange) -> None:
        # The roots the checkpoints commit to, as soon as the replay reaches their size.
        if older is not None and size == older[1].size:
            _check_root(tree, older[1], "the older checkpoint")
        if size == latest.size:
            _check_root(tree, latest, "the latest checkpoint")

    cursor = Cursor(0, GENESIS_LINK, "", CompactRange())
    announced: list[VerifyingKey] = []
    try:
        if parallel_url is not None:
            assert isinstance(source, RangeSource)
            replay_in_ranges(
                parallel_url, source, cursor, announced, checks, before, workers, progress
            )
        else:
            stored_nodes = source.node_hashes()
            replay_entries(
                source.entries(),
                cursor,
                node_comparer(stored_nodes),
                announced,
                checks=checks,
                before=before,
                progress=progress,
                total=latest.size,
            )
    finally:
        report.entries_checked = cursor.expected
    expected, tree = cursor.expected, cursor.tree
    if progress is not None:
        progress(expected, expected)

    if expected < latest.size:
        raise Failed(
            Fault(
                expected,
                ENTRY_MISSING,
                f"the log holds {expected} entries but its checkpoint commits to {latest.size}",
            )
        )
    if older is not None and older[1].size == expected:
        _check_root(tree, older[1], "the older checkpoint")
    if latest.size == expected:
        _check_root(tree, latest, "the latest checkpoint")
    report.root = latest.root
    report.unsigned = expected - latest.size

    verifiers = pinned or [
        NoteVerifier(latest.origin, key_hash(latest.origin, key), key) for key in announced
    ]
    report.signed_by = _check_signature(latest_note, verifiers, "latest checkpoint")
    if older is not None:
        _check_signature(older[0], verifiers, "older checkpoint")


def _parallel_url(source: AuditSource, workers: int | None) -> str | None:
    """The database URL to replay in ranges, or None to replay in this process."""
    if (workers is not None and workers <= 1) or not isinstance(source, RangeSource):
        return None
    url = source.database_url()
    if url is None:
        return None
    if workers is None and ((os.cpu_count() or 1) < 2 or source.size() < PARALLEL_MIN_ENTRIES):
        return None
    return url


def _check_root(tree: CompactRange, checkpoint: Checkpoint, what: str) -> None:
    root = tree.root()
    if root != checkpoint.root:
        raise Failed(
            Fault(
                checkpoint.size - 1,
                ROOT_MISMATCH,
                f"the root of the first {checkpoint.size} entries is {root.hex()}, "
                f"{what} says {checkpoint.root.hex()}",
            )
        )


def _check_signature(note: SignedNote, verifiers: list[NoteVerifier], what: str) -> str:
    try:
        verifier = note.verify(verifiers)
    except BadSignature as exc:
        raise Failed(Fault(None, BAD_SIGNATURE, f"{what}: {exc}")) from exc
    return verifier.key.thumbprint()
