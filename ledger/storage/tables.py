"""The ledger's tables, as SQLAlchemy Core metadata shared by the store and migrations.

``entries``, ``merkle_nodes`` and ``checkpoints`` are append-only (the database refuses
UPDATE and DELETE); ``signing_keys`` is a projection of the key entries.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

# On SQLite an INTEGER PRIMARY KEY is the rowid itself: one B-tree instead of two.
Sequence = BigInteger().with_variant(Integer(), "sqlite")

entries = Table(
    "entries",
    metadata,
    Column("idx", Sequence, primary_key=True, autoincrement=False),
    Column("kind", String(64), nullable=False),
    Column("principal", String(200), nullable=False),
    Column("timestamp", String(24), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("link", LargeBinary(32), nullable=False),
)

merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("position", Sequence, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("tree_size", Sequence, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("note", Text, nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("public_key", LargeBinary(32), nullable=False),
    Column("added_index", BigInteger, nullable=False),
    Column("retired_index", BigInteger, nullable=True),
)
