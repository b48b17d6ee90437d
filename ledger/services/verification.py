"""Reading and verifying certificates: a record's signature and its entry in the log, a lookup by
number and the holder's name, and a certificate's status; public, and never writes.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.core.errors import BadSignature, InvalidInput, NotFound
from ledger.core.jws import MalformedRecord, verify_compact
from ledger.domain.certificates import (
    check_certificate_number,
    check_record_claims,
    name_key,
    normalize_name,
)
from ledger.services.log import LogService
from ledger.storage.certificates import CertificateRecord, CertificateRepository

__all__ = ["CertificateReading", "CertificateRecord", "Verification"]


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict on a record or a lookup, the reasons, and the certificate's status."""

    verdict: str  # valid, revoked, unknown or forged
    reasons: list[str] = field(default_factory=list)
    certificate: CertificateRecord | None = None
    claims: Mapping[str, Any] | None = None


class CertificateReading:
    """The reads of the certificate service: a certificate, its status, a record's verdict."""

    log: LogService
    repository: CertificateRepository
    #: The ledger's public URL, which a record of this ledger names as its issuer.
    public_url: str

    def certificate(self, number: str) -> CertificateRecord:
        """The certificate ``number``; NotFound when there is none."""
        check_certificate_number(number)
        record = self.repository.certificate(number)
        if record is None:
            raise NotFound(f"there is no certificate {number}")
        return record

    def status(self, number: str) -> CertificateRecord | None:
        """The certificate ``number`` or None: public, for status checks."""
        return self.repository.certificate(check_certificate_number(number))

    def verify(self, token: str) -> Verification:
        """Check a record: signature under a JWKS key, its entry in the log, its status."""
        keys = {key.thumbprint(): key for key in self.log.verifying_keys()}
        try:
            parsed = verify_compact(token, keys)
            claims = check_record_claims(json.loads(parsed.payload))
        except (MalformedRecord, BadSignature, InvalidInput, ValueError) as problem:
            return Verification("forged", [str(problem)])
        # The issuer of the record's time: a ledger whose identity changed keeps its
        # older records verifiable (ledger.identity entries).
        if claims["iss"] != self.log.issuer_at(claims["index"]):
            return Verification("forged", [f"the record names another ledger: {claims['iss']}"])
        record = self.repository.certificate(claims["certificate"])
        if record is None:
            return Verification("unknown", ["the ledger holds no such certificate"], None, claims)
        problems = _mismatches(claims, record)
        if not problems:
            size = self.log.store.size()
            in_log = (
                claims["index"] < size
                and base64.b64encode(self.log.store.leaf_hash_at(claims["index"])).decode("ascii")
                == claims["leaf_hash"]
            )
            if not in_log:
                problems.append("the record's leaf hash is not the entry at its index")
        if problems:
            return Verification("forged", problems, None, claims)
        return _status_verdict(record, claims)

    def lookup(self, number: str, name: str) -> Verification:
        """Valid or revoked only when ``name`` is the holder's; unknown otherwise, alike
        for a wrong name, an erased holder and a number never issued."""
        check_certificate_number(number)
        given = name_key(normalize_name(name))
        record = self.repository.certificate(number)
        secret = self.repository.holder_secrets([number]).get(number) if record else None
        stored = name_key(secret.name) if secret is not None else ""
        if record is None or not hmac.compare_digest(stored.encode(), given.encode()):
            return Verification("unknown", ["no certificate with this number and holder"])
        return _status_verdict(record, None)


def _status_verdict(record: CertificateRecord, claims: Mapping[str, Any] | None) -> Verification:
    if record.revoked:
        reason = f"revoked on {record.revoked_on}: {record.revocation_reason}"
        return Verification("revoked", [reason], record, claims)
    return Verification("valid", [], record, claims)


def _mismatches(claims: Mapping[str, Any], record: CertificateRecord) -> list[str]:
    expected = {
        "index": record.issued_index,
        "standard": record.standard,
        "standard_title": record.standard_title,
        "level": record.level,
        "org": record.org,
        "org_name": record.org_name,
        "issued_on": record.issued_on,
    }
    return [
        f"the record's {member} differs from the ledger's"
        for member, value in expected.items()
        if claims[member] != value
    ]
