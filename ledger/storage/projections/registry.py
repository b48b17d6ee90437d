"""The registry projection: organizations, pilot schools and standards as the ledger left them.

Handlers refuse what the lifecycle forbids (Conflict, NotFound), so an append that breaks a
rule writes nothing; the services check the same rules first and say why in their words.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select, update

from ledger.core.errors import Conflict, NotFound
from ledger.domain.registry import (
    LEVEL_ORDER,
    ORG_LIFECYCLE,
    SCHOOL_LIFECYCLE,
    Lifecycle,
    OrgStatus,
    SchoolStatus,
)
from ledger.kinds import REGISTRY, Kind
from ledger.payloads import OrgRegistered, SchoolAdmitted, StandardPublished
from ledger.storage.projection import Handler, Projection, ProjectionWriter
from ledger.storage.store import StoredEntry
from ledger.storage.tables import orgs, schools, standards


def _status(writer: ProjectionWriter, table: Table, object_id: str) -> str | None:
    row = writer.execute(select(table.c.status).where(table.c.id == object_id)).first()
    return None if row is None else str(row.status)


def _org(writer: ProjectionWriter, entry: StoredEntry, p: OrgRegistered, _b: object) -> None:
    if _status(writer, orgs, p.org) is not None:
        raise Conflict(f"organization {p.org} is registered already")
    writer.insert(
        orgs,
        {
            "id": p.org,
            "name": p.name,
            "status": OrgStatus.REGISTERED.value,
            "reason": None,
            "registered_index": entry.index,
            "status_index": entry.index,
        },
    )


def _school(writer: ProjectionWriter, entry: StoredEntry, p: SchoolAdmitted, _b: object) -> None:
    if _status(writer, schools, p.school) is not None:
        raise Conflict(f"school {p.school} is admitted already")
    writer.insert(
        schools,
        {
            "id": p.school,
            "name": p.name,
            "city": p.city,
            "level": p.level,
            "status": SchoolStatus.ADMITTED.value,
            "reason": None,
            "admitted_index": entry.index,
            "status_index": entry.index,
        },
    )


def _standard(
    writer: ProjectionWriter, entry: StoredEntry, p: StandardPublished, _b: object
) -> None:
    found = writer.execute(select(standards.c.code).where(standards.c.code == p.standard))
    if found.first() is not None:
        raise Conflict(f"standard {p.standard} is published already")
    if _status(writer, orgs, p.org) is None:
        raise NotFound(f"there is no organization {p.org}")
    writer.insert(
        standards,
        {
            "code": p.standard,
            "org": p.org,
            "title": p.title,
            **{f"{level.value}_credits": p.credits.get(level.value) for level in LEVEL_ORDER},
            "document_hash": p.document_hash,
            "published_index": entry.index,
        },
    )


def _status_change(lifecycle: Lifecycle, table: Table, kind: Kind) -> Handler:
    action = lifecycle.action_of(kind)
    assert action is not None

    def change(writer: ProjectionWriter, entry: StoredEntry, p: Any, _b: object) -> None:
        object_id = getattr(p, lifecycle.key)
        current = _status(writer, table, object_id)
        if current is None:
            raise NotFound(f"there is no {lifecycle.noun} {object_id}")
        status = lifecycle.next_status(object_id, current, action)
        writer.execute(
            update(table)
            .where(table.c.id == object_id)
            .values(status=status, reason=p.reason, status_index=entry.index)
        )

    return change


_HANDLERS: dict[Kind, Handler] = {
    Kind.ORG_REGISTERED: _org,
    Kind.SCHOOL_ADMITTED: _school,
    Kind.STANDARD_PUBLISHED: _standard,
}
for _lifecycle, _table in ((ORG_LIFECYCLE, orgs), (SCHOOL_LIFECYCLE, schools)):
    for _kind in _lifecycle.kinds.values():
        _HANDLERS[Kind(_kind)] = _status_change(_lifecycle, _table, Kind(_kind))

PROJECTION = Projection(REGISTRY, (orgs, schools, standards), _HANDLERS)
