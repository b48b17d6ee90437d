"""Wire types of certificates: issuance, batches, revocation, status and verification.

The holder's name and ID number appear only in requests; no response carries them.
Rules msgspec cannot state (check digits, dates, the registry) are checked by the domain
and answered with a 400 naming the field, or the row and field of a batch.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = [
    "BatchIssued",
    "BatchRequest",
    "CertificateStatus",
    "HolderIn",
    "IssueRequest",
    "IssuedCertificate",
    "LookupRequest",
    "Revocation",
    "RevokeRequest",
    "RowError",
    "RowErrorDetail",
    "VerifyRequest",
    "VerifyResult",
]

Verdict = Literal["valid", "revoked", "unknown", "forged"]

_CERTIFICATE = msgspec.Meta(
    description="certificate number: X, the year of issue, ten digits and a Luhn check digit",
    examples=["X202604839205718"],
)
_NAME = msgspec.Meta(
    min_length=1,
    max_length=100,
    description="the holder's full name: personal data, kept only in the personal-data store",
)
_ID_NUMBER = msgspec.Meta(
    min_length=18,
    max_length=18,
    description=(
        "the holder's 18-character resident identity number (GB 11643-1999): personal "
        "data, kept only in the personal-data store"
    ),
)
_TOKEN = msgspec.Meta(
    min_length=1,
    max_length=64,
    pattern="^[A-Za-z0-9._:-]+$",
    description="letters, digits, . _ : -",
)
_DATE = msgspec.Meta(description="YYYY-MM-DD; default today (China Standard Time)")


class HolderIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who receives the certificate."""

    name: Annotated[str, _NAME]
    id_number: Annotated[str, _ID_NUMBER]


class IssueRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One certificate of one of the caller's standards."""

    standard: Annotated[str, msgspec.Meta(max_length=32, examples=["1X-BIM"])]
    level: Literal["junior", "intermediate", "senior"]
    holder: HolderIn
    issued_on: Annotated[str, _DATE] | None = None
    assessment: Annotated[str, _TOKEN] | None = None
    score: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None


class BatchRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Up to 10,000 certificates, all or none; retried with the same batch_id, none twice."""

    batch_id: Annotated[str, _TOKEN]
    rows: Annotated[list[IssueRequest], msgspec.Meta(min_length=1, max_length=10_000)]


class IssuedCertificate(msgspec.Struct, frozen=True, kw_only=True):
    """An issued certificate: give the record (or its QR code) to the holder."""

    certificate: Annotated[str, _CERTIFICATE]
    account: Annotated[str, msgspec.Meta(description="the holder's learning account number")]
    index: Annotated[int, msgspec.Meta(description="ledger index of certificate.issued")]
    record: Annotated[str, msgspec.Meta(description="the signed verification record (JWS)")]
    verify_url: Annotated[str, msgspec.Meta(description="what the certificate's QR code holds")]
    holder_salt: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "hex salt of the holder commitment, for the holder alone; null once their "
                "personal data is erased"
            )
        ),
    ]
    row: int | None = None


class BatchIssued(msgspec.Struct, frozen=True, kw_only=True):
    """What a batch issued, in row order; replayed when an earlier request issued it."""

    batch_id: str
    issued: int
    replayed: bool
    certificates: list[IssuedCertificate]


class RowError(msgspec.Struct, frozen=True, kw_only=True):
    """One problem of one row (rows count from 1)."""

    row: int
    field: str
    problem: str


class RowErrorDetail(msgspec.Struct, frozen=True, kw_only=True):
    """A 400 for rows that break a rule: every problem of every row."""

    status_code: int
    detail: str
    errors: list[RowError]


class RevokeRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Why the certificate is revoked: public text in the ledger, so no personal data."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class Revocation(msgspec.Struct, frozen=True, kw_only=True):
    """The revocation recorded."""

    certificate: str
    index: int
    revoked_on: str


class CertificateStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Public status of a certificate number; only ``status`` is set when it is unknown."""

    certificate: str
    status: Literal["valid", "revoked", "unknown"]
    standard: str | None = None
    standard_title: str | None = None
    level: str | None = None
    org: str | None = None
    org_name: str | None = None
    issued_on: str | None = None
    index: int | None = None
    revoked_on: str | None = None
    revocation_reason: str | None = None


class VerifyRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A verification record to check."""

    record: Annotated[str, msgspec.Meta(min_length=1, max_length=16_384)]


class LookupRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A certificate number and the holder's full name, as an employer has them."""

    certificate: Annotated[str, msgspec.Meta(max_length=16)]
    name: Annotated[str, _NAME]


class VerifyResult(msgspec.Struct, frozen=True, kw_only=True):
    """The verdict, why, and the certificate's status when it is known."""

    verdict: Verdict
    reasons: list[str]
    status: CertificateStatus | None
