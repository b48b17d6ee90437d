"""The lists a school's console and the API read: a school's students, the course credits
it deposited, conversions (by school, programme, account), a learner's certificates, and
the assessments a school may enrol candidates in. Each is paged and filtered here.

Students come with their name and ID number from the personal-data store only when the
caller asks (``with_identity``): the console shows them and logs that it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from ledger.storage.registry import MAX_PAGE_SIZE
from ledger.storage.tables import (
    assessments,
    certificates,
    conversions,
    enrolments,
    learner_identities,
    outcomes,
    plan_items,
    plans,
    standards,
)

#: The most rows an export reads in one go.
MAX_EXPORT_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class Listed:
    """One page of rows (plain dictionaries) and how many rows the filter matches."""

    items: list[dict[str, Any]]
    total: int


def _check_page(limit: int, offset: int, most: int = MAX_PAGE_SIZE) -> None:
    if not 1 <= limit <= most or offset < 0:
        raise ValueError(f"limit must be 1 to {most} and offset >= 0")


class SchoolLists:
    """Reads for the lists of one school; callers check who may see them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def students(
        self,
        school: str,
        *,
        search: str | None = None,
        with_identity: bool = False,
        limit: int = 50,
        offset: int = 0,
        most: int = MAX_PAGE_SIZE,
    ) -> Listed:
        """The school's students in enrolment order. ``search`` keeps accounts starting
        with it or (only ``with_identity``) names containing it."""
        _check_page(limit, offset, most)
        joined = enrolments.outerjoin(
            learner_identities, learner_identities.c.account == enrolments.c.account
        )
        conditions: list[Any] = [enrolments.c.school == school]
        if search:
            matches = [enrolments.c.account.startswith(search.upper(), autoescape=True)]
            if with_identity:
                matches.append(learner_identities.c.name.contains(search, autoescape=True))
            conditions.append(or_(*matches))
        columns: list[Any] = [enrolments.c.account, enrolments.c.enrolled_index]
        if with_identity:
            columns += [learner_identities.c.name, learner_identities.c.id_number]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(*columns)
                .select_from(joined)
                .where(*conditions)
                .order_by(enrolments.c.enrolled_index)
                .limit(limit)
                .offset(offset)
            )
            items = [dict(row._mapping) for row in rows]
            total = connection.execute(
                select(func.count()).select_from(joined).where(*conditions)
            ).scalar_one()
        return Listed(items, int(total))

    def identity(self, school: str, account: str) -> dict[str, Any] | None:
        """The name and ID number of one of ``school``'s students; None if not enrolled."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    enrolments.c.account, learner_identities.c.name, learner_identities.c.id_number
                )
                .select_from(
                    enrolments.outerjoin(
                        learner_identities, learner_identities.c.account == enrolments.c.account
                    )
                )
                .where(enrolments.c.school == school, enrolments.c.account == account)
            ).first()
        return None if row is None else dict(row._mapping)

    def credits(
        self,
        school: str,
        *,
        account: str | None = None,
        limit: int = 50,
        offset: int = 0,
        most: int = MAX_PAGE_SIZE,
    ) -> Listed:
        """Course credits the school deposited, newest first."""
        _check_page(limit, offset, most)
        conditions = [outcomes.c.kind == "course", outcomes.c.school == school]
        if account is not None:
            conditions.append(outcomes.c.account == account)
        return self._page(
            select(
                outcomes.c.idx.label("index"),
                outcomes.c.account,
                outcomes.c.source.label("course"),
                outcomes.c.title,
                outcomes.c.credits,
                outcomes.c.term,
                outcomes.c.grade,
                outcomes.c.earned_on,
            ),
            outcomes,
            conditions,
            outcomes.c.idx.desc(),
            limit,
            offset,
        )

    def conversions(
        self,
        *,
        school: str | None = None,
        programme: str | None = None,
        account: str | None = None,
        limit: int = 50,
        offset: int = 0,
        most: int = MAX_PAGE_SIZE,
    ) -> Listed:
        """Conversions (with their reversals), newest first, filtered."""
        _check_page(limit, offset, most)
        conditions = []
        if school is not None:
            conditions.append(conversions.c.school == school)
        if programme is not None:
            conditions.append(conversions.c.programme == programme)
        if account is not None:
            conditions.append(conversions.c.account == account)
        return self._page(
            select(conversions),
            conversions,
            conditions,
            conversions.c.recorded_index.desc(),
            limit,
            offset,
        )

    def _page(
        self, query: Any, table: Any, conditions: list[Any], order: Any, limit: int, offset: int
    ) -> Listed:
        where = and_(True, *conditions)
        with self.engine.connect() as connection:
            rows = connection.execute(
                query.where(where).order_by(order).limit(limit).offset(offset)
            )
            items = [dict(row._mapping) for row in rows]
            total = connection.execute(
                select(func.count()).select_from(table).where(where)
            ).scalar_one()
        return Listed(items, int(total))

    def certificates_of(self, account: str) -> list[dict[str, Any]]:
        """A learner's certificates with their standard's title, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    certificates.c.number,
                    certificates.c.standard,
                    certificates.c.level,
                    certificates.c.issued_on,
                    certificates.c.revoked_index,
                    standards.c.title,
                )
                .select_from(
                    certificates.join(standards, standards.c.code == certificates.c.standard)
                )
                .where(certificates.c.account == account)
                .order_by(certificates.c.issued_index)
            )
            return [dict(row._mapping) for row in rows]

    def open_assessments(self, school: str) -> list[dict[str, Any]]:
        """Assessments of a standard and level in one of the school's approved plans for
        the assessment's year, soonest first."""
        year = func.substr(assessments.c.date, 1, 4)
        with self.engine.connect() as connection:
            approved = {
                (row.year, row.standard, row.level)
                for row in connection.execute(
                    select(plans.c.year, plan_items.c.standard, plan_items.c.level)
                    .select_from(plans.join(plan_items, plan_items.c.plan == plans.c.plan))
                    .where(plans.c.school == school, plans.c.status == "approved")
                )
            }
            standards_planned = {standard for _year, standard, _level in approved}
            if not standards_planned:
                return []
            rows = connection.execute(
                select(assessments, year.label("year"))
                .where(assessments.c.standard.in_(standards_planned))
                .order_by(assessments.c.date)
            )
            return [
                dict(row._mapping)
                for row in rows
                if (int(row.year), row.standard, row.level) in approved
            ]
