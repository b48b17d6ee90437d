"""Raw limits: the same rows inserted and the same nodes fetched with no ledger around them.

stdlib sqlite3 (WAL, synchronous=FULL, no triggers) or psycopg on PostgreSQL.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ledger.bench.targets import EntryRow, NodeRow
from ledger.core.errors import InvalidInput


class RawLimit(Protocol):
    """The raw limit of one database: bare inserts into copies of the ledger's tables."""

    description: str

    def insert(self, groups: Sequence[tuple[list[EntryRow], list[NodeRow]]]) -> float:
        """Insert each group in one durable transaction; return the seconds it took."""
        ...

    def fetch_nodes(self, positions: Sequence[int]) -> list[bytes]:
        """The ledger's stored node hashes at ``positions`` in one bare query."""
        ...

    def close(self) -> None:
        """Drop what the raw limit created and close its connections."""
        ...


class SqliteRaw:
    """Raw ``sqlite3`` in its own file beside the ledger's, WAL + synchronous=FULL."""

    def __init__(self, ledger_file: Path, raw_file: Path) -> None:
        self.raw_file = raw_file
        self.description = "raw sqlite3, same rows, WAL + synchronous=FULL, no triggers"
        # Reads of the ledger's own tables (proof nodes) and its schema.
        self.reader = sqlite3.connect(ledger_file, isolation_level=None)
        ddl = [
            row[0]
            for row in self.reader.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' "
                "AND name IN ('entries', 'merkle_nodes') ORDER BY name"
            )
        ]
        if len(ddl) != 2:
            raise InvalidInput(f"{ledger_file} has no ledger tables to copy")
        self.writer = sqlite3.connect(raw_file, isolation_level=None)
        self.writer.execute("PRAGMA journal_mode=WAL")
        self.writer.execute("PRAGMA synchronous=FULL")
        for statement in ddl:  # the ledger's own CREATE TABLE text; its triggers stay behind
            self.writer.execute(statement)

    def insert(self, groups: Sequence[tuple[list[EntryRow], list[NodeRow]]]) -> float:
        cursor = self.writer.cursor()
        started = time.perf_counter()
        for entry_rows, node_rows in groups:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(
                "INSERT INTO entries (idx, kind, principal, timestamp, data, leaf_hash, link) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                entry_rows,
            )
            cursor.executemany("INSERT INTO merkle_nodes (position, hash) VALUES (?, ?)", node_rows)
            cursor.execute("COMMIT")
        return time.perf_counter() - started

    def fetch_nodes(self, positions: Sequence[int]) -> list[bytes]:
        marks = ",".join("?" * len(positions))
        query = f"SELECT position, hash FROM merkle_nodes WHERE position IN ({marks})"  # noqa: S608
        found = dict(self.reader.execute(query, positions).fetchall())
        return [found[position] for position in positions]

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class PostgresRaw:
    """Raw ``psycopg`` on the same server: copies of the tables in a scratch schema."""

    def __init__(self, database_url: str) -> None:
        import psycopg
        from psycopg import sql

        self.sql = sql
        conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.connection = psycopg.connect(conninfo, autocommit=True)
        self.schema = f"certledger_bench_raw_{os.getpid()}"
        self.description = "raw psycopg, same rows and server, no triggers"
        self.server_version = self.connection.info.server_version
        schema = sql.Identifier(self.schema)
        with self.connection.transaction():
            self.connection.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
            # The columns of migration 0001 on PostgreSQL, without its triggers.
            self.connection.execute(
                sql.SQL(
                    "CREATE TABLE {}.entries (idx BIGINT PRIMARY KEY, kind VARCHAR(64) NOT NULL, "
                    "principal VARCHAR(200) NOT NULL, timestamp VARCHAR(24) NOT NULL, "
                    "data BYTEA NOT NULL, leaf_hash BYTEA NOT NULL, link BYTEA NOT NULL)"
                ).format(schema)
            )
            self.connection.execute(
                sql.SQL(
                    "CREATE TABLE {}.merkle_nodes (position BIGINT PRIMARY KEY, "
                    "hash BYTEA NOT NULL)"
                ).format(schema)
            )
        self.insert_entry = sql.SQL(
            "INSERT INTO {}.entries (idx, kind, principal, timestamp, data, leaf_hash, link) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)"
        ).format(schema)
        self.insert_node = sql.SQL(
            "INSERT INTO {}.merkle_nodes (position, hash) VALUES (%s, %s)"
        ).format(schema)

    def insert(self, groups: Sequence[tuple[list[EntryRow], list[NodeRow]]]) -> float:
        connection = self.connection
        cursor = connection.cursor()
        started = time.perf_counter()
        for entry_rows, node_rows in groups:
            with connection.transaction():
                cursor.executemany(self.insert_entry, entry_rows)
                cursor.executemany(self.insert_node, node_rows)
        return time.perf_counter() - started

    def fetch_nodes(self, positions: Sequence[int]) -> list[bytes]:
        rows = self.connection.execute(
            "SELECT position, hash FROM merkle_nodes WHERE position = ANY(%s)",
            (list(positions),),
        ).fetchall()
        found = {int(position): bytes(digest) for position, digest in rows}
        return [found[position] for position in positions]

    def close(self) -> None:
        try:
            self.connection.execute(
                self.sql.SQL("DROP SCHEMA {} CASCADE").format(self.sql.Identifier(self.schema))
            )
        finally:
            self.connection.close()
