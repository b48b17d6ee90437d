"""Wire types of the pilot's procedures: plans, sites, fee caps, assessments, monitoring
points, self-evaluation reports and site coverage."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = [
    "AssessmentRequest",
    "AssessmentView",
    "CandidatesRequest",
    "CoverageGap",
    "FeeGuidelineRequest",
    "FeeGuidelineView",
    "MonitoringPointRequest",
    "MonitoringPointView",
    "PlanItemIn",
    "PlanRequest",
    "PlanView",
    "Recorded",
    "ResultIn",
    "ResultsRecorded",
    "ResultsRequest",
    "ReviewRequest",
    "SelfEvaluationRequest",
    "SelfEvaluationView",
    "SiteCoverage",
    "SiteRequest",
    "SiteView",
]

LevelName = Literal["junior", "intermediate", "senior"]
_ACCOUNT = msgspec.Meta(min_length=12, max_length=12)


class Recorded(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What a procedure recorded: the object's id and its entry's ledger index."""

    id: str
    index: int
    status: str | None = None


class PlanItemIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A standard and level the school will offer, and how many candidates it expects."""

    standard: Annotated[str, msgspec.Meta(max_length=32)]
    level: LevelName
    candidates: Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class PlanRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A school's annual pilot plan."""

    year: Annotated[int, msgspec.Meta(ge=2019, le=2100)]
    items: Annotated[list[PlanItemIn], msgspec.Meta(min_length=1, max_length=50)]
    #: The returned plan of the same school and year that this one refiles.
    replaces: str | None = None


class ReviewRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The office's comments on a plan (public text in the ledger: no personal data)."""

    comments: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None


class PlanView(msgspec.Struct, frozen=True, kw_only=True):
    """A plan, its items and where its review stands."""

    plan: str
    school: str
    year: int
    status: str
    comments: str | None
    items: list[PlanItemIn]
    filed_index: int
    reviewed_index: int | None
    replaces: str | None = None


class SiteRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An assessment site of the organization."""

    city: Annotated[str, msgspec.Meta(max_length=32, examples=["xian"])]
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    capacity: Annotated[int, msgspec.Meta(ge=1, le=10_000)]
    standards: Annotated[list[str], msgspec.Meta(min_length=1, max_length=50)]


class SiteView(msgspec.Struct, frozen=True, kw_only=True):
    """An assessment site."""

    site: str
    org: str
    city: str
    address: str
    capacity: int
    standards: list[str]
    index: int


class FeeGuidelineRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The highest fee, in yuan, of an assessment of a standard at a level."""

    standard: Annotated[str, msgspec.Meta(max_length=32)]
    level: LevelName
    cap: Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class FeeGuidelineView(msgspec.Struct, frozen=True, kw_only=True):
    """A fee cap."""

    standard: str
    level: str
    cap: int
    index: int


class AssessmentRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An assessment session at one of the organization's sites."""

    standard: Annotated[str, msgspec.Meta(max_length=32)]
    level: LevelName
    site: Annotated[str, msgspec.Meta(min_length=12, max_length=12)]
    date: Annotated[str, msgspec.Meta(description="YYYY-MM-DD")]
    fee: Annotated[int, msgspec.Meta(ge=0, le=100_000, description="yuan")]


class AssessmentView(msgspec.Struct, frozen=True, kw_only=True):
    """An assessment and its candidates' progress."""

    assessment: str
    org: str
    standard: str
    level: str
    site: str
    date: str
    fee: int
    index: int
    candidates: int
    results: int
    passed: int
    certified: int


class CandidatesRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The school's students to enrol as candidates (all or none)."""

    accounts: Annotated[
        list[Annotated[str, _ACCOUNT]], msgspec.Meta(min_length=1, max_length=10_000)
    ]


class ResultIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One candidate's result."""

    account: Annotated[str, _ACCOUNT]
    score: Annotated[int, msgspec.Meta(ge=0, le=100)]
    passed: bool


class ResultsRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Results of an assessment; with ``issue``, certificates for the passing candidates."""

    results: Annotated[list[ResultIn], msgspec.Meta(min_length=1, max_length=10_000)]
    issue: bool = False


class ResultsRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The results recorded, the certificates issued now (their numbers), and the passing
    candidates who get none because their personal data was erased."""

    assessment: str
    recorded: int
    certificates: list[str]
    not_issued: list[str]


class MonitoringPointRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A school designated as a monitoring point for a standard."""

    school: Annotated[str, msgspec.Meta(min_length=10, max_length=10)]
    standard: Annotated[str, msgspec.Meta(max_length=32)]


class MonitoringPointView(msgspec.Struct, frozen=True, kw_only=True):
    """A monitoring point and its assessment activity."""

    school: str
    standard: str
    index: int
    candidates: int
    results: int
    passed: int


class SelfEvaluationRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A self-evaluation report: the ledger keeps its SHA-256, the office reads the text."""

    year: Annotated[int, msgspec.Meta(ge=2019, le=2100)]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


class SelfEvaluationView(msgspec.Struct, frozen=True, kw_only=True):
    """A self-evaluation report."""

    report: str
    author: str
    year: int
    title: str
    text: str
    digest: str
    index: int


class CoverageGap(msgspec.Struct, frozen=True, kw_only=True):
    """A city with pilot schools planning a standard, and no site assessing it there."""

    city: str
    standard: str
    schools: list[str]


class SiteCoverage(msgspec.Struct, frozen=True, kw_only=True):
    """The coverage rule for a year: at least one site per city with pilot schools."""

    year: int
    covered: bool
    gaps: list[CoverageGap]
