"""Consent to enrol in the consoles (issue 11, defect 1): the learner makes a one-time code on
their page; a school's clerk enrols with it (one at a time or from a sheet), and an account
number alone writes nothing."""

from __future__ import annotations

import re

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal, Role
from tests.console_helpers import ConsoleClient, make_school, staff_member

LEARNER_PASSWORD = "river stones and quiet reeds"
_CODE = re.compile(r'class="mono big[^"]*">([A-Z0-9-]{19})<')


def _learner_code(ledger: Ledger, school: str, account: str, console: ConsoleClient) -> str:
    """Sign ``account`` in on ``console`` (activated by ``school``); a code from their page."""
    code = ledger.learner_access.issue_code(Principal(Role.SCHOOL, school), account)
    console.get("/learner/sign-in")
    console.post("/learner/sign-in", {"account": account, "secret": code}, form_page=None)
    console.post(
        "/learner/password",
        {"password": LEARNER_PASSWORD, "password_again": LEARNER_PASSWORD},
        form_page="/learner/password",
    )
    me = console.get("/learner/me")
    assert 'action="/learner/me/enrolment-code"' in me.text
    shown = console.post("/learner/me/enrolment-code", {})
    assert shown.status_code == 200, shown.text
    found = _CODE.search(shown.text)
    assert found is not None, shown.text
    return found.group(1)


def test_a_clerk_enrols_with_the_code_the_learner_made(
    ledger: Ledger, console: ConsoleClient, other_console: ConsoleClient
) -> None:
    home = make_school(ledger, students=2)
    other = make_school(ledger, students=0)
    first, second = home.students
    staff_member(ledger, f"school:{other.id}", "consent-clerk")
    assert console.sign_in("consent-clerk").status_code == 303
    console.get("/console/students")
    size = ledger.store.size()
    alone = console.post("/console/students", {"account": first})
    assert alone.status_code == 400 and "consent" in alone.text
    assert ledger.store.size() == size
    code = _learner_code(ledger, home.id, first, other_console)
    console.get("/console/students")
    done = console.post("/console/students", {"account": first, "enrolment_code": code})
    assert done.status_code == 303, done.text
    assert ledger.school_lists.identity(other.id, first) is not None
    # The same code again, now from a sheet with the second learner: all refused, none written.
    size = ledger.store.size()
    sheet = f"学习账号,登记码\n{second},{code}\n"
    console.get("/console/uploads/new?kind=students")
    preview = console.client.post(
        "/console/uploads",
        data={"kind": "students", "_csrf_token": console.token},
        files={"file": ("students.csv", sheet.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert preview.status_code == 303, preview.text
    confirm = console.post(
        preview.headers["location"] + "/confirm", {}, form_page=preview.headers["location"]
    )
    assert confirm.status_code in (303, 400)
    assert ledger.store.size() == size
    assert ledger.school_lists.identity(other.id, second) is None
