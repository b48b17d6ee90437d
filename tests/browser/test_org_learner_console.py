"""The organization's console and the learner's sign-in in a real Chromium against the
real app under uvicorn: a clerk uploads results, issues the passing candidates'
certificates and downloads one as PDF (pdftotext reads the masked name, the standard
and the number; zxing-cpp decodes the QR of the rasterized page to the verification
URL); a learner activates with the school's code, signs in, sees a conversion's courses
and downloads the PDF transcript. Pages are photographed at 390 and 1280 pixels."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser

from ledger.domain.certificates import mask_name, verify_url
from tests.browser.conftest import Served, watch
from tests.console_helpers import PASSWORD, make_school, staff_member
from tests.org_helpers import make_assessment

TIMEOUT_MS = 15_000
LEARNER_PASSWORD = "river stones and quiet reeds"


def _shots(page: object, artifacts_dir: Path, name: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
        page.screenshot(  # type: ignore[attr-defined]
            path=str(artifacts_dir / f"{name}-{width}.png"), full_page=True
        )


def test_a_clerk_issues_from_results_and_downloads_a_pdf(
    browser: Browser, served: Served, tmp_path: Path, artifacts_dir: Path
) -> None:
    ledger = served.ledger
    with httpx.Client(base_url=served.url, timeout=10) as client:
        world = make_assessment(ledger, client, candidates=2)
    staff_member(ledger, f"org:{world.org}", "browser-org")
    context, watched = watch(browser, served)
    page = watched.page
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto("/console/sign-in")
        page.fill("input[name=username]", "browser-org")
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button")
        page.wait_for_url("**/console")
        page.goto("/console/org/assessments?when=all")
        _shots(page, artifacts_dir, "org-assessments")
        page.click(f"text={world.assessment}")
        sheet = tmp_path / "results.csv"
        sheet.write_text(
            f"学习账号,成绩,通过\n{world.candidates[0]},88,是\n{world.candidates[1]},40,否\n",
            encoding="utf-8",
        )
        page.set_input_files("input[type=file]", str(sheet))
        page.click("#upload-results")
        page.wait_for_url("**/console/org/uploads/**")
        _shots(page, artifacts_dir, "org-results-preview")
        page.click("#confirm")
        page.wait_for_url(f"**/console/org/assessments/{world.assessment}**")
        _shots(page, artifacts_dir, "org-assessment")
        page.click("#issue")
        page.wait_for_url("**/console/org/certificates**")
        _shots(page, artifacts_dir, "org-certificates")
        watched.assert_clean()  # before the download, which Chromium reports as aborted
        with page.expect_download() as info:
            page.click("a.pdf")
        pdf = tmp_path / "certificate.pdf"
        info.value.save_as(pdf)
    finally:
        context.close()

    [issued] = ledger.org_lists.certificates(org=world.org).items
    record = ledger.certificates.certificate(issued["number"])
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    name = ledger.school_lists.identity(world.school, issued["account"])["name"]
    assert issued["number"] in text and world.standard in text and mask_name(name) in text
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "page")], check=True)
    [image] = sorted(tmp_path.glob("page*.png"))
    found = zxingcpp.read_barcodes(Image.open(image))
    assert [code.text for code in found] == [verify_url(served.url, record.record)]


def test_a_learner_activates_signs_in_and_downloads_the_transcript(
    browser: Browser, served: Served, tmp_path: Path, artifacts_dir: Path
) -> None:
    ledger = served.ledger
    school = make_school(ledger, students=1, holders=95_000)
    account = school.students[0]
    ledger.credit_bank.convert(
        school.principal,
        account=account,
        certificate=school.certificates[account],
        rule=school.rule,
        programme=school.programme,
    )
    code = ledger.learner_access.issue_code(school.principal, account)
    context, watched = watch(browser, served)
    page = watched.page
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto("/learner/sign-in")
        _shots(page, artifacts_dir, "learner-sign-in")
        page.fill("input[name=account]", account)
        page.fill("input[name=secret]", code)
        page.click("main form button")
        page.wait_for_url("**/learner/password")
        _shots(page, artifacts_dir, "learner-password")
        page.fill("input[name=password]", LEARNER_PASSWORD)
        page.fill("input[name=password_again]", LEARNER_PASSWORD)
        page.click("main form button")
        page.wait_for_url("**/learner/me**")
        page.click("header form button")
        page.wait_for_url("**/learner/sign-in**")
        page.fill("input[name=account]", account)
        page.fill("input[name=secret]", LEARNER_PASSWORD)
        page.click("main form button")
        page.wait_for_url("**/learner/me")
        shown = page.inner_text("main")
        assert school.certificates[account] in shown
        assert "C-101" in shown and "建筑制图" in shown  # the course the conversion counted for
        _shots(page, artifacts_dir, "learner-home")
        watched.assert_clean()  # before the download, which Chromium reports as aborted
        with page.expect_download() as info:
            page.click("#transcript-pdf")
        pdf = tmp_path / "transcript.pdf"
        info.value.save_as(pdf)
    finally:
        context.close()
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert account in text and school.certificates[account] in text and "建筑制图" in text
