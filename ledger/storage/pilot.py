"""Reads of the pilot's procedures (projections/pilot.py writes them): what the rules need
inside a unit of work, and what the service reads outside one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ledger.domain.pilot import (
    PlanStatus,
)
from ledger.storage.tables import (
    assessments,
    candidates,
    fee_caps,
    learner_identities,
    monitoring_points,
    plan_items,
    plans,
    site_standards,
    sites,
)

__all__ = ["AssessmentRecord", "PilotRepository"]


# -- reads under the write lock -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """An assessment session as scheduled."""

    assessment: str
    org: str
    standard: str
    level: str
    site: str
    date: str
    fee: int
    scheduled_index: int


def assessment_of(connection: Connection, assessment: str) -> AssessmentRecord | None:
    """The assessment ``assessment``, or None."""
    row = connection.execute(
        select(assessments).where(assessments.c.assessment == assessment)
    ).first()
    if row is None:
        return None
    return AssessmentRecord(
        row.assessment, row.org, row.standard, row.level, row.site, row.date, row.fee,
        row.scheduled_index,
    )  # fmt: skip


def site_of(connection: Connection, site: str) -> tuple[str, str, int, set[str]] | None:
    """(org, city, capacity, standards assessed) of site ``site``, or None."""
    row = connection.execute(select(sites).where(sites.c.site == site)).first()
    if row is None:
        return None
    standards = connection.execute(
        select(site_standards.c.standard).where(site_standards.c.site == site)
    )
    return row.org, row.city, row.capacity, {r.standard for r in standards}


def fee_cap(connection: Connection, standard: str, level: str) -> int | None:
    """The office's cap for ``standard`` at ``level``, or None when it set none."""
    cap: int | None = connection.execute(
        select(fee_caps.c.cap).where(fee_caps.c.standard == standard, fee_caps.c.level == level)
    ).scalar()
    return cap


def plan_of(connection: Connection, plan: str) -> tuple[str, int] | None:
    """(school, year) of plan ``plan``, or None."""
    row = connection.execute(
        select(plans.c.school, plans.c.year).where(plans.c.plan == plan)
    ).first()
    return None if row is None else (row.school, row.year)


def plan_status_in(connection: Connection, plan: str) -> str | None:
    """The status of plan ``plan`` as the open transaction sees it, or None."""
    status: str | None = connection.execute(
        select(plans.c.status).where(plans.c.plan == plan)
    ).scalar()
    return status


def approved_plan_offers(
    connection: Connection, school: str, year: int, standard: str, level: str
) -> bool:
    """True when ``school``'s approved plan for ``year`` names ``standard`` at ``level``."""
    found = connection.execute(
        select(plan_items.c.plan)
        .join(plans, plans.c.plan == plan_items.c.plan)
        .where(
            plans.c.school == school,
            plans.c.year == year,
            plans.c.status == PlanStatus.APPROVED.value,
            plan_items.c.standard == standard,
            plan_items.c.level == level,
        )
    ).first()
    return found is not None


def has_approved_plan(connection: Connection, school: str, year: int) -> bool:
    """True when ``school`` has an approved plan for ``year``."""
    found = connection.execute(
        select(plans.c.plan).where(
            plans.c.school == school,
            plans.c.year == year,
            plans.c.status == PlanStatus.APPROVED.value,
        )
    ).first()
    return found is not None


def candidates_of(connection: Connection, assessment: str) -> dict[str, Any]:
    """Candidate rows of ``assessment`` by account."""
    rows = connection.execute(select(candidates).where(candidates.c.assessment == assessment))
    return {row.account: row for row in rows}


def candidate_count(connection: Connection, assessment: str) -> int:
    """How many candidates ``assessment`` has."""
    count: int = connection.execute(
        select(func.count()).select_from(candidates).where(candidates.c.assessment == assessment)
    ).scalar_one()
    return count


def point_exists(connection: Connection, school: str, standard: str) -> bool:
    """True when ``school`` is a monitoring point for ``standard``."""
    found = connection.execute(
        select(monitoring_points.c.school).where(
            monitoring_points.c.school == school, monitoring_points.c.standard == standard
        )
    ).first()
    return found is not None


class PilotRepository:
    """Read the pilot's procedures outside any append."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self, statement: Any) -> list[Any]:
        """The rows ``statement`` selects."""
        with self.engine.connect() as connection:
            return list(connection.execute(statement))

    def plan_status(self, plan: str) -> str | None:
        """The status of ``plan``, or None."""
        with self.engine.connect() as connection:
            status: str | None = connection.execute(
                select(plans.c.status).where(plans.c.plan == plan)
            ).scalar()
            return status

    def assessment(self, assessment: str) -> AssessmentRecord | None:
        """The assessment ``assessment``, or None."""
        with self.engine.connect() as connection:
            return assessment_of(connection, assessment)

    def identities(self, accounts: Sequence[str]) -> dict[str, tuple[str, str]]:
        """(ID number, full name) of each of ``accounts`` the personal-data store still holds."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    learner_identities.c.account,
                    learner_identities.c.id_number,
                    learner_identities.c.name,
                ).where(
                    learner_identities.c.account.in_(accounts),
                    learner_identities.c.id_number.is_not(None),
                )
            )
            return {row.account: (row.id_number, row.name) for row in rows}

    def candidates(self, assessment: str) -> dict[str, Any]:
        """Candidate rows of ``assessment`` by account."""
        with self.engine.connect() as connection:
            return candidates_of(connection, assessment)
