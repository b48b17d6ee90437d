"""Projections from the entries alone: `certledger rebuild` replays the log into the tables,
and `certledger audit` replays it into a scratch database and compares, row by row.

Both run the very handlers an append runs (ledger/storage/projections), from index 0, in
pages, so memory stays flat whatever the log's size. What lives beside the ledger
(tables.BESIDE_TABLES) is neither rebuilt nor compared.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import Connection, Engine, Table, create_engine, func, select

from ledger.core.errors import BadSignature
from ledger.core.jws import parse_compact
from ledger.core.signing import VerifyingKey
from ledger.kinds import KINDS, decode_payload
from ledger.storage.projection import Appended, ProjectionContext, ProjectionWriter, run_handlers
from ledger.storage.projections import PROJECTIONS
from ledger.storage.projections.certificates import CLAIMS_PREFIX
from ledger.storage.store import LedgerStore, StoredEntry
from ledger.storage.tables import metadata, signing_keys
from ledger.storage.unit_of_work import projections_of

#: Entries projected between two writes of the buffered rows.
_PAGE = 2_000

Progress = Callable[[int], None]


class _Envelope(msgspec.Struct):
    payload: msgspec.Raw


def projected_tables() -> list[Table]:
    """The tables rebuilt from the ledger (every projection's but the beside ones), parents
    before children."""
    owned = {t for p in PROJECTIONS.values() if not p.beside for t in p.tables}
    return [table for table in metadata.sorted_tables if table in owned]


def replay_into(
    connection: Connection,
    entries: Iterable[StoredEntry],
    context: ProjectionContext,
    progress: Progress | None = None,
) -> int:
    """Apply every entry to the projections (not the beside ones) on ``connection``; the
    number of entries read."""
    writer = ProjectionWriter(connection, context)
    page: list[Appended] = []
    count = 0
    for count, entry in enumerate(entries, start=1):
        spec = KINDS.get(entry.kind)  # type: ignore[call-overload]
        # A kind this service does not write feeds no projection (format section 2.4).
        if spec is not None and spec.projections:
            raw = msgspec.json.decode(entry.data, type=_Envelope).payload
            page.append(Appended(entry, decode_payload(entry.kind, raw)))
        if len(page) >= _PAGE:
            run_handlers(writer, page, PROJECTIONS, projections_of, include_beside=False)
            page.clear()
            writer.memo.clear()
        if progress is not None and count % 10_000 == 0:
            progress(count)
    run_handlers(writer, page, PROJECTIONS, projections_of, include_beside=False)
    return count


def rebuild(
    store: LedgerStore,
    connection: Connection,
    context: ProjectionContext,
    progress: Progress | None,
) -> dict[str, int]:
    """Delete the rows of every projected table and replay the ledger into them, on
    ``connection`` (a unit of work's, so no append interleaves); rows written by table."""
    tables = projected_tables()
    for table in reversed(tables):
        connection.execute(table.delete())
    replay_into(connection, store.iter_entries(), context, progress)
    return {
        table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        for table in tables
    }


@dataclass(frozen=True, slots=True)
class Difference:
    """A row where a table and the replay disagree: the table, the row's key, what is stored
    and what the ledger gives, and the entry that should have produced the row."""

    table: str
    key: Any
    stored: tuple[Any, ...] | None
    expected: tuple[Any, ...] | None
    entry: int | None

    def __str__(self) -> str:
        where = f"{self.table} {self.key}"
        by = "" if self.entry is None else f" (entry {self.entry})"
        if self.stored is None:
            return f"{where}: missing; the ledger gives {self.expected}{by}"
        if self.expected is None:
            return f"{where}: {self.stored} is in no entry of the ledger"
        return f"{where}: stored {self.stored}, the ledger gives {self.expected}{by}"


def differences(
    store: LedgerStore,
    context: ProjectionContext,
    limit: int = 20,
    progress: Progress | None = None,
) -> list[Difference]:
    """Replay the ledger into a scratch database and compare every projected table with it;
    up to ``limit`` differences, table by table (empty: the tables answer to the ledger)."""
    with tempfile.TemporaryDirectory(prefix="certledger-audit-") as folder:
        scratch = create_engine(f"sqlite:///{Path(folder) / 'replay.db'}")
        try:
            tables = projected_tables()
            metadata.create_all(scratch, tables=tables)
            claims_only = ProjectionContext(context.issuer, None)
            with scratch.begin() as connection:
                replay_into(connection, store.iter_entries(), claims_only, progress)
            return _compare(store.engine, scratch, tables, limit)
        finally:
            scratch.dispose()


def _compare(source: Engine, scratch: Engine, tables: list[Table], limit: int) -> list[Difference]:
    found: list[Difference] = []
    with source.connect() as stored_db, scratch.connect() as expected_db:
        keys = _announced_keys(expected_db)
        for table in tables:
            checked = _checked_column(table)
            for difference in _table_differences(table, stored_db, expected_db, checked, keys):
                found.append(difference)
                if len(found) >= limit:
                    return found
    return found


def _checked_column(table: Table) -> int | None:
    for projection in PROJECTIONS.values():
        name = projection.checked_columns.get(table.name)
        if name is not None:
            return list(table.columns.keys()).index(name)
    return None


def _rows(connection: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    order = list(table.primary_key.columns)
    result = connection.execution_options(yield_per=2_000).execute(select(table).order_by(*order))
    for row in result:
        yield tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)


def _table_differences(
    table: Table,
    stored_db: Connection,
    expected_db: Connection,
    checked: int | None,
    keys: dict[str, VerifyingKey],
) -> Iterator[Difference]:
    width = len(table.primary_key.columns)
    index_columns = [
        n for n, c in enumerate(table.columns) if c.name.endswith("_index") or c.name == "idx"
    ]
    stored_rows, expected_rows = _rows(stored_db, table), _rows(expected_db, table)
    stored, expected = next(stored_rows, None), next(expected_rows, None)
    while stored is not None or expected is not None:
        stored_key = None if stored is None else stored[:width]
        expected_key = None if expected is None else expected[:width]
        if expected_key is None or (stored_key is not None and stored_key < expected_key):
            assert stored is not None
            yield Difference(table.name, _key(stored_key), stored, None, None)
            stored = next(stored_rows, None)
        elif stored_key is None or expected_key < stored_key:
            assert expected is not None
            yield Difference(
                table.name, _key(expected_key), None, expected, _entry(expected, index_columns)
            )
            expected = next(expected_rows, None)
        else:
            assert stored is not None and expected is not None
            if not _same(stored, expected, checked, keys):
                yield Difference(
                    table.name, _key(stored_key), stored, expected, _entry(expected, index_columns)
                )
            stored, expected = next(stored_rows, None), next(expected_rows, None)


def _key(key: tuple[Any, ...] | None) -> Any:
    assert key is not None
    return key[0] if len(key) == 1 else key


def _entry(row: tuple[Any, ...], index_columns: list[int]) -> int | None:
    indexes = [row[n] for n in index_columns if row[n] is not None]
    return max(indexes) if indexes else None


def _same(
    stored: tuple[Any, ...],
    expected: tuple[Any, ...],
    checked: int | None,
    keys: dict[str, VerifyingKey],
) -> bool:
    if checked is None:
        return stored == expected
    rest_equal = all(
        a == b for n, (a, b) in enumerate(zip(stored, expected, strict=True)) if n != checked
    )
    return rest_equal and _record_holds(stored[checked], expected[checked], keys)


def _record_holds(record: object, claims: object, keys: dict[str, VerifyingKey]) -> bool:
    """True when ``record`` is a JWS over exactly the expected claims, signed by the key its
    header names among the keys the ledger announced."""
    if not isinstance(record, str) or not isinstance(claims, str):
        return False
    try:
        parsed = parse_compact(record)
        key = keys[parsed.kid]
    except Exception:
        return False
    if parsed.payload != claims.removeprefix(CLAIMS_PREFIX).encode("utf-8"):
        return False
    try:
        key.verify(parsed.signature, parsed.signing_input)
    except BadSignature:
        return False
    return True


def _announced_keys(connection: Connection) -> dict[str, VerifyingKey]:
    rows = connection.execute(select(signing_keys.c.kid, signing_keys.c.public_key))
    return {row.kid: VerifyingKey(bytes(row.public_key)) for row in rows}
