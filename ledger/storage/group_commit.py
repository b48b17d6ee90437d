"""Group commit: the units of work of concurrent threads share one write transaction and one
commit (one fsync), each in a savepoint of its own so that a refused one spoils no other.

A thread entering a unit of work waits for the process's group mutex. The first unit of a
group opens the write transaction (the database's write lock, as before); each unit runs in
a savepoint; a unit that commits releases its savepoint and waits until the group's commit
is durable. The unit that leaves when no other thread waits to enter (or when the group is
full or old enough) commits the group for everyone, so every unit that arrived while the
previous commit was flushing joins the next one. Processes still queue on the database's
write lock, one group at a time, so the chain stays gapless and cannot fork.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, NestedTransaction, text

from ledger.storage.engine import WRITE_LOCK

#: A group commits once it holds this many units, even with more threads waiting.
MAX_GROUP_UNITS = 256
#: A group commits once it has been open this long, even with more threads waiting.
MAX_GROUP_SECONDS = 0.05


@dataclass(slots=True)
class _Ticket:
    """A committed unit's wait for its group's commit."""

    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


@dataclass(slots=True)
class GroupStats:
    """Counts since the process started: groups committed, the units they held, and units
    that left without committing."""

    groups: int = 0
    units: int = 0
    rolled_back: int = 0


class GroupCommit:
    """The group commit of one engine in one process (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        max_units: int = MAX_GROUP_UNITS,
        max_seconds: float = MAX_GROUP_SECONDS,
    ) -> None:
        self._engine = engine
        self._max_units = max_units
        self._max_seconds = max_seconds
        self._mutex = threading.Lock()
        self._counter = threading.Lock()
        self._waiting = 0
        self._owner: int | None = None
        self._connection: Connection | None = None
        self._opened_at = 0.0
        self._pending: list[_Ticket] = []
        self.stats = GroupStats()

    @property
    def waiting(self) -> int:
        """Threads waiting to enter a unit of work now (for tests and the benchmark)."""
        return self._waiting

    def enter(self) -> tuple[Connection, NestedTransaction]:
        """Wait for the group, open its transaction if it has none, and start a savepoint.

        The caller must call ``leave`` (or ``commit``) exactly once afterwards. RuntimeError
        when this thread already has a unit of work open (it would wait for itself).
        """
        me = threading.get_ident()
        if self._owner == me:
            raise RuntimeError("this thread already has a unit of work open")
        with self._counter:
            self._waiting += 1
        self._mutex.acquire()
        with self._counter:
            self._waiting -= 1
        self._owner = me
        try:
            if self._connection is None:
                self._connection = self._open()
                self._opened_at = time.monotonic()
            return self._connection, self._connection.begin_nested()
        except BaseException:
            self._settle()
            raise

    def leave(self, savepoint: NestedTransaction) -> None:
        """Leave without committing: this unit's writes are undone, the group's kept."""
        try:
            if savepoint.is_active:
                savepoint.rollback()
            self.stats.rolled_back += 1
        finally:
            self._settle()

    def commit(self, savepoint: NestedTransaction) -> None:
        """Keep this unit's writes in the group and return once the group's commit is
        durable; the commit's error if it failed (then nothing of the group was written)."""
        ticket = _Ticket()
        try:
            savepoint.commit()
            self._pending.append(ticket)
        finally:
            self._settle()
        ticket.done.wait()
        if ticket.error is not None:
            raise ticket.error

    def _open(self) -> Connection:
        connection = self._engine.connect().execution_options(**{WRITE_LOCK: True})
        try:
            connection.begin()
            if self._engine.dialect.name != "sqlite":
                # Self-conflicting, so writers queue; plain readers are not blocked.
                connection.execute(text("LOCK TABLE entries IN SHARE ROW EXCLUSIVE MODE"))
        except BaseException:
            connection.close()
            raise
        return connection

    def _settle(self) -> None:
        """Called by the unit leaving, mutex held: pass the open group on to a waiting
        thread, or end it (commit what is pending, or roll back an empty one)."""
        try:
            connection = self._connection
            if connection is None:
                return
            full = len(self._pending) >= self._max_units
            old = time.monotonic() - self._opened_at >= self._max_seconds
            if self._waiting and not full and not old:
                return
            pending, self._pending = self._pending, []
            self._connection = None
            error: BaseException | None = None
            try:
                if pending:
                    connection.commit()
                else:
                    connection.rollback()
            except BaseException as failed:  # the group's units all learn it
                error = failed
            finally:
                connection.close()
            if pending:
                self.stats.groups += 1
                self.stats.units += len(pending)
            for ticket in pending:
                ticket.error = error
                ticket.done.set()
            if error is not None and not pending:
                raise error
        finally:
            self._owner = None
            self._mutex.release()
