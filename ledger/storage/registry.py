"""Reads of the registry: organizations (with their contacts from beside the ledger), pilot
schools and standards as projections/registry.py left them; lists filter and page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Connection, Engine, Row, Select, Table, func, or_, select

from ledger.core.errors import Conflict, Forbidden
from ledger.domain.registry import (
    LEVEL_ORDER,
    ORG_LIFECYCLE,
    SCHOOL_LIFECYCLE,
    Level,
    Lifecycle,
    OrgStatus,
    SchoolLevel,
    SchoolStatus,
)
from ledger.domain.text_rules import look_alike
from ledger.storage.projections.beside import PrivateContact
from ledger.storage.tables import org_contacts, orgs, schools, standards

__all__ = ["OrgRecord", "Page", "PrivateContact", "RegistryRepository", "SchoolRecord"]

#: The largest page a list returns.
MAX_PAGE_SIZE = 100

T = TypeVar("T")


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


def _status(connection: Connection, table: Table, object_id: str) -> tuple[str, str | None] | None:
    """The status and reason of one object, or None when there is no such object."""
    row = connection.execute(
        select(table.c.status, table.c.reason).where(table.c.id == object_id)
    ).first()
    return None if row is None else (row.status, row.reason)


# -- reads other writers make inside their append -----------------------------------


def standard_in(connection: Connection, code: str) -> StandardRecord | None:
    """The standard ``code`` as the open transaction sees it, or None."""
    row = connection.execute(select(standards).where(standards.c.code == code)).first()
    return None if row is None else _standard(row)


# -- exit checks other writers call -------------------------------------------------


def ensure_distinct_name(connection: Connection, name: str, object_id: str) -> None:
    """Conflict when ``name`` looks like the registered name of another organization or
    school (domain.text_rules.skeleton: the same once look-alike letters are folded)."""
    others = connection.execute(
        select(orgs.c.name)
        .where(orgs.c.id != object_id)
        .union_all(select(schools.c.name).where(schools.c.id != object_id))
    ).scalars()
    similar = look_alike(name, others)
    if similar is not None:
        raise Conflict(
            f"name looks like the registered name {similar!r}: choose a name that cannot be "
            "mistaken for it"
        )


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

#: Organizations with their contact, kept beside the ledger (NULL once erased).
_ORGS = select(orgs, org_contacts.c.contact).outerjoin(
    org_contacts, org_contacts.c.org == orgs.c.id
)


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
            row = connection.execute(_ORGS.where(orgs.c.id == org_id)).first()
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
        rows, total = self._page(orgs, orgs.c.registered_index, conditions, limit, offset, _ORGS)
        return Page([_org(row) for row in rows], total)

    def schools(
        self,
        *,
        city: str | None,
        level: SchoolLevel | None,
        status: SchoolStatus | None,
        limit: int,
        offset: int,
        name_contains: str | None = None,
    ) -> Page[SchoolRecord]:
        """Pilot schools in admission order; ``name_contains`` matches the name (ignoring
        ASCII case) or the start of the school code."""
        conditions = []
        if name_contains:
            conditions.append(
                or_(
                    schools.c.name.icontains(name_contains, autoescape=True),
                    schools.c.id.startswith(name_contains, autoescape=True),
                )
            )
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
        self,
        table: Table,
        order: Column[Any],
        conditions: list[Any],
        limit: int,
        offset: int,
        query: Select[Any] | None = None,
    ) -> tuple[list[Row[Any]], int]:
        if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
            raise ValueError(f"limit must be 1 to {MAX_PAGE_SIZE} and offset >= 0")
        statement: Select[Any] = select(table) if query is None else query
        with self.engine.connect() as connection:
            rows = list(
                connection.execute(
                    statement.where(*conditions).order_by(order).limit(limit).offset(offset)
                )
            )
            total = connection.execute(
                select(func.count()).select_from(table).where(*conditions)
            ).scalar_one()
        return rows, int(total)
