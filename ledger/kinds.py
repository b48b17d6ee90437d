"""Every entry kind the ledger writes, in one place: its payload type, who may write it, and
which projections it feeds.

The store refuses a kind that is not here and a payload that does not fit its type; the
projections, the auditor, rebuild and the kind table of docs/format.md derive from KINDS.
No kind string is written anywhere else in the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import msgspec

from ledger import payloads as p
from ledger.core.errors import InvalidInput


class Kind(StrEnum):
    """The kinds of entry, named as docs/format.md section 2.4 names them."""

    KEY_ADDED = "key.added"
    KEY_RETIRED = "key.retired"
    SAMPLE_RECORDED = "sample.certificate_recorded"
    API_KEY_ISSUED = "api_key.issued"
    API_KEY_REVOKED = "api_key.revoked"
    PRINCIPAL_REVOKED = "principal.revoked"
    ORG_REGISTERED = "org.registered"
    ORG_SUSPENDED = "org.suspended"
    ORG_REINSTATED = "org.reinstated"
    ORG_BARRED = "org.barred"
    SCHOOL_ADMITTED = "school.admitted"
    SCHOOL_SUSPENDED = "school.suspended"
    SCHOOL_REINSTATED = "school.reinstated"
    SCHOOL_EXPELLED = "school.expelled"
    STANDARD_PUBLISHED = "standard.published"
    LEARNER_OPENED = "learner.opened"
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"
    LEARNER_ERASED = "learner.erased"
    LEARNER_ENROLLED = "learner.enrolled"
    CREDIT_DEPOSITED = "credit.deposited"
    RULE_PUBLISHED = "rule.published"
    CONVERSION_RECORDED = "conversion.recorded"
    CONVERSION_REVERSED = "conversion.reversed"
    PLAN_FILED = "plan.filed"
    PLAN_APPROVED = "plan.approved"
    PLAN_RETURNED = "plan.returned"
    PLAN_REJECTED = "plan.rejected"
    SITE_REGISTERED = "site.registered"
    FEE_GUIDELINE_SET = "fee_guideline.set"
    ASSESSMENT_SCHEDULED = "assessment.scheduled"
    CANDIDATE_ENROLLED = "candidate.enrolled"
    RESULT_RECORDED = "result.recorded"
    MONITORING_POINT_DESIGNATED = "monitoring_point.designated"
    SELF_EVALUATION_SUBMITTED = "self_evaluation.submitted"
    STAFF_INVITED = "staff.invited"
    STAFF_ACTIVATED = "staff.activated"
    STAFF_DISABLED = "staff.disabled"
    STAFF_SECOND_FACTOR_RESET = "staff.second_factor_reset"
    REPORT_CREATED = "report.created"
    REPORT_WITHDRAWN = "report.withdrawn"
    LEARNER_PASSWORD_RESET = "learner.password_reset"  # noqa: S105 - a kind, not a secret
    LEARNER_ACTIVATED = "learner.activated"
    LEDGER_IDENTITY = "ledger.identity"


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One kind: its payload type, the roles whose principals write it (``system`` is the
    service itself), the projections it feeds in the order they run, and its group in the
    format document."""

    payload: type[p.Payload]
    writers: frozenset[str]
    projections: tuple[str, ...]
    group: str


def _spec(payload: type[p.Payload], writers: str, projections: str, group: str) -> KindSpec:
    return KindSpec(payload, frozenset(writers.split()), tuple(projections.split()), group)


#: Projection names (ledger/storage/projections declares what each one keeps).
KEYS = "keys"
CREDENTIALS = "credentials"
REGISTRY = "registry"
CERTIFICATES = "certificates"
CREDIT_BANK = "credit_bank"
PILOT = "pilot"
STAFF = "staff"
REPORTS = "reports"
LEARNER_ACCESS = "learner_access"
IDENTITY = "identity"
#: Kept beside the ledger, not rebuilt from it: personal data, documents, key secrets.
PERSONAL_DATA = "personal_data"
DOCUMENTS = "documents"
SECRETS = "secrets"

_LOG, _CRED, _REG, _CERT, _BANK, _PILOT = (
    "log",
    "credentials",
    "registry",
    "certificates",
    ("credit bank"),
    "pilot",
)

_STAFF = "staff"
_REPORTS = "reports"
#: The parties whose staff accounts act: their principals carry ``/<account>``.
_STAFF_PARTIES = "office auditor org school"
_LEARNER_ACCESS = "learner access"

KINDS: Mapping[Kind, KindSpec] = {
    Kind.KEY_ADDED: _spec(p.KeyAdded, "system", KEYS, _LOG),
    Kind.KEY_RETIRED: _spec(p.KeyRetired, "system", KEYS, _LOG),
    Kind.SAMPLE_RECORDED: _spec(p.SampleRecorded, "system", "", _LOG),
    Kind.API_KEY_ISSUED: _spec(
        p.ApiKeyIssued, "office org school", f"{CREDENTIALS} {SECRETS}", _CRED
    ),
    Kind.API_KEY_REVOKED: _spec(p.ApiKeyRevoked, "office org school", CREDENTIALS, _CRED),
    Kind.PRINCIPAL_REVOKED: _spec(p.PrincipalRevoked, "office", CREDENTIALS, _CRED),
    Kind.ORG_REGISTERED: _spec(p.OrgRegistered, "office", f"{REGISTRY} {PERSONAL_DATA}", _REG),
    Kind.ORG_SUSPENDED: _spec(p.OrgStatusChanged, "office", REGISTRY, _REG),
    Kind.ORG_REINSTATED: _spec(p.OrgStatusChanged, "office", REGISTRY, _REG),
    Kind.ORG_BARRED: _spec(p.OrgStatusChanged, "office", REGISTRY, _REG),
    Kind.SCHOOL_ADMITTED: _spec(p.SchoolAdmitted, "office", REGISTRY, _REG),
    Kind.SCHOOL_SUSPENDED: _spec(p.SchoolStatusChanged, "office", REGISTRY, _REG),
    Kind.SCHOOL_REINSTATED: _spec(p.SchoolStatusChanged, "office", REGISTRY, _REG),
    Kind.SCHOOL_EXPELLED: _spec(p.SchoolStatusChanged, "office", REGISTRY, _REG),
    Kind.STANDARD_PUBLISHED: _spec(p.StandardPublished, "org", REGISTRY, _REG),
    Kind.LEARNER_OPENED: _spec(
        p.LearnerOpened, "org school", f"{CERTIFICATES} {CREDIT_BANK} {PERSONAL_DATA}", _CERT
    ),
    Kind.CERTIFICATE_ISSUED: _spec(
        p.CertificateIssued,
        "org",
        f"{CERTIFICATES} {CREDIT_BANK} {PILOT} {PERSONAL_DATA}",
        _CERT,
    ),
    Kind.CERTIFICATE_REVOKED: _spec(
        p.CertificateRevoked, "org office", f"{CERTIFICATES} {CREDIT_BANK}", _CERT
    ),
    Kind.LEARNER_ERASED: _spec(p.LearnerErased, "office", f"{CERTIFICATES} {PERSONAL_DATA}", _CERT),
    Kind.LEARNER_ENROLLED: _spec(p.LearnerEnrolled, "school", CREDIT_BANK, _BANK),
    Kind.CREDIT_DEPOSITED: _spec(p.CreditDeposited, "school", CREDIT_BANK, _BANK),
    Kind.RULE_PUBLISHED: _spec(p.RulePublished, "school", CREDIT_BANK, _BANK),
    Kind.CONVERSION_RECORDED: _spec(p.ConversionRecorded, "school", CREDIT_BANK, _BANK),
    Kind.CONVERSION_REVERSED: _spec(p.ConversionReversed, "org office", CREDIT_BANK, _BANK),
    Kind.PLAN_FILED: _spec(p.PlanFiled, "school", PILOT, _PILOT),
    Kind.PLAN_APPROVED: _spec(p.PlanReviewed, "office", PILOT, _PILOT),
    Kind.PLAN_RETURNED: _spec(p.PlanReviewed, "office", PILOT, _PILOT),
    Kind.PLAN_REJECTED: _spec(p.PlanReviewed, "office", PILOT, _PILOT),
    Kind.SITE_REGISTERED: _spec(p.SiteRegistered, "org", PILOT, _PILOT),
    Kind.FEE_GUIDELINE_SET: _spec(p.FeeGuidelineSet, "office", PILOT, _PILOT),
    Kind.ASSESSMENT_SCHEDULED: _spec(p.AssessmentScheduled, "org", PILOT, _PILOT),
    Kind.CANDIDATE_ENROLLED: _spec(p.CandidateEnrolled, "school", PILOT, _PILOT),
    Kind.RESULT_RECORDED: _spec(p.ResultRecorded, "org", PILOT, _PILOT),
    Kind.MONITORING_POINT_DESIGNATED: _spec(p.MonitoringPointDesignated, "office", PILOT, _PILOT),
    Kind.SELF_EVALUATION_SUBMITTED: _spec(
        p.SelfEvaluationSubmitted, "org school", f"{PILOT} {DOCUMENTS}", _PILOT
    ),
    Kind.STAFF_INVITED: _spec(p.StaffInvited, "system office auditor org school", STAFF, _STAFF),
    Kind.STAFF_ACTIVATED: _spec(p.StaffAccountChanged, _STAFF_PARTIES, STAFF, _STAFF),
    Kind.STAFF_DISABLED: _spec(p.StaffAccountChanged, _STAFF_PARTIES, STAFF, _STAFF),
    Kind.STAFF_SECOND_FACTOR_RESET: _spec(p.StaffAccountChanged, _STAFF_PARTIES, STAFF, _STAFF),
    Kind.REPORT_CREATED: _spec(p.ReportCreated, "learner", f"{REPORTS} {SECRETS}", _REPORTS),
    Kind.REPORT_WITHDRAWN: _spec(p.ReportWithdrawn, "learner", REPORTS, _REPORTS),
    Kind.LEARNER_PASSWORD_RESET: _spec(
        p.LearnerAccessChanged, "school", LEARNER_ACCESS, _LEARNER_ACCESS
    ),
    Kind.LEARNER_ACTIVATED: _spec(
        p.LearnerAccessChanged, "learner", LEARNER_ACCESS, _LEARNER_ACCESS
    ),
    Kind.LEDGER_IDENTITY: _spec(p.LedgerIdentity, "system", IDENTITY, _LOG),
}

#: Projections kept beside the ledger: written with the entries, never rebuilt from them.
BESIDE = frozenset({PERSONAL_DATA, DOCUMENTS, SECRETS})


def kind_of(kind: str) -> Kind:
    """``kind`` as a Kind; InvalidInput for a kind the ledger does not write."""
    try:
        return Kind(kind)
    except ValueError:
        raise InvalidInput(f"{kind!r} is not a kind this ledger writes") from None


def spec_of(kind: str) -> KindSpec:
    """The spec of ``kind``; InvalidInput for a kind the ledger does not write."""
    return KINDS[kind_of(kind)]


def check_payload(kind: str, principal: str, payload: Mapping[str, Any]) -> p.Payload:
    """The payload as its kind's type; InvalidInput when the kind is unknown, the principal's
    role may not write it, or the payload does not fit (a bug in the caller, never data)."""
    # A str finds its Kind member: a StrEnum hashes and compares as its value.
    spec: KindSpec | None = KINDS.get(kind)  # type: ignore[call-overload]
    if spec is None:
        raise InvalidInput(f"{kind!r} is not a kind this ledger writes")
    role = role_of(principal)
    if role not in spec.writers:
        raise InvalidInput(f"a {role} principal does not write {kind} entries")
    try:
        return msgspec.convert(payload, spec.payload, strict=True)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"the payload of a {kind} entry does not fit its type: {exc}") from exc


def role_of(principal: str) -> str:
    """The role a principal is written with: ``school`` of ``school:4161010001/U...``."""
    return principal.partition(":")[0].partition("/")[0]


def decode_payload(kind: str, raw: bytes | msgspec.Raw) -> p.Payload:
    """Decode the JSON of a stored entry's payload as its kind's type."""
    return msgspec.json.decode(raw, type=spec_of(kind).payload)
