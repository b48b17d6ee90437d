"""Wire types of the credit bank: enrolments, course credits, rules, conversions, accounts."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = [
    "Balance",
    "ConversionBatch",
    "ConversionBatchRecorded",
    "ConversionRefusal",
    "ConversionRequest",
    "ConversionRowError",
    "ConversionRowErrors",
    "ConversionView",
    "CourseCreditRequest",
    "CourseIn",
    "CreditDeposited",
    "EnrolRequest",
    "Enrolled",
    "EnrolmentView",
    "LearnerView",
    "OutcomeView",
    "ReversalView",
    "RulePublished",
    "RuleRequest",
    "RuleVersionView",
    "RuleView",
]

_CODE = msgspec.Meta(min_length=1, max_length=32, pattern="^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ACCOUNT = msgspec.Meta(
    min_length=12, max_length=12, description="learning account number: L and eleven digits"
)
_CERTIFICATE = msgspec.Meta(min_length=16, max_length=16, description="certificate number")
_RULE = msgspec.Meta(min_length=12, max_length=12, description="rule id: R and eleven digits")


class EnrolRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Enrol a student with their consent: the enrolment code the learner made on their page
    (with or without account, which must then be the code's), or their full name and ID
    number matching the personal-data store (an account is opened if the learner has
    none). An account number alone is refused."""

    account: Annotated[str, _ACCOUNT] | None = None
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    id_number: Annotated[str, msgspec.Meta(min_length=18, max_length=18)] | None = None
    enrolment_code: (
        Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9 -]{16,24}$", max_length=24)] | None
    ) = None


class EnrolmentCode(msgspec.Struct, frozen=True, kw_only=True):
    """A one-time enrolment code: the learner gives it to the school that enrols them."""

    code: str
    account: str
    expires_at: int


class Enrolled(msgspec.Struct, frozen=True, kw_only=True):
    """The enrolment recorded."""

    account: str
    school: str
    index: int
    opened: Annotated[bool, msgspec.Meta(description="true when the account was opened now")]


class CourseCreditRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Course credits a school deposits for one of its students."""

    course: Annotated[str, _CODE]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    credits: Annotated[int, msgspec.Meta(ge=1, le=100)]
    term: Annotated[str, msgspec.Meta(examples=["2026-1"], description="year-1, -2, -S or -W")]
    grade: Annotated[str, msgspec.Meta(examples=["A", "87", "pass"])]


class CreditDeposited(msgspec.Struct, frozen=True, kw_only=True):
    """The deposit recorded."""

    account: str
    index: int


class CourseIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A course a rule counts a certificate for."""

    code: Annotated[str, _CODE]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    credits: Annotated[int, msgspec.Meta(ge=1, le=100)]


class RuleRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A conversion rule, or (with ``rule``) a new version of one of the school's rules."""

    programme: Annotated[str, _CODE]
    standard: Annotated[str, msgspec.Meta(max_length=32)]
    min_level: Literal["junior", "intermediate", "senior"]
    courses: Annotated[list[CourseIn], msgspec.Meta(min_length=1, max_length=20)]
    valid_from: Annotated[str, msgspec.Meta(description="YYYY-MM-DD, included")]
    valid_to: Annotated[str, msgspec.Meta(description="YYYY-MM-DD, included")] | None = None
    rule: Annotated[str, _RULE] | None = None


class RulePublished(msgspec.Struct, frozen=True, kw_only=True):
    """The rule version recorded."""

    rule: str
    version: int
    index: int


class RuleVersionView(msgspec.Struct, frozen=True, kw_only=True):
    """One version of a conversion rule."""

    rule: str
    version: int
    school: str
    programme: str
    standard: str
    min_level: str
    courses: list[CourseIn]
    credits: int
    valid_from: str
    valid_to: str | None
    index: int


class RuleView(msgspec.Struct, frozen=True, kw_only=True):
    """A rule: its latest version and every version, oldest first."""

    rule: str
    latest: RuleVersionView
    versions: list[RuleVersionView]


class ConversionRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Count a certificate of a school's student toward a programme under a rule."""

    account: Annotated[str, _ACCOUNT]
    certificate: Annotated[str, _CERTIFICATE]
    rule: Annotated[str, _RULE]
    programme: Annotated[str, _CODE]


class ConversionBatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Up to 10,000 conversions, all or none; a retried batch id records nothing twice."""

    batch_id: Annotated[
        str, msgspec.Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9._:-]+$")
    ]
    rows: Annotated[list[ConversionRequest], msgspec.Meta(min_length=1, max_length=10_000)]


class ConversionView(msgspec.Struct, frozen=True, kw_only=True):
    """A conversion, citing the rule version it used; ``reversed_index`` once reversed."""

    conversion: str
    account: str
    certificate: str
    rule: str
    version: int
    school: str
    programme: str
    credits: int
    index: int
    recorded_on: str | None = None
    reversed_index: int | None = None
    reversal_reason: str | None = None


class ConversionBatchRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """What a conversion batch recorded, in row order."""

    batch_id: str
    recorded: int
    replayed: bool
    conversions: list[ConversionView]


class ConversionRefusal(msgspec.Struct, frozen=True, kw_only=True):
    """409 or 422: a conversion the rules forbid, with the code of the rule."""

    status_code: int
    detail: str
    code: str


class ConversionRowError(msgspec.Struct, frozen=True, kw_only=True):
    """One refused row of a conversion batch."""

    row: int
    code: str
    problem: str


class ConversionRowErrors(msgspec.Struct, frozen=True, kw_only=True):
    """422: rows of a conversion batch the rules forbid; nothing was recorded."""

    status_code: int
    detail: str
    errors: list[ConversionRowError]


class EnrolmentView(msgspec.Struct, frozen=True, kw_only=True):
    """A school the learner is enrolled at."""

    school: str
    index: int


class OutcomeView(msgspec.Struct, frozen=True, kw_only=True):
    """A learning outcome; ``counts`` is false once its certificate is revoked."""

    index: int
    kind: Literal["certificate", "course"]
    source: Annotated[str, msgspec.Meta(description="certificate number or course code")]
    title: str
    credits: int
    earned_on: str
    counts: bool
    school: str | None = None
    term: str | None = None
    grade: str | None = None
    level: str | None = None
    org: str | None = None
    reversed_index: int | None = None


class ReversalView(msgspec.Struct, frozen=True, kw_only=True):
    """A conversion reversed by a later entry, and why."""

    conversion: str
    index: int
    reason: str


class Balance(msgspec.Struct, frozen=True, kw_only=True):
    """Credits of outcomes that count, and of conversions not reversed (counted apart)."""

    deposited: int
    converted: int


class LearnerView(msgspec.Struct, frozen=True, kw_only=True):
    """A learning account: enrolments, outcomes, conversions, reversals and balance."""

    account: str
    opened_index: int
    personal_data_erased: bool
    balance: Balance
    enrolments: list[EnrolmentView]
    outcomes: list[OutcomeView]
    conversions: list[ConversionView]
    reversals: list[ReversalView]
