"""The pilot's working procedures: plans and their review, sites, fee caps, assessments
(candidates, results and the certificates they lead to), monitoring points and reports.

Every state change is a ledger entry whose principal is its actor; every check that
depends on the state reads through the unit of work that appends the entry.
"""

from __future__ import annotations

from typing import Any

from ledger.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ledger.core.principals import Principal, Role
from ledger.domain.identifiers import new_id
from ledger.domain.pilot import (
    FEE_GUIDELINE_SET,
    MONITORING_POINT_DESIGNATED,
    PLAN_FILED,
    REVIEW_KINDS,
    SELF_EVALUATION_SUBMITTED,
    SITE_REGISTERED,
    Plan,
    PlanStatus,
    Site,
    check_plan_id,
    check_report,
    fee_payload,
    report_digest,
    review_payload,
)
from ledger.domain.registry import check_credit_code, check_school_code, check_standard_code
from ledger.services.assessments import AssessmentIssuance, AssessmentProcedures
from ledger.services.pilot_procedures import (
    Recorded,
    published_standard,
    require_office,
    require_role,
)
from ledger.storage.pilot import has_approved_plan, plan_of, plan_status_in, point_exists
from ledger.storage.registry import ensure_active_org, ensure_active_school
from ledger.storage.unit_of_work import Transaction

__all__ = ["AssessmentIssuance", "PilotService", "Recorded"]

#: Who oversees the pilot: reads monitoring points and every self-evaluation report.
_OVERSIGHT = frozenset({Role.OFFICE, Role.AUDITOR})


class PilotService(AssessmentProcedures):
    """Plans, sites, fee caps, assessments, monitoring points, self-evaluation reports.

    Assessments are in ledger.services.assessments; what the procedures share is in
    ledger.services.pilot_procedures.
    """

    def monitoring_points(self, viewer: Principal) -> list[dict[str, Any]]:
        """Monitoring points and their activity: for the office and auditors."""
        if viewer.role not in _OVERSIGHT:
            raise Forbidden(
                f"only the office and auditors read monitoring points; {viewer} may not"
            )
        return self.reads.monitoring_points()

    def self_evaluations(self, viewer: Principal, year: int | None) -> list[dict[str, Any]]:
        """Self-evaluation reports: all for the office and auditors, its own for an author."""
        reports = self.reads.self_evaluations(year=year)
        if viewer.role in _OVERSIGHT:
            return reports
        if viewer.role in (Role.ORG, Role.SCHOOL):
            return [report for report in reports if report["author"] == str(viewer.party())]
        raise Forbidden(f"only the office, auditors and the authors read reports; {viewer} may not")

    # -- plans --------------------------------------------------------------------

    def file_plan(
        self, actor: Principal, school: str, plan: Plan, replaces: str | None = None
    ) -> Recorded:
        """A school files its plan for a year, or refiles a returned one (``replaces``);
        Conflict if it has an approved plan already or ``replaces`` is not its returned plan
        of that year."""
        require_role(actor, Role.SCHOOL, check_school_code(school), "file its plans")
        if replaces is not None:
            check_plan_id(replaces, "replaces")
        plan_id = new_id("P")
        payload = plan.entry_payload(plan_id, school)
        if replaces is not None:
            payload["replaces"] = replaces

        def check(connection: Transaction) -> None:
            ensure_active_school(connection, school)
            for item in plan.items:
                published_standard(connection, item.standard)
            if has_approved_plan(connection, school, plan.year):
                raise Conflict(f"school {school} has an approved plan for {plan.year} already")
            if replaces is not None:
                _check_refiled(connection, replaces, school, plan.year)

        index = self._append_one(actor, PLAN_FILED, payload, check)
        return Recorded(plan_id, index)

    def review_plan(self, actor: Principal, plan: str, kind: str, comments: str | None) -> Recorded:
        """The office approves, returns (with comments) or rejects a filed plan."""
        require_office(actor, "review plans")
        if kind not in REVIEW_KINDS:
            raise InvalidInput(f"a review is one of {', '.join(REVIEW_KINDS)}")
        payload = review_payload(plan, comments)

        def check(connection: Transaction) -> None:
            filed = plan_of(connection, plan)
            if filed is None:
                raise NotFound(f"there is no plan {plan}")
            school, year = filed
            if REVIEW_KINDS[kind] is PlanStatus.APPROVED and has_approved_plan(
                connection, school, year
            ):
                raise Conflict(f"school {school} has an approved plan for {year} already")

        return Recorded(plan, self._append_one(actor, kind, payload, check))

    # -- sites and fees -----------------------------------------------------------

    def register_site(self, actor: Principal, org: str, site: Site) -> Recorded:
        """An organization registers an assessment site for its own standards."""
        require_role(actor, Role.ORG, check_credit_code(org), "register its sites")
        site_id = new_id("S")

        def check(connection: Transaction) -> None:
            ensure_active_org(connection, org)
            for code in site.standards:
                if published_standard(connection, code).org != org:
                    raise Forbidden(f"standard {code} is not one of organization {org}'s")

        return Recorded(
            site_id,
            self._append_one(actor, SITE_REGISTERED, site.entry_payload(site_id, org), check),
        )

    def set_fee_cap(self, actor: Principal, standard: str, level: str, cap: int) -> Recorded:
        """The office sets the highest fee (yuan) of an assessment of a standard and level."""
        require_office(actor, "set fee guidelines")
        payload = fee_payload(standard, level, cap)

        def check(connection: Transaction) -> None:
            published_standard(connection, payload["standard"])

        return Recorded(
            f"{standard}/{payload['level']}",
            self._append_one(actor, FEE_GUIDELINE_SET, payload, check),
        )

    # -- monitoring and self-evaluation -------------------------------------------

    def designate_point(self, actor: Principal, school: str, standard: str) -> Recorded:
        """The office makes a school a monitoring point for a standard."""
        require_office(actor, "designate monitoring points")
        payload = {
            "school": check_school_code(school, "school"),
            "standard": check_standard_code(standard, "standard"),
        }

        def check(connection: Transaction) -> None:
            ensure_active_school(connection, school)
            published_standard(connection, standard)
            if point_exists(connection, school, standard):
                raise Conflict(f"school {school} is a monitoring point for {standard} already")

        return Recorded(
            f"{school}/{standard}",
            self._append_one(actor, MONITORING_POINT_DESIGNATED, payload, check),
        )

    def submit_report(
        self, actor: Principal, author: str, year: int, title: str, text: str
    ) -> Recorded:
        """An organization or school submits its self-evaluation report for a year."""
        if actor.role not in (Role.ORG, Role.SCHOOL) or actor.id != author:
            raise Forbidden(f"only {author} itself may submit its self-evaluation; {actor} may not")
        title, text, year = check_report(title, text, year)
        report = new_id("E")
        payload = {
            "report": report,
            "author": str(actor.party()),
            "year": year,
            "title": title,
            "digest": report_digest(text),
        }
        index = self._append_one(actor, SELF_EVALUATION_SUBMITTED, payload, None, text)
        return Recorded(report, index)


def _check_refiled(connection: Transaction, replaces: str, school: str, year: int) -> None:
    """Conflict unless ``replaces`` is a returned plan of ``school`` for ``year``."""
    filed = plan_of(connection, replaces)
    if filed is None or filed[0] != school:
        raise NotFound(f"school {school} has no plan {replaces}")
    if filed[1] != year:
        raise Conflict(f"plan {replaces} is for {filed[1]}, not {year}")
    status = plan_status_in(connection, replaces)
    if status != PlanStatus.RETURNED.value:
        raise Conflict(f"plan {replaces} is {status}: only a returned plan is refiled")
