"""Helpers of the console tests: staff accounts made through the real invitation path, a
school with students, certificates and a rule, and a client that carries CSRF tokens.

``ConsoleClient`` wraps any httpx-like client (Litestar's TestClient or httpx.Client): it
reads the CSRF token from the last page (``name="_csrf_token"``) and sends it with forms.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal, Role
from ledger.domain.credit_bank import rule_from_request
from ledger.domain.staff import StaffRole
from tests.certificate_helpers import holder, make_issuer
from tests.consent_helpers import consent
from tests.registry_helpers import sample_school

OFFICE = Principal(Role.OFFICE)
PASSWORD = "a long and quiet river"
_numbers = itertools.count(7000)
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def staff_member(
    ledger: Ledger, party: str, username: str, *, admin: bool = False, name: str = "测试员"
) -> str:
    """Invite and activate a staff member of ``party``; their account id."""
    role = StaffRole.ADMIN if admin else StaffRole.CLERK
    invitation = ledger.staff.invite(None, Principal.parse(party), role)
    ledger.staff.activate(invitation.secret, username, PASSWORD, name)
    return invitation.account


@dataclass
class School:
    """An admitted school with students holding certificates and one conversion rule."""

    id: str
    org: str
    standard: str
    rule: str
    programme: str
    students: list[str] = field(default_factory=list)
    certificates: dict[str, str] = field(default_factory=dict)
    holders: list[int] = field(default_factory=list)

    @property
    def principal(self) -> Principal:
        return Principal(Role.SCHOOL, self.id)


def make_school(ledger: Ledger, students: int = 3, holders: int | None = None) -> School:
    """A fresh school, an organization with a standard, ``students`` learners each holding
    one certificate and enrolled at the school, and one rule converting the standard."""
    number = next(_numbers)
    admitted = sample_school(number)
    ledger.registry.admit_school(OFFICE, admitted)
    issuer = make_issuer(ledger, f"1X-C{number}")
    org = Principal.parse(issuer.principal)
    school = Principal(Role.SCHOOL, admitted.id)
    first = holders if holders is not None else number * 10
    rule = rule_from_request(
        programme="P-600101",
        standard=issuer.standard,
        min_level="junior",
        courses=[{"code": "C-101", "title": "建筑制图", "credits": 4}],
        valid_from="2020-01-01",
        valid_to=None,
    )
    published = ledger.credit_bank.publish_rule(school, admitted.id, rule)
    made = School(admitted.id, issuer.org, issuer.standard, published.rule, "P-600101")
    for n in range(first, first + students):
        issued = ledger.certificates.issue(
            org, {"standard": issuer.standard, "level": "junior", **holder(n)}
        )
        ledger.credit_bank.enrol(
            school,
            admitted.id,
            account=issued.account,
            enrolment_code=consent(ledger, issued.account),
        )
        made.students.append(issued.account)
        made.certificates[issued.account] = issued.certificate
        made.holders.append(n)
    return made


class ConsoleClient:
    """Forms with CSRF tokens over any httpx-like client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.token: str | None = None

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        found = (
            _CSRF.search(response.text)
            if "text/html" in response.headers.get("content-type", "")
            else None
        )
        if found is not None:
            self.token = found.group(1)
        return response

    def post(
        self,
        path: str,
        data: dict[str, Any],
        *,
        form_page: str | None = None,
        csrf: bool = True,
        **kwargs: Any,
    ) -> Any:
        """POST a form; the token comes from ``form_page`` (GET first) or the last page."""
        if form_page is not None or self.token is None:
            self.get(form_page or "/console/sign-in")
        body = dict(data)
        if csrf:
            body["_csrf_token"] = self.token
        return self.client.post(path, data=body, follow_redirects=False, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD) -> Any:
        """Sign in with a password (no second factor); the response of the POST."""
        return self.post(
            "/console/sign-in",
            {"username": username, "password": password, "next": "/console"},
            form_page="/console/sign-in",
        )


def today() -> str:
    return date.today().isoformat()
