"""The signing-key projection: which keys the ledger has announced and retired.

Rows change only inside the append transaction of the key entries they mirror.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, select

from ledger.storage.store import StoredEntry
from ledger.storage.tables import signing_keys

KEY_ADDED = "key.added"
KEY_RETIRED = "key.retired"


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A signing key as the ledger knows it."""

    kid: str
    public_key: bytes
    added_index: int
    retired_index: int | None


def project_keys(connection: Connection, appended: Sequence[StoredEntry]) -> None:
    """Mirror ``key.added`` and ``key.retired`` entries into ``signing_keys``."""
    for entry in appended:
        if entry.kind not in (KEY_ADDED, KEY_RETIRED):
            continue
        payload = json.loads(entry.data)["payload"]
        if entry.kind == KEY_ADDED:
            connection.execute(
                signing_keys.insert(),
                {
                    "kid": payload["kid"],
                    "public_key": bytes.fromhex(payload["public_key"]),
                    "added_index": entry.index,
                    "retired_index": None,
                },
            )
        else:
            connection.execute(
                signing_keys.update()
                .where(signing_keys.c.kid == payload["kid"])
                .values(retired_index=entry.index)
            )


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
