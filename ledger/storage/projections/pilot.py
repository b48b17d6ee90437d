"""The pilot projection: plans and their reviews, sites, fee caps, assessments, candidates and
their results, monitoring points and self-evaluation reports (the text is beside the ledger).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from ledger.core.errors import NotFound
from ledger.domain.pilot import PlanStatus, next_plan_status
from ledger.kinds import PILOT, Kind
from ledger.payloads import (
    AssessmentScheduled,
    CandidateEnrolled,
    CertificateIssued,
    FeeGuidelineSet,
    MonitoringPointDesignated,
    PlanFiled,
    PlanReviewed,
    ResultRecorded,
    SelfEvaluationSubmitted,
    SiteRegistered,
)
from ledger.storage.projection import Handler, Projection, ProjectionWriter
from ledger.storage.store import StoredEntry
from ledger.storage.tables import (
    assessments,
    candidates,
    fee_caps,
    monitoring_points,
    plan_items,
    plans,
    self_evaluations,
    site_standards,
    sites,
)


def _filed(writer: ProjectionWriter, entry: StoredEntry, p: PlanFiled, _b: object) -> None:
    writer.insert(
        plans,
        {
            "plan": p.plan,
            "school": p.school,
            "year": p.year,
            "status": PlanStatus.FILED.value,
            "comments": None,
            "filed_index": entry.index,
            "reviewed_index": None,
            "replaces": p.replaces,
        },
    )
    for item in p.items:
        writer.insert(
            plan_items,
            {
                "plan": p.plan,
                "standard": item.standard,
                "level": item.level,
                "candidates": item.candidates,
            },
        )


def _reviewed(writer: ProjectionWriter, entry: StoredEntry, p: PlanReviewed, _b: object) -> None:
    status = writer.execute(select(plans.c.status).where(plans.c.plan == p.plan)).scalar()
    if status is None:
        raise NotFound(f"there is no plan {p.plan}")
    after = next_plan_status(p.plan, status, entry.kind)
    writer.execute(
        update(plans)
        .where(plans.c.plan == p.plan)
        .values(status=after.value, comments=p.comments, reviewed_index=entry.index)
    )


def _site(writer: ProjectionWriter, entry: StoredEntry, p: SiteRegistered, _b: object) -> None:
    writer.insert(
        sites,
        {
            "site": p.site,
            "org": p.org,
            "city": p.city,
            "address": p.address,
            "capacity": p.capacity,
            "registered_index": entry.index,
        },
    )
    for code in p.standards:
        writer.insert(site_standards, {"site": p.site, "standard": code})


def _fee(writer: ProjectionWriter, entry: StoredEntry, p: FeeGuidelineSet, _b: object) -> None:
    key = (fee_caps.c.standard == p.standard) & (fee_caps.c.level == p.level)
    if writer.execute(select(fee_caps.c.cap).where(key)).first() is None:
        writer.insert(
            fee_caps,
            {"standard": p.standard, "level": p.level, "cap": p.cap, "set_index": entry.index},
        )
    else:
        writer.execute(update(fee_caps).where(key).values(cap=p.cap, set_index=entry.index))


def _scheduled(
    writer: ProjectionWriter, entry: StoredEntry, p: AssessmentScheduled, _b: object
) -> None:
    writer.insert(
        assessments,
        {
            "assessment": p.assessment,
            "org": p.org,
            "standard": p.standard,
            "level": p.level,
            "site": p.site,
            "date": p.date,
            "fee": p.fee,
            "scheduled_index": entry.index,
        },
    )


def _candidate(
    writer: ProjectionWriter, entry: StoredEntry, p: CandidateEnrolled, _b: object
) -> None:
    writer.insert(
        candidates,
        {
            "assessment": p.assessment,
            "account": p.account,
            "school": p.school,
            "enrolled_index": entry.index,
            "score": None,
            "passed": None,
            "result_index": None,
            "certificate": None,
        },
    )


def _result(writer: ProjectionWriter, entry: StoredEntry, p: ResultRecorded, _b: object) -> None:
    writer.execute(
        update(candidates)
        .where(candidates.c.assessment == p.assessment, candidates.c.account == p.account)
        .values(score=p.score, passed=int(p.passed), result_index=entry.index)
    )


_MARK_CANDIDATE = (
    update(candidates)
    .where(
        candidates.c.assessment == bindparam("a_assessment"),
        candidates.c.account == bindparam("a_account"),
    )
    .values(certificate=bindparam("a_certificate"))
)


def _certificate(
    writer: ProjectionWriter, _entry: StoredEntry, p: CertificateIssued, _b: object
) -> None:
    # A certificate issued to a passing candidate marks it, so it is never issued twice.
    if p.assessment is not None:
        writer.update_later(
            _MARK_CANDIDATE,
            {"a_assessment": p.assessment, "a_account": p.account, "a_certificate": p.certificate},
        )


def _point(
    writer: ProjectionWriter, entry: StoredEntry, p: MonitoringPointDesignated, _b: object
) -> None:
    writer.insert(
        monitoring_points,
        {"school": p.school, "standard": p.standard, "designated_index": entry.index},
    )


def _report(
    writer: ProjectionWriter, entry: StoredEntry, p: SelfEvaluationSubmitted, _b: object
) -> None:
    writer.insert(
        self_evaluations,
        {
            "report": p.report,
            "author": p.author,
            "year": p.year,
            "title": p.title,
            "digest": p.digest,
            "submitted_index": entry.index,
        },
    )


_HANDLERS: dict[Kind, Handler] = {
    Kind.PLAN_FILED: _filed,
    Kind.PLAN_APPROVED: _reviewed,
    Kind.PLAN_RETURNED: _reviewed,
    Kind.PLAN_REJECTED: _reviewed,
    Kind.SITE_REGISTERED: _site,
    Kind.FEE_GUIDELINE_SET: _fee,
    Kind.ASSESSMENT_SCHEDULED: _scheduled,
    Kind.CANDIDATE_ENROLLED: _candidate,
    Kind.RESULT_RECORDED: _result,
    Kind.CERTIFICATE_ISSUED: _certificate,
    Kind.MONITORING_POINT_DESIGNATED: _point,
    Kind.SELF_EVALUATION_SUBMITTED: _report,
}

PROJECTION = Projection(
    PILOT,
    (
        plans,
        plan_items,
        sites,
        site_standards,
        fee_caps,
        assessments,
        candidates,
        monitoring_points,
        self_evaluations,
    ),
    _HANDLERS,
)
