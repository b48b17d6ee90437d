"""The unit of work: the one way to write. Take the write lock, read what the rules need through
the same transaction, append the drafts (with what goes beside them), commit.

    with log.unit_of_work() as uow:
        ensure_active_school(uow.connection, school)
        uow.append(Draft(Kind.LEARNER_ENROLLED, str(actor), payload))
        uow.commit()

Appending runs every projection the kinds declare (ledger.kinds, ledger.storage.projections)
in the same transaction; leaving the block without commit() writes nothing. Units of work of
concurrent threads share one transaction and one commit, each in its own savepoint
(ledger.storage.group_commit): commit() returns once the unit's entries are durable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, NestedTransaction

from ledger.core.canonical import EntryDraft
from ledger.kinds import KINDS, Kind, check_payload
from ledger.storage.projection import Appended, ProjectionContext, ProjectionWriter, run_handlers
from ledger.storage.projections import PROJECTIONS
from ledger.storage.store import LedgerStore, StoredEntry

#: The open transaction of a unit of work, as the reads under its lock take it.
Transaction = Connection


@dataclass(frozen=True, slots=True)
class Draft:
    """An entry to append: its kind, the principal writing it, its payload, and what goes
    beside the ledger with it (personal data, a document's text, a secret's hash)."""

    kind: Kind
    principal: str
    payload: Mapping[str, Any]
    beside: Any = None


def _entry_draft(draft: Draft | EntryDraft) -> EntryDraft:
    if isinstance(draft, EntryDraft):
        return draft
    return EntryDraft(draft.kind.value, draft.principal, dict(draft.payload))


def projections_of(kind: str) -> Sequence[str]:
    """The projections ``kind`` feeds, in the order they run."""
    return KINDS[kind].projections  # type: ignore[index]


class UnitOfWork:
    """One write transaction under the ledger's write lock (see the module docstring)."""

    def __init__(self, store: LedgerStore, context: ProjectionContext) -> None:
        self._store = store
        self._context = context
        self._connection: Connection | None = None
        self._savepoint: NestedTransaction | None = None
        self._writer: ProjectionWriter | None = None
        #: Every entry appended so far, in order.
        self.appended: list[StoredEntry] = []

    def __enter__(self) -> UnitOfWork:
        self._connection, self._savepoint = self._store.group.enter()
        self._writer = ProjectionWriter(self._connection, self._context)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        savepoint = self._savepoint
        self._connection = self._savepoint = None
        if savepoint is not None:  # not committed: undo this unit, keep the group's others
            self._store.group.leave(savepoint)

    @property
    def connection(self) -> Connection:
        """The open transaction: reads through it see every earlier write and this one's."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open")
        return self._connection

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        """What the projections produced for the caller (signed records, by certificate)."""
        if self._writer is None:
            raise RuntimeError("the unit of work was never opened")
        return self._writer.outputs

    def append(self, *drafts: Draft | EntryDraft) -> list[StoredEntry]:
        """Append ``drafts`` in order and run their projections; the stored entries.

        An EntryDraft is a Draft with nothing beside it. InvalidInput when a kind is
        unknown, its principal's role may not write it, or a payload does not fit its
        kind's type; projections raise Conflict or NotFound for what the state forbids.
        Either way nothing of this unit of work is written.
        """
        if not drafts:
            return []
        connection, writer = self.connection, self._writer
        assert writer is not None
        payloads = [check_payload(d.kind, d.principal, d.payload) for d in drafts]
        entries = self._store.append_locked(connection, [_entry_draft(d) for d in drafts])
        projected = [
            Appended(entry, payload, getattr(draft, "beside", None))
            for entry, payload, draft in zip(entries, payloads, drafts, strict=True)
            if KINDS[entry.kind].projections  # type: ignore[index]
        ]
        if projected:
            run_handlers(writer, projected, PROJECTIONS, projections_of)
        self.appended.extend(entries)
        return entries

    def commit(self) -> list[StoredEntry]:
        """Commit: the entries are durable when this returns. The entries appended.

        The unit's transaction is closed afterwards: read through ``connection`` before.
        """
        savepoint = self._savepoint
        if savepoint is None:
            raise RuntimeError("the unit of work is not open")
        self._connection = self._savepoint = None
        self._store.group.commit(savepoint)
        return self.appended
