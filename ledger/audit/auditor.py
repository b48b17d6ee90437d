"""The auditor: replay the whole log and check it against its signed checkpoints.

It trusts nothing but the entries' bytes, the keys the log itself announced (or a
key pinned by the auditor) and the signatures; it stops at the first fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import msgspec

from ledger.audit.codec import AUDIT_CODEC
from ledger.core.canonical import Entry, decode_entry
from ledger.core.chain import GENESIS_LINK, chain_link
from ledger.core.checkpoint import Checkpoint, NoteVerifier, SignedNote, key_hash
from ledger.core.errors import BadSignature, EncodingError, MalformedNote, SigningKeyError
from ledger.core.merkle import CompactRange, NodeID, leaf_hash, node_position
from ledger.core.signing import VerifyingKey
from ledger.kinds import KINDS, Kind, role_of

#: Fault kinds an audit names; each report says which one and at which index.
ENTRY_CHANGED = "entry changed"
ENTRY_MISSING = "entry missing"
REORDERED = "reordered"
ROOT_MISMATCH = "root mismatch"
BAD_SIGNATURE = "bad signature"
BAD_CHECKPOINT = "bad checkpoint"
NODE_CHANGED = "merkle node changed"


@dataclass(frozen=True, slots=True)
class AuditedEntry:
    """An entry from a source that has no stored link (the public API serves none)."""

    index: int
    data: bytes
    leaf_hash: bytes | None = None
    link: bytes | None = None


class EntryRecord(Protocol):
    """What the auditor reads of an entry: its bytes, and the hashes the source claims.

    AuditedEntry and the store's StoredEntry both have this shape, so a database source
    hands over its rows as they are read, without a copy per entry.
    """

    @property
    def index(self) -> int: ...

    @property
    def data(self) -> bytes: ...

    @property
    def leaf_hash(self) -> bytes | None: ...

    @property
    def link(self) -> bytes | None: ...


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


@dataclass(frozen=True, slots=True)
class Fault:
    """The first thing found wrong: where, what kind, and a sentence for a person."""

    index: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = "" if self.index is None else f"index {self.index}: "
        return f"{where}{self.kind}: {self.message}"


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


class _Failed(Exception):
    def __init__(self, fault: Fault) -> None:
        self.fault = fault


Progress = Callable[[int, int], None]


def audit(
    source: AuditSource,
    *,
    origin: str | None = None,
    pinned: Iterable[NoteVerifier] = (),
    older_note: str | None = None,
    progress: Progress | None = None,
) -> AuditReport:
    """Replay ``source`` and check chain, Merkle root and signatures.

    The latest checkpoint must be signed by ``pinned`` verifiers when any are given,
    else by a key the log announced in a ``key.added`` entry. ``older_note`` is an
    earlier checkpoint the auditor kept: the log must be consistent with it.
    Memory stays bounded whatever the log's size. Never raises for a bad log: the
    report's ``fault`` names the first bad index and what is wrong.
    """
    report = AuditReport()
    try:
        _audit(source, report, origin, list(pinned), older_note, progress)
    except _Failed as failed:
        report.fault = failed.fault
    return report


def _parse_checkpoint(
    note_text: str, origin: str | None, what: str
) -> tuple[SignedNote, Checkpoint]:
    try:
        note = SignedNote.from_text(note_text)
        checkpoint = Checkpoint.from_text(note.text)
    except MalformedNote as exc:
        raise _Failed(Fault(None, BAD_CHECKPOINT, f"{what} does not parse: {exc}")) from exc
    if origin is not None and checkpoint.origin != origin:
        raise _Failed(
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
) -> None:
    latest_note, latest = _parse_checkpoint(source.checkpoint_note(), origin, "latest checkpoint")
    report.tree_size = latest.size
    older: tuple[SignedNote, Checkpoint] | None = None
    if older_note is not None:
        older = _parse_checkpoint(older_note, latest.origin, "older checkpoint")
        report.older_checkpoint = older[1].size
        if older[1].size > latest.size:
            raise _Failed(
                Fault(
                    latest.size,
                    ENTRY_MISSING,
                    f"the older checkpoint has {older[1].size} entries, "
                    f"the latest only {latest.size}: the log was truncated",
                )
            )

    announced: list[VerifyingKey] = []
    tree = CompactRange()
    stored_nodes = source.node_hashes()
    compare_node = _node_comparer(stored_nodes)
    link = GENESIS_LINK
    last_time = ""
    expected = 0
    for item in source.entries():
        if older is not None and expected == older[1].size:
            _check_root(tree, older[1], "the older checkpoint")
        if expected == latest.size:
            _check_root(tree, latest, "the latest checkpoint")
        if item.index > expected:
            raise _Failed(Fault(expected, ENTRY_MISSING, f"the next stored entry is {item.index}"))
        leaf = leaf_hash(item.data)
        if item.leaf_hash is not None and item.leaf_hash != leaf:
            raise _Failed(
                Fault(expected, ENTRY_CHANGED, "its bytes do not hash to its stored leaf hash")
            )
        entry = _checked_entry(item.data, expected, link, last_time)
        link = chain_link(link, leaf)
        if item.link is not None and item.link != link:
            raise _Failed(
                Fault(expected, ENTRY_CHANGED, "its stored chain link is not the one recomputed")
            )
        last_time = entry.timestamp
        _check_kind(expected, entry)
        if entry.kind == Kind.KEY_ADDED:
            announced.append(_announced_key(expected, entry.payload))
        tree.append(leaf, compare_node)
        expected += 1
        report.entries_checked = expected
        if progress is not None and expected % 10_000 == 0:
            progress(expected, max(expected, latest.size))
    if progress is not None:
        progress(expected, expected)

    if expected < latest.size:
        raise _Failed(
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


def _checked_entry(data: bytes, expected: int, link: bytes, last_time: str) -> Entry:
    try:
        entry = decode_entry(data, AUDIT_CODEC)
    except EncodingError as exc:
        raise _Failed(Fault(expected, ENTRY_CHANGED, f"not a canonical entry: {exc}")) from exc
    if entry.index != expected:
        raise _Failed(
            Fault(expected, REORDERED, f"the entry stored here says it is entry {entry.index}")
        )
    if entry.prev != link:
        raise _Failed(
            Fault(
                expected,
                ENTRY_CHANGED,
                "its prev link does not match the entry before it "
                "(this entry or the one before was changed)",
            )
        )
    if entry.timestamp < last_time:
        raise _Failed(
            Fault(expected, ENTRY_CHANGED, "its timestamp is earlier than the one before")
        )
    return entry


def _check_kind(index: int, entry: Entry) -> None:
    """A kind this service writes must have its payload type and a principal that may write
    it (ledger.kinds); a kind it does not know is the business of other readers."""
    spec = KINDS.get(entry.kind)  # type: ignore[call-overload]
    if spec is None:
        return
    role = role_of(entry.principal)
    if role not in spec.writers:
        raise _Failed(
            Fault(index, ENTRY_CHANGED, f"a {role} principal does not write {entry.kind} entries")
        )
    try:
        msgspec.convert(entry.payload, spec.payload, strict=True)
    except msgspec.ValidationError as exc:
        raise _Failed(
            Fault(index, ENTRY_CHANGED, f"its payload does not fit a {entry.kind} entry: {exc}")
        ) from exc


def _announced_key(index: int, payload: object) -> VerifyingKey:
    try:
        raw = bytes.fromhex(payload["public_key"])  # type: ignore[index]
        return VerifyingKey(raw)
    except (KeyError, TypeError, ValueError, SigningKeyError) as exc:
        raise _Failed(
            Fault(index, ENTRY_CHANGED, "key.added entry has no valid public key")
        ) from exc


def _node_comparer(stored: Iterator[bytes] | None) -> Callable[[NodeID, bytes], None] | None:
    if stored is None:
        return None

    def compare(node: NodeID, digest: bytes) -> None:
        held = next(stored, None)
        if held != digest:
            first = node.index << node.level
            last = ((node.index + 1) << node.level) - 1
            raise _Failed(
                Fault(
                    last,
                    NODE_CHANGED,
                    f"stored Merkle node {node_position(node)} over entries {first}..{last} "
                    + ("is missing" if held is None else "differs from the recomputed one"),
                )
            )

    return compare


def _check_root(tree: CompactRange, checkpoint: Checkpoint, what: str) -> None:
    root = tree.root()
    if root != checkpoint.root:
        raise _Failed(
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
        raise _Failed(Fault(None, BAD_SIGNATURE, f"{what}: {exc}")) from exc
    return verifier.key.thumbprint()
