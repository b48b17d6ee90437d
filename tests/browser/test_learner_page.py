"""The learner's page in a real Chromium against the real app under uvicorn.

One learner is set up through the real services and the HTTP API: two certificates issued
by ``POST /certificates``, an enrolment, course credits, two conversions, and one
certificate revoked by the office (which reverses its conversion). The page is opened at
``/learner``, signed in with the learner's token, and must show what
``GET /learners/{account}`` answers; each QR code is decoded from a screenshot of its
``<img>`` and must hold the certificate's verification URL. Every test also fails on any
console error, page error or failed request (see conftest) other than the refusals it
expects.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Route

from api.pages import CONTENT_SECURITY_POLICY
from ledger.core.jws import verify_compact
from ledger.core.principals import Principal
from ledger.domain.certificates import new_account_number
from ledger.domain.credit_bank import Course, CourseCredit, Rule
from ledger.domain.registry import Level
from ledger.domain.transcripts import TRANSCRIPT_TYPE
from tests.browser.conftest import Browsing, Served
from tests.browser.test_verify_page import PNG_MAGIC
from tests.certificate_helpers import make_issuer
from tests.consent_helpers import consent
from tests.registry_helpers import sample_school

#: Holder numbers of this module (test_verify_page counts from 100).
_holders = itertools.count(7000)
_schools = itertools.count(7100)

OFFICE = Principal.parse("office")
COURSE = CourseCredit("CS-101", "程序设计基础", 3, "2026-1", "A")
REVOKE_REASON = "考核舞弊 misconduct in the assessment"
LOAD_TIMEOUT_MS = 15_000


def refused(status: int, words: str) -> str:
    """The console message Chromium logs for a fetch the server refused."""
    return f"Failed to load resource: the server responded with a status of {status} ({words})"


@dataclass(frozen=True)
class Learner:
    """A learner of the served ledger and what the page must show of them."""

    account: str
    token: str
    school: str
    school_name: str
    kept: str
    revoked: str
    kept_conversion: str
    revoked_conversion: str

    def verify_url(self, served: Served, number: str) -> str:
        record = served.get(f"/certificates/{number}/record")
        assert record.status_code == 200, record.text
        return f"{served.url}/verify/{number}"

    def view(self, served: Served) -> dict[str, Any]:
        """What GET /learners/{account} answers the learner."""
        answer = served.get(f"/learners/{self.account}", headers=self.headers)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def issue(served: Served, principal: str, row: dict[str, Any]) -> dict[str, Any]:
    response = served.post("/certificates", row, principal)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def learner(served: Served) -> Learner:
    """Two certificates, an enrolment, course credits, two conversions, one revocation."""
    ledger = served.ledger
    issuer = make_issuer(ledger)
    holder = next(_holders)
    kept = issue(served, issuer.principal, issuer.row(holder, "intermediate"))
    revoked = issue(served, issuer.principal, issuer.row(holder, "junior"))
    account = kept["account"]
    assert revoked["account"] == account

    school = sample_school(next(_schools))
    ledger.registry.admit_school(OFFICE, school)
    acting = Principal.parse(f"school:{school.id}")
    ledger.credit_bank.enrol(
        acting, school.id, account=account, enrolment_code=consent(ledger, account)
    )
    ledger.credit_bank.deposit(acting, account, COURSE)

    conversions = []
    for programme, certificate in [("BIM-2026", kept), ("CAD-2026", revoked)]:
        rule = Rule(
            programme=programme,
            standard=issuer.standard,
            min_level=Level.JUNIOR,
            courses=(Course("BIM-101", "建筑信息模型基础", 2),),
            valid_from=date(2020, 1, 1),
            valid_to=None,
        )
        version = ledger.credit_bank.publish_rule(acting, school.id, rule)
        converted = ledger.credit_bank.convert(
            acting,
            account=account,
            certificate=certificate["certificate"],
            rule=version.rule,
            programme=programme,
        )
        conversions.append(converted.conversion)

    answer = served.post(
        f"/certificates/{revoked['certificate']}/revoke", {"reason": REVOKE_REASON}, "office"
    )
    assert answer.status_code == 200, answer.text
    return Learner(
        account=account,
        token=ledger.tokens.mint(Principal.parse(f"learner:{account}")),
        school=school.id,
        school_name=school.name,
        kept=kept["certificate"],
        revoked=revoked["certificate"],
        kept_conversion=conversions[0],
        revoked_conversion=conversions[1],
    )


def sign_in(browsing: Browsing, account: str, token: str) -> None:
    """Open /learner afresh and sign in."""
    browsing.page.goto("about:blank")
    browsing.page.goto("/learner")
    browsing.page.wait_for_selector("#sign-in:not([hidden])", timeout=LOAD_TIMEOUT_MS)
    browsing.page.fill("#account-input", account)
    browsing.page.fill("#token-input", token)
    browsing.page.click("#sign-in-submit")


def wait_for_account(browsing: Browsing, account: str) -> None:
    """Until the page shows ``account`` and has fetched its QR codes and registry names
    (a reload or a sign-out while they load would abort them: failed requests)."""
    browsing.page.wait_for_selector(
        f"#account[data-account='{account}']:not([hidden])", timeout=LOAD_TIMEOUT_MS
    )
    browsing.page.wait_for_load_state("networkidle", timeout=LOAD_TIMEOUT_MS)


def refusal(browsing: Browsing, status: str) -> str:
    """The sign-in message once it shows ``status``."""
    message = browsing.page.wait_for_selector(
        f"#sign-in-message[data-status='{status}']:not([hidden])", timeout=LOAD_TIMEOUT_MS
    )
    assert message is not None
    assert browsing.page.is_hidden("#account")
    return message.inner_text()


def stored_token(browsing: Browsing) -> str | None:
    token: str | None = browsing.page.evaluate("sessionStorage.getItem('certledger.learner.token')")
    return token


def item(number: str) -> str:
    return f"#certificates li[data-certificate='{number}']"


# -- the page and its assets -------------------------------------------------------------


def test_the_page_is_served_with_a_strict_policy(served: Served) -> None:
    page = served.get("/learner")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="/static/learner.js">' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing external
    for name in ("learner.js", "learner-view.js"):
        asset = served.get(f"/static/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["content-type"] == "text/javascript; charset=utf-8"
        assert "innerHTML" not in asset.text
    assert served.get("/static/learner.css").headers["content-type"] == "text/css; charset=utf-8"


# -- the account ------------------------------------------------------------------------


def test_a_learner_sees_their_account_certificates_and_qr_codes(
    served: Served, learner: Learner, browsing: Browsing, artifacts_dir: Path
) -> None:
    view = learner.view(served)
    sign_in(browsing, learner.account, learner.token)
    wait_for_account(browsing, learner.account)
    page = browsing.page

    # The token stays out of the URL, in this tab's sessionStorage only.
    assert page.url == f"{served.url}/learner"
    assert stored_token(browsing) == learner.token
    assert page.evaluate("localStorage.length") == 0
    assert page.input_value("#token-input") == ""

    # The balance is the API's.
    assert page.inner_text("#balance-deposited") == str(view["balance"]["deposited"])
    assert page.inner_text("#balance-converted") == str(view["balance"]["converted"])
    assert "已存入学分" in page.inner_text("#balance")
    assert "已转换学分" in page.inner_text("#balance")

    # Both certificates, the revoked one marked.
    assert page.locator("#certificates li[data-certificate]").count() == 2
    kept, revoked = page.locator(item(learner.kept)), page.locator(item(learner.revoked))
    assert kept.get_attribute("data-status") == "valid"
    assert revoked.get_attribute("data-status") == "revoked"
    assert "已撤销" in revoked.inner_text() and "Revoked" in revoked.inner_text()
    assert "已撤销" not in kept.inner_text()
    assert "建筑信息模型(BIM)" in kept.inner_text()
    assert "中级 Intermediate" in kept.inner_text()
    assert "初级 Junior" in revoked.inner_text()
    outcome = next(o for o in view["outcomes"] if o["source"] == learner.kept)
    assert outcome["earned_on"] in kept.inner_text()
    for number in (learner.kept, learner.revoked):
        link = page.locator(f"{item(number)} a.verify-link")
        assert link.get_attribute("href") == f"/verify?certificate={number}"

    # The enrolment and the course credits, with the school's name from the registry.
    page.wait_for_function(
        "name => document.querySelector('#enrolments').innerText.includes(name)",
        arg=learner.school_name,
    )
    assert learner.school in page.inner_text("#enrolments")
    course = page.inner_text(f"#courses li[data-course='{COURSE.course}']")
    for shown in (COURSE.title, str(COURSE.credits), COURSE.term, COURSE.grade, learner.school):
        assert shown in course, shown

    # Conversions: rule and version, credits; the revoked certificate's one reversed.
    conversions = {c["conversion"]: c for c in view["conversions"]}
    kept_conversion = page.locator(f"#conversions li[data-conversion='{learner.kept_conversion}']")
    assert kept_conversion.get_attribute("data-status") == "counts"
    expected = conversions[learner.kept_conversion]
    assert f"{expected['rule']} v{expected['version']}" in kept_conversion.inner_text()
    assert "BIM-2026" in kept_conversion.inner_text()
    reversed_conversion = page.locator(
        f"#conversions li[data-conversion='{learner.revoked_conversion}']"
    )
    assert reversed_conversion.get_attribute("data-status") == "reversed"
    reason = conversions[learner.revoked_conversion]["reversal_reason"]
    assert reason and reason in reversed_conversion.inner_text()

    # The QR codes loaded, and the one on screen holds the certificate's verification URL.
    for number in (learner.kept, learner.revoked):
        image = page.locator(f"{item(number)} img.qr")
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "image => image.complete && image.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.evaluate("image => image.naturalWidth") > 0
    shot = artifacts_dir / "learner-qr.png"
    page.locator(f"{item(learner.kept)} img.qr").screenshot(path=str(shot))
    decoded = zxingcpp.read_barcodes(Image.open(shot))
    assert [code.text for code in decoded] == [learner.verify_url(served, learner.kept)]

    # Screenshots for people to look at: desktop, and a phone's width.
    desktop = artifacts_dir / "learner-account.png"
    page.screenshot(path=str(desktop), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    phone = artifacts_dir / "learner-account-phone.png"
    page.screenshot(path=str(phone), full_page=True)
    for saved in (desktop, phone):
        assert saved.read_bytes().startswith(PNG_MAGIC) and saved.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_session_lasts_until_signing_out(
    served: Served, learner: Learner, browsing: Browsing
) -> None:
    sign_in(browsing, learner.account, learner.token)
    wait_for_account(browsing, learner.account)

    browsing.page.reload()  # the same tab: still signed in, nothing typed again
    wait_for_account(browsing, learner.account)

    browsing.page.click("#sign-out")
    browsing.page.wait_for_selector("#sign-in:not([hidden])")
    assert browsing.page.is_hidden("#account")
    assert stored_token(browsing) is None
    assert browsing.page.locator("#certificates li").count() == 0


def test_the_transcript_downloads_as_a_signed_jws(
    served: Served, learner: Learner, browsing: Browsing, artifacts_dir: Path
) -> None:
    sign_in(browsing, learner.account, learner.token)
    wait_for_account(browsing, learner.account)
    with browsing.page.expect_download() as downloading:
        browsing.page.click("#transcript-button")
    download = downloading.value
    assert download.suggested_filename == f"transcript-{learner.account}.jws"
    saved = artifacts_dir / download.suggested_filename
    download.save_as(saved)

    keys = {key.thumbprint(): key for key in served.ledger.log.verifying_keys()}
    parsed = verify_compact(saved.read_text(), keys, TRANSCRIPT_TYPE)
    transcript = json.loads(parsed.payload)
    assert transcript["credentialSubject"]["id"] == f"urn:certledger:account:{learner.account}"
    codes = {a["humanCode"] for a in transcript["credentialSubject"]["achievement"]}
    assert learner.kept in codes and learner.revoked not in codes  # only what counts
    message = browsing.page.inner_text("#transcript-message")
    assert "成绩单已下载" in message and "Transcript downloaded" in message


def test_a_transcript_the_server_refuses_shows_why(
    served: Served, learner: Learner, browsing: Browsing
) -> None:
    browsing.expected.add(refused(503, "Service Unavailable"))

    def unavailable(route: Route) -> None:
        route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"status_code": 503, "detail": "signing is paused"}),
        )

    sign_in(browsing, learner.account, learner.token)
    wait_for_account(browsing, learner.account)
    browsing.page.route("**/transcript", unavailable)
    browsing.page.click("#transcript-button")
    message = browsing.page.wait_for_selector("#transcript-message[data-tone='error']")
    assert message is not None
    assert "无法下载成绩单（HTTP 503）" in message.inner_text()
    assert "signing is paused" in message.inner_text()


# -- refusals ---------------------------------------------------------------------------


def test_a_wrong_token_is_refused_with_401(
    served: Served, learner: Learner, browsing: Browsing, artifacts_dir: Path
) -> None:
    browsing.expected.add(refused(401, "Unauthorized"))
    header, payload, signature = learner.token.split(".")
    flipped = "A" if signature[10] != "A" else "B"
    forged = f"{header}.{payload}.{signature[:10]}{flipped}{signature[11:]}"
    assert (
        served.get(
            f"/learners/{learner.account}", headers={"Authorization": f"Bearer {forged}"}
        ).status_code
        == 401
    )

    sign_in(browsing, learner.account, forged)
    shown = refusal(browsing, "401")
    assert "访问令牌无效或已过期" in shown and "not valid or has expired" in shown
    assert stored_token(browsing) is None  # a refused token is forgotten
    assert browsing.page.input_value("#account-input") == learner.account
    assert browsing.page.input_value("#token-input") == ""
    assert learner.revoked not in browsing.text("main")
    browsing.page.set_viewport_size({"width": 390, "height": 844})
    browsing.page.screenshot(path=str(artifacts_dir / "learner-401-phone.png"), full_page=True)


def test_another_learners_token_is_refused_with_403(
    served: Served, learner: Learner, browsing: Browsing
) -> None:
    browsing.expected.add(refused(403, "Forbidden"))
    issuer = make_issuer(served.ledger, "1X-CAD")
    other = issue(served, issuer.principal, issuer.row(next(_holders)))["account"]
    assert other != learner.account
    token = served.ledger.tokens.mint(Principal.parse(f"learner:{other}"))

    sign_in(browsing, learner.account, token)
    shown = refusal(browsing, "403")
    assert f"无权查看学习账户 {learner.account}" in shown
    assert f"may not read learning account {learner.account}" in shown
    assert stored_token(browsing) is None
    assert browsing.page.locator("#certificates li").count() == 0


def test_an_account_that_does_not_exist_is_404(served: Served, browsing: Browsing) -> None:
    browsing.expected.add(refused(404, "Not Found"))
    missing = new_account_number()
    token = served.ledger.tokens.mint(Principal.parse(f"learner:{missing}"))

    sign_in(browsing, missing, token)
    shown = refusal(browsing, "404")
    assert f"没有学习账户 {missing}" in shown
    assert f"There is no learning account {missing}" in shown
    assert stored_token(browsing) is None
    assert browsing.page.input_value("#token-input") == token  # only the number to fix


def test_a_mistyped_account_number_is_caught_on_the_page(
    served: Served, learner: Learner, browsing: Browsing
) -> None:
    requests: list[str] = []
    browsing.page.on("request", lambda request: requests.append(request.url))
    last = int(learner.account[-1])
    mistyped = f"{learner.account[:-1]}{(last + 1) % 10}"
    sign_in(browsing, mistyped, learner.token)
    shown = refusal(browsing, "input")
    assert "学习账号" in shown and "check digit" in shown
    assert not any("/learners/" in url for url in requests)
    assert stored_token(browsing) is None


def test_nothing_from_the_account_is_rendered_as_markup(
    served: Served, learner: Learner, browsing: Browsing
) -> None:
    markup = "<img src=x onerror=alert(1)>"

    def poisoned(route: Route) -> None:
        body = json.loads(route.fetch().text())
        for outcome in body["outcomes"]:
            outcome["title"] = markup
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    browsing.page.route(f"**/learners/{learner.account}", poisoned)
    sign_in(browsing, learner.account, learner.token)
    wait_for_account(browsing, learner.account)
    assert markup in browsing.text("#certificates")
    assert browsing.page.locator("#certificates img:not(.qr)").count() == 0
