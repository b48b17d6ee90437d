"""Certificates over HTTP: issue, batch (JSON or CSV), revoke, records, QR codes and status;
verification and lookup are in api/verification.py.

Issuing and revoking need a bearer token; status, records and QR codes are public. No
response and no log line carries a holder's full name or ID number.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter, RawBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
)

from api.console_lists import CertificateListMixin
from api.errors import error_spec
from api.params import ApiController, fields_named, path_checked, query_checked
from api.qr import qr_png, qr_svg
from api.sheets import sheet_as_csv
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.certificates import (
    check_certificate_number,
    check_token,
)
from ledger.domain.csv_uploads import parse_rows
from ledger.domain.links import short_verify_url
from ledger.services.certificates import BatchOutcome, CertificateRecord, Issued
from schemas.certificates import (
    BatchIssued,
    BatchRequest,
    CertificateStatus,
    IssuedCertificate,
    IssueRequest,
    Revocation,
    RevokeRequest,
)

__all__ = [
    "MAX_BATCH_BODY_SIZE",
    "PUBLIC_CACHE",
    "WRITE_ERRORS",
    "CertificateController",
    "certificate_status",
]

#: A batch of 10,000 rows is about 1.5 MB of JSON; the general limit is 1 MiB.
MAX_BATCH_BODY_SIZE = 16 * 1_048_576

WRITE_ERRORS = {
    HTTP_400_BAD_REQUEST: error_spec("A field is wrong; detail names it."),
    HTTP_401_UNAUTHORIZED: error_spec("No bearer token, or the token is refused."),
    HTTP_403_FORBIDDEN: error_spec("This principal may not do this; detail says why."),
    HTTP_429_TOO_MANY_REQUESTS: error_spec("Over the rate limit; see Retry-After."),
}
_ROW_ERRORS = {
    **WRITE_ERRORS,
    HTTP_400_BAD_REQUEST: error_spec(
        "Rows break a rule: errors lists each row (from 1), field and problem; nothing issued."
    ),
}
PUBLIC_CACHE = "public, max-age=300"


def _issued(issued: Issued, public_url: str, row: int | None = None) -> IssuedCertificate:
    return IssuedCertificate(
        certificate=issued.certificate,
        account=issued.account,
        index=issued.index,
        record=issued.record,
        verify_url=short_verify_url(public_url, issued.certificate),
        holder_salt=None if issued.holder_salt is None else issued.holder_salt.hex(),
        row=row,
    )


def _row(data: IssueRequest) -> dict[str, Any]:
    return {
        "standard": data.standard,
        "level": data.level,
        "name": data.holder.name,
        "id_number": data.holder.id_number,
        "issued_on": data.issued_on,
        "assessment": data.assessment,
        "score": data.score,
    }


def _batch_response(outcome: BatchOutcome, public_url: str) -> Response[BatchIssued]:
    body = BatchIssued(
        batch_id=outcome.batch,
        issued=len(outcome.certificates),
        replayed=outcome.replayed,
        certificates=[
            _issued(issued, public_url, row)
            for row, issued in enumerate(outcome.certificates, start=1)
        ],
    )
    return Response(body, status_code=HTTP_200_OK if outcome.replayed else HTTP_201_CREATED)


def certificate_status(number: str, record: CertificateRecord | None) -> CertificateStatus:
    """The public status of ``number``: unknown when the ledger holds no such certificate."""
    if record is None:
        return CertificateStatus(certificate=number, status="unknown")
    return msgspec.convert(record, CertificateStatus, from_attributes=True)


class CertificateController(CertificateListMixin, ApiController):
    """Issue and revoke certificates; their records, QR codes and status."""

    path = "/certificates"
    tags = ["certificates"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Issue a certificate",
        description=(
            "By the organization that owns the standard. Opens the holder's learning "
            "account at their first certificate. Records certificate.issued (and "
            "learner.opened) with a masked name and a salted commitment; the name and ID "
            "number go to the personal-data store only."
        ),
        responses={**_ROW_ERRORS},
    )
    def issue(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[IssueRequest],
    ) -> IssuedCertificate:
        """Issue the certificate in the body."""
        issued = ledger.certificates.issue(principal, _row(data))
        return _issued(issued, ledger.settings.public_url)

    @post(
        "/batch",
        sync_to_thread=True,
        request_max_body_size=MAX_BATCH_BODY_SIZE,
        summary="Issue a batch of certificates",
        description=(
            "Up to 10,000 rows, all or none. 201 with every certificate in row order; a "
            "retry with the same batch_id and rows issues nothing and answers 200 with "
            "what the first request issued (409 if the rows differ)."
        ),
        responses={
            **_ROW_ERRORS,
            HTTP_409_CONFLICT: error_spec("The batch id was used for other rows."),
        },
    )
    def issue_batch(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[BatchRequest],
    ) -> Response[BatchIssued]:
        """Issue the batch in the body."""
        outcome = ledger.certificates.issue_batch(
            principal, data.batch_id, [_row(row) for row in data.rows]
        )
        return _batch_response(outcome, ledger.settings.public_url)

    @post(
        "/batch.csv",
        sync_to_thread=True,
        request_max_body_size=MAX_BATCH_BODY_SIZE,
        summary="Issue a batch of certificates from a CSV file",
        description=(
            "The same as POST /certificates/batch, the rows as CSV (Content-Type: text/csv) "
            "and the batch id as the query parameter batch_id. Columns: name, id_number, "
            "standard, level, issued_on, assessment, score, or their Chinese names 姓名, "
            "身份证号, 证书标准, 等级, 发证日期, 考核, 成绩. UTF-8 or GB 18030, or an .xlsx "
            "workbook."
        ),
        responses={
            **_ROW_ERRORS,
            HTTP_409_CONFLICT: error_spec("The batch id was used for other rows."),
        },
    )
    def issue_csv(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        body: RawBody,
        batch_id: Annotated[str, QueryParameter(min_length=1, max_length=64)],
    ) -> Response[BatchIssued]:
        """Issue the rows of the CSV body."""
        batch = query_checked(
            "batch_id", batch_id, lambda value, _field: check_token("batch_id", value)
        )
        with fields_named():
            rows = parse_rows(sheet_as_csv(body))
        outcome = ledger.certificates.issue_batch(principal, str(batch), rows)
        return _batch_response(outcome, ledger.settings.public_url)

    @post(
        "/{number:str}/revoke",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Revoke a certificate",
        description=(
            "By the issuing organization or the office. Records certificate.revoked with the "
            "reason, which is public: write no personal data in it."
        ),
        responses={
            **WRITE_ERRORS,
            HTTP_404_NOT_FOUND: error_spec("No such certificate."),
            HTTP_409_CONFLICT: error_spec("The certificate is revoked already."),
        },
    )
    def revoke(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        number: FromPath[str],
        data: JSONBody[RevokeRequest],
    ) -> Revocation:
        """Revoke certificate ``number``."""
        checked = path_checked("number", number, check_certificate_number)
        with fields_named():
            index, revoked_on = ledger.certificates.revoke(principal, checked, data.reason)
        return Revocation(certificate=checked, index=index, revoked_on=revoked_on)

    @get(
        "/{number:str}/status",
        # One indexed read: cheaper on the event loop than the hop to a worker thread.
        sync_to_thread=False,
        cache_control=None,
        summary="The status of a certificate",
        description="Public: valid, revoked (with date and reason) or unknown.",
        responses={HTTP_400_BAD_REQUEST: error_spec("Not a certificate number.")},
    )
    def status(
        self, ledger: NamedDependency[Ledger], number: FromPath[str]
    ) -> Response[CertificateStatus]:
        """The status of certificate ``number``."""
        checked = path_checked("number", number, check_certificate_number)
        status = certificate_status(checked, ledger.certificates.status(checked))
        return Response(status, headers={"Cache-Control": "no-store"})

    @get(
        "/{number:str}/record",
        sync_to_thread=True,
        media_type="application/jose",
        summary="The verification record of a certificate",
        description="Public: the compact JWS of format section 9.3.",
        responses={
            HTTP_400_BAD_REQUEST: error_spec("Not a certificate number."),
            HTTP_404_NOT_FOUND: error_spec("No such certificate."),
        },
    )
    def record(self, ledger: NamedDependency[Ledger], number: FromPath[str]) -> Response[str]:
        """The record of certificate ``number``."""
        checked = path_checked("number", number, check_certificate_number)
        record = ledger.certificates.certificate(checked).record
        return Response(
            record, media_type="application/jose", headers={"Cache-Control": PUBLIC_CACHE}
        )

    @get(
        "/{number:str}/qr.png",
        sync_to_thread=True,
        media_type="image/png",
        summary="The QR code of a certificate, as PNG",
        description=(
            "Encodes <public URL>/verify/<number> (QR version 7 or less) with error "
            "correction M; the page fetches the record and checks it."
        ),
        responses={HTTP_404_NOT_FOUND: error_spec("No such certificate.")},
    )
    def qr_png(self, ledger: NamedDependency[Ledger], number: FromPath[str]) -> Response[bytes]:
        """A PNG QR code of the certificate's verification URL."""
        url = self._url(ledger, number)
        return Response(
            qr_png(url), media_type="image/png", headers={"Cache-Control": PUBLIC_CACHE}
        )

    @get(
        "/{number:str}/qr.svg",
        sync_to_thread=True,
        media_type="image/svg+xml",
        summary="The QR code of a certificate, as SVG",
        description=(
            "Encodes <public URL>/verify/<number> (QR version 7 or less) with error "
            "correction M; the page fetches the record and checks it."
        ),
        responses={HTTP_404_NOT_FOUND: error_spec("No such certificate.")},
    )
    def qr_svg(self, ledger: NamedDependency[Ledger], number: FromPath[str]) -> Response[bytes]:
        """An SVG QR code of the certificate's verification URL."""
        url = self._url(ledger, number)
        return Response(
            qr_svg(url), media_type="image/svg+xml", headers={"Cache-Control": PUBLIC_CACHE}
        )

    @staticmethod
    def _url(ledger: Ledger, number: str) -> str:
        checked = path_checked("number", number, check_certificate_number)
        ledger.certificates.certificate(checked)  # 404 for a number never issued
        return short_verify_url(ledger.settings.public_url, checked)
