"""The organization's, the office's and the learner's consoles through the real app: a
clerk records results from a sheet (bad rows named, then confirmed once), issues the
certificates, downloads one as PDF whose text pdftotext reads; the office returns a plan
that the school refiles and the office approves; a learner activates with the school's
code, sets a password, signs in and sees only their own things."""

from __future__ import annotations

import subprocess
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import mask_name
from tests.certificate_helpers import holder
from tests.console.conftest import PUBLIC_URL
from tests.console_helpers import ConsoleClient, staff_member
from tests.org_helpers import OFFICE, make_assessment
from tests.registry_helpers import sample_school

LEARNER_PASSWORD = "river stones and quiet reeds"


def test_a_clerk_records_results_issues_and_downloads_a_pdf(
    ledger: Ledger, console: ConsoleClient, tmp_path: Path
) -> None:
    world = make_assessment(ledger, console.client)
    staff_member(ledger, f"org:{world.org}", "org-clerk")
    assert console.sign_in("org-clerk").status_code == 303
    page = console.get(f"/console/org/assessments/{world.assessment}")
    assert page.status_code == 200 and world.candidates[0] in page.text

    # A sheet with bad rows names them and writes nothing.
    size = ledger.store.size()
    bad = "学习账号,成绩,通过\n" + f"{world.candidates[0]},101,是\nL00000000000,80,否\n"
    answer = console.client.post(
        f"/console/org/assessments/{world.assessment}/results",
        data={"_csrf_token": console.token},
        files={"file": ("results.csv", bad.encode(), "text/csv")},
    )
    assert answer.status_code == 200 and answer.text.count("<tr><td>") == 2, answer.text
    assert ledger.store.size() == size
    assert ledger.pilot.reads.assessment(world.assessment)["results"] == 0

    rows = [f"{a},{90 - i * 30},{'是' if i < 2 else '否'}" for i, a in enumerate(world.candidates)]
    sheet = "学习账号,成绩,通过\n" + "\n".join(rows) + "\n"
    answer = console.client.post(
        f"/console/org/assessments/{world.assessment}/results",
        data={"_csrf_token": console.token},
        files={"file": ("results.csv", sheet.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    preview = answer.headers["location"]
    console.get(preview)
    upload = preview.rsplit("/", 1)[1]
    assert console.post(f"/console/org/uploads/{upload}/confirm", {}).status_code == 303
    again = console.post(f"/console/org/uploads/{upload}/confirm", {})
    assert again.status_code == 303
    assert ledger.pilot.reads.assessment(world.assessment)["results"] == 3

    console.get(f"/console/org/assessments/{world.assessment}")
    issued = console.post(f"/console/org/assessments/{world.assessment}/certificates", {})
    assert issued.status_code == 303
    listed = ledger.org_lists.certificates(org=world.org, assessment=world.assessment)
    assert listed.total == 2
    number = listed.items[-1]["number"]
    pdf = console.get(f"/console/org/certificates/{number}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "c.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    account = listed.items[-1]["account"]
    name = holder(world.numbers[world.candidates.index(account)])["name"]
    assert number in text and world.standard in text and mask_name(name) in text
    assert name not in text

    # A batch as one PDF and as a ZIP; another organization's certificate is 404.
    batch = listed.items[0]["batch"]
    both = console.get(f"/console/org/certificates/batch.pdf?batch={batch}")
    assert both.status_code == 200 and both.content.startswith(b"%PDF")
    pages = subprocess.run(["pdfinfo", "-"], input=both.content, capture_output=True, check=True)
    assert b"Pages:           2" in pages.stdout
    assert console.get(f"/console/org/certificates/batch.zip?batch={batch}").status_code == 200
    other = make_assessment(ledger, console.client, candidates=1)
    assert console.get(f"/console/org/assessments/{other.assessment}").status_code == 404

    # Revoke with a reason: the list shows it.
    console.get("/console/org/certificates")
    revoked = console.post(f"/console/org/certificates/{number}/revoke", {"reason": "证书信息有误"})
    assert revoked.status_code == 303
    assert "证书信息有误" in console.get("/console/org/certificates?status=revoked").text


def test_the_office_returns_a_plan_and_approves_its_refiled_successor(
    ledger: Ledger, app: Litestar, console: ConsoleClient
) -> None:
    from tests.console.test_console_matrix import _office_client

    world = make_assessment(ledger, console.client, candidates=1)
    staff_member(ledger, f"school:{world.school}", "plan-school")
    with TestClient(create_app(ledger), base_url=PUBLIC_URL) as raw:
        office = ConsoleClient(raw)
        _office_client(ledger, office)
        console.sign_in("plan-school")
        year = ledger.pilot.reads.plans(year=None, school=world.school, status=None)[0]["year"]
        filed = console.post(
            "/console/plans",
            {"year": str(year + 1), "items": f"{world.standard}, junior, 20"},
            form_page="/console/plans",
        )
        assert filed.status_code == 303
        first = ledger.pilot.reads.plans(year=year + 1, school=world.school, status=None)[0]
        queue = office.get("/console/office/plans")
        assert first["plan"] in queue.text
        answer = office.post(
            f"/console/office/plans/{first['plan']}/review",
            {"decision": "return", "comments": "请补充人数说明"},
        )
        assert answer.status_code == 303
        console.post(
            "/console/plans",
            {
                "year": str(year + 1),
                "items": f"{world.standard}, junior, 25",
                "replaces": first["plan"],
            },
            form_page=f"/console/plans?refile={first['plan']}",
        )
        plans = ledger.pilot.reads.plans(year=year + 1, school=world.school, status=None)
        second = plans[1]["plan"]
        returned = office.get("/console/office/plans?status=returned").text
        assert f"status=all#plan-{second}" in returned and "请补充人数说明" in returned
        office.get("/console/office/plans")
        approve = office.post(
            f"/console/office/plans/{second}/review", {"decision": "approve", "comments": "同意"}
        )
        assert approve.status_code == 303
        assert ledger.pilot.reads.plans(year=year + 1, school=world.school, status="approved")


def test_a_learner_activates_signs_in_and_sees_only_their_own(
    ledger: Ledger, console: ConsoleClient, other_console: ConsoleClient
) -> None:
    world = make_assessment(ledger, console.client, candidates=2)
    staff_member(ledger, f"school:{world.school}", "code-school")
    console.sign_in("code-school")
    console.get(f"/console/students/{world.candidates[0]}")
    shown = console.post(f"/console/students/{world.candidates[0]}/activation", {})
    assert shown.status_code == 200
    code = shown.text.split('id="code">', 1)[1].split("<", 1)[0]
    size = ledger.store.size()
    learner = other_console
    learner.get("/learner/sign-in")
    wrong = learner.post(
        "/learner/sign-in",
        {"account": world.candidates[0], "secret": "X"},
        form_page="/learner/sign-in",
    )
    assert wrong.status_code == 401
    signed = learner.post(
        "/learner/sign-in",
        {"account": world.candidates[0], "secret": code.lower()},
        form_page="/learner/sign-in",
    )
    assert signed.headers["location"] == "/learner/password"
    set_password = learner.post(
        "/learner/password",
        {"password": LEARNER_PASSWORD, "password_again": LEARNER_PASSWORD},
        form_page="/learner/password",
    )
    assert set_password.status_code == 303
    assert ledger.store.size() == size + 1
    learner.get("/learner/sign-in")
    learner.post("/learner/sign-out", {})
    assert learner.client.get("/learner/me", follow_redirects=False).status_code == 303
    again = learner.post(
        "/learner/sign-in",
        {"account": world.candidates[0], "secret": LEARNER_PASSWORD},
        form_page="/learner/sign-in",
    )
    assert again.headers["location"] == "/learner/me"
    me = learner.get("/learner/me")
    assert world.candidates[0] in me.text and world.candidates[1] not in me.text
    pdf = learner.get("/learner/me/transcript.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The code is used up; the school's reset ends the learner's session.
    console.get(f"/console/students/{world.candidates[0]}")
    console.post(f"/console/students/{world.candidates[0]}/activation", {})
    assert learner.client.get("/learner/me", follow_redirects=False).status_code == 303
    # Another school cannot give this learner a code, and writes nothing trying.
    other = sample_school(299)
    ledger.registry.admit_school(OFFICE, other)
    size = ledger.store.size()
    token = ledger.tokens.mint(Principal(Role.SCHOOL, other.id))
    refused = console.client.post(
        f"/learners/{world.candidates[0]}/activation",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 404, refused.text
    assert ledger.store.size() == size
