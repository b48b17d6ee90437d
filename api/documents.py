"""Documents for holders: the printable certificate (PDF) and the wallet credentials.

``GET /certificates/{number}/certificate.pdf`` and ``GET /certificates/{number}/credential``
(an Open Badges 3.0 OpenBadgeCredential) are public like the record, whose members they
repeat (the masked name only). ``GET /learners/{account}/clr`` (a CLR 2.0 ClrCredential)
has the readers of the account. The credentials are VC 2.0 documents secured with JOSE by
the ledger's signing key (ledger/domain/credentials.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
)

from api.errors import error_spec
from api.params import ApiController, path_checked
from api.pdf import certificate_pdf
from ledger.bootstrap import Ledger
from ledger.core.canonical import format_timestamp
from ledger.core.jws import parse_compact
from ledger.core.principals import Principal
from ledger.domain.certificates import check_account_number, check_certificate_number
from ledger.domain.credentials import clr_credential, open_badge_credential, secure_with_jose
from ledger.domain.links import short_verify_url

__all__ = ["CertificateDocumentController", "LearnerDocumentController"]

VC_JWT_MEDIA_TYPE = "application/vc+jwt"
_NUMBER_ERRORS = {
    HTTP_400_BAD_REQUEST: error_spec("Not a certificate number."),
    HTTP_404_NOT_FOUND: error_spec("No such certificate."),
}


def _claims(ledger: Ledger, number: str) -> dict[str, Any]:
    """The members of the certificate's signed record (NotFound for a number never issued)."""
    record = ledger.certificates.certificate(number).record
    claims: dict[str, Any] = json.loads(parse_compact(record).payload)
    return claims


class CertificateDocumentController(ApiController):
    """The printable certificate and its Open Badges 3.0 credential."""

    path = "/certificates"
    tags = ["certificates"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/{number:str}/certificate.pdf",
        sync_to_thread=True,
        media_type="application/pdf",
        summary="The printable certificate (PDF)",
        description=(
            "Public. One A4 page in Chinese and English with the QR code of the short "
            "verification link; the holder's name masked, as in the record. A revoked "
            "certificate prints the revocation's date and reason."
        ),
        responses=_NUMBER_ERRORS,
    )
    def certificate_pdf(
        self, ledger: NamedDependency[Ledger], number: FromPath[str]
    ) -> Response[bytes]:
        """The certificate ``number`` as a PDF."""
        checked = path_checked("number", number, check_certificate_number)
        certificate = ledger.certificates.certificate(checked)
        revocation = None
        if certificate.revoked:
            revocation = (certificate.revoked_on or "—", certificate.revocation_reason or "—")
        body = certificate_pdf(
            _claims(ledger, checked),
            short_verify_url(ledger.settings.public_url, checked),
            revocation,
        )
        return Response(
            body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="certificate-{checked}.pdf"',
                "Cache-Control": "no-store",
            },
        )

    @get(
        "/{number:str}/credential",
        sync_to_thread=True,
        media_type=VC_JWT_MEDIA_TYPE,
        summary="The certificate as an Open Badges 3.0 credential",
        description=(
            "Public. An OpenBadgeCredential (W3C VC 2.0) secured with JOSE: a compact JWS "
            "(EdDSA, typ vc+jwt, a kid of /.well-known/jwks.json) whose payload is the "
            "credential. The subject is the holder's salted commitment, never a name."
        ),
        responses=_NUMBER_ERRORS,
    )
    def credential(self, ledger: NamedDependency[Ledger], number: FromPath[str]) -> Response[str]:
        """The OB 3.0 credential of certificate ``number``."""
        checked = path_checked("number", number, check_certificate_number)
        document = open_badge_credential(ledger.settings.public_url, _claims(ledger, checked))
        signed = secure_with_jose(ledger.log.signing_key(), document)
        return Response(signed, media_type=VC_JWT_MEDIA_TYPE, headers={"Cache-Control": "no-store"})


class LearnerDocumentController(ApiController):
    """A learning account as a CLR 2.0 credential."""

    path = "/learners"
    tags = ["learners"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/{account:str}/clr",
        sync_to_thread=True,
        media_type=VC_JWT_MEDIA_TYPE,
        summary="The learning account as a CLR 2.0 credential",
        description=(
            "A ClrCredential (W3C VC 2.0) secured with JOSE, for wallets: the certificates "
            "that count, the course credits and the conversions standing. Same readers as "
            "the account."
        ),
        responses={
            HTTP_401_UNAUTHORIZED: error_spec("No bearer token, or the token is refused."),
            HTTP_403_FORBIDDEN: error_spec("Not one of the account's readers."),
            HTTP_404_NOT_FOUND: error_spec("No such learning account."),
        },
    )
    def clr(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        account: FromPath[str],
    ) -> Response[str]:
        """The CLR 2.0 credential of ``account``."""
        checked = path_checked("account", account, check_account_number)
        record = ledger.credit_bank.learner(principal, checked)
        counting = [o for o in record.outcomes if o.reversed_index is None]
        certificates = {
            o.source: _claims(ledger, o.source) for o in counting if o.kind == "certificate"
        }
        courses = [
            {
                "course": o.source,
                "title": o.title,
                "school": o.school,
                "credits": o.credits,
                "term": o.term,
                "earned_on": o.earned_on,
                "index": o.index,
            }
            for o in counting
            if o.kind != "certificate"
        ]
        conversions = [
            {
                "conversion": c.conversion,
                "certificate": c.certificate,
                "standard": certificates[c.certificate]["standard"],
                "level": certificates[c.certificate]["level"],
                "school": c.school,
                "programme": c.programme,
            }
            for c in record.conversions
            if c.reversed_index is None and c.certificate in certificates
        ]
        document = clr_credential(
            ledger.settings.public_url,
            checked,
            format_timestamp(datetime.now(UTC)),
            list(certificates.values()),
            courses,
            conversions,
        )
        signed = secure_with_jose(ledger.log.signing_key(), document)
        return Response(signed, media_type=VC_JWT_MEDIA_TYPE, headers={"Cache-Control": "no-store"})
