"""The lists of the organizations' and office's consoles and their API: assessments by
organization, standard and date, certificates by organization, standard, batch,
assessment and status, an assessment's candidates. Reads of projections only; callers
authorize."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, func, select

from ledger.storage.school_lists import Listed, _check_page
from ledger.storage.tables import assessments, candidates, certificates, standards


class OrgLists:
    """Paged reads of assessments and certificates."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _page(self, query: Any, count: Any, limit: int, offset: int) -> Listed:
        with self.engine.connect() as connection:
            items = [
                dict(r._mapping) for r in connection.execute(query.limit(limit).offset(offset))
            ]
            total = connection.execute(count).scalar_one()
        return Listed(items, int(total))

    def assessments(
        self,
        *,
        org: str | None = None,
        standard: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Listed:
        """Assessments by date, then scheduling order, with their counts of candidates,
        results, passes and certificates."""
        _check_page(limit, offset)
        conditions = []
        if org is not None:
            conditions.append(assessments.c.org == org)
        if standard is not None:
            conditions.append(assessments.c.standard == standard)
        if date_from is not None:
            conditions.append(assessments.c.date >= date_from)
        if date_to is not None:
            conditions.append(assessments.c.date <= date_to)
        where = and_(True, *conditions)
        counts = (
            select(
                candidates.c.assessment,
                func.count().label("candidates"),
                func.count(candidates.c.result_index).label("results"),
                func.coalesce(func.sum(candidates.c.passed), 0).label("passed"),
                func.count(candidates.c.certificate).label("certified"),
            )
            .group_by(candidates.c.assessment)
            .subquery()
        )
        query = (
            select(
                assessments,
                func.coalesce(counts.c.candidates, 0).label("candidates"),
                func.coalesce(counts.c.results, 0).label("results"),
                func.coalesce(counts.c.passed, 0).label("passed"),
                func.coalesce(counts.c.certified, 0).label("certified"),
            )
            .select_from(
                assessments.outerjoin(counts, counts.c.assessment == assessments.c.assessment)
            )
            .where(where)
            .order_by(assessments.c.date, assessments.c.scheduled_index)
        )
        count = select(func.count()).select_from(assessments).where(where)
        return self._page(query, count, limit, offset)

    def candidates(self, assessment: str) -> list[dict[str, Any]]:
        """The candidates of an assessment with their results and certificates."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(candidates)
                .where(candidates.c.assessment == assessment)
                .order_by(candidates.c.enrolled_index, candidates.c.account)
            )
            return [dict(r._mapping) for r in rows]

    def certificates(
        self,
        *,
        org: str | None = None,
        standard: str | None = None,
        batch: str | None = None,
        assessment: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Listed:
        """Certificates newest first; ``status`` is ``valid`` or ``revoked``."""
        _check_page(limit, offset)
        conditions = []
        if org is not None:
            conditions.append(certificates.c.org == org)
        if standard is not None:
            conditions.append(certificates.c.standard == standard)
        if batch is not None:
            conditions.append(certificates.c.batch == batch)
        if assessment is not None:
            conditions.append(
                certificates.c.number.in_(
                    select(candidates.c.certificate).where(candidates.c.assessment == assessment)
                )
            )
        if status == "valid":
            conditions.append(certificates.c.revoked_index.is_(None))
        elif status == "revoked":
            conditions.append(certificates.c.revoked_index.is_not(None))
        where = and_(True, *conditions)
        query = (
            select(
                certificates.c.number,
                certificates.c.account,
                certificates.c.standard,
                standards.c.title.label("standard_title"),
                certificates.c.level,
                certificates.c.org,
                certificates.c.issued_on,
                certificates.c.batch,
                certificates.c.issued_index,
                certificates.c.revoked_on,
                certificates.c.revocation_reason,
            )
            .select_from(certificates.join(standards, standards.c.code == certificates.c.standard))
            .where(where)
            .order_by(certificates.c.issued_index.desc())
        )
        count = select(func.count()).select_from(certificates).where(where)
        return self._page(query, count, limit, offset)
