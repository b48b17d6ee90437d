"""Assessments over HTTP: one assessment, its candidates, their results and the certificates
of those who passed (an organization schedules assessments through api/pilot.py).

Every path needs a bearer token; who may do what is the service's decision.
"""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
)

from api.console_lists import AssessmentListMixin
from api.params import ApiController, fields_named, path_checked
from api.pilot import ERRORS
from ledger.bootstrap import Ledger
from ledger.core.errors import NotFound
from ledger.core.principals import Principal
from ledger.domain.pilot import (
    Result,
    check_assessment_id,
)
from ledger.services.pilot import AssessmentIssuance
from schemas.pilot import (
    AssessmentView,
    CandidatesRequest,
    Recorded,
    ResultsRecorded,
    ResultsRequest,
)

__all__ = ["AssessmentController"]


def _results(assessment: str, recorded: int, issued: AssessmentIssuance | None) -> ResultsRecorded:
    outcome = None if issued is None else issued.outcome
    return ResultsRecorded(
        assessment=assessment,
        recorded=recorded,
        certificates=[] if outcome is None else [c.certificate for c in outcome.certificates],
        not_issued=[] if issued is None else issued.erased,
    )


class AssessmentController(AssessmentListMixin, ApiController):
    """An assessment: its candidates, results and certificates."""

    path = "/assessments"
    tags = ["pilot"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/{id:str}",
        sync_to_thread=True,
        summary="An assessment",
        description="With its counts of candidates, results, passes and certificates.",
        responses=ERRORS,
    )
    def assessment(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
    ) -> AssessmentView:
        """Assessment ``id``."""
        checked = path_checked("id", id, check_assessment_id)
        row = ledger.pilot.reads.assessment(checked)
        if row is None:
            raise NotFound(f"there is no assessment {checked}")
        return AssessmentView(
            **{
                k: row[k] for k in ("assessment", "org", "standard", "level", "site", "date", "fee")
            },
            index=row["scheduled_index"],
            candidates=row["candidates"],
            results=row["results"],
            passed=row["passed"],
            certified=row["certified"],
        )

    @post(
        "/{id:str}/candidates",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Enrol candidates",
        description="A school, its own students, for a standard and level of its approved plan "
        "for the assessment's year, within the site's capacity; all or none.",
        responses=ERRORS,
    )
    def candidates(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[CandidatesRequest],
    ) -> list[Recorded]:
        """Enrol the accounts in the body as candidates of assessment ``id``."""
        checked = path_checked("id", id, check_assessment_id)
        with fields_named():
            recorded = ledger.pilot.enrol_candidates(principal, checked, data.accounts)
        return [Recorded(id=r.id, index=r.index) for r in recorded]

    @post(
        "/{id:str}/results",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Record results",
        description="The organization: score and pass of each candidate, all or none, once. "
        "With issue, the passing candidates' certificates are issued in the same request "
        "through the batch path.",
        responses=ERRORS,
    )
    def results(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[ResultsRequest],
    ) -> ResultsRecorded:
        """Record the results in the body."""
        checked = path_checked("id", id, check_assessment_id)
        with fields_named():
            results = [Result(r.account, r.score, r.passed) for r in data.results]
            recorded = ledger.pilot.record_results(principal, checked, results)
            issued = ledger.pilot.issue_certificates(principal, checked) if data.issue else None
        return _results(checked, len(recorded), issued)

    @post(
        "/{id:str}/certificates",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Issue the certificates of passing candidates",
        description="The organization: issues to every passing candidate without a "
        "certificate; a retry issues nothing twice.",
        responses=ERRORS,
    )
    def certificates(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
    ) -> ResultsRecorded:
        """Issue assessment ``id``'s pending certificates."""
        checked = path_checked("id", id, check_assessment_id)
        with fields_named():
            issued = ledger.pilot.issue_certificates(principal, checked)
        return _results(checked, 0, issued)
