"""Checked sheets waiting for a clerk's confirmation (``upload_previews``): the rows as
JSON, who uploaded them, and once confirmed, when and with what result.

Confirming claims the row first (an UPDATE that only one request can win), so a
second confirmation, from a double click or another tab, records nothing twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from ledger.storage.staff_tables import upload_previews


@dataclass(frozen=True, slots=True)
class Upload:
    """A previewed sheet: its rows, and the result once confirmed."""

    upload: str
    principal: str
    kind: str
    rows: list[dict[str, Any]]
    created_at: int
    confirmed_at: int | None
    result: dict[str, Any] | None


class Uploads:
    """Store, read, claim and settle previewed sheets."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self, upload: str, principal: str, kind: str, rows: list[dict[str, Any]], now: int
    ) -> None:
        """Keep the checked rows of a new upload by ``principal`` (a party)."""
        with self.engine.begin() as connection:
            connection.execute(
                upload_previews.insert(),
                {
                    "upload": upload,
                    "principal": principal,
                    "kind": kind,
                    "rows": json.dumps(rows, ensure_ascii=False),
                    "created_at": now,
                },
            )

    def get(self, upload: str, principal: str) -> Upload | None:
        """The upload ``upload`` of ``principal``; None for anyone else's or none."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(upload_previews).where(
                    upload_previews.c.upload == upload, upload_previews.c.principal == principal
                )
            ).first()
        if row is None:
            return None
        return Upload(
            row.upload,
            row.principal,
            row.kind,
            json.loads(row.rows),
            row.created_at,
            row.confirmed_at,
            None if row.result is None else json.loads(row.result),
        )

    def claim(self, upload: str, now: int) -> bool:
        """Mark the upload confirmed; False when it was confirmed before."""
        with self.engine.begin() as connection:
            claimed = connection.execute(
                upload_previews.update()
                .where(upload_previews.c.upload == upload, upload_previews.c.confirmed_at.is_(None))
                .values(confirmed_at=now)
            )
        return bool(claimed.rowcount == 1)

    def settle(self, upload: str, result: dict[str, Any] | None) -> None:
        """Keep the result of a confirmed upload and forget its rows (a sheet of students
        holds names and ID numbers); None releases the claim (nothing was written, so the
        clerk may confirm again)."""
        values: dict[str, Any] = (
            {"confirmed_at": None, "result": None}
            if result is None
            else {"result": json.dumps(result, ensure_ascii=False), "rows": "[]"}
        )
        with self.engine.begin() as connection:
            connection.execute(
                upload_previews.update().where(upload_previews.c.upload == upload).values(**values)
            )
