"""The payload of every entry kind as a msgspec Struct: the shape docs/format.md section 2.4
states, checked when an entry is appended and decoded when a projection reads it.

Members with a default are optional and left out of the entry when they hold it; the
others are always present (``RulePublished.valid_to`` is present as null when open).
"""

from __future__ import annotations

from typing import Any

import msgspec


class Payload(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """Base of every payload: strict (no unknown members), optional members omitted."""


# -- the log's own kinds and sample data ----------------------------------------------


class KeyAdded(Payload, frozen=True):
    algorithm: str
    kid: str
    public_key: str
    purpose: str


class KeyRetired(Payload, frozen=True):
    kid: str
    reason: str


class SampleRecorded(Payload, frozen=True):
    certificate_number: str
    standard_code: str
    standard_title: str
    level: str
    organization: str
    city: str
    issued_on: str
    holder_commitment: str
    score: int


# -- credentials --------------------------------------------------------------------------


class ApiKeyIssued(Payload, frozen=True):
    key_id: str
    principal: str


class ApiKeyRevoked(Payload, frozen=True):
    key_id: str


class PrincipalRevoked(Payload, frozen=True):
    principal: str


# -- the registry ---------------------------------------------------------------------------


class OrgRegistered(Payload, frozen=True):
    org: str
    name: str
    contact_commitment: str


class OrgStatusChanged(Payload, frozen=True):
    org: str
    reason: str


class SchoolAdmitted(Payload, frozen=True):
    school: str
    name: str
    city: str
    level: str


class SchoolStatusChanged(Payload, frozen=True):
    school: str
    reason: str


class StandardPublished(Payload, frozen=True):
    standard: str
    org: str
    title: str
    levels: list[str]
    credits: dict[str, int]
    document_hash: str


# -- certificates and learners ----------------------------------------------------------------


class LearnerOpened(Payload, frozen=True):
    account: str


class LearnerErased(Payload, frozen=True):
    account: str


class CertificateIssued(Payload, frozen=True):
    certificate: str
    account: str
    standard: str
    level: str
    org: str
    issued_on: str
    holder: str
    holder_commitment: str
    assessment: str | None = None
    score: int | None = None
    batch: str | None = None


class CertificateRevoked(Payload, frozen=True):
    certificate: str
    reason: str


# -- the credit bank ----------------------------------------------------------------------------


class LearnerEnrolled(Payload, frozen=True):
    account: str
    school: str


class CreditDeposited(Payload, frozen=True):
    account: str
    school: str
    course: str
    title: str
    credits: int
    term: str
    grade: str


class Course(Payload, frozen=True):
    code: str
    title: str
    credits: int


class RulePublished(Payload, frozen=True):
    rule: str
    version: int
    school: str
    programme: str
    standard: str
    min_level: str
    courses: list[Course]
    valid_from: str
    valid_to: str | None


class ConversionRecorded(Payload, frozen=True):
    conversion: str
    account: str
    certificate: str
    rule: str
    version: int
    school: str
    programme: str
    courses: list[str]
    credits: int
    batch: str | None = None


class ConversionReversed(Payload, frozen=True):
    conversion: str
    reason: str


# -- the pilot's procedures ----------------------------------------------------------------------


class PlanItem(Payload, frozen=True):
    standard: str
    level: str
    candidates: int


class PlanFiled(Payload, frozen=True):
    plan: str
    school: str
    year: int
    items: list[PlanItem]
    replaces: str | None = None


class PlanReviewed(Payload, frozen=True):
    plan: str
    comments: str | None = None


class SiteRegistered(Payload, frozen=True):
    site: str
    org: str
    city: str
    address: str
    capacity: int
    standards: list[str]


class FeeGuidelineSet(Payload, frozen=True):
    standard: str
    level: str
    cap: int


class AssessmentScheduled(Payload, frozen=True):
    assessment: str
    org: str
    standard: str
    level: str
    site: str
    date: str
    fee: int


class CandidateEnrolled(Payload, frozen=True):
    assessment: str
    account: str
    school: str


class ResultRecorded(Payload, frozen=True):
    assessment: str
    account: str
    score: int
    passed: bool


class MonitoringPointDesignated(Payload, frozen=True):
    school: str
    standard: str


class SelfEvaluationSubmitted(Payload, frozen=True):
    report: str
    author: str
    year: int
    title: str
    digest: str


# -- staff accounts ------------------------------------------------------------------------------


class StaffInvited(Payload, frozen=True):
    account: str
    principal: str
    role: str


class StaffAccountChanged(Payload, frozen=True):
    account: str


# -- verification reports (a holder's disclosure of their name) ----------------------


class ReportCreated(Payload, frozen=True):
    report: str
    certificate: str
    days: int
    valid_until: str
    code_hash: str


class ReportWithdrawn(Payload, frozen=True):
    report: str


# -- learners who sign in themselves ------------------------------------------------------


class LearnerAccessChanged(Payload, frozen=True):
    account: str


# -- the ledger's own identity ---------------------------------------------------------------


class LedgerIdentity(Payload, frozen=True):
    origin: str
    public_url: str
    issuer: str


def members(payload: type[Payload]) -> tuple[list[str], list[str]]:
    """The required and the optional member names of a payload type, in declared order."""
    info: Any = msgspec.inspect.type_info(payload)
    required = [field.name for field in info.fields if field.required]
    optional = [field.name for field in info.fields if not field.required]
    return required, optional
