"""Reads of the pilot's procedures for the API and the office's reports."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, func, select

from ledger.domain.pilot import PlanStatus
from ledger.storage.tables import (
    assessments,
    candidates,
    documents,
    fee_caps,
    monitoring_points,
    plan_items,
    plans,
    schools,
    self_evaluations,
    site_standards,
    sites,
)

__all__ = ["PilotReads"]


def _as_dicts(rows: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in rows]


class PilotReads:
    """Lists and reports over the pilot's tables; each returns plain dictionaries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def plans(
        self, *, year: int | None, school: str | None, status: str | None
    ) -> list[dict[str, Any]]:
        """Plans in filing order, each with its items."""
        conditions = []
        if year is not None:
            conditions.append(plans.c.year == year)
        if school is not None:
            conditions.append(plans.c.school == school)
        if status is not None:
            conditions.append(plans.c.status == status)
        with self.engine.connect() as connection:
            found = _as_dicts(
                connection.execute(select(plans).where(*conditions).order_by(plans.c.filed_index))
            )
            ids = [plan["plan"] for plan in found]
            items: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for row in connection.execute(
                select(plan_items).where(plan_items.c.plan.in_(ids)).order_by(plan_items.c.standard)
            ):
                items[row.plan].append(
                    {"standard": row.standard, "level": row.level, "candidates": row.candidates}
                )
        for plan in found:
            plan["items"] = items[plan["plan"]]
        return found

    def sites(self, *, org: str | None, city: str | None) -> list[dict[str, Any]]:
        """Sites in registration order, each with the standards assessed there."""
        conditions = []
        if org is not None:
            conditions.append(sites.c.org == org)
        if city is not None:
            conditions.append(sites.c.city == city)
        with self.engine.connect() as connection:
            found = _as_dicts(
                connection.execute(
                    select(sites).where(*conditions).order_by(sites.c.registered_index)
                )
            )
            assessed: dict[str, list[str]] = defaultdict(list)
            for row in connection.execute(
                select(site_standards).order_by(site_standards.c.standard)
            ):
                assessed[row.site].append(row.standard)
        for site in found:
            site["standards"] = assessed[site["site"]]
        return found

    def fee_caps(self) -> list[dict[str, Any]]:
        """Every fee cap, by standard and level."""
        with self.engine.connect() as connection:
            return _as_dicts(
                connection.execute(select(fee_caps).order_by(fee_caps.c.standard, fee_caps.c.level))
            )

    def assessment(self, assessment: str) -> dict[str, Any] | None:
        """An assessment with its counts of candidates, results, passes and certificates."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(assessments).where(assessments.c.assessment == assessment)
            ).first()
            if row is None:
                return None
            counts = connection.execute(
                select(
                    func.count(),
                    func.count(candidates.c.result_index),
                    func.coalesce(func.sum(candidates.c.passed), 0),
                    func.count(candidates.c.certificate),
                ).where(candidates.c.assessment == assessment)
            ).one()
        return {
            **dict(row._mapping),
            "candidates": counts[0],
            "results": counts[1],
            "passed": int(counts[2]),
            "certified": counts[3],
        }

    def monitoring_points(self) -> list[dict[str, Any]]:
        """Monitoring points with the candidates, results and passes of their school in
        assessments of their standard."""
        with self.engine.connect() as connection:
            points = _as_dicts(
                connection.execute(
                    select(monitoring_points).order_by(
                        monitoring_points.c.standard, monitoring_points.c.school
                    )
                )
            )
            activity = {
                (row.school, row.standard): row
                for row in connection.execute(
                    select(
                        candidates.c.school,
                        assessments.c.standard,
                        func.count().label("candidates"),
                        func.count(candidates.c.result_index).label("results"),
                        func.coalesce(func.sum(candidates.c.passed), 0).label("passed"),
                    )
                    .join(assessments, assessments.c.assessment == candidates.c.assessment)
                    .group_by(candidates.c.school, assessments.c.standard)
                )
            }
        for point in points:
            row = activity.get((point["school"], point["standard"]))
            point["candidates"] = 0 if row is None else row.candidates
            point["results"] = 0 if row is None else row.results
            point["passed"] = 0 if row is None else int(row.passed)
        return points

    def self_evaluations(self, *, year: int | None) -> list[dict[str, Any]]:
        """Self-evaluation reports in submission order."""
        conditions = [] if year is None else [self_evaluations.c.year == year]
        with self.engine.connect() as connection:
            return _as_dicts(
                connection.execute(
                    # The text lives beside the ledger, by the digest the entry holds.
                    select(self_evaluations, documents.c.text)
                    .join(documents, documents.c.digest == self_evaluations.c.digest)
                    .where(*conditions)
                    .order_by(self_evaluations.c.submitted_index)
                )
            )

    def site_coverage(self, year: int) -> list[dict[str, Any]]:
        """For the approved plans of ``year``: every (city, standard) with pilot schools
        planning the standard and no site in the city assessing it, with those schools."""
        with self.engine.connect() as connection:
            planned = connection.execute(
                select(schools.c.city, plan_items.c.standard, plans.c.school)
                .join(plans, plans.c.plan == plan_items.c.plan)
                .join(schools, schools.c.id == plans.c.school)
                .where(plans.c.year == year, plans.c.status == PlanStatus.APPROVED.value)
                .distinct()
            )
            needed: dict[tuple[str, str], set[str]] = defaultdict(set)
            for row in planned:
                needed[(row.city, row.standard)].add(row.school)
            covered = {
                (row.city, row.standard)
                for row in connection.execute(
                    select(sites.c.city, site_standards.c.standard).join(
                        site_standards, site_standards.c.site == sites.c.site
                    )
                )
            }
        return [
            {"city": city, "standard": standard, "schools": sorted(schools_of)}
            for (city, standard), schools_of in sorted(needed.items())
            if (city, standard) not in covered
        ]
