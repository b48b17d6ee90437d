"""Verification over HTTP: anyone checks a certificate's verification record, or looks a
certificate up by its number and the holder's name (rate limited per client address).

No response and no log line carries a holder's full name or ID number.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_400_BAD_REQUEST,
    HTTP_429_TOO_MANY_REQUESTS,
)

from api.auth import RateLimits, client_address
from api.certificates import certificate_status
from api.errors import error_spec
from api.params import ApiController, fields_named
from ledger.bootstrap import Ledger
from ledger.services.certificates import Verification
from schemas.certificates import (
    LookupRequest,
    VerifyRequest,
    VerifyResult,
)

__all__ = ["VerificationController"]


def _verify_result(verification: Verification, number: str | None) -> VerifyResult:
    record = verification.certificate
    status = None
    if record is not None:
        status = certificate_status(record.number, record)
    elif verification.verdict == "unknown" and number is not None:
        status = certificate_status(number, None)
    return VerifyResult(verdict=verification.verdict, reasons=verification.reasons, status=status)  # type: ignore[arg-type]


class VerificationController(ApiController):
    """POST /verify (a record) and POST /lookup (a number and the holder's name)."""

    path = "/"
    tags = ["verification"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/verify",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Verify a record",
        description=(
            "Public. valid, revoked, unknown or forged, with the reasons: the signature "
            "under a key of the JWKS, the record's entry in the log, and the status."
        ),
        responses={HTTP_400_BAD_REQUEST: error_spec('The body is not {"record": "..."}.')},
    )
    def verify(
        self, ledger: NamedDependency[Ledger], data: JSONBody[VerifyRequest]
    ) -> VerifyResult:
        """The verdict on the record in the body."""
        return _verify_result(ledger.certificates.verify(data.record), None)

    @post(
        "/lookup",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Look up a certificate by number and holder name",
        description=(
            "Public, rate limited per client address. valid or revoked when the name is the "
            "holder's; unknown, alike, for a wrong name and for a number never issued."
        ),
        responses={
            HTTP_400_BAD_REQUEST: error_spec("Not a certificate number, or no name."),
            HTTP_429_TOO_MANY_REQUESTS: error_spec("Too many lookups; see Retry-After."),
        },
    )
    def lookup(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        data: JSONBody[LookupRequest],
    ) -> VerifyResult:
        """The verdict for the number and name in the body."""
        limits: RateLimits = request.app.state.rate_limits
        limits.lookup.check(f"address:{client_address(request)}")
        with fields_named():
            verification = ledger.certificates.lookup(data.certificate, data.name)
        return _verify_result(verification, None)
