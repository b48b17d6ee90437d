"""How projections are written: a handler per entry kind, run by the store inside the append's
transaction (and by rebuild and the audit's replay, from index 0, through the same handlers).

A ProjectionWriter buffers the rows handlers insert and the sums they add, and writes them
in a few statements; any read or other statement through it writes what is buffered first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Dialect, Executable, Result, Table, bindparam, update

from ledger.kinds import Kind
from ledger.payloads import Payload
from ledger.storage.store import StoredEntry
from ledger.storage.tables import metadata

#: Gives the signer of verification records for the key the ledger names as active at this
#: point of the log (read on the connection); None where only the claims are kept (the
#: audit's replay). Handlers keep the signer for the append, until a key entry comes.
RecordSigner = Callable[[Connection], Callable[[bytes], str]]

#: Where handlers keep the record signer of the current append (writer.memo).
SIGNER_MEMO = ("record signer",)


@dataclass(frozen=True, slots=True)
class ProjectionContext:
    """What handlers need beyond the entries: the records' issuer and their signer."""

    issuer: str
    sign_record: RecordSigner | None = None


@functools.cache
def _sorted_tables() -> tuple[Table, ...]:
    # The tables never change at run time; sorting them costs milliseconds per call.
    return tuple(metadata.sorted_tables)


class ProjectionWriter:
    """The connection of one append (or replay), with buffered inserts and sums."""

    def __init__(self, connection: Connection, context: ProjectionContext) -> None:
        self.connection = connection
        self.context = context
        #: What an append produced beside its rows, for its caller (signed records).
        self.outputs: dict[str, dict[str, Any]] = {}
        #: What handlers look up once per append (titles, names, which batches exist).
        self.memo: dict[tuple[Any, ...], Any] = {}
        self._inserts: dict[Table, list[dict[str, Any]]] = {}
        self._sums: dict[tuple[Table, tuple[str, ...]], dict[Any, dict[str, int]]] = {}
        self._updates: dict[Executable, list[dict[str, Any]]] = {}
        self._before_flush: list[Callable[[], None]] = []

    def before_flush(self, action: Callable[[], None]) -> None:
        """Run ``action`` once, before the buffered rows are next written (it may complete
        them: a record signed on another thread)."""
        self._before_flush.append(action)

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        """Insert ``row`` into ``table`` (buffered)."""
        self._inserts.setdefault(table, []).append(row)

    def add(
        self, table: Table, key_columns: str | tuple[str, ...], key: Any, **amounts: int
    ) -> None:
        """Add ``amounts`` to the columns of the row of ``table`` whose ``key_columns`` hold
        ``key`` (buffered and summed; the row must exist when the sums are written)."""
        columns = (key_columns,) if isinstance(key_columns, str) else key_columns
        row = self._sums.setdefault((table, columns), {}).setdefault(key, {})
        for column, amount in amounts.items():
            row[column] = row.get(column, 0) + amount

    def update_later(self, statement: Executable, parameters: dict[str, Any]) -> None:
        """Run ``statement`` (an UPDATE with bind parameters) with ``parameters`` when the
        buffers are written, after the inserts and sums, many rows in one go."""
        self._updates.setdefault(statement, []).append(parameters)

    def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]:
        """Write what is buffered, then run ``statement`` (a read sees every earlier row)."""
        self.flush()
        return self.connection.execute(statement, parameters)

    def flush(self) -> None:
        """Write the buffered inserts (parents before children), then the sums."""
        while self._before_flush:
            self._before_flush.pop(0)()
        if self._inserts:
            for table in _sorted_tables():
                rows = self._inserts.pop(table, None)
                if rows:
                    self._insert_rows(table, rows)
            if self._inserts:  # a table outside the shared metadata
                for table, rows in list(self._inserts.items()):
                    self._insert_rows(table, rows)
                self._inserts.clear()
        for (table, key_columns), sums in self._sums.items():
            changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for key, amounts in sums.items():
                if any(amounts.values()):
                    keys = key if len(key_columns) > 1 else (key,)
                    named = {f"key_{n}": value for n, value in enumerate(keys)}
                    amounts_named = {f"amount_{c}": a for c, a in amounts.items()}
                    changes.setdefault(tuple(sorted(amounts)), []).append(
                        {**named, **amounts_named}
                    )
            for columns, params in changes.items():
                adding = (
                    update(table)
                    .where(
                        *(
                            table.c[name] == bindparam(f"key_{n}")
                            for n, name in enumerate(key_columns)
                        )
                    )
                    .values({c: table.c[c] + bindparam(f"amount_{c}") for c in columns})
                )
                self.connection.execute(adding, params)
        self._sums.clear()
        for statement, parameters in self._updates.items():
            self.connection.execute(statement, parameters)
        self._updates.clear()

    def _insert_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        # Straight to the driver when the rows all name the same columns and none of the
        # table's columns needs SQLAlchemy's processing: its per-row parameter handling
        # costs more than the insert (as for the entries, ledger.storage.store).
        columns = tuple(rows[0])
        statement = _driver_insert(table, columns, self.connection.dialect)
        if statement is None or any(tuple(row) != columns for row in rows):
            self.connection.execute(table.insert(), rows)
            return
        self.connection.exec_driver_sql(
            statement, [tuple([row[name] for name in columns]) for row in rows]
        )


@functools.lru_cache(maxsize=256)
def _driver_insert(table: Table, columns: tuple[str, ...], dialect: Dialect) -> str | None:
    """The driver's INSERT of ``columns`` into ``table``, or None when a column needs
    SQLAlchemy: a type that processes its values, or a default computed in Python for a
    column left out."""
    if not columns or any(name not in table.c for name in columns):
        return None
    if any(table.c[name].type.bind_processor(dialect) is not None for name in columns):
        return None
    if any(c.default is not None for c in table.columns if c.name not in columns):
        return None
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(quote(name) for name in columns)
    markers = ", ".join(marker for _ in columns)
    # Every name is one of the table's own columns, quoted by the dialect.
    target = dialect.identifier_preparer.format_table(table)
    return f"INSERT INTO {target} ({names}) VALUES ({markers})"  # noqa: S608


#: Applies one entry to a projection: the writer, the entry, its payload as its kind's
#: type, and what goes beside the ledger with it (None in a rebuild or replay).
Handler = Callable[[ProjectionWriter, StoredEntry, Any, Any], None]


@dataclass(frozen=True, slots=True)
class Projection:
    """A projection: its name (as ledger.kinds declares it), the tables only it writes, and
    its handler of each kind it reads. ``beside`` projections keep data the ledger does not
    hold (personal data, documents): written with the entries, never rebuilt."""

    name: str
    tables: tuple[Table, ...]
    handlers: Mapping[Kind, Handler]
    beside: bool = False
    #: Columns the audit compares by a check of its own instead of equality (a signed
    #: record against the claims the replay expects), by table name.
    checked_columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Appended:
    """One entry to project: the stored entry, its payload, and what goes beside it."""

    entry: StoredEntry
    payload: Payload
    beside: Any = None


def run_handlers(
    writer: ProjectionWriter,
    appended: Sequence[Appended],
    projections: Mapping[str, Projection],
    order: Callable[[str], Sequence[str]],
    *,
    include_beside: bool = True,
) -> None:
    """Apply every entry to the projections its kind feeds, in the declared order."""
    for item in appended:
        kind = Kind(item.entry.kind)  # once per entry, not once per projection it feeds
        for name in order(kind):
            projection = projections[name]
            if projection.beside and not include_beside:
                continue
            projection.handlers[kind](writer, item.entry, item.payload, item.beside)
    writer.flush()
