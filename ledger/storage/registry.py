"""The registry projection: organizations, pilot schools and standards as the ledger left them.

Rows change only inside the append transaction of the entries they mirror; reads page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Connection, Engine, Row, Table, func, select

from ledger.core.errors import Conflict, Forbidden, NotFound
from ledger.domain.registry import (
    LEVEL_ORDER,
    ORG_LIFECYCLE,
    ORG_REGISTERED,
    SCHOOL_ADMITTED,
    SCHOOL_LIFECYCLE,
    STANDARD_PUBLISHED,
    Action,
    Level,
    Lifecycle,
    OrgStatus,
    SchoolLevel,
    SchoolStatus,
)
from ledger.storage.store import StoredEntry
from ledger.storage.tables import orgs, schools, standards

#: The largest page a list returns.
MAX_PAGE_SIZE = 100

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PrivateContact:
    """An organization's contact and the salt of its commitment: never in the ledger."""

    contact: str
    salt: bytes


@dataclass(frozen=True, slots=True)
class OrgRecord:
    """An organization as the projection holds it; ``contact`` is None once erased."""

    id: str
    name: str
    contact: str | None
    status: OrgStatus
    reason: str | None
    registered_index: int
    status_index: int


@dataclass(frozen=True, slots=True)
class SchoolRecord:
    """A pilot school as the projection holds it."""

    id: str
    name: str
    city: str
    level: SchoolLevel
    status: SchoolStatus
    reason: str | None
    admitted_index: int
    status_index: int


@dataclass(frozen=True, slots=True)
class StandardRecord:
    """A published certificate standard."""

    code: str
    org: str
    title: str
    credits: Mapping[Level, int]
    document_hash: str
    published_index: int

    @property
    def levels(self) -> tuple[Level, ...]:
        """The levels offered, junior first."""
        return tuple(level for level in LEVEL_ORDER if level in self.credits)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a filtered list and the number of rows the filter matches."""

    items: list[T]
    total: int


# -- projecting ---------------------------------------------------------------------


def project_registry(
    connection: Connection,
    appended: Sequence[StoredEntry],
    contacts: Mapping[str, PrivateContact] | None = None,
) -> None:
    """Mirror registry entries into ``orgs``, ``schools`` and ``standards``.

    Runs inside the append transaction, under the write lock, so it sees every earlier
    write. Raises Conflict for a duplicate or a status change the lifecycle forbids and
    NotFound for an object that does not exist: the append then writes nothing.
    ``contacts`` holds the private contact of each organization being registered.
    """
    for entry in appended:
        if entry.kind == ORG_REGISTERED:
            payload = entry.payload()
            private = (contacts or {}).get(payload["org"])
            _insert_org(connection, payload, entry.index, private)
        elif entry.kind == SCHOOL_ADMITTED:
            _insert_school(connection, entry.payload(), entry.index)
        elif entry.kind == STANDARD_PUBLISHED:
            _insert_standard(connection, entry.payload(), entry.index)
        else:
            for lifecycle, table in _LIFECYCLES:
                action = lifecycle.action_of(entry.kind)
                if action is not None:
                    _change_status(connection, lifecycle, table, action, entry)


_LIFECYCLES = ((ORG_LIFECYCLE, orgs), (SCHOOL_LIFECYCLE, schools))


def _change_status(
    connection: Connection, lifecycle: Lifecycle, table: Table, action: Action, entry: StoredEntry
) -> None:
    payload = entry.payload()
    object_id = payload[lifecycle.key]
    current = _status(connection, table, object_id)
    if current is None:
        raise NotFound(f"there is no {lifecycle.noun} {object_id}")
    status = lifecycle.next_status(object_id, current[0], action)
    connection.execute(
        table.update()
        .where(table.c.id == object_id)
        .values(status=status, reason=payload["reason"], status_index=entry.index)
    )


def _status(connection: Connection, table: Table, object_id: str) -> tuple[str, str | None] | None:
    """The status and reason of one object, or None when there is no such object."""
    row = connection.execute(
        select(table.c.status, table.c.reason).where(table.c.id == object_id)
    ).first()
    return None if row is None else (row.status, row.reason)


def _insert_org(
    connection: Connection, payload: dict[str, Any], index: int, private: PrivateContact | None
) -> None:
    if _status(connection, orgs, payload["org"]) is not None:
        raise Conflict(f"organization {payload['org']} is registered already")
    connection.execute(
        orgs.insert(),
        {
            "id": payload["org"],
            "name": payload["name"],
            "contact": None if private is None else private.contact,
            "contact_salt": None if private is None else private.salt,
            "status": OrgStatus.REGISTERED.value,
            "reason": None,
            "registered_index": index,
            "status_index": index,
        },
    )


def _insert_school(connection: Connection, payload: dict[str, Any], index: int) -> None:
    if _status(connection, schools, payload["school"]) is not None:
        raise Conflict(f"school {payload['school']} is admitted already")
    connection.execute(
        schools.insert(),
        {
            "id": payload["school"],
            "name": payload["name"],
            "city": payload["city"],
            "level": payload["level"],
            "status": SchoolStatus.ADMITTED.value,
            "reason": None,
            "admitted_index": index,
            "status_index": index,
        },
    )


def _insert_standard(connection: Connection, payload: dict[str, Any], index: int) -> None:
    code = payload["standard"]
    if connection.execute(select(standards.c.code).where(standards.c.code == code)).first():
        raise Conflict(f"standard {code} is published already")
    if _status(connection, orgs, payload["org"]) is None:
        raise NotFound(f"there is no organization {payload['org']}")
    credits = payload["credits"]
    connection.execute(
        standards.insert(),
        {
            "code": code,
            "org": payload["org"],
            "title": payload["title"],
            **{f"{level.value}_credits": credits.get(level.value) for level in LEVEL_ORDER},
            "document_hash": payload["document_hash"],
            "published_index": index,
        },
    )


# -- reads other writers make inside their append -----------------------------------


def standard_in(connection: Connection, code: str) -> StandardRecord | None:
    """The standard ``code`` as the open transaction sees it, or None."""
    row = connection.execute(select(standards).where(standards.c.code == code)).first()
    return None if row is None else _standard(row)


# -- exit checks other writers call -------------------------------------------------


def ensure_active_org(connection: Connection, org_id: str) -> None:
    """Forbidden, saying why, unless ``org_id`` is a registered organization (not suspended,
    not barred). Call it inside the append transaction of the write it guards."""
    _ensure_active(connection, orgs, ORG_LIFECYCLE, org_id)


def ensure_active_school(connection: Connection, school_id: str) -> None:
    """Forbidden, saying why, unless ``school_id`` is an admitted pilot school (not suspended,
    not expelled). Call it inside the append transaction of the write it guards."""
    _ensure_active(connection, schools, SCHOOL_LIFECYCLE, school_id)


def _ensure_active(
    connection: Connection, table: Table, lifecycle: Lifecycle, object_id: str
) -> None:
    current = _status(connection, table, object_id)
    if current is None:
        raise Forbidden(f"{lifecycle.noun} {object_id} is not {lifecycle.active}")
    status, reason = current
    if status != lifecycle.active:
        raise Forbidden(f"{lifecycle.noun} {object_id} is {status}: {reason}")


# -- reading ------------------------------------------------------------------------


def _org(row: Row[Any]) -> OrgRecord:
    return OrgRecord(
        row.id,
        row.name,
        row.contact,
        OrgStatus(row.status),
        row.reason,
        row.registered_index,
        row.status_index,
    )


def _school(row: Row[Any]) -> SchoolRecord:
    return SchoolRecord(
        row.id,
        row.name,
        row.city,
        SchoolLevel(row.level),
        SchoolStatus(row.status),
        row.reason,
        row.admitted_index,
        row.status_index,
    )


def _standard(row: Row[Any]) -> StandardRecord:
    credits = {
        level: value
        for level in LEVEL_ORDER
        if (value := getattr(row, f"{level.value}_credits")) is not None
    }
    return StandardRecord(
        row.code, row.org, row.title, credits, row.document_hash, row.published_index
    )


def _credits_column(level: Level) -> Column[Any]:
    column: Column[Any] = standards.c[f"{level.value}_credits"]
    return column


class RegistryRepository:
    """Read the registry projection outside any append; lists filter and page."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ensure_not_excluded(self, org_id: str | None = None, school_id: str | None = None) -> None:
        """Forbidden, saying why, when the named organization or school is registered but
        suspended, barred or expelled. One the registry does not hold passes here."""
        with self.engine.connect() as connection:
            for table, lifecycle, object_id in (
                (orgs, ORG_LIFECYCLE, org_id),
                (schools, SCHOOL_LIFECYCLE, school_id),
            ):
                current = None if object_id is None else _status(connection, table, object_id)
                if current is not None and current[0] != lifecycle.active:
                    raise Forbidden(f"{lifecycle.noun} {object_id} is {current[0]}: {current[1]}")

    def org(self, org_id: str) -> OrgRecord | None:
        """The organization ``org_id``, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(select(orgs).where(orgs.c.id == org_id)).first()
        return None if row is None else _org(row)

    def school(self, school_id: str) -> SchoolRecord | None:
        """The school ``school_id``, or None."""
        with self.engine.connect() as connection:
            row = connection.execute(select(schools).where(schools.c.id == school_id)).first()
        return None if row is None else _school(row)

    def standard(self, code: str) -> StandardRecord | None:
        """The standard ``code``, or None."""
        with self.engine.connect() as connection:
            return standard_in(connection, code)

    def orgs(
        self, *, status: OrgStatus | None, name_contains: str | None, limit: int, offset: int
    ) -> Page[OrgRecord]:
        """Organizations in registration order; ``name_contains`` ignores ASCII case."""
        conditions = []
        if status is not None:
            conditions.append(orgs.c.status == status.value)
        if name_contains:
            conditions.append(orgs.c.name.icontains(name_contains, autoescape=True))
        rows, total = self._page(orgs, orgs.c.registered_index, conditions, limit, offset)
        return Page([_org(row) for row in rows], total)

    def schools(
        self,
        *,
        city: str | None,
        level: SchoolLevel | None,
        status: SchoolStatus | None,
        limit: int,
        offset: int,
    ) -> Page[SchoolRecord]:
        """Pilot schools in admission order."""
        conditions = []
        if city is not None:
            conditions.append(schools.c.city == city)
        if level is not None:
            conditions.append(schools.c.level == level.value)
        if status is not None:
            conditions.append(schools.c.status == status.value)
        rows, total = self._page(schools, schools.c.admitted_index, conditions, limit, offset)
        return Page([_school(row) for row in rows], total)

    def standards(
        self, *, org: str | None, level: Level | None, limit: int, offset: int
    ) -> Page[StandardRecord]:
        """Standards in publication order; ``level`` keeps those that offer it."""
        conditions = []
        if org is not None:
            conditions.append(standards.c.org == org)
        if level is not None:
            conditions.append(_credits_column(level).is_not(None))
        rows, total = self._page(standards, standards.c.published_index, conditions, limit, offset)
        return Page([_standard(row) for row in rows], total)

    def _page(
        self, table: Table, order: Column[Any], conditions: list[Any], limit: int, offset: int
    ) -> tuple[list[Row[Any]], int]:
        if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
            raise ValueError(f"limit must be 1 to {MAX_PAGE_SIZE} and offset >= 0")
        with self.engine.connect() as connection:
            rows = list(
                connection.execute(
                    select(table).where(*conditions).order_by(order).limit(limit).offset(offset)
                )
            )
            total = connection.execute(
                select(func.count()).select_from(table).where(*conditions)
            ).scalar_one()
        return rows, int(total)
