"""The queries behind the office's statistics: aggregates over the projection tables.

Every figure of one report is read in one transaction, a snapshot of the tables (SQLite's
deferred read transaction; REPEATABLE READ on PostgreSQL), so that the figures agree with
each other and with the tree size they are given at. Dates are ``YYYY-MM-DD`` texts, which
compare in the order of the days they name. Nothing here reads personal data: only counts,
codes, and the names and reasons of schools and organizations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, func, select

from ledger.domain.pilot import PlanStatus
from ledger.domain.registry import OrgStatus, SchoolStatus
from ledger.storage.tables import (
    assessments,
    candidates,
    certificates,
    conversions,
    enrolments,
    entries,
    learners,
    orgs,
    plans,
    schools,
    sites,
    standards,
)

__all__ = ["RawStatistics", "StatisticsRepository"]

_EXITED_SCHOOLS = (SchoolStatus.SUSPENDED.value, SchoolStatus.EXPELLED.value)
_EXITED_ORGS = (OrgStatus.SUSPENDED.value, OrgStatus.BARRED.value)


@dataclass(frozen=True, slots=True)
class RawStatistics:
    """The figures as the tables give them; ledger.services.statistics shapes them.

    Rows are plain dictionaries; cities are codes, None where a certificate has none.
    """

    tree_size: int
    issued: int
    revoked: int
    by_standard: list[dict[str, Any]]
    by_city: list[dict[str, Any]]
    by_month: dict[str, int]
    pass_rates: list[dict[str, Any]]
    schools: list[dict[str, Any]]
    province_students: int
    province_sat: int
    conversions: dict[str, int]
    exited_schools: list[dict[str, Any]]
    exited_orgs: list[dict[str, Any]]
    counts: dict[str, int]


def _count(connection: Connection, table: Any, *conditions: Any) -> int:
    counted = connection.execute(select(func.count()).select_from(table).where(*conditions))
    return int(counted.one()[0])


def _rows(connection: Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(query)]


class StatisticsRepository:
    """Reads the figures of a period from the projection tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection

    def statistics(self, first: str, last: str, year: int) -> RawStatistics:
        """The figures of the days ``first`` to ``last`` (``YYYY-MM-DD``, both included)
        and the approved plans of ``year``."""
        with self._snapshot() as connection:
            head = connection.execute(select(func.max(entries.c.idx))).one()[0]
            issued_in = certificates.c.issued_on.between(first, last)
            revoked_in = certificates.c.revoked_on.between(first, last)
            return RawStatistics(
                tree_size=0 if head is None else int(head) + 1,
                issued=_count(connection, certificates, issued_in),
                revoked=_count(connection, certificates, revoked_in),
                by_standard=self._by_standard(connection, issued_in),
                by_city=self._by_city(connection, issued_in),
                by_month=self._by_month(connection, issued_in),
                pass_rates=self._pass_rates(connection, first, last),
                **self._coverage(connection, last),
                conversions=self._conversions(connection, first, last),
                exited_schools=_rows(
                    connection,
                    select(schools.c.id, schools.c.name, schools.c.city, schools.c.status)
                    .add_columns(schools.c.reason)
                    .where(schools.c.status.in_(_EXITED_SCHOOLS))
                    .order_by(schools.c.status_index),
                ),
                exited_orgs=_rows(
                    connection,
                    select(orgs.c.id, orgs.c.name, orgs.c.status, orgs.c.reason)
                    .where(orgs.c.status.in_(_EXITED_ORGS))
                    .order_by(orgs.c.status_index),
                ),
                counts=self._counts(connection, year),
            )

    @staticmethod
    def _counts(connection: Connection, year: int) -> dict[str, int]:
        return {
            "schools_admitted": _count(
                connection, schools, schools.c.status == SchoolStatus.ADMITTED.value
            ),
            "orgs_registered": _count(
                connection, orgs, orgs.c.status == OrgStatus.REGISTERED.value
            ),
            "standards": _count(connection, standards),
            "learners": _count(connection, learners),
            "sites": _count(connection, sites),
            "approved_plans": _count(
                connection, plans, plans.c.year == year, plans.c.status == PlanStatus.APPROVED.value
            ),
        }

    @staticmethod
    def _by_standard(connection: Connection, issued_in: Any) -> list[dict[str, Any]]:
        count = func.count().label("certificates")
        return [
            dict(row._mapping)
            for row in connection.execute(
                select(certificates.c.standard, standards.c.title, count)
                .join(standards, standards.c.code == certificates.c.standard)
                .where(issued_in)
                .group_by(certificates.c.standard, standards.c.title)
            )
        ]

    @staticmethod
    def _by_city(connection: Connection, issued_in: Any) -> list[dict[str, Any]]:
        # The city of the site of the assessment a certificate came from ...
        assessed = (
            select(candidates.c.certificate, sites.c.city)
            .join(assessments, assessments.c.assessment == candidates.c.assessment)
            .join(sites, sites.c.site == assessments.c.site)
            .where(candidates.c.certificate.is_not(None))
            .subquery("assessed")
        )
        # ... else the city of the school of the holder's first enrolment.
        first = (
            select(enrolments.c.account, func.min(enrolments.c.enrolled_index).label("first"))
            .group_by(enrolments.c.account)
            .subquery("first")
        )
        home = (
            select(enrolments.c.account, schools.c.city)
            .join(
                first,
                and_(
                    first.c.account == enrolments.c.account,
                    first.c.first == enrolments.c.enrolled_index,
                ),
            )
            .join(schools, schools.c.id == enrolments.c.school)
            .subquery("home")
        )
        city = func.coalesce(assessed.c.city, home.c.city)
        return [
            {"city": row.city, "certificates": row.certificates}
            for row in connection.execute(
                select(city.label("city"), func.count().label("certificates"))
                .select_from(
                    certificates.outerjoin(
                        assessed, assessed.c.certificate == certificates.c.number
                    ).outerjoin(home, home.c.account == certificates.c.account)
                )
                .where(issued_in)
                .group_by(city)
            )
        ]

    @staticmethod
    def _by_month(connection: Connection, issued_in: Any) -> dict[str, int]:
        month = func.substr(certificates.c.issued_on, 1, 7)
        return {
            row.month: row.certificates
            for row in connection.execute(
                select(month.label("month"), func.count().label("certificates"))
                .where(issued_in)
                .group_by(month)
            )
        }

    @staticmethod
    def _pass_rates(connection: Connection, first: str, last: str) -> list[dict[str, Any]]:
        return [
            {
                "standard": row.standard,
                "title": row.title,
                "assessments": row.assessments,
                "results": row.results,
                "passed": int(row.passed),
            }
            for row in connection.execute(
                select(
                    assessments.c.standard,
                    standards.c.title,
                    func.count(assessments.c.assessment.distinct()).label("assessments"),
                    func.count(candidates.c.result_index).label("results"),
                    func.coalesce(func.sum(candidates.c.passed), 0).label("passed"),
                )
                .select_from(
                    assessments.outerjoin(
                        candidates, candidates.c.assessment == assessments.c.assessment
                    ).join(standards, standards.c.code == assessments.c.standard)
                )
                .where(assessments.c.date.between(first, last))
                .group_by(assessments.c.standard, standards.c.title)
            )
        ]

    @staticmethod
    def _coverage(connection: Connection, last: str) -> dict[str, Any]:
        """Each school's students and those of them with a result in an assessment dated up
        to ``last``; the same over the province, each learner counted once."""
        sat = (
            select(candidates.c.account)
            .join(assessments, assessments.c.assessment == candidates.c.assessment)
            .where(candidates.c.result_index.is_not(None), assessments.c.date <= last)
            .distinct()
            .subquery("sat")
        )
        students = enrolments.outerjoin(sat, sat.c.account == enrolments.c.account)
        per_school = {
            row.school: row
            for row in connection.execute(
                select(
                    enrolments.c.school,
                    func.count().label("students"),
                    func.count(sat.c.account).label("sat"),
                )
                .select_from(students)
                .group_by(enrolments.c.school)
            )
        }
        rows = []
        for school in connection.execute(
            select(schools.c.id, schools.c.name, schools.c.city, schools.c.status).order_by(
                schools.c.id
            )
        ):
            counted = per_school.get(school.id)
            rows.append(
                {
                    **dict(school._mapping),
                    "students": 0 if counted is None else counted.students,
                    "sat": 0 if counted is None else counted.sat,
                }
            )
        province = connection.execute(
            select(
                func.count(enrolments.c.account.distinct()), func.count(sat.c.account.distinct())
            ).select_from(students)
        ).one()
        return {
            "schools": rows,
            "province_students": int(province[0]),
            "province_sat": int(province[1]),
        }

    @staticmethod
    def _conversions(connection: Connection, first: str, last: str) -> dict[str, int]:
        reversed_credits = case(
            (conversions.c.reversed_index.is_not(None), conversions.c.credits), else_=0
        )
        row = connection.execute(
            select(
                func.count(),
                func.count(conversions.c.reversed_index),
                func.coalesce(func.sum(conversions.c.credits), 0),
                func.coalesce(func.sum(reversed_credits), 0),
            ).where(conversions.c.recorded_on.between(first, last))
        ).one()
        return {
            "recorded": int(row[0]),
            "reversed": int(row[1]),
            "credits": int(row[2]),
            "reversed_credits": int(row[3]),
        }
