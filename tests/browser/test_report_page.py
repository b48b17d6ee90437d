"""The public page of verification reports in real Chromium: a valid code shows the holder's
full name, a withdrawn one says so, and the page fits a phone (screenshots at 390 and
1280 px, kept in ``LEDGER_ARTIFACTS`` when set)."""

from __future__ import annotations

from pathlib import Path

from api.pages import CONTENT_SECURITY_POLICY
from tests.browser.conftest import Browsing, Served
from tests.certificate_helpers import holder_name, make_issuer


def _report(served: Served, n: int) -> tuple[str, str, str]:
    """Issue a certificate to holder ``n`` and create a report of it: (code, id, learner)."""
    issuer = make_issuer(served.ledger, f"1X-R{n}")
    issued = served.post("/certificates", issuer.row(n, "intermediate"), issuer.principal)
    assert issued.status_code == 201, issued.text
    learner = f"learner:{issued.json()['account']}"
    created = served.post(
        "/learner/reports", {"certificate": issued.json()["certificate"], "days": 90}, learner
    )
    assert created.status_code == 201, created.text
    return created.json()["code"], created.json()["report"], learner


def test_a_valid_code_shows_the_name_and_a_withdrawn_one_says_so(
    served: Served, browsing: Browsing, artifacts_dir: Path
) -> None:
    code, report, learner = _report(served, 61)
    page = browsing.page
    response = page.goto("/reports/verify")
    assert response is not None and response.headers["content-security-policy"] == (
        CONTENT_SECURITY_POLICY
    )
    page.fill("#report-code", code.lower().replace("-", " "))
    page.click("#report-submit")
    page.wait_for_selector("#report-verdict")
    assert page.get_attribute("#report-verdict", "data-report") == "valid"
    assert browsing.text("#holder-name") == holder_name(61)
    assert "证书有效" in browsing.text("#report-verdict")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/reports/verify/{code}")
        page.screenshot(path=str(artifacts_dir / f"report-valid-{width}.png"), full_page=True)
        # Nothing wider than the screen on a phone, and the name above the fold.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator("#holder-name").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 900

    withdrawn = served.post(f"/learner/reports/{report}/withdraw", {}, learner)
    assert withdrawn.status_code == 200, withdrawn.text
    page.goto(f"/reports/verify/{code}")
    assert page.get_attribute("#report-verdict", "data-report") == "withdrawn"
    assert "报告已被持证人撤回" in browsing.text("#report-verdict")
    assert page.locator("#holder-name").count() == 0
    assert holder_name(61) not in page.content()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(artifacts_dir / f"report-withdrawn-{width}.png"), full_page=True)
