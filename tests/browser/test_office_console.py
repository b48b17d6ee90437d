"""The office's console in a real Chromium against the real app under uvicorn: a reviewer
(signed in with their second factor) returns a school's plan with comments, the school's
clerk refiles it from the comments, and the reviewer, led from the returned plan to its
successor, approves it. Then the reviewer opens every page of the office's console, and
the school prints its students' activation codes; each page is photographed at 390 and
1280 pixels, and none may log an error."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import Browser, Page

from ledger.services.certificates import china_today
from tests.browser.conftest import Served, watch
from tests.console_helpers import OFFICE, PASSWORD, make_school, staff_member

TIMEOUT_MS = 15_000
OFFICE_PAGES = (
    ("office-dashboard", "/console/office"),
    ("office-orgs", "/console/office/orgs"),
    ("office-schools", "/console/office/schools"),
    ("office-fee-caps", "/console/office/fee-caps"),
    ("office-monitoring", "/console/office/monitoring-points"),
    ("office-self-evaluations", "/console/office/self-evaluations"),
    ("office-statistics", "/console/office/statistics"),
    ("office-staff", "/console/office/staff"),
    ("office-api-keys", "/console/office/api-keys"),
    ("office-revocations", "/console/office/revocations"),
    ("office-access-log", "/console/access-log"),
)


def _shots(page: Page, folder: object, name: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)


def _sign_in(page: Page, username: str) -> None:
    page.goto("/console/sign-in")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button")


def test_a_reviewer_returns_a_plan_the_school_refiles_and_the_reviewer_approves(
    browser: Browser, served: Served, artifacts_dir: object
) -> None:
    ledger = served.ledger
    school = make_school(ledger, students=2, holders=96_000)
    ledger.pilot.set_fee_cap(OFFICE, school.standard, "junior", 300)
    ledger.pilot.submit_report(
        school.principal, school.id, china_today().year, "年度自评", "总结。"
    )
    ledger.tokens.create_api_key(school.principal)
    staff_member(ledger, f"school:{school.id}", "e2e-school")
    reviewer = staff_member(ledger, "office", "e2e-reviewer", admin=True)
    secret = ledger.staff.new_second_factor_secret()
    assert ledger.staff.set_up_second_factor(reviewer, secret, pyotp.TOTP(secret).now())
    year = china_today().year

    school_context, school_watch = watch(browser, served)
    office_context, office_watch = watch(browser, served)
    clerk, office = school_watch.page, office_watch.page
    clerk.set_default_timeout(TIMEOUT_MS)
    office.set_default_timeout(TIMEOUT_MS)
    try:
        _sign_in(clerk, "e2e-school")
        clerk.wait_for_url("**/console")
        clerk.goto("/console/plans")
        clerk.fill("input[name=year]", str(year))
        clerk.fill("textarea[name=items]", f"{school.standard}, junior, 20")
        clerk.click("#file form button")
        clerk.wait_for_url("**/console/plans**")
        [first] = ledger.pilot.reads.plans(year=year, school=school.id, status="filed")

        _sign_in(office, "e2e-reviewer")
        office.wait_for_url("**/console/second-factor")
        totp = pyotp.TOTP(secret)
        office.fill("input[name=code]", totp.at(time.time() + totp.interval))
        office.click("main form button")
        office.wait_for_url("**/console")
        office.goto("/console/office")
        assert first["plan"] in office.inner_text("#waiting-plans")
        office.click("#waiting-plans a")
        office.wait_for_url("**/console/office/plans")
        card = office.locator(f"#plan-{first['plan']}")
        card.locator("textarea[name=comments]").fill("请补充各等级人数说明")
        _shots(office, artifacts_dir, "office-plans")
        card.locator("button[value=return]").click()
        office.wait_for_url("**/console/office/plans?done=**")
        assert ledger.pilot.reads.plans(year=year, school=school.id, status="returned")

        clerk.goto("/console/plans")
        assert "请补充各等级人数说明" in clerk.inner_text("main")
        clerk.click(f"a[href='/console/plans?refile={first['plan']}#file']")
        clerk.wait_for_url("**refile=**")
        clerk.fill("textarea[name=items]", f"{school.standard}, junior, 25")
        clerk.click("#file form button")
        clerk.wait_for_url("**/console/plans**")
        [second] = ledger.pilot.reads.plans(year=year, school=school.id, status="filed")
        assert second["replaces"] == first["plan"]

        office.goto("/console/office/plans?status=returned")
        returned = office.locator(f"#plan-{first['plan']}")
        assert second["plan"] in returned.inner_text()
        returned.locator(".successor a").click()
        office.wait_for_url(f"**/console/office/plans?status=all#plan-{second['plan']}")
        successor = office.locator(f"#plan-{second['plan']}")
        assert first["plan"] in successor.inner_text()  # it says which plan it replaces
        successor.locator("textarea[name=comments]").fill("同意")
        successor.locator("button[value=approve]").click()
        office.wait_for_url("**/console/office/plans?done=**")
        [approved] = ledger.pilot.reads.plans(year=year, school=school.id, status="approved")
        assert approved["plan"] == second["plan"] and approved["comments"] == "同意"

        for name, path in OFFICE_PAGES:
            office.goto(path)
            assert office.locator("main h1").count() == 1, path
            _shots(office, artifacts_dir, name)
        office.goto(f"/console/office/schools?q={school.id}")
        office.click(f"#school-{school.id} button:has-text('邀请首位管理员')")
        office.wait_for_url("**/console/office/schools?done=**")
        assert "/console/invitations/" in office.inner_text("#invitation-url")
        _shots(office, artifacts_dir, "office-schools-invited")

        clerk.goto("/console/exports")
        clerk.select_option("select[name=format]", "print")
        clerk.click("#activation-codes")
        clerk.wait_for_url("**/console/exports/activation-codes")
        assert clerk.locator(".slip").count() == 2
        _shots(clerk, artifacts_dir, "school-activation-slips")
        school_watch.assert_clean()
        office_watch.assert_clean()
    finally:
        school_context.close()
        office_context.close()

    # An auditor signs in with a second factor too and reads the pages without a form.
    auditor = staff_member(ledger, "auditor", "e2e-auditor", admin=True)
    secret = ledger.staff.new_second_factor_secret()
    assert ledger.staff.set_up_second_factor(auditor, secret, pyotp.TOTP(secret).now())
    auditor_context, auditor_watch = watch(browser, served)
    page = auditor_watch.page
    page.set_default_timeout(TIMEOUT_MS)
    try:
        _sign_in(page, "e2e-auditor")
        page.wait_for_url("**/console/second-factor")
        totp = pyotp.TOTP(secret)
        page.fill("input[name=code]", totp.at(time.time() + totp.interval))
        page.click("main form button")
        page.wait_for_url("**/console")
        for name, path in (
            ("auditor-schools", "/console/office/schools"),
            ("auditor-plans", "/console/office/plans?status=all"),
        ):
            page.goto(path)
            assert page.locator("main form[method=post]").count() == 0, path
            _shots(page, artifacts_dir, name)
        auditor_watch.assert_clean()
    finally:
        auditor_context.close()
