"""The pilot's assessments: an organization schedules one at its site, schools enrol their
students as candidates, the organization records results and issues the certificates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core.errors import Conflict, Forbidden, NotFound
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import check_account_number
from ledger.domain.identifiers import new_id
from ledger.domain.pilot import ASSESSMENT_SCHEDULED, Assessment, Result, check_assessment_id
from ledger.domain.registry import InvalidField, check_credit_code
from ledger.kinds import Kind
from ledger.services.certificates import BatchOutcome, china_today
from ledger.services.pilot_procedures import (
    PilotProcedures,
    Recorded,
    published_standard,
    require_role,
)
from ledger.storage.credit_bank import is_enrolled
from ledger.storage.pilot import (
    approved_plan_offers,
    assessment_of,
    candidate_count,
    candidates_of,
    fee_cap,
    site_of,
)
from ledger.storage.registry import ensure_active_org, ensure_active_school
from ledger.storage.unit_of_work import Draft, Transaction

__all__ = ["AssessmentIssuance", "AssessmentProcedures"]


@dataclass(frozen=True, slots=True)
class AssessmentIssuance:
    """The certificates an assessment issued now (None: none pending) and the passing
    candidates left out because their personal data was erased."""

    outcome: BatchOutcome | None
    erased: list[str]


class AssessmentProcedures(PilotProcedures):
    """Assessments, their candidates, results and certificates."""

    def schedule(self, actor: Principal, org: str, assessment: Assessment) -> Recorded:
        """An organization schedules an assessment of its own standard at its own site."""
        require_role(actor, Role.ORG, check_credit_code(org), "schedule its assessments")
        assessment_id = new_id("A")

        def check(connection: Transaction) -> None:
            ensure_active_org(connection, org)
            standard = published_standard(connection, assessment.standard)
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
