"""The school's console in a real Chromium against the real app under uvicorn.

A clerk opens an invitation, sets a password, signs in, uploads a conversion sheet (CSV,
Chinese headers) with two bad rows, sees both named, uploads the fixed sheet (.xlsx),
confirms, sees the conversions listed and downloads the .xlsx export, which openpyxl
reads back. Then every console page is photographed at 390 and 1280 pixels wide.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook
from playwright.sync_api import Browser

from ledger.core.principals import Principal
from ledger.domain.staff import StaffRole
from tests.browser.conftest import Served, watch
from tests.console_helpers import PASSWORD, make_school, staff_member

LOAD_TIMEOUT_MS = 15_000
CONSOLE_PAGES = (
    "/console",
    "/console/students",
    "/console/credits",
    "/console/rules",
    "/console/conversions",
    "/console/conversions/new",
    "/console/plans",
    "/console/assessments",
    "/console/self-evaluations",
    "/console/staff",
    "/console/exports",
    "/console/uploads/new?kind=conversions",
)


def _mistype(account: str) -> str:
    """The account with its check digit changed."""
    return account[:-1] + str((int(account[-1]) + 1) % 10)


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_clerk_records_conversions_from_a_sheet(
    browser: Browser, served: Served, tmp_path: Path, artifacts_dir: Path
) -> None:
    ledger = served.ledger
    school = make_school(ledger, students=3, holders=90_000)
    staff_member(ledger, f"school:{school.id}", "school-admin", admin=True)
    invitation = ledger.staff.invite(None, Principal.parse(f"school:{school.id}"), StaffRole.CLERK)
    context, watched = watch(browser, served)
    page = watched.page
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    try:
        # The invitation: username and password, then the sign-in page.
        page.goto(f"/console/invitations/{invitation.secret}")
        page.fill("input[name=username]", "wang-clerk")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password_again]", PASSWORD)
        page.fill("input[name=name]", "王小明")
        page.click("form button")
        page.wait_for_url("**/console/sign-in**")
        page.fill("input[name=username]", "wang-clerk")
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button")
        page.wait_for_url("**/console")
        assert "wang-clerk" in page.inner_text("header")

        # A sheet with two bad rows: a mistyped account and someone else's certificate.
        [first, second, third] = school.students
        header = ["学习账号", "证书编号", "转换规则", "专业"]
        bad = [
            header,
            [_mistype(first), school.certificates[first], school.rule, school.programme],
            [second, school.certificates[second], school.rule, school.programme],
            [third, school.certificates[first], school.rule, school.programme],
        ]
        bad_csv = tmp_path / "conversions.csv"
        bad_csv.write_text("\n".join(",".join(row) for row in bad) + "\n", encoding="gb18030")
        page.goto("/console/uploads/new?kind=conversions")
        page.set_input_files("input[type=file]", str(bad_csv))
        page.click("main form button")
        page.wait_for_selector("#problems")
        problems = page.locator("#problems tbody tr")
        assert problems.count() == 2
        first_problem, second_problem = problems.nth(0).inner_text(), problems.nth(1).inner_text()
        assert first_problem.startswith("1") and "学习账号" in first_problem
        assert "check digit" in first_problem
        assert second_problem.startswith("3") and "证书不属于该学习账号" in second_problem
        assert ledger.school_lists.conversions(school=school.id).total == 0

        # The fixed sheet, as a workbook this time: preview, confirm, the list.
        fixed = [
            header,
            *[[a, school.certificates[a], school.rule, school.programme] for a in school.students],
        ]
        fixed_xlsx = tmp_path / "conversions.xlsx"
        fixed_xlsx.write_bytes(_xlsx(fixed))
        page.goto("/console/uploads/new?kind=conversions")
        page.set_input_files("input[type=file]", str(fixed_xlsx))
        page.click("main form button")
        page.wait_for_selector("#confirm")
        assert "3" in page.inner_text("#row-count")
        preview_url = page.url
        page.click("#confirm")
        page.wait_for_url("**/console/conversions**")
        listed = page.inner_text("#conversions")
        for account in school.students:
            assert account in listed
        recorded = ledger.school_lists.conversions(school=school.id)
        assert recorded.total == 3
        # Opening the preview again offers no second confirmation.
        page.goto(preview_url)
        assert page.locator("#confirm").count() == 0

        # The export, read back by openpyxl.
        page.goto("/console/exports")
        with page.expect_download() as download_info:
            page.click("#export-conversions-xlsx")
        saved = tmp_path / "export.xlsx"
        download_info.value.save_as(saved)
        sheet = load_workbook(saved, read_only=True).worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0][0].startswith("转换编号")
        assert {row[0] for row in rows[1:]} == {item["conversion"] for item in recorded.items}
        assert {row[1] for row in rows[1:]} == set(school.students)

        # Every console page at a phone's width and a desktop's.
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            for path in (
                *CONSOLE_PAGES,
                f"/console/students/{first}",
                f"/console/rules/{school.rule}",
                f"/console/conversions/new?account={first}",
            ):
                page.goto(path)
                name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "_")
                page.screenshot(path=str(artifacts_dir / f"{name}-{width}.png"), full_page=True)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{path} scrolls sideways at {width} px"
        page.goto("/console/sign-in")
        page.screenshot(path=str(artifacts_dir / f"sign-in-{390}.png"), full_page=True)
    finally:
        context.close()
    # A download ends its navigation request as "aborted" in Chromium: that one is expected.
    watched.problems = [p for p in watched.problems if "/console/exports/conversions.xlsx" not in p]
    watched.assert_clean()
