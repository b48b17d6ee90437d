"""Learning accounts over HTTP: what a learner and their schools see of an account (outcomes,
conversions, balance, transcript), the course credits a school deposits in it, and the
erasure of its personal data.

Every path needs a bearer token.
"""

from __future__ import annotations

import msgspec
from litestar import Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
)

from api.certificates import WRITE_ERRORS
from api.console_lists import ActivationMixin
from api.credit_bank import AUTH_ERRORS
from api.errors import error_spec
from api.params import ApiController, fields_named, path_checked
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.certificates import (
    check_account_number,
)
from ledger.domain.credit_bank import (
    CourseCredit,
)
from ledger.services.credit_bank import LearnerRecord
from schemas.credit_bank import (
    Balance,
    ConversionView,
    CourseCreditRequest,
    CreditDeposited,
    EnrolmentView,
    LearnerView,
    OutcomeView,
    ReversalView,
)
from schemas.registry import RecordedChange

__all__ = ["LearnerAccountController", "LearnerController", "learner_view"]


def learner_view(record: LearnerRecord) -> LearnerView:
    """The wire form of a learning account."""
    return LearnerView(
        account=record.account,
        opened_index=record.opened_index,
        personal_data_erased=record.personal_data_erased,
        balance=Balance(deposited=record.deposited, converted=record.converted),
        enrolments=msgspec.convert(record.enrolments, list[EnrolmentView], from_attributes=True),
        outcomes=msgspec.convert(record.outcomes, list[OutcomeView], from_attributes=True),
        conversions=[
            ConversionView(
                conversion=c.conversion,
                account=record.account,
                certificate=c.certificate,
                rule=c.rule,
                version=c.version,
                school=c.school,
                programme=c.programme,
                credits=c.credits,
                index=c.index,
                recorded_on=c.recorded_on,
                reversed_index=c.reversed_index,
                reversal_reason=c.reversal_reason,
            )
            for c in record.conversions
        ],
        reversals=[
            ReversalView(conversion=c.conversion, index=c.reversed_index, reason=c.reversal_reason)
            for c in record.conversions
            if c.reversed_index is not None and c.reversal_reason is not None
        ],
    )


class LearnerAccountController(ApiController):
    """A learning account: what the learner and their schools see, and course credits."""

    path = "/learners"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/{account:str}",
        sync_to_thread=True,
        summary="A learning account",
        description=(
            "Outcomes, conversions, reversals and balance: for the learner, the schools "
            "they are enrolled at, the office and auditors."
        ),
        responses={**AUTH_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such learning account.")},
    )
    def account(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        account: FromPath[str],
    ) -> Response[LearnerView]:
        """The learning account ``account``."""
        checked = path_checked("account", account, check_account_number)
        view = learner_view(ledger.credit_bank.learner(principal, checked))
        return Response(view, headers={"Cache-Control": "no-store"})

    @get(
        "/{account:str}/transcript",
        sync_to_thread=True,
        media_type="application/jose",
        summary="A signed transcript",
        description=(
            "A compact JWS (EdDSA, a kid of /.well-known/jwks.json) whose payload is a "
            "ClrCredential shaped after 1EdTech CLR 2.0; same readers as the account."
        ),
        responses={**AUTH_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such learning account.")},
    )
    def transcript(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        account: FromPath[str],
    ) -> Response[str]:
        """The transcript of ``account``."""
        checked = path_checked("account", account, check_account_number)
        signed = ledger.credit_bank.transcript(principal, checked, ledger.settings.public_url)
        return Response(
            signed, media_type="application/jose", headers={"Cache-Control": "no-store"}
        )

    @post(
        "/{account:str}/credits",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Deposit course credits",
        description="A school, for one of its own students. Records credit.deposited.",
        responses={**AUTH_ERRORS},
    )
    def deposit(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        account: FromPath[str],
        data: JSONBody[CourseCreditRequest],
    ) -> CreditDeposited:
        """Deposit the course credits in the body."""
        checked = path_checked("account", account, check_account_number)
        with fields_named():
            credit = CourseCredit(data.course, data.title, data.credits, data.term, data.grade)
            index = ledger.credit_bank.deposit(principal, checked, credit)
        return CreditDeposited(account=checked, index=index)


class LearnerController(ActivationMixin, ApiController):
    """The personal data of learners: erasure on request."""

    path = "/learners"
    tags = ["learners"]  # noqa: RUF012 - Litestar reads class attributes

    @delete(
        "/{account:str}/personal-data",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Erase a learner's personal data",
        description=(
            "Office only. Removes the name, ID number and commitment salts from the "
            "personal-data store (and from sheets uploaded for preview) and records "
            "learner.erased; the ledger and every record stay as they are and still verify. "
            "status is 'erased' once the database files hold no copy, or 'erased, scrub "
            "pending' when readers of older snapshots delay that (it then finishes in the "
            "background, never holding up other writes)."
        ),
        responses={
            **WRITE_ERRORS,
            HTTP_404_NOT_FOUND: error_spec("No such learning account."),
            HTTP_409_CONFLICT: error_spec("Erased already."),
        },
    )
    def erase(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        account: FromPath[str],
    ) -> RecordedChange:
        """Erase the personal data of ``account``."""
        checked = path_checked("account", account, check_account_number)
        erased = ledger.certificates.erase(principal, checked)
        status = "erased" if erased.scrubbed else "erased, scrub pending"
        return RecordedChange(id=checked, status=status, index=erased.index)
