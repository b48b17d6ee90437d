"""The pilot's working procedures: plans and their review, sites, fee caps, assessments
(candidates, results and the certificates they lead to), monitoring points and reports.

Every state change is a ledger entry whose principal is its actor; every check that
depends on the state reads through the unit of work that appends the entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import check_account_number
from ledger.domain.identifiers import new_id
from ledger.domain.pilot import (
    ASSESSMENT_SCHEDULED,
    FEE_GUIDELINE_SET,
    MONITORING_POINT_DESIGNATED,
    PLAN_FILED,
    REVIEW_KINDS,
    SELF_EVALUATION_SUBMITTED,
    SITE_REGISTERED,
    Assessment,
    Plan,
    PlanStatus,
    Result,
    Site,
    check_assessment_id,
    check_plan_id,
    check_report,
    fee_payload,
    report_digest,
    review_payload,
)
from ledger.domain.registry import (
    InvalidField,
    check_credit_code,
    check_school_code,
    check_standard_code,
)
from ledger.kinds import Kind, kind_of
from ledger.services.certificates import BatchOutcome, CertificateService, china_today
from ledger.services.log import LogService
from ledger.storage.credit_bank import is_enrolled
from ledger.storage.pilot import (
    PilotRepository,
    approved_plan_offers,
    assessment_of,
    candidate_count,
    candidates_of,
    fee_cap,
    has_approved_plan,
    plan_of,
    plan_status_in,
    point_exists,
    site_of,
)
from ledger.storage.pilot_reads import PilotReads
from ledger.storage.registry import (
    StandardRecord,
    ensure_active_org,
    ensure_active_school,
    standard_in,
)
from ledger.storage.unit_of_work import Draft, Transaction

__all__ = ["AssessmentIssuance", "PilotService", "Recorded"]

#: Who oversees the pilot: reads monitoring points and every self-evaluation report.
_OVERSIGHT = frozenset({Role.OFFICE, Role.AUDITOR})


@dataclass(frozen=True, slots=True)
class AssessmentIssuance:
    """The certificates an assessment issued now (None: none pending) and the passing
    candidates left out because their personal data was erased."""

    outcome: BatchOutcome | None
    erased: list[str]


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a procedure recorded: the object's id and the ledger index of its entry."""

    id: str
    index: int


def _role(actor: Principal, role: Role, object_id: str, doing: str) -> str:
    if actor.role is not role or actor.id != object_id:
        raise Forbidden(f"only {role.value} {object_id} may {doing}; {actor} may not")
    return object_id


def _office(actor: Principal, doing: str) -> None:
    if actor.role is not Role.OFFICE:
        raise Forbidden(f"only the office may {doing}; {actor} may not")


def _standard(connection: Transaction, code: str) -> StandardRecord:
    record = standard_in(connection, code)
    if record is None:
        raise InvalidField("standard", f"{code} is not a published standard")
    return record


class PilotService:
    """Plans, sites, fee caps, assessments, monitoring points, self-evaluation reports."""

    def __init__(
        self,
        log: LogService,
        repository: PilotRepository,
        certificates: CertificateService,
        reads: PilotReads,
    ) -> None:
        self.log = log
        self.repository = repository
        self.certificates = certificates
        #: Lists and reports anyone authenticated may read (plans, sites, fee caps, ...).
        self.reads = reads

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

    def _append_one(
        self, actor: Principal, kind: str, payload: Mapping[str, Any], check: Any = None,
        beside: object = None,
    ) -> int:  # fmt: skip
        """Append one entry in a unit of work, after ``check`` read what it needs through it."""
        draft = Draft(kind_of(kind), str(actor), dict(payload), beside)
        with self.log.unit_of_work() as uow:
            if check is not None:
                check(uow.connection)
            [entry] = uow.append(draft)
            uow.commit()
        return entry.index

    # -- plans --------------------------------------------------------------------

    def file_plan(
        self, actor: Principal, school: str, plan: Plan, replaces: str | None = None
    ) -> Recorded:
        """A school files its plan for a year, or refiles a returned one (``replaces``);
        Conflict if it has an approved plan already or ``replaces`` is not its returned plan
        of that year."""
        _role(actor, Role.SCHOOL, check_school_code(school), "file its plans")
        if replaces is not None:
            check_plan_id(replaces, "replaces")
        plan_id = new_id("P")
        payload = plan.entry_payload(plan_id, school)
        if replaces is not None:
            payload["replaces"] = replaces

        def check(connection: Transaction) -> None:
            ensure_active_school(connection, school)
            for item in plan.items:
                _standard(connection, item.standard)
            if has_approved_plan(connection, school, plan.year):
                raise Conflict(f"school {school} has an approved plan for {plan.year} already")
            if replaces is not None:
                _check_refiled(connection, replaces, school, plan.year)

        index = self._append_one(actor, PLAN_FILED, payload, check)
        return Recorded(plan_id, index)

    def review_plan(self, actor: Principal, plan: str, kind: str, comments: str | None) -> Recorded:
        """The office approves, returns (with comments) or rejects a filed plan."""
        _office(actor, "review plans")
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
        _role(actor, Role.ORG, check_credit_code(org), "register its sites")
        site_id = new_id("S")

        def check(connection: Transaction) -> None:
            ensure_active_org(connection, org)
            for code in site.standards:
                if _standard(connection, code).org != org:
                    raise Forbidden(f"standard {code} is not one of organization {org}'s")

        return Recorded(
            site_id,
            self._append_one(actor, SITE_REGISTERED, site.entry_payload(site_id, org), check),
        )

    def set_fee_cap(self, actor: Principal, standard: str, level: str, cap: int) -> Recorded:
        """The office sets the highest fee (yuan) of an assessment of a standard and level."""
        _office(actor, "set fee guidelines")
        payload = fee_payload(standard, level, cap)

        def check(connection: Transaction) -> None:
            _standard(connection, payload["standard"])

        return Recorded(
            f"{standard}/{payload['level']}",
            self._append_one(actor, FEE_GUIDELINE_SET, payload, check),
        )

    # -- assessments --------------------------------------------------------------

    def schedule(self, actor: Principal, org: str, assessment: Assessment) -> Recorded:
        """An organization schedules an assessment of its own standard at its own site."""
        _role(actor, Role.ORG, check_credit_code(org), "schedule its assessments")
        assessment_id = new_id("A")

        def check(connection: Transaction) -> None:
            ensure_active_org(connection, org)
            standard = _standard(connection, assessment.standard)
            if standard.org != org:
                raise Forbidden(
                    f"standard {assessment.standard} is not one of organization {org}'s"
                )
            if assessment.level not in standard.credits:
                raise InvalidField(
                    "level", f"{assessment.level.value} is not a level of {assessment.standard}"
                )
            site = site_of(connection, assessment.site)
            if site is None:
                raise InvalidField("site", f"there is no site {assessment.site}")
            site_org, _city, _capacity, assessed = site
            if site_org != org:
                raise Forbidden(
                    f"site {assessment.site} belongs to organization {site_org}, not {org}"
                )
            if assessment.standard not in assessed:
                raise InvalidField(
                    "site", f"site {assessment.site} does not assess {assessment.standard}"
                )
            cap = fee_cap(connection, assessment.standard, assessment.level.value)
            if cap is not None and assessment.fee > cap:
                raise InvalidField(
                    "fee",
                    f"is {assessment.fee} yuan, above the cap of {cap} yuan the office set for "
                    f"{assessment.standard} {assessment.level.value}",
                )

        payload = assessment.entry_payload(assessment_id, org)
        return Recorded(
            assessment_id, self._append_one(actor, ASSESSMENT_SCHEDULED, payload, check)
        )

    def enrol_candidates(
        self, actor: Principal, assessment: str, accounts: Sequence[str]
    ) -> list[Recorded]:
        """A school enrols its own students, for standards in its approved plan, up to the
        site's capacity; all or none."""
        if actor.role is not Role.SCHOOL or actor.id is None:
            raise Forbidden(f"only schools enrol candidates; {actor} may not")
        school = actor.id
        check_assessment_id(assessment)
        if not 1 <= len(accounts) <= 10_000 or len(set(accounts)) != len(accounts):
            raise InvalidField("accounts", "must name 1 to 10,000 different accounts")
        for account in accounts:
            check_account_number(account, "accounts")
        principal = str(actor)

        def drafts(connection: Transaction) -> list[Draft]:
            ensure_active_school(connection, school)
            record = assessment_of(connection, assessment)
            if record is None:
                raise NotFound(f"there is no assessment {assessment}")
            year = int(record.date[:4])
            if not approved_plan_offers(connection, school, year, record.standard, record.level):
                raise Conflict(
                    f"school {school}'s approved plan for {year} does not offer "
                    f"{record.standard} {record.level}: enrol candidates only for the plan"
                )
            existing = candidates_of(connection, assessment)
            for account in accounts:
                if not is_enrolled(connection, account, school):
                    raise Forbidden(f"account {account} is not a student of school {school}")
                if account in existing:
                    raise Conflict(f"account {account} is a candidate of {assessment} already")
            site = site_of(connection, record.site)
            capacity = site[2] if site is not None else 0
            if candidate_count(connection, assessment) + len(accounts) > capacity:
                raise Conflict(
                    f"assessment {assessment} is full: its site holds {capacity} candidates"
                )
            return [
                Draft(
                    Kind.CANDIDATE_ENROLLED,
                    principal,
                    {"assessment": assessment, "account": account, "school": school},
                )
                for account in accounts
            ]

        with self.log.unit_of_work() as uow:
            appended = uow.append(*drafts(uow.connection))
            uow.commit()
        return [Recorded(a, e.index) for a, e in zip(accounts, appended, strict=True)]

    def record_results(
        self, actor: Principal, assessment: str, results: Sequence[Result]
    ) -> list[Recorded]:
        """The organization records each candidate's score and pass; all or none, once."""
        check_assessment_id(assessment)
        if not 1 <= len(results) <= 10_000:
            raise InvalidField("results", "must hold 1 to 10,000 results")
        accounts = [r.account for r in results]
        if len(set(accounts)) != len(accounts):
            raise InvalidField("results", "must not name a candidate twice")
        principal = str(actor)

        def drafts(connection: Transaction) -> list[Draft]:
            record = self._own_assessment(connection, actor, assessment)
            ensure_active_org(connection, record.org)
            if record.date > china_today().isoformat():
                raise Conflict(
                    f"assessment {assessment} takes place on {record.date}: record its results "
                    "on or after that day"
                )
            existing = candidates_of(connection, assessment)
            for result in results:
                row = existing.get(result.account)
                if row is None:
                    raise InvalidField(
                        "results", f"{result.account} is not a candidate of {assessment}"
                    )
                if row.result_index is not None:
                    raise Conflict(
                        f"the result of {result.account} in {assessment} is recorded already"
                    )
            return [
                Draft(
                    Kind.RESULT_RECORDED,
                    principal,
                    {
                        "assessment": assessment,
                        "account": r.account,
                        "score": r.score,
                        "passed": r.passed,
                    },
                )
                for r in results
            ]

        with self.log.unit_of_work() as uow:
            appended = uow.append(*drafts(uow.connection))
            uow.commit()
        return [Recorded(a, e.index) for a, e in zip(accounts, appended, strict=True)]

    def issue_certificates(self, actor: Principal, assessment: str) -> AssessmentIssuance:
        """Issue certificates to the passing candidates that have none yet, through the batch
        issuance path. A retry issues nothing twice: the batch id counts the certificates
        the assessment issued before. Candidates whose personal data was erased cannot be
        named on a certificate: they are left out and listed."""
        check_assessment_id(assessment)
        record = self.repository.assessment(assessment)
        if record is None:
            raise NotFound(f"there is no assessment {assessment}")
        if actor.role is not Role.ORG or actor.id != record.org:
            raise Forbidden(
                f"only organization {record.org} may issue its assessment's certificates"
            )
        rows = self.repository.candidates(assessment)
        passing = sorted(a for a, r in rows.items() if r.passed == 1 and r.certificate is None)
        identities = self.repository.identities(passing)
        pending = [a for a in passing if a in identities]
        erased = [a for a in passing if a not in identities]
        if not pending:
            return AssessmentIssuance(None, erased)
        issued_before = sum(1 for r in rows.values() if r.certificate is not None)
        batch = [
            {
                "standard": record.standard,
                "level": record.level,
                "name": identities[a][1],
                "id_number": identities[a][0],
                "issued_on": record.date,
                "assessment": assessment,
                "score": rows[a].score,
            }
            for a in pending
        ]
        outcome = self.certificates.issue_batch(actor, f"{assessment}-{issued_before}", batch)
        return AssessmentIssuance(outcome, erased)

    @staticmethod
    def _own_assessment(connection: Transaction, actor: Principal, assessment: str) -> Any:
        record = assessment_of(connection, assessment)
        if record is None:
            raise NotFound(f"there is no assessment {assessment}")
        if actor.role is not Role.ORG or actor.id != record.org:
            raise Forbidden(f"only organization {record.org} records results of {assessment}")
        return record

    # -- monitoring and self-evaluation -------------------------------------------

    def designate_point(self, actor: Principal, school: str, standard: str) -> Recorded:
        """The office makes a school a monitoring point for a standard."""
        _office(actor, "designate monitoring points")
        payload = {
            "school": check_school_code(school, "school"),
            "standard": check_standard_code(standard, "standard"),
        }

        def check(connection: Transaction) -> None:
            ensure_active_school(connection, school)
            _standard(connection, standard)
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
