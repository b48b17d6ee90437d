"""The verification page as holders and employers meet it: phone-sized, in browsers without
Ed25519 in WebCrypto, with damaged links and pasted transcripts; the front door and the API
documentation with the network cut off. Real Chromium against the real app (conftest).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Route

from ledger.core.principals import Principal
from ledger.core.signing import SigningKey
from tests.browser.conftest import Browsing, Served
from tests.browser.test_verify_page import issue, path_of, resign
from tests.certificate_helpers import Issuer, make_issuer
from tests.consent_helpers import consent
from tests.registry_helpers import sample_school

_numbers = itertools.count(600)

#: Makes Ed25519 unknown to WebCrypto, as in many phones' built-in and in-app browsers.
NO_ED25519 = """
(() => {
  if (typeof SubtleCrypto === "undefined") return;  // about:blank: no WebCrypto at all
  const refuse = () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
  const named = (algorithm) => String(typeof algorithm === "string" ? algorithm : algorithm?.name);
  const isEd = (algorithm) => named(algorithm).toLowerCase() === "ed25519";
  const proto = SubtleCrypto.prototype;
  const positions = [["importKey", 2], ["verify", 0], ["generateKey", 0], ["sign", 0]];
  for (const [method, position] of positions) {
    const original = proto[method];
    proto[method] = function (...args) {
      return isEd(args[position]) ? refuse() : original.apply(this, args);
    };
  }
})();
"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def issuer(served: Served) -> Issuer:
    return make_issuer(served.ledger, "1X-PHONE")


def shoot(browsing: Browsing, folder: Path, name: str) -> None:
    """Screenshots at a phone's and a desktop's width, for people to look at."""
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        browsing.page.set_viewport_size(size)
        browsing.page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    browsing.page.set_viewport_size(PHONE)


def proof_text(browsing: Browsing) -> str:
    return browsing.text("#proof-facts")


# -- without Ed25519 in WebCrypto -----------------------------------------------------------


def test_without_ed25519_in_webcrypto_the_page_still_reaches_every_verdict(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    browsing.page.add_init_script(NO_ED25519)
    valid = issue(served, issuer)
    assert browsing.verdict(path_of(served, valid.verify_url)) == "valid"
    assert (
        browsing.page.evaluate(
            "crypto.subtle.importKey('raw', new Uint8Array(32), {name: 'Ed25519'}, false,"
            " ['verify']).then(() => 'imported', (e) => e.name)"
        )
        == "NotSupportedError"
    )
    assert "@noble/ed25519 3.2.0" in proof_text(browsing)

    revoked = issue(served, issuer)
    answer = served.post(
        f"/certificates/{revoked.certificate}/revoke", {"reason": "证书信息有误"}, issuer.principal
    )
    assert answer.status_code == 200
    assert browsing.verdict(path_of(served, revoked.verify_url)) == "revoked"
    assert "@noble/ed25519" in proof_text(browsing)

    foreign = resign(valid.record, served.ledger.log.signing_key(), {"holder": "赵**"})
    assert browsing.verdict(f"/verify#r={foreign}") == "forged"
    other_key = resign(valid.record, SigningKey.generate())
    assert browsing.verdict(f"/verify#r={other_key}") == "forged"
    header, payload, signature = valid.record.split(".")
    flipped = (
        f"{header}.{payload}.{signature[:5]}{'A' if signature[5] != 'A' else 'B'}{signature[6:]}"
    )
    assert browsing.verdict(f"/verify#r={flipped}") == "forged"
    assert (
        browsing.page.get_attribute('#proof-checks li[data-check="signature"]', "data-outcome")
        == "fail"
    )


def test_with_webcrypto_the_page_says_so(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    issued = issue(served, issuer)
    assert browsing.verdict(path_of(served, issued.verify_url)) == "valid"
    assert "WebCrypto" in proof_text(browsing) and "@noble" not in proof_text(browsing)


# -- damaged links ---------------------------------------------------------------------------


def test_a_truncated_link_says_it_is_damaged_not_forged(
    served: Served, issuer: Issuer, browsing: Browsing, artifacts_dir: Path
) -> None:
    issued = issue(served, issuer)
    browsing.page.set_viewport_size(PHONE)
    for cut in (len(issued.record) // 2, len(issued.record) - 7):
        assert browsing.verdict(f"/verify#r={issued.record[:cut]}") == "damaged", cut
        assert browsing.text("#verdict-word") == "链接不完整 Damaged link"
        assert "重新扫描" in browsing.text("#verdict-explanation")
        assert "伪造" in browsing.text("#verdict-explanation")  # "does not mean forged"
        browsing.page.wait_for_load_state("networkidle")
    short = path_of(served, issued.verify_url)
    assert browsing.verdict(short[:-4]) == "damaged"
    assert "15 digits follow the X; this has 11" in browsing.text("#verdict-reason")
    shoot(browsing, artifacts_dir, "verify-damaged")


# -- a revocation on a phone -----------------------------------------------------------------


def test_on_a_phone_the_revocation_date_and_reason_are_on_the_first_screen(
    served: Served, issuer: Issuer, browsing: Browsing, artifacts_dir: Path
) -> None:
    issued = issue(served, issuer)
    reason = "考核舞弊，经复核属实"
    answer = served.post(
        f"/certificates/{issued.certificate}/revoke", {"reason": reason}, issuer.principal
    )
    assert answer.status_code == 200
    browsing.page.set_viewport_size(PHONE)
    assert browsing.verdict(path_of(served, issued.verify_url)) == "revoked"
    assert browsing.page.evaluate("window.scrollY") == 0
    line = browsing.page.locator("#verdict-revocation")
    assert answer.json()["revoked_on"] in line.inner_text() and reason in line.inner_text()
    box = line.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    word = browsing.page.locator("#verdict-word").bounding_box()
    assert word is not None and word["y"] + word["height"] <= PHONE["height"]
    assert browsing.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    browsing.page.screenshot(path=str(artifacts_dir / "verify-revoked-first-screen.png"))
    shoot(browsing, artifacts_dir, "verify-revoked")


# -- the lookup's honest answers -------------------------------------------------------------


def test_the_lookup_says_what_matched_and_names_the_real_mistake(
    served: Served, issuer: Issuer, browsing: Browsing, artifacts_dir: Path
) -> None:
    issued = issue(served, issuer)
    browsing.page.goto("/verify")
    browsing.page.fill("#lookup-certificate", issued.certificate)
    browsing.page.fill("#lookup-name", "某某某")
    browsing.page.click("#lookup-submit")
    assert browsing.wait_for_verdict() == "unknown"
    explanation = browsing.text("#verdict-explanation")
    assert "没有与此编号和姓名相符的证书" in explanation
    assert "No certificate matches this number and name" in explanation

    browsing.page.fill("#lookup-name", issued.name)
    browsing.page.click("#lookup-submit")
    browsing.page.wait_for_selector("#verdict[data-verdict='valid']")
    assert "姓名与持证人相符" in browsing.text("#verdict-explanation")
    shoot(browsing, artifacts_dir, "verify-lookup")

    mistyped = issued.certificate[:-1] + str((int(issued.certificate[-1]) + 1) % 10)
    browsing.page.fill("#lookup-certificate", mistyped)
    browsing.page.click("#lookup-submit")
    message = browsing.page.wait_for_selector("#lookup-message:not([hidden])")
    assert message is not None
    assert "校验位不符" in message.inner_text() and "X 加 15" not in message.inner_text()
    browsing.page.fill("#lookup-certificate", issued.certificate[:10])
    browsing.page.click("#lookup-submit")
    browsing.page.wait_for_function(
        "document.getElementById('lookup-message').textContent.includes('这里有 9 位')"
    )


# -- transcripts -----------------------------------------------------------------------------


@pytest.fixture
def transcript(served: Served, issuer: Issuer) -> Iterator[tuple[str, str]]:
    """A learner's signed transcript: a certificate, course credits and a conversion."""
    issued = issue(served, issuer, "intermediate")
    account = served.get(f"/certificates/{issued.certificate}/status").json()
    assert account["status"] == "valid"
    number = next(_numbers)
    school = sample_school(number)
    served.ledger.registry.admit_school(Principal.parse("office"), school)
    owner = f"school:{school.id}"
    learner = served.ledger.certificates.certificate(issued.certificate).account
    body = {"account": learner, "enrolment_code": consent(served.ledger, learner)}
    assert served.post(f"/schools/{school.id}/students", body, owner).status_code == 201
    course = {
        "course": "MATH101",
        "title": "高等数学",
        "credits": 4,
        "term": "2026-1",
        "grade": "A",
    }
    assert served.post(f"/learners/{learner}/credits", course, owner).status_code == 201
    rule = served.post(
        f"/schools/{school.id}/rules",
        {
            "programme": "P-BIM",
            "standard": issuer.standard,
            "min_level": "junior",
            "courses": [{"code": "BIM101", "title": "建筑信息模型基础", "credits": 3}],
            "valid_from": "2020-01-01",
        },
        owner,
    )
    assert rule.status_code == 201, rule.text
    converted = served.post(
        "/conversions",
        {
            "account": learner,
            "certificate": issued.certificate,
            "rule": rule.json()["rule"],
            "programme": "P-BIM",
        },
        owner,
    )
    assert converted.status_code == 201, converted.text
    signed = served.get(
        f"/learners/{learner}/transcript", headers=served.auth(f"learner:{learner}")
    )
    assert signed.status_code == 200
    yield learner, signed.text


def test_a_pasted_transcript_verifies_item_by_item(
    served: Served, transcript: tuple[str, str], browsing: Browsing, artifacts_dir: Path
) -> None:
    account, token = transcript
    browsing.page.add_init_script(NO_ED25519)
    browsing.page.goto("/verify")
    browsing.page.fill("#record-input", token)
    browsing.page.click("#record-submit")
    assert browsing.wait_for_verdict() == "valid"
    assert account in browsing.text("#transcript-summary")
    rows = browsing.page.locator("#transcript-rows tr")
    assert rows.count() == 3
    assert set(rows.evaluate_all("rows => rows.map(row => row.dataset.outcome)")) == {"pass"}
    table = browsing.text("#transcript")
    assert "高等数学" in table and "MATH101" in table and "P-BIM" in table
    for check in ("link", "signature", "claims", "checkpoint", "entries"):
        outcome = browsing.page.get_attribute(
            f'#proof-checks li[data-check="{check}"]', "data-outcome"
        )
        assert outcome == "pass", check
    shoot(browsing, artifacts_dir, "verify-transcript")

    # Signed by another key, or changed, it is not accepted.
    changed = resign(token, SigningKey.generate(), {"treeSize": 1})
    browsing.page.goto("about:blank")
    browsing.page.goto("/verify")
    browsing.page.fill("#record-input", changed)
    browsing.page.click("#record-submit")
    assert browsing.wait_for_verdict() == "forged"


# -- the front door and the documentation, offline -------------------------------------------


def cut_off(browsing: Browsing, served: Served) -> list[str]:
    """Abort every request that leaves the served origin; returns what was attempted."""
    attempted: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith(served.url):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    browsing.page.route("**/*", guard)
    return attempted


def test_the_front_door_and_the_api_documentation_work_with_no_internet(
    served: Served, browsing: Browsing, artifacts_dir: Path
) -> None:
    attempted = cut_off(browsing, served)
    browsing.page.set_viewport_size(PHONE)
    browsing.page.goto("/")
    assert "1+X 证书账本与学分银行" in browsing.text("h1")
    links = {
        "#door-verify": "/verify",
        "#door-bulletin": "/reports/bulletin",
        "#door-console": "/console",
        "#link-api": "/schema",
        "#link-checkpoint": "/log/checkpoint",
        "#link-vkey": "/log/vkey",
    }
    for selector, href in links.items():
        assert browsing.page.get_attribute(selector, "href") == href
    shoot(browsing, artifacts_dir, "front-door")

    browsing.page.goto("/schema")
    browsing.page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "Certificate ledger" in browsing.text(".swagger-ui .info .title")
    browsing.page.wait_for_selector(".opblock-tag", timeout=15_000)
    shoot(browsing, artifacts_dir, "api-documentation")
    assert attempted == []

    # Chromium logs the 404 on the console; that one message is expected.
    browsing.expected.add(
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    )
    response = browsing.page.goto("/no/such/page")
    assert response is not None and response.status == 404
    assert "没有这个页面" in browsing.text("h1")
    browsing.page.wait_for_load_state("networkidle")
    shoot(browsing, artifacts_dir, "not-found")
    # A program asking for JSON still gets JSON.
    answer = served.get("/no/such/page", headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.json()["detail_zh"]
