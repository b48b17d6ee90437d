"""A learner's consent to enrolment over HTTP: ``POST /learner/enrolment-codes`` makes a
one-time code the learner gives the school that is to enrol them.

Needs the learner's bearer token; the school then sends the code with
``POST /schools/{id}/students`` (api/credit_bank.py).
"""

from __future__ import annotations

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_201_CREATED, HTTP_404_NOT_FOUND

from api.certificates import WRITE_ERRORS
from api.errors import error_spec
from api.params import ApiController
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from schemas.credit_bank import EnrolmentCode

__all__ = ["EnrolmentCodeController"]


class EnrolmentCodeController(ApiController):
    """The calling learner's enrolment codes."""

    path = "/learner/enrolment-codes"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Make an enrolment code",
        description=(
            "The learner only. A one-time code (16 characters, XXXX-XXXX-XXXX-XXXX) valid "
            "14 days: giving it to a school is the learner's consent to be enrolled there. "
            "Only its SHA-256 is kept, beside the ledger."
        ),
        responses={**WRITE_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such learning account.")},
    )
    def make(
        self, ledger: NamedDependency[Ledger], principal: NamedDependency[Principal]
    ) -> Response[EnrolmentCode]:
        """A new enrolment code of the calling learner."""
        code, expires_at = ledger.learner_access.enrolment_code(principal)
        body = EnrolmentCode(code=code, account=str(principal.id), expires_at=expires_at)
        return Response(body, status_code=HTTP_201_CREATED, headers={"Cache-Control": "no-store"})
