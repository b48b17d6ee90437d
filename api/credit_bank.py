"""The credit bank over HTTP: enrolments, course credits and conversion rules; conversions
are in api/conversions.py, what a learner and their schools see in api/learner_accounts.py.

Every path needs a bearer token. A conversion the rules forbid is 409 (the state forbids
it: revoked, converted before, school not active) or 422 (the request does not fit: not
the school's student, not the holder's certificate, below the rule's level, ...) with a
``code`` naming the rule (ledger.domain.credit_bank.Refusal).
"""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
)

from api.errors import error_spec
from api.params import ApiController, fields_named, path_checked
from api.school_lists import SchoolListsMixin
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.credit_bank import (
    RuleVersion,
    check_rule_id,
    rule_from_request,
)
from ledger.domain.registry import check_school_code
from schemas.credit_bank import (
    CourseIn,
    Enrolled,
    EnrolRequest,
    RulePublished,
    RuleRequest,
    RuleVersionView,
    RuleView,
)

__all__ = ["AUTH_ERRORS", "RuleController", "SchoolCreditController"]

AUTH_ERRORS = {
    HTTP_400_BAD_REQUEST: error_spec("A field is wrong; detail names it."),
    HTTP_401_UNAUTHORIZED: error_spec("No bearer token, or the token is refused."),
    HTTP_403_FORBIDDEN: error_spec("This principal may not do this; detail says why."),
}


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


class SchoolCreditController(SchoolListsMixin, ApiController):
    """A school's students and conversion rules."""

    path = "/schools"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/{id:str}/students",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        summary="Enrol a student",
        description=(
            "The school itself, with the learner's consent: the one-time enrolment_code the "
            "learner made (POST /learner/enrolment-codes), with or without their account, "
            "or their name and ID number (personal data: kept only in the personal-data "
            "store) matching the registered ones, opening an account when the learner has "
            "none. An account number alone is refused (400); an unknown account, a wrong, "
            "used or expired code and a name that does not match get the same 404. "
            "Records learner.enrolled (and learner.opened)."
        ),
        responses={
            **AUTH_ERRORS,
            HTTP_404_NOT_FOUND: error_spec("No learner matches: no consent shown."),
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
                principal,
                school,
                account=data.account,
                name=data.name,
                id_number=data.id_number,
                enrolment_code=data.enrolment_code,
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
        summary="Publish a conversion rule or a new version of one",
        description=(
            "The school itself. With rule, a new version of that rule; older versions stay "
            "readable and conversions keep citing the version they used."
        ),
        responses={**AUTH_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such rule.")},
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
        summary="A school's conversion rules",
        description="The latest version of each rule, in order of first publication.",
        responses={**AUTH_ERRORS},
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


class RuleController(ApiController):
    """A conversion rule and its versions."""

    path = "/rules"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/{rule:str}",
        sync_to_thread=True,
        summary="A conversion rule",
        description="Its latest version and every version, oldest first.",
        responses={**AUTH_ERRORS, HTTP_404_NOT_FOUND: error_spec("No such rule.")},
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
