"""The credit bank over HTTP: enrolments, course credits, conversion rules, conversions, and
what a learner and their schools see.

Every path needs a bearer token. A conversion the rules forbid is 409 (the state forbids
it: revoked, converted before, school not active) or 422 (the request does not fit: not
the school's student, not the holder's certificate, below the rule's level, ...) with a
``code`` naming the rule (ledger.domain.credit_bank.Refusal).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
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
    HTTP_422_UNPROCESSABLE_ENTITY,
)

from api.auth import CHECKS_EXIT
from api.errors import error_spec
from api.params import fields_named, path_checked, query_checked, strict_query
from api.school_lists import ConversionListMixin, SchoolListsMixin
from api.sheets import sheet_as_csv
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.certificates import check_account_number, check_token
from ledger.domain.credit_bank import (
    Converted,
    CourseCredit,
    RuleVersion,
    check_rule_id,
    rule_from_request,
)
from ledger.domain.csv_uploads import parse_conversion_rows
from ledger.domain.registry import check_school_code
from ledger.storage.credit_bank_reads import LearnerRecord
from schemas.credit_bank import (
    Balance,
    ConversionBatch,
    ConversionBatchRecorded,
    ConversionRequest,
    ConversionView,
    CourseCreditRequest,
    CourseIn,
    CreditDeposited,
    Enrolled,
    EnrolmentView,
    EnrolRequest,
    LearnerView,
    OutcomeView,
    ReversalView,
    RulePublished,
    RuleRequest,
    RuleVersionView,
    RuleView,
)

__all__ = [
    "ConversionController",
    "LearnerAccountController",
    "RuleController",
    "SchoolCreditController",
]

_AUTH_ERRORS = {
    HTTP_400_BAD_REQUEST: error_spec("A field is wrong; detail names it."),
    HTTP_401_UNAUTHORIZED: error_spec("No bearer token, or the token is refused."),
    HTTP_403_FORBIDDEN: error_spec("This principal may not do this; detail says why."),
}
_REFUSALS = {
    **_AUTH_ERRORS,
    HTTP_409_CONFLICT: error_spec("The state forbids it (revoked, converted before, ...)."),
    HTTP_422_UNPROCESSABLE_ENTITY: error_spec("The rules forbid it; code names the rule."),
}
_MAX_BATCH_BODY = 16 * 1_048_576


def _rule_view(version: RuleVersion, index: int) -> RuleVersionView:
    body = version.body
    return RuleVersionView(
        rule=version.rule,
        version=version.version,
        school=version.school,
        programme=body.programme,
        standard=body.standard,
        min_level=body.min_level.value,
        courses=[CourseIn(code=c.code, title=c.title, credits=c.credits) for c in body.courses],
        credits=body.credits,
        valid_from=body.valid_from.isoformat(),
        valid_to=None if body.valid_to is None else body.valid_to.isoformat(),
        index=index,
    )


def _converted(item: Converted) -> ConversionView:
    return ConversionView(
        conversion=item.conversion,
        account=item.account,
        certificate=item.certificate,
        rule=item.rule,
        version=item.version,
        school=item.school,
        programme=item.programme,
        credits=item.credits,
        index=item.index,
    )


def learner_view(record: LearnerRecord) -> LearnerView:
    """The wire form of a learning account."""
    return LearnerView(
        account=record.account,
        opened_index=record.opened_index,
        personal_data_erased=record.erased_index is not None,
        balance=Balance(deposited=record.deposited, converted=record.converted),
        enrolments=[EnrolmentView(school=e.school, index=e.index) for e in record.enrolments],
        outcomes=[
            OutcomeView(
                index=o.index,
                kind=o.kind,  # type: ignore[arg-type]
                source=o.source,
                title=o.title,
                credits=o.credits,
                earned_on=o.earned_on,
                counts=o.reversed_index is None,
                school=o.school,
                term=o.term,
                grade=o.grade,
                level=o.level,
                org=o.org,
                reversed_index=o.reversed_index,
            )
            for o in record.outcomes
        ],
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


class SchoolCreditController(SchoolListsMixin, Controller):
    """A school's students and conversion rules."""

    path = "/schools"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/{id:str}/students",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        before_request=strict_query(),
        summary="Enrol a student",
        description=(
            "The school itself. By account number, or by name and ID number (personal "
            "data: kept only in the personal-data store), opening an account when the "
            "learner has none. Records learner.enrolled (and learner.opened)."
        ),
        responses={
            **_AUTH_ERRORS,
            HTTP_404_NOT_FOUND: error_spec("No such learning account."),
            HTTP_409_CONFLICT: error_spec("Enrolled already."),
        },
    )
    def enrol(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[EnrolRequest],
    ) -> Enrolled:
        """Enrol the student in the body at school ``id``."""
        school = path_checked("id", id, check_school_code)
        with fields_named():
            enrolled = ledger.credit_bank.enrol(
                principal, school, account=data.account, name=data.name, id_number=data.id_number
            )
        return Enrolled(
            account=enrolled.account,
            school=enrolled.school,
            index=enrolled.index,
            opened=enrolled.opened,
        )

    @post(
        "/{id:str}/rules",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        before_request=strict_query(),
        summary="Publish a conversion rule or a new version of one",
        description=(
            "The school itself. With rule, a new version of that rule; older versions stay "
            "readable and conversions keep citing the version they used."
        ),
        responses={**_AUTH_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such rule.")},
    )
    def publish_rule(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
        data: JSONBody[RuleRequest],
    ) -> RulePublished:
        """Publish the rule in the body for school ``id``."""
        school = path_checked("id", id, check_school_code)
        with fields_named():
            rule = rule_from_request(
                programme=data.programme,
                standard=data.standard,
                min_level=data.min_level,
                courses=[
                    {"code": c.code, "title": c.title, "credits": c.credits} for c in data.courses
                ],
                valid_from=data.valid_from,
                valid_to=data.valid_to,
            )
            published = ledger.credit_bank.publish_rule(principal, school, rule, data.rule)
        [(_version, index)] = [
            item
            for item in ledger.credit_bank.rule_versions(published.rule)
            if item[0].version == published.version
        ]
        return RulePublished(rule=published.rule, version=published.version, index=index)

    @get(
        "/{id:str}/rules",
        sync_to_thread=True,
        before_request=strict_query(),
        summary="A school's conversion rules",
        description="The latest version of each rule, in order of first publication.",
        responses={**_AUTH_ERRORS},
    )
    def rules(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        id: FromPath[str],
    ) -> list[RuleVersionView]:
        """The rules of school ``id``."""
        school = path_checked("id", id, check_school_code)
        return [_rule_view(v, i) for v, i in ledger.credit_bank.school_rules(school)]


class RuleController(Controller):
    """A conversion rule and its versions."""

    path = "/rules"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/{rule:str}",
        sync_to_thread=True,
        before_request=strict_query(),
        summary="A conversion rule",
        description="Its latest version and every version, oldest first.",
        responses={**_AUTH_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such rule.")},
    )
    def rule(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        rule: FromPath[str],
    ) -> RuleView:
        """Rule ``rule``."""
        checked = path_checked("rule", rule, check_rule_id)
        versions = [_rule_view(v, i) for v, i in ledger.credit_bank.rule_versions(checked)]
        return RuleView(rule=checked, latest=versions[-1], versions=versions)


def _batch_response(
    batch: str, converted: list[Converted], replayed: bool
) -> Response[ConversionBatchRecorded]:
    body = ConversionBatchRecorded(
        batch_id=batch,
        recorded=len(converted),
        replayed=replayed,
        conversions=[_converted(item) for item in converted],
    )
    return Response(body, status_code=HTTP_200_OK if replayed else HTTP_201_CREATED)


class ConversionController(ConversionListMixin, Controller):
    """Conversions of certificates into course credits of a programme."""

    path = "/conversions"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        before_request=strict_query(),
        opt={CHECKS_EXIT: True},
        summary="Record a conversion",
        description=(
            "The school, for its own student, under the latest version of one of its rules "
            "(the entry cites the version). Refusals are 409 or 422 with a code."
        ),
        responses={**_REFUSALS},
    )
    def convert(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[ConversionRequest],
    ) -> ConversionView:
        """Record the conversion in the body."""
        with fields_named():
            converted = ledger.credit_bank.convert(
                principal,
                account=data.account,
                certificate=data.certificate,
                rule=data.rule,
                programme=data.programme,
            )
        return _converted(converted)

    @post(
        "/batch",
        sync_to_thread=True,
        before_request=strict_query(),
        request_max_body_size=_MAX_BATCH_BODY,
        opt={CHECKS_EXIT: True},
        summary="Record a batch of conversions",
        description=(
            "All or none: 422 lists every refused row with its code. A retry with the same "
            "batch_id and rows records nothing and answers 200 with the first answer."
        ),
        responses={**_REFUSALS},
    )
    def convert_batch(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[ConversionBatch],
    ) -> Response[ConversionBatchRecorded]:
        """Record the conversions in the body."""
        rows = [
            {
                "account": r.account,
                "certificate": r.certificate,
                "rule": r.rule,
                "programme": r.programme,
            }
            for r in data.rows
        ]
        converted, replayed = ledger.credit_bank.convert_batch(principal, data.batch_id, rows)
        return _batch_response(data.batch_id, converted, replayed)

    @post(
        "/batch.csv",
        sync_to_thread=True,
        before_request=strict_query("batch_id"),
        request_max_body_size=_MAX_BATCH_BODY,
        opt={CHECKS_EXIT: True},
        summary="Record a batch of conversions from a CSV file",
        description="Columns account, certificate, rule, programme (or 学习账号, 证书编号, "
        "转换规则, 专业); CSV in UTF-8 or GB 18030, or an .xlsx workbook (its first sheet).",
        responses={**_REFUSALS},
    )
    def convert_csv(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        body: RawBody,
        batch_id: Annotated[str, QueryParameter(min_length=1, max_length=64)],
    ) -> Response[ConversionBatchRecorded]:
        """Record the conversions of the CSV body."""
        batch = query_checked("batch_id", batch_id, lambda v, _f: check_token("batch_id", v))
        with fields_named():
            rows = parse_conversion_rows(sheet_as_csv(body))
        converted, replayed = ledger.credit_bank.convert_batch(principal, str(batch), rows)
        return _batch_response(str(batch), converted, replayed)


class LearnerAccountController(Controller):
    """A learning account: what the learner and their schools see, and course credits."""

    path = "/learners"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/{account:str}",
        sync_to_thread=True,
        before_request=strict_query(),
        summary="A learning account",
        description=(
            "Outcomes, conversions, reversals and balance: for the learner, the schools "
            "they are enrolled at, the office and auditors."
        ),
        responses={**_AUTH_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such learning account.")},
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
        before_request=strict_query(),
        media_type="application/jose",
        summary="A signed transcript",
        description=(
            "A compact JWS (EdDSA, a kid of /.well-known/jwks.json) whose payload is a "
            "ClrCredential shaped after 1EdTech CLR 2.0; same readers as the account."
        ),
        responses={**_AUTH_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such learning account.")},
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
        before_request=strict_query(),
        summary="Deposit course credits",
        description="A school, for one of its own students. Records credit.deposited.",
        responses={**_AUTH_ERRORS},
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
