"""Activation codes the school gives its students, in the school's console and the API:
``POST /console/students/{account}/activation`` shows a new code once, to print;
``POST /learners/{account}/activation`` answers it as JSON to the school's systems."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from api.console.base import StaffSession, not_found, page
from ledger.bootstrap import Ledger

LEARNER_SIGN_IN = "/learner/sign-in"


class ActivationController(Controller):
    """A new activation code for one of the school's students."""

    path = "/students"
    include_in_schema = False

    @post("/{account:str}/activation", sync_to_thread=True, status_code=200)
    def activation(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        account: FromPath[str],
    ) -> Template:
        """Give ``account`` a new code (any password before stops working); shown once."""
        school = staff.school
        if ledger.school_lists.identity(school, account[:20]) is None:
            raise not_found("这名学生 / this student")
        code = ledger.learner_access.issue_code(staff.principal, account[:20])
        return page(
            "activation.html",
            staff,
            account=account[:20],
            code=code,
            url=ledger.settings.public_url + LEARNER_SIGN_IN,
        )
