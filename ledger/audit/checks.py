"""The checks of each entry an audit replays: bytes, leaf hash, chain link, kind, Merkle
nodes; and the faults they name. One replay or several ranges of one (parallel.py) run them.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import msgspec

from ledger.audit.codec import AUDIT_CODEC
from ledger.core.canonical import Entry, decode_entry
from ledger.core.chain import chain_link
from ledger.core.errors import EncodingError, SigningKeyError
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


@dataclass(frozen=True, slots=True)
class Fault:
    """The first thing found wrong: where, what kind, and a sentence for a person."""

    index: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = "" if self.index is None else f"index {self.index}: "
        return f"{where}{self.kind}: {self.message}"


class Failed(Exception):
    """Raised at the first fault; the audit reports it."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault


Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Cursor:
    """Where a replay stands: the next index, the chain link and timestamp of the entry
    before it, and the Merkle frontier of the entries before it."""

    expected: int
    link: bytes
    last_time: str
    tree: CompactRange


def replay_entries(
    items: Iterable[EntryRecord],
    cursor: Cursor,
    compare_node: Callable[[NodeID, bytes], None] | None,
    announced: list[VerifyingKey],
    *,
    stop: int | None = None,
    checks: Container[int] = (),
    before: Callable[[int, CompactRange], None] | None = None,
    progress: Progress | None = None,
    total: int = 0,
) -> None:
    """Replay ``items`` from ``cursor`` (which follows them) up to index ``stop`` (None: the
    last item), checking each entry; raises _Failed at the first fault.

    ``before(size, tree)`` runs before the entry at each index in ``checks``; keys the
    entries announce are added to ``announced``.
    """
    expected, link, last_time, tree = cursor.expected, cursor.link, cursor.last_time, cursor.tree
    try:
        for item in items:
            if expected == stop:
                break
            if before is not None and expected in checks:
                before(expected, tree)
            if item.index > expected:
                raise Failed(
                    Fault(expected, ENTRY_MISSING, f"the next stored entry is {item.index}")
                )
            leaf = leaf_hash(item.data)
            if item.leaf_hash is not None and item.leaf_hash != leaf:
                raise Failed(
                    Fault(expected, ENTRY_CHANGED, "its bytes do not hash to its stored leaf hash")
                )
            entry = _checked_entry(item.data, expected, link, last_time)
            link = chain_link(link, leaf)
            if item.link is not None and item.link != link:
                raise Failed(
                    Fault(
                        expected, ENTRY_CHANGED, "its stored chain link is not the one recomputed"
                    )
                )
            last_time = entry.timestamp
            _check_kind(expected, entry)
            if entry.kind == Kind.KEY_ADDED:
                announced.append(_announced_key(expected, entry.payload))
            tree.append(leaf, compare_node)
            expected += 1
            if progress is not None and expected % 10_000 == 0:
                progress(expected, max(expected, total))
    finally:
        cursor.expected, cursor.link, cursor.last_time = expected, link, last_time


def _checked_entry(data: bytes, expected: int, link: bytes, last_time: str) -> Entry:
    try:
        entry = decode_entry(data, AUDIT_CODEC)
    except EncodingError as exc:
        raise Failed(Fault(expected, ENTRY_CHANGED, f"not a canonical entry: {exc}")) from exc
    if entry.index != expected:
        raise Failed(
            Fault(expected, REORDERED, f"the entry stored here says it is entry {entry.index}")
        )
    if entry.prev != link:
        raise Failed(
            Fault(
                expected,
                ENTRY_CHANGED,
                "its prev link does not match the entry before it "
                "(this entry or the one before was changed)",
            )
        )
    if entry.timestamp < last_time:
        raise Failed(Fault(expected, ENTRY_CHANGED, "its timestamp is earlier than the one before"))
    return entry


def _check_kind(index: int, entry: Entry) -> None:
    """A kind this service writes must have its payload type and a principal that may write
    it (ledger.kinds); a kind it does not know is the business of other readers."""
    spec = KINDS.get(entry.kind)  # type: ignore[call-overload]
    if spec is None:
        return
    role = role_of(entry.principal)
    if role not in spec.writers:
        raise Failed(
            Fault(index, ENTRY_CHANGED, f"a {role} principal does not write {entry.kind} entries")
        )
    try:
        msgspec.convert(entry.payload, spec.payload, strict=True)
    except msgspec.ValidationError as exc:
        raise Failed(
            Fault(index, ENTRY_CHANGED, f"its payload does not fit a {entry.kind} entry: {exc}")
        ) from exc


def _announced_key(index: int, payload: object) -> VerifyingKey:
    try:
        raw = bytes.fromhex(payload["public_key"])  # type: ignore[index]
        return VerifyingKey(raw)
    except (KeyError, TypeError, ValueError, SigningKeyError) as exc:
        raise Failed(
            Fault(index, ENTRY_CHANGED, "key.added entry has no valid public key")
        ) from exc


def node_comparer(stored: Iterator[bytes] | None) -> Callable[[NodeID, bytes], None] | None:
    if stored is None:
        return None

    def compare(node: NodeID, digest: bytes) -> None:
        held = next(stored, None)
        if held != digest:
            first = node.index << node.level
            last = ((node.index + 1) << node.level) - 1
            raise Failed(
                Fault(
                    last,
                    NODE_CHANGED,
                    f"stored Merkle node {node_position(node)} over entries {first}..{last} "
                    + ("is missing" if held is None else "differs from the recomputed one"),
                )
            )

    return compare
