"""What an erasure clears beside the projection of ``learner.erased``: the learner's rows in
sheets uploaded for preview (``upload_previews`` keeps a students sheet's names and ID
numbers as JSON), found by the ID number read before the erasure."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from ledger.storage.staff_tables import upload_previews
from ledger.storage.tables import learner_identities

#: What stands in the rows of an uploaded sheet for an erased name or ID number.
ERASED = None


@dataclass(frozen=True, slots=True)
class Erased:
    """An erasure: its ledger index, and whether the database files are scrubbed yet."""

    index: int
    scrubbed: bool


def id_number_of(connection: Connection, account: str) -> str | None:
    """The ID number the personal-data store holds for ``account``, or None."""
    row = connection.execute(
        select(learner_identities.c.id_number).where(learner_identities.c.account == account)
    ).first()
    return None if row is None or row.id_number is None else str(row.id_number)


def redact_uploads(connection: Connection, id_number: str) -> int:
    """Blank the name and ID number of every uploaded row with ``id_number`` in the
    caller's transaction; how many sheets changed."""
    changed = 0
    found = connection.execute(
        select(upload_previews.c.upload, upload_previews.c.rows).where(
            upload_previews.c.rows.contains(id_number)
        )
    ).all()
    for upload, text in found:
        rows = json.loads(text)
        for row in rows:
            if isinstance(row, dict) and row.get("id_number") == id_number:
                row["id_number"] = row["name"] = ERASED
        connection.execute(
            update(upload_previews)
            .where(upload_previews.c.upload == upload)
            .values(rows=json.dumps(rows, ensure_ascii=False))
        )
        changed += 1
    return changed
