"""The consoles' sign-in and sessions hold: CSRF on every form, the cookie's flags, the
session id renewed at sign-in, throttling without locking out the right holder or saying
whether an account exists, sessions ended at once by a suspension or a disabled account,
and the second factor of office accounts."""

from __future__ import annotations

import pyotp
import pytest

from ledger.bootstrap import Ledger
from ledger.services.staff import ACCOUNT_FAILURES
from tests.console_helpers import OFFICE, PASSWORD, ConsoleClient, make_school, staff_member


def _session_cookie(response: object) -> str:
    cookies = [
        c
        for c in response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
        if c.startswith("certledger_console=")
    ]
    assert cookies, "no session cookie was set"
    return cookies[-1]


def test_a_form_without_a_csrf_token_is_refused_and_writes_nothing(
    ledger: Ledger, console: ConsoleClient
) -> None:
    school = make_school(ledger, students=0)
    staff_member(ledger, f"school:{school.id}", "clerk-csrf")
    assert console.sign_in("clerk-csrf").status_code == 303
    size = ledger.store.size()
    body = {"account": "", "name": "李四", "id_number": "11010519491231002X"}
    refused = console.post("/console/students", body, csrf=False)
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    forged = console.post("/console/students", {**body, "_csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 403
    assert ledger.store.size() == size
    assert ledger.school_lists.students(school.id).total == 0
    # The same form with its token works: the refusal was the token's.
    done = console.post("/console/students", body, form_page="/console/students")
    assert done.status_code == 303
    assert ledger.school_lists.students(school.id).total == 1


def test_the_session_cookie_has_its_flags_and_a_new_id_at_sign_in(
    ledger: Ledger, console: ConsoleClient
) -> None:
    school = make_school(ledger, students=0)
    staff_member(ledger, f"school:{school.id}", "clerk-cookie")
    # A visitor gets a session before signing in (a fixed id an attacker could plant).
    console.post(
        "/console/sign-in",
        {"username": "clerk-cookie", "password": "wrong one!!"},
        form_page="/console/sign-in",
    )
    console.client.cookies.set("certledger_console", "planted-session-id", path="/console")
    signed = console.sign_in("clerk-cookie")
    assert signed.status_code == 303
    cookie = _session_cookie(signed)
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/console"} <= flags
    new_id = cookie.split(";")[0].split("=", 1)[1]
    assert new_id not in ("planted-session-id", "null")
    assert console.get("/console/students").status_code == 200
    second = console.sign_in("clerk-cookie")
    assert _session_cookie(second).split(";")[0].split("=", 1)[1] != new_id


def test_sign_out_ends_the_session(ledger: Ledger, console: ConsoleClient) -> None:
    school = make_school(ledger, students=0)
    staff_member(ledger, f"school:{school.id}", "clerk-out")
    console.sign_in("clerk-out")
    session_id = console.client.cookies.get("certledger_console")
    assert console.post("/console/sign-out", {}, form_page="/console").status_code == 303
    # Even the old id, sent again by hand, opens nothing: the row is gone.
    console.client.cookies.set("certledger_console", session_id, path="/console")
    assert console.get("/console/students", follow_redirects=False).status_code == 303


def test_unsigned_visitors_go_to_the_sign_in_page(console: ConsoleClient) -> None:
    for path in ("/console", "/console/students", "/console/exports/students.xlsx"):
        answer = console.client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/console/sign-in?next=")


def test_sign_in_never_says_whether_an_account_exists(
    ledger: Ledger, console: ConsoleClient
) -> None:
    school = make_school(ledger, students=0)
    staff_member(ledger, f"school:{school.id}", "clerk-real")
    wrong = console.post(
        "/console/sign-in",
        {"username": "clerk-real", "password": "not it at all"},
        form_page="/console/sign-in",
    )
    nobody = console.post(
        "/console/sign-in",
        {"username": "clerk-ghost", "password": "not it at all"},
        form_page="/console/sign-in",
    )
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.text.replace("clerk-real", "X") == nobody.text.replace("clerk-ghost", "X")


def test_throttling_holds_without_locking_out_the_right_holder(
    ledger: Ledger, console: ConsoleClient, other_console: ConsoleClient
) -> None:
    school = make_school(ledger, students=0)
    staff_member(ledger, f"school:{school.id}", "clerk-throttle")
    # The right holder signed in from this browser once: it carries a device cookie.
    assert console.sign_in("clerk-throttle").status_code == 303
    console.post("/console/sign-out", {}, form_page="/console")
    for attempt in range(ACCOUNT_FAILURES):
        answer = other_console.post(
            "/console/sign-in",
            {"username": "clerk-throttle", "password": f"guess {attempt:06d}"},
            form_page="/console/sign-in",
        )
        assert answer.status_code == 401
    # Now even the right password from the attacker's browser is held back, and a
    # username that does not exist is held back alike after as many failures.
    held = other_console.post(
        "/console/sign-in",
        {"username": "clerk-throttle", "password": PASSWORD},
        form_page="/console/sign-in",
    )
    assert held.status_code == 429
    for attempt in range(ACCOUNT_FAILURES):
        other_console.post(
            "/console/sign-in",
            {"username": "ghost", "password": f"g {attempt:08d}"},
            form_page="/console/sign-in",
        )
    ghost = other_console.post(
        "/console/sign-in",
        {"username": "ghost", "password": PASSWORD},
        form_page="/console/sign-in",
    )
    assert ghost.status_code == 429
    # The right holder's browser still signs in.
    assert console.sign_in("clerk-throttle").status_code == 303
    assert console.get("/console/students").status_code == 200


def test_a_suspended_schools_sessions_stop_at_once(ledger: Ledger, console: ConsoleClient) -> None:
    school = make_school(ledger, students=0)
    staff_member(ledger, f"school:{school.id}", "clerk-suspended")
    console.sign_in("clerk-suspended")
    assert console.get("/console/students").status_code == 200
    ledger.registry.suspend_school(OFFICE, school.id, "整改")
    assert console.get("/console/students", follow_redirects=False).status_code == 303
    ledger.registry.reinstate_school(OFFICE, school.id, "整改完成")
    # The session was ended, not paused: signing in again is needed.
    assert console.get("/console/students", follow_redirects=False).status_code == 303
    assert console.sign_in("clerk-suspended").status_code == 303


def test_a_disabled_accounts_session_ends_and_the_ledger_names_the_admin(
    ledger: Ledger, console: ConsoleClient, other_console: ConsoleClient
) -> None:
    school = make_school(ledger, students=0)
    admin = staff_member(ledger, f"school:{school.id}", "admin-disables", admin=True)
    clerk = staff_member(ledger, f"school:{school.id}", "clerk-disabled")
    other_console.sign_in("clerk-disabled")
    assert other_console.get("/console/students").status_code == 200
    console.sign_in("admin-disables")
    done = console.post(f"/console/staff/{clerk}/disable", {}, form_page="/console/staff")
    assert done.status_code == 303
    assert other_console.get("/console/students", follow_redirects=False).status_code == 303
    assert other_console.sign_in("clerk-disabled").status_code == 401
    [entry] = [e for e in ledger.store.iter_entries() if e.kind == "staff.disabled"]
    assert entry.principal == f"school:{school.id}/{admin}"
    assert entry.payload() == {"account": clerk}


def test_office_accounts_set_up_a_second_factor_at_first_sign_in(
    ledger: Ledger, console: ConsoleClient
) -> None:
    staff_member(ledger, "office", "office-admin", admin=True)
    first = console.sign_in("office-admin")
    assert first.headers["location"] == "/console/second-factor/set-up"
    assert console.get("/console/staff", follow_redirects=False).status_code == 303
    page = console.get("/console/second-factor/set-up")
    secret = page.text.split('id="totp-secret">')[1].split("<")[0]
    wrong = console.post("/console/second-factor/set-up", {"code": "000000"})
    assert wrong.status_code == 401
    done = console.post("/console/second-factor/set-up", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303
    assert console.get("/console/access-log").status_code == 200
    # The next sign-in asks for a code, and one code never works twice.
    console.post("/console/sign-out", {}, form_page="/console")
    assert console.sign_in("office-admin").headers["location"] == "/console/second-factor"
    used = console.post(
        "/console/second-factor",
        {"code": pyotp.TOTP(secret).now()},
        form_page="/console/second-factor",
    )
    assert used.status_code == 401


@pytest.mark.parametrize("password", ["short pw", "password123", "qwertyuiop"])
def test_weak_passwords_are_refused(ledger: Ledger, console: ConsoleClient, password: str) -> None:
    from ledger.core.principals import Principal
    from ledger.domain.staff import StaffRole

    invitation = ledger.staff.invite(None, Principal.parse("auditor"), StaffRole.CLERK)
    path = f"/console/invitations/{invitation.secret}"
    body = {"username": "auditor-weak", "password": password, "password_again": password}
    refused = console.post(path, body, form_page=path)
    assert refused.status_code == 400
    assert "密码" in refused.text
    good = console.post(path, {**body, "password": PASSWORD, "password_again": PASSWORD})
    assert good.status_code == 303
    # The invitation works once.
    assert console.get(path).status_code == 404
