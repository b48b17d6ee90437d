"""The append-only ledger store: sequence, chain and Merkle nodes in one transaction.

It offers append and read, never update or delete. Appends run inside a unit of work
(unit_of_work.py), whose group (group_commit.py) holds the database's write lock from reading
the head to commit, so concurrent writers in any number of processes queue up behind each
other and the chain cannot fork.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select, text

from ledger.core.canonical import EntryDraft, encode_entry, format_timestamp
from ledger.core.chain import GENESIS_LINK, chain_link
from ledger.core.errors import RangeError
from ledger.core.merkle import (
    CompactRange,
    NodeID,
    consistency_proof_plan,
    fold_range,
    inclusion_proof_plan,
    leaf_hash,
    node_position,
    root_plan,
)
from ledger.storage.engine import WRITE_LOCK
from ledger.storage.group_commit import GroupCommit
from ledger.storage.tables import checkpoints, entries, merkle_nodes


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as the ledger holds it: its bytes plus the hashes derived from them."""

    index: int
    kind: str
    principal: str
    timestamp: str
    data: bytes
    leaf_hash: bytes
    link: bytes

    def payload(self) -> dict[str, Any]:
        """The entry's payload, parsed from its bytes."""
        payload: dict[str, Any] = json.loads(self.data)["payload"]
        return payload


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A signed checkpoint as stored: the note text and what it commits to."""

    tree_size: int
    root: bytes
    key_id: str
    note: str


_INSERT_ENTRY = (
    "INSERT INTO entries (idx, kind, principal, timestamp, data, leaf_hash, link) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_NODE = "INSERT INTO merkle_nodes (position, hash) VALUES (?, ?)"
_SELECT_ENTRIES = (
    "SELECT idx, kind, principal, timestamp, data, leaf_hash, link FROM entries "
    "WHERE idx >= ? ORDER BY idx LIMIT ?"
)
_SELECT_NODES = (
    "SELECT position, hash FROM merkle_nodes WHERE position >= ? ORDER BY position LIMIT ?"
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LedgerStore:
    """Append and read ledger entries, Merkle nodes and checkpoints in one database."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _utc_now) -> None:
        self.engine = engine
        self._clock = clock
        #: The units of work of this process's threads commit together (group_commit.py).
        self.group = GroupCommit(engine)
        qmark = engine.dialect.paramstyle == "qmark"
        self._insert_entry = _INSERT_ENTRY if qmark else _INSERT_ENTRY.replace("?", "%s")
        self._insert_node = _INSERT_NODE if qmark else _INSERT_NODE.replace("?", "%s")

    # -- writing -----------------------------------------------------------------

    def append_locked(
        self, connection: Connection, drafts: Sequence[EntryDraft]
    ) -> list[StoredEntry]:
        """Append ``drafts`` in order on ``connection``, which holds the write lock (a unit of
        work's); the caller commits. EncodingError for a payload with no canonical encoding,
        before anything is written."""
        head = connection.execute(
            select(entries.c.idx, entries.c.link, entries.c.timestamp)
            .order_by(entries.c.idx.desc())
            .limit(1)
        ).first()
        if head is None:
            size, prev, last_time = 0, GENESIS_LINK, ""
        else:
            size, prev, last_time = head.idx + 1, head.link, head.timestamp
        frontier = CompactRange(size, self._node_hashes(connection, root_plan(size)))
        # Timestamps never go backwards along the log, even across processes' clocks.
        timestamp = max(format_timestamp(self._clock()), last_time)

        entry_rows: list[tuple[object, ...]] = []
        node_rows: list[tuple[int, bytes]] = []
        appended: list[StoredEntry] = []

        # The tree visits new nodes in post-order, which is position order with no gaps.
        next_position = node_position(NodeID(0, size))

        def keep_node(_node: NodeID, digest: bytes) -> None:
            nonlocal next_position
            node_rows.append((next_position, digest))
            next_position += 1

        for offset, draft in enumerate(drafts):
            index = size + offset
            data = encode_entry(index, draft, timestamp, prev)
            leaf = leaf_hash(data)
            prev = chain_link(prev, leaf)
            frontier.append(leaf, keep_node)
            row = (index, draft.kind, draft.principal, timestamp, data, leaf, prev)
            entry_rows.append(row)
            appended.append(StoredEntry(*row))
        # Straight to the driver: these rows are plain ints, strings and bytes, and the
        # per-row parameter processing of a compiled insert costs more than the insert.
        connection.exec_driver_sql(self._insert_entry, entry_rows)
        connection.exec_driver_sql(self._insert_node, node_rows)
        return appended

    def integrity_problems(self, limit: int = 5) -> list[str]:
        """What the database engine finds damaged in its files (empty: nothing).

        SQLite checks every page, index and table (PRAGMA integrity_check); PostgreSQL
        keeps its own checksums, so nothing is checked here for it.
        """
        if self.engine.dialect.name != "sqlite":
            return []
        with self.engine.connect() as connection:
            rows = connection.exec_driver_sql(f"PRAGMA integrity_check({int(limit)})").all()
        found = [str(row[0]) for row in rows]
        return [] if found == ["ok"] else found

    def save_checkpoint(self, checkpoint: StoredCheckpoint) -> StoredCheckpoint:
        """Store a signed checkpoint unless one for its size exists; return the stored one."""
        # Check and insert under the write lock, so that two processes signing the same
        # size do not both see none and then collide on the insert.
        writer = self.engine.connect().execution_options(**{WRITE_LOCK: True})
        with writer as connection, connection.begin():
            if self.engine.dialect.name != "sqlite":
                connection.execute(text("LOCK TABLE checkpoints IN SHARE ROW EXCLUSIVE MODE"))
            existing = self._checkpoint_at(connection, checkpoint.tree_size)
            if existing is not None:
                return existing
            connection.execute(
                checkpoints.insert(),
                {
                    "tree_size": checkpoint.tree_size,
                    "root": checkpoint.root,
                    "key_id": checkpoint.key_id,
                    "note": checkpoint.note,
                },
            )
        return checkpoint

    # -- reading -----------------------------------------------------------------

    def size(self) -> int:
        """Number of entries in the log."""
        with self.engine.connect() as connection:
            last = connection.execute(select(func.max(entries.c.idx))).scalar()
        return 0 if last is None else int(last) + 1

    def entries(self, start: int, end: int) -> list[StoredEntry]:
        """Entries ``start`` .. ``end - 1`` that exist, in order (fewer at the log's end)."""
        if start < 0 or end < start:
            raise RangeError(f"entry range {start}..{end} is not 0 <= start <= end")
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(entries)
                .where(entries.c.idx >= start, entries.c.idx < end)
                .order_by(entries.c.idx)
            )
            return [_stored_entry(row) for row in rows]

    def iter_entries(
        self, start: int = 0, batch: int = 5_000, count: int | None = None
    ) -> Iterator[StoredEntry]:
        """Every stored entry from ``start`` on (at most ``count`` rows), in index order,
        ``batch`` rows a read.

        Pages by key (the next page starts after the last index read), so memory stays
        bounded and a gap in a damaged database shows as a gap, not as the end.
        """
        for rows in self._pages(_SELECT_ENTRIES, start, batch, count):
            yield from (StoredEntry(*row) for row in rows)

    def iter_node_hashes(
        self, start: int = 0, batch: int = 10_000, count: int | None = None
    ) -> Iterator[bytes]:
        """Stored Merkle node hashes in position order from ``start`` (at most ``count``),
        up to the first gap."""
        for rows in self._pages(_SELECT_NODES, start, batch, count):
            for position, digest in rows:
                if position != start:
                    return
                yield bytes(digest)
                start += 1

    def _pages(
        self, statement: str, start: int, batch: int, count: int | None = None
    ) -> Iterator[list[Any]]:
        # Straight to the driver: the audit reads every row, and per-row result
        # processing would cost more than the read.
        if self.engine.dialect.paramstyle != "qmark":
            statement = statement.replace("?", "%s")
        while count is None or count > 0:
            limit = batch if count is None else min(batch, count)
            with self.engine.connect() as connection:
                rows = list(connection.exec_driver_sql(statement, (start, limit)))
            if rows:
                yield rows
            if len(rows) < limit:
                return
            start = rows[-1][0] + 1
            if count is not None:
                count -= len(rows)

    def root(self, size: int) -> bytes:
        """Merkle root of the first ``size`` entries; RangeError beyond the log."""
        with self.engine.connect() as connection:
            self._check_size(connection, size)
            return CompactRange(size, self._node_hashes(connection, root_plan(size))).root()

    def frontier(self, size: int) -> list[bytes]:
        """The stored hashes of root_plan(size), the Merkle frontier of the first ``size``
        entries; LookupError when one is missing."""
        with self.engine.connect() as connection:
            return self._node_hashes(connection, root_plan(size))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
        plan = inclusion_proof_plan(index, size)
        with self.engine.connect() as connection:
            self._check_size(connection, size)
            return self._fold_plan(connection, plan)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 9162 consistency proof between trees of ``old_size`` and ``new_size``."""
        plan = consistency_proof_plan(old_size, new_size)
        with self.engine.connect() as connection:
            self._check_size(connection, new_size)
            return self._fold_plan(connection, plan)

    def leaf_hash_at(self, index: int) -> bytes:
        """Leaf hash of entry ``index``; RangeError when the log has no such entry."""
        with self.engine.connect() as connection:
            digest = connection.execute(
                select(entries.c.leaf_hash).where(entries.c.idx == index)
            ).scalar()
        if digest is None:
            raise RangeError(f"the log has no entry {index}")
        return bytes(digest)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The checkpoint of the largest tree size signed so far, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(checkpoints).order_by(checkpoints.c.tree_size.desc()).limit(1)
            ).first()
        return None if row is None else _stored_checkpoint(row)

    def checkpoint_at(self, tree_size: int) -> StoredCheckpoint | None:
        """The checkpoint signed for exactly ``tree_size`` entries, if any."""
        with self.engine.connect() as connection:
            return self._checkpoint_at(connection, tree_size)

    # -- helpers -----------------------------------------------------------------

    def _checkpoint_at(self, connection: Connection, tree_size: int) -> StoredCheckpoint | None:
        row = connection.execute(
            select(checkpoints).where(checkpoints.c.tree_size == tree_size)
        ).first()
        return None if row is None else _stored_checkpoint(row)

    def _check_size(self, connection: Connection, size: int) -> None:
        last = connection.execute(select(func.max(entries.c.idx))).scalar()
        current = 0 if last is None else int(last) + 1
        if size > current:
            raise RangeError(f"tree size {size} is beyond the log's size {current}")

    @staticmethod
    def _node_hashes(connection: Connection, nodes: Iterable[NodeID]) -> list[bytes]:
        positions = [node_position(node) for node in nodes]
        if not positions:
            return []
        rows = connection.execute(
            select(merkle_nodes.c.position, merkle_nodes.c.hash).where(
                merkle_nodes.c.position.in_(positions)
            )
        )
        found = {position: digest for position, digest in rows}
        missing = [position for position in positions if position not in found]
        if missing:
            raise LookupError(f"Merkle nodes missing from storage at positions {missing}")
        return [bytes(found[position]) for position in positions]

    def _fold_plan(self, connection: Connection, plan: list[list[NodeID]]) -> list[bytes]:
        flat = [node for element in plan for node in element]
        hashes = iter(self._node_hashes(connection, flat))
        return [fold_range([next(hashes) for _ in element]) for element in plan]


def _stored_entry(row: Row[Any]) -> StoredEntry:
    return StoredEntry(
        index=row.idx,
        kind=row.kind,
        principal=row.principal,
        timestamp=row.timestamp,
        data=bytes(row.data),
        leaf_hash=bytes(row.leaf_hash),
        link=bytes(row.link),
    )


def _stored_checkpoint(row: Row[Any]) -> StoredCheckpoint:
    return StoredCheckpoint(
        tree_size=row.tree_size, root=bytes(row.root), key_id=row.key_id, note=row.note
    )
