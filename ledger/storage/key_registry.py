"""Reads of the signing-key projection (projections/keys.py writes it): which keys the
ledger has announced, and which it retired."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, select

from ledger.storage.tables import signing_keys


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A signing key as the ledger knows it."""

    kid: str
    public_key: bytes
    added_index: int
    retired_index: int | None


def _record(row: Row[Any]) -> KeyRecord:
    return KeyRecord(row.kid, bytes(row.public_key), row.added_index, row.retired_index)


def active_key(connection: Connection) -> KeyRecord | None:
    """The newest key not yet retired, read on ``connection``."""
    row = connection.execute(
        select(signing_keys)
        .where(signing_keys.c.retired_index.is_(None))
        .order_by(signing_keys.c.added_index.desc())
        .limit(1)
    ).first()
    return None if row is None else _record(row)


def all_keys(connection: Connection) -> list[KeyRecord]:
    """Every key the ledger ever announced, oldest first, retired ones included."""
    rows = connection.execute(select(signing_keys).order_by(signing_keys.c.added_index))
    return [_record(row) for row in rows]


class KeyRegistry:
    """Read the signing-key projection outside any append."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def active(self) -> KeyRecord | None:
        """The newest key not yet retired."""
        with self.engine.connect() as connection:
            return active_key(connection)

    def all(self) -> list[KeyRecord]:
        """Every announced key, oldest first."""
        with self.engine.connect() as connection:
            return all_keys(connection)
