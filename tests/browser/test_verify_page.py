"""The verification page in a real Chromium against the real app under uvicorn.

Certificates are issued and revoked through the HTTP API; the page is opened at the URL
the QR code holds (``/verify#r=<record>``) and must settle on the verdict the record
deserves, checking everything itself with WebCrypto. Every test also fails on any
console error, page error or failed request (see conftest).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Route

from api.pages import CONTENT_SECURITY_POLICY, SCRIPT_MODULES, STYLE_SHEETS
from ledger.core.jws import RecordSigner, b64url, b64url_decode
from ledger.core.signing import SigningKey
from ledger.domain.certificates import luhn_digit, mask_name
from tests.browser.conftest import Browsing, Served
from tests.certificate_helpers import Issuer, holder_name, make_issuer

_holders = itertools.count(100)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: The folder of the pages' assets: each file in it must be on the allow-list.
STATIC_DIR = resources.files("api.pages").joinpath("static")


@dataclass(frozen=True)
class Issued:
    """A certificate issued through the API, with what the test needs to check the page."""

    certificate: str
    record: str
    verify_url: str
    name: str

    @property
    def masked(self) -> str:
        return mask_name(self.name)

    def record_url(self, served: Served) -> str:
        """The older verification URL, the whole record in its fragment."""
        return f"{served.url}/verify#r={self.record}"


@pytest.fixture(scope="module")
def issuer(served: Served) -> Issuer:
    """An organization of the served ledger with a published standard."""
    return make_issuer(served.ledger)


def issue(served: Served, issuer: Issuer, level: str = "junior", **extra: Any) -> Issued:
    """Issue a certificate to a fresh holder through POST /certificates."""
    number = next(_holders)
    response = served.post("/certificates", issuer.row(number, level, **extra), issuer.principal)
    assert response.status_code == 201, response.text
    body = response.json()
    fetched = served.get(f"/certificates/{body['certificate']}/record")
    assert fetched.status_code == 200, fetched.text
    assert fetched.text == body["record"]
    return Issued(body["certificate"], body["record"], body["verify_url"], holder_name(number))


def org_name(served: Served, issuer: Issuer) -> str:
    """The registered name of ``issuer``'s organization."""
    name: str = served.get(f"/orgs/{issuer.org}").json()["name"]
    return name


def path_of(served: Served, url: str) -> str:
    """The path and fragment of a URL of ``served``."""
    assert url.startswith(served.url + "/"), url
    return url.removeprefix(served.url)


def never_issued_number() -> str:
    """A well-formed certificate number (good check digit) that no test issued."""
    body = f"2026{secrets.randbelow(10**10):010d}"
    return f"X{body}{luhn_digit(body)}"


def resign(record: str, key: SigningKey, change: dict[str, Any] | None = None) -> str:
    """``record``'s payload, changed by ``change``, signed again by ``key``."""
    payload = json.loads(b64url_decode(record.split(".")[1], "payload"))
    payload.update(change or {})
    canonical = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return RecordSigner(key).sign(canonical.encode())


def check_outcome(browsing: Browsing, name: str) -> str | None:
    """The outcome (pass, fail, skip) the page shows for one of its checks."""
    return browsing.page.get_attribute(f'#proof-checks li[data-check="{name}"]', "data-outcome")


def visible_text(browsing: Browsing) -> str:
    return browsing.text("main")


# -- the page and its assets ----------------------------------------------------------


def test_page_and_assets_are_served_with_a_strict_policy(served: Served) -> None:
    page = served.get("/verify")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<script type="module" src="/static/verify.js">' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing external

    for name, kind in [
        *[(module, "text/javascript; charset=utf-8") for module in SCRIPT_MODULES],
        *[(sheet, "text/css; charset=utf-8") for sheet in STYLE_SHEETS],
        ("favicon.svg", "image/svg+xml"),
    ]:
        asset = served.get(f"/static/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["content-type"] == kind
        assert asset.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "innerHTML" not in asset.text, name
    for missing in ("nope.js", "..%2Fcontroller.py", "verify.html", "learner.html"):
        assert served.get(f"/static/{missing}").status_code == 404, missing

    # The page shares its path with POST /verify, which still answers.
    answer = served.post("/verify", {"record": "a.b.c"})
    assert answer.status_code == 200 and answer.json()["verdict"] == "forged"


def test_every_static_file_is_served_and_each_page_preloads_its_modules(
    served: Served,
) -> None:
    for path in STATIC_DIR.iterdir():
        assert served.get(f"/static/{path.name}").status_code == 200, f"{path.name} not served"
    for page, entry in [("/verify", "verify.js"), ("/learner", "learner.js")]:
        html = served.get(page).text
        assert f'<script type="module" src="/static/{entry}"></script>' in html
        preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', html))
        # Every module the entry imports, directly or not, and nothing else.
        imported: set[str] = set()
        pending = [entry]
        while pending:
            source = served.get(f"/static/{pending.pop()}").text
            for name in re.findall(r'^import [^;]*? from "\./([^"]+)";', source, re.M | re.S):
                if name not in imported:
                    imported.add(name)
                    pending.append(name)
        assert preloaded == imported, page
        assert imported <= set(SCRIPT_MODULES)


# -- the verdicts of a record -----------------------------------------------------------


def test_a_valid_certificate_verifies_from_its_qr_url(
    served: Served, issuer: Issuer, browsing: Browsing, artifacts_dir: Path
) -> None:
    issued = issue(served, issuer, "intermediate", assessment="2026-S1", score=91)
    assert issued.verify_url == f"{served.url}/verify/{issued.certificate}"

    assert browsing.verdict(path_of(served, issued.verify_url)) == "valid"
    assert browsing.text("#verdict-word") == "有效 Valid"
    shown = visible_text(browsing)
    assert issued.certificate in shown
    assert issued.masked in shown and issued.name not in shown
    assert "建筑信息模型(BIM)" in shown and issuer.standard in shown
    assert org_name(served, issuer) in shown and issuer.org in shown
    assert "中级 Intermediate" in shown
    assert "2026-S1" in shown and "91" in shown
    checks = ["link", "signature", "claims", "checkpoint", "inclusion", "entry", "status"]
    for check in checks:
        assert check_outcome(browsing, check) == "pass", check
    # The checklist lists the checks in the order they run.
    shown_order = browsing.page.eval_on_selector_all(
        "#proof-checks li", "items => items.map(item => item.dataset.check)"
    )
    assert shown_order == checks
    # The short link fetched the record, which the holder may download.
    assert browsing.page.get_attribute("#record-download a", "href") == (
        f"/certificates/{issued.certificate}/record"
    )
    assert "包含证明已对照签名检查点验证" in shown
    assert "Inclusion proof verified against signed checkpoint" in shown
    origin = served.url.removeprefix("http://")
    assert origin in browsing.text("#proof-facts")
    assert browsing.page.is_hidden("#revocation")

    # Screenshots for people to look at: desktop, and a phone's width.
    desktop = artifacts_dir / "verify-valid.png"
    browsing.page.screenshot(path=str(desktop), full_page=True)
    browsing.page.set_viewport_size({"width": 390, "height": 844})
    phone = artifacts_dir / "verify-valid-phone.png"
    browsing.page.screenshot(path=str(phone), full_page=True)
    for shot in (desktop, phone):
        assert shot.read_bytes().startswith(PNG_MAGIC) and shot.stat().st_size > 10_000
    # Nothing overflows sideways on a phone.
    assert browsing.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Printed, the verdict and the facts stay and the forms go.
    browsing.page.emulate_media(media="print")
    assert browsing.page.is_visible("#verdict") and browsing.page.is_visible("#certificate")
    assert browsing.page.is_hidden("#forms")
    pdf = browsing.page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_a_revoked_certificate_shows_the_date_and_reason(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    issued = issue(served, issuer)
    reason = "考核舞弊 misconduct in the assessment"
    revoked = served.post(
        f"/certificates/{issued.certificate}/revoke", {"reason": reason}, issuer.principal
    )
    assert revoked.status_code == 200, revoked.text

    assert browsing.verdict(path_of(served, issued.verify_url)) == "revoked"
    assert browsing.text("#verdict-word") == "已撤销 Revoked"
    revocation = browsing.text("#revocation")
    assert reason in revocation
    assert revoked.json()["revoked_on"] in revocation
    assert issued.masked in visible_text(browsing)
    assert check_outcome(browsing, "inclusion") == "pass"


def test_a_record_changed_in_one_character_is_forged(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    issued = issue(served, issuer)
    header, payload, signature = issued.record.split(".")
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    tampered = f"{header}.{payload[:middle]}{swapped}{payload[middle + 1 :]}.{signature}"

    assert browsing.verdict(f"/verify#r={tampered}") == "forged"
    assert browsing.text("#verdict-word") == "伪造或被篡改 Forged or altered"
    assert browsing.page.is_visible("#verdict-reason")
    # Claims that did not verify are not shown as facts.
    assert browsing.page.is_hidden("#certificate")
    assert issued.certificate not in visible_text(browsing)


def test_a_record_signed_by_a_foreign_key_is_forged(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    issued = issue(served, issuer)
    foreign = resign(issued.record, SigningKey.generate())

    assert browsing.verdict(f"/verify#r={foreign}") == "forged"
    assert "not signed by a key of this ledger" in browsing.text("#verdict-reason")
    assert check_outcome(browsing, "signature") == "fail"
    assert browsing.page.is_hidden("#certificate")


def test_a_record_that_is_not_its_entry_in_the_log_is_forged(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    # Even the ledger's own key cannot make the page accept claims the log does not hold.
    issued = issue(served, issuer)
    key = served.ledger.log.signing_key()

    other_holder = resign(issued.record, key, {"holder": "李**"})
    assert browsing.verdict(f"/verify#r={other_holder}") == "forged"
    assert check_outcome(browsing, "inclusion") == "pass"
    assert check_outcome(browsing, "entry") == "fail"
    assert "does not match its entry in the log" in browsing.text("#verdict-reason")

    fake_leaf = base64.b64encode(secrets.token_bytes(32)).decode()
    not_in_log = resign(issued.record, key, {"leaf_hash": fake_leaf})
    assert browsing.verdict(f"/verify#r={not_in_log}") == "forged"
    assert check_outcome(browsing, "inclusion") == "fail"

    beyond = resign(issued.record, key, {"index": served.ledger.store.size() + 5})
    assert browsing.verdict(f"/verify#r={beyond}") == "forged"
    assert "the record's entry is not in the log" in browsing.text("#verdict-reason")


def test_a_checkpoint_that_does_not_verify_is_not_blamed_on_the_record(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    issued = issue(served, issuer)

    def altered_root(route: Route) -> None:
        note = route.fetch().text()
        origin, size, _root, rest = note.split("\n", 3)
        changed = base64.b64encode(bytes(32)).decode()
        route.fulfill(
            status=200, content_type="text/plain", body="\n".join([origin, size, changed, rest])
        )

    browsing.page.route("**/log/checkpoint", altered_root)
    assert browsing.verdict(path_of(served, issued.verify_url)) == "error"
    assert browsing.page.get_attribute("#verdict", "data-error") == "log"
    assert browsing.text("#verdict-word") == "无法验证账本 Cannot verify the log"
    assert "the log's checkpoint does not verify" in browsing.text("#verdict-reason")
    assert check_outcome(browsing, "signature") == "pass"
    assert check_outcome(browsing, "checkpoint") == "fail"
    assert check_outcome(browsing, "inclusion") == "skip"


def test_garbage_in_the_fragment_is_forged_and_never_rendered(
    served: Served, browsing: Browsing
) -> None:
    header = b64url(b'{"alg":"none","kid":"x"}')
    markup = b64url(b'{"certificate":"<img src=x onerror=alert(1)>"}')
    for record, verdict, reason in [
        ("not-a-record", "damaged", "three parts"),
        (f"{header}.{markup}.{b64url(bytes(64))}", "forged", "alg is not EdDSA"),
        ("%3Cscript%3E.e30.e30", "damaged", "not base64url"),
    ]:
        assert browsing.verdict(f"/verify#r={record}") == verdict, record
        # A damaged link settles before the page's icon loads; let it, before moving on.
        browsing.page.wait_for_load_state("networkidle")
        assert reason in browsing.text("#verdict-reason")
    assert browsing.page.query_selector("main img") is None


# -- the status alone, the lookup form and the paste form -------------------------------


def test_a_number_never_issued_is_unknown(served: Served, browsing: Browsing) -> None:
    number = never_issued_number()
    assert served.get(f"/certificates/{number}/status").json()["status"] == "unknown"

    assert browsing.verdict(f"/verify?certificate={number}") == "unknown"
    assert browsing.text("#verdict-word") == "未知 Unknown"
    assert number in visible_text(browsing)
    assert browsing.page.is_hidden("#proof")


def test_a_number_alone_shows_its_status(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    issued = issue(served, issuer)
    assert browsing.verdict(f"/verify?certificate={issued.certificate}") == "valid"
    shown = visible_text(browsing)
    assert "status only" in shown
    assert "初级 Junior" in shown and org_name(served, issuer) in shown
    assert browsing.page.is_hidden("#proof")

    mistyped = issued.certificate[:-1] + str((int(issued.certificate[-1]) + 1) % 10)
    assert browsing.verdict(f"/verify?certificate={mistyped}") == "unknown"
    assert "check digit" in browsing.text("#verdict-reason")


def test_the_lookup_form_needs_the_holders_name(
    served: Served, issuer: Issuer, browsing: Browsing
) -> None:
    issued = issue(served, issuer)
    browsing.page.goto("/verify")
    assert browsing.page.is_hidden("#verdict")

    browsing.page.fill("#lookup-certificate", issued.certificate)
    browsing.page.fill("#lookup-name", issued.name)
    browsing.page.click("#lookup-submit")
    assert browsing.wait_for_verdict() == "valid"
    assert issued.certificate in visible_text(browsing)
    assert browsing.page.url == f"{served.url}/verify"  # the name never reaches the URL

    browsing.page.fill("#lookup-name", "某某某")
    browsing.page.click("#lookup-submit")
    browsing.page.wait_for_selector("#verdict[data-verdict='unknown']")


def test_the_lookup_form_says_when_there_were_too_many_attempts(
    strict_served: Served, open_page: Callable[[Served], Browsing]
) -> None:
    number = never_issued_number()
    first = strict_served.post("/lookup", {"certificate": number, "name": "某某某"})
    assert first.status_code == 200 and first.json()["verdict"] == "unknown"

    browsing: Browsing = open_page(strict_served)
    # Chromium reports the refused request on the console; that one message is expected.
    browsing.expected.add(
        "Failed to load resource: the server responded with a status of 429 (Too Many Requests)"
    )
    browsing.page.goto("/verify")
    browsing.page.fill("#lookup-certificate", number)
    browsing.page.fill("#lookup-name", "某某某")
    browsing.page.click("#lookup-submit")
    message = browsing.page.wait_for_selector("#lookup-message:not([hidden])")
    assert message is not None
    assert "尝试次数过多" in message.inner_text()
    assert "Too many attempts, try later" in message.inner_text()
    assert browsing.page.is_hidden("#verdict")


def test_a_pasted_qr_url_is_verified(served: Served, issuer: Issuer, browsing: Browsing) -> None:
    issued = issue(served, issuer)
    browsing.page.goto("/verify")
    browsing.page.fill("#record-input", f"  {issued.verify_url}\n")
    browsing.page.click("#record-submit")
    assert browsing.wait_for_verdict() == "valid"
    assert browsing.page.url == issued.verify_url
    assert issued.masked in visible_text(browsing)

    # An older URL, the whole record in it, pasted: verified the same way.
    browsing.page.goto("/verify")
    browsing.page.fill("#record-input", issued.record_url(served))
    browsing.page.click("#record-submit")
    assert browsing.wait_for_verdict() == "valid"
    assert issued.masked in visible_text(browsing)
