"""Verification reports a holder controls, through the API: created by the learner, the code
shows the full name until withdrawal or expiry and not after, only the holder manages them,
the PDF holds the code and its QR code (pdftotext, pdftoppm, zxing-cpp), each showing of
the name is logged, and the audit names a tampered report.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.domain.reports import CODE_ALPHABET, normal_code
from ledger.storage.report_tables import verification_reports
from ledger.storage.staff_tables import personal_data_access
from tests.api.conftest import TokenFor
from tests.api.test_documents import PUBLIC_URL, issue, pdf_qr, pdf_text
from tests.certificate_helpers import Issuer, holder_name, make_issuer

CODE_SHAPE = re.compile(rf"[{CODE_ALPHABET}]{{4}}(-[{CODE_ALPHABET}]{{4}}){{3}}")


@pytest.fixture
def issuer(ledger: Ledger) -> Issuer:
    return make_issuer(ledger)


def _holder(client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, n: int) -> Any:
    issued = issue(client, token_for, issuer, n)
    return issued["certificate"], f"learner:{issued['account']}"


def _create(
    client: TestClient[Litestar], token_for: TokenFor, learner: str, number: str, days: Any
) -> Any:
    return client.post(
        "/learner/reports", json={"certificate": number, "days": days}, headers=token_for(learner)
    )


def _open(client: TestClient[Litestar], code: str) -> Any:
    return client.get(f"/reports/verify/{code}", headers={"accept": "text/html"})


def _views(ledger: Ledger) -> int:
    with ledger.engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).select_from(personal_data_access)
            ).scalar_one()
        )


def test_the_code_shows_the_name_until_the_holder_withdraws_it(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, issuer: Issuer
) -> None:
    number, learner = _holder(client, token_for, issuer, 41)
    created = _create(client, token_for, learner, number, 30)
    assert created.status_code == 201, created.text
    report = created.json()
    assert CODE_SHAPE.fullmatch(report["code"]), report["code"]
    assert report["url"] == f"{PUBLIC_URL}/reports/verify/{report['code']}"
    assert report["state"] == "valid" and report["days"] == 30

    page = _open(client, report["code"])
    assert page.status_code == 200
    assert holder_name(41) in page.text and number in page.text
    assert "证书有效" in page.text and page.headers["cache-control"] == "no-store"
    # Typed loosely (lower case, spaces instead of hyphens), through the form: the same.
    loose = report["code"].lower().replace("-", " ")
    assert holder_name(41) in client.get("/reports/verify", params={"code": loose}).text
    with ledger.engine.connect() as connection:
        logged = connection.execute(sa.select(personal_data_access)).all()
    assert len(logged) == 2
    assert {(r.principal, r.learner, r.page, r.shown) for r in logged} == {
        (f"report:{report['report']}", learner.partition(":")[2], "/reports/verify", "name")
    }
    assert all(normal_code(report["code"]) not in r.page for r in logged)

    listed = client.get("/learner/reports", headers=token_for(learner)).json()
    assert [r["report"] for r in listed] == [report["report"]]

    withdrawn = client.post(
        f"/learner/reports/{report['report']}/withdraw", headers=token_for(learner)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    gone = _open(client, report["code"])
    assert gone.status_code == 200
    assert "报告已被持证人撤回" in gone.text and holder_name(41) not in gone.text
    assert _views(ledger) == 2  # nothing shown, nothing logged
    again = client.post(f"/learner/reports/{report['report']}/withdraw", headers=token_for(learner))
    assert again.status_code == 409
    assert "已经撤回" in again.json()["detail_zh"]
    listed = client.get("/learner/reports", headers=token_for(learner)).json()
    assert listed[0]["state"] == "withdrawn"
    assert ledger.log.differences() == []


def test_a_report_works_until_its_expiry_and_not_after(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, issuer: Issuer
) -> None:
    number, learner = _holder(client, token_for, issuer, 42)
    start = time.time()
    ledger.reports.clock = lambda: start
    report = _create(client, token_for, learner, number, 31).json()
    ledger.reports.clock = lambda: start + 31 * 86400 - 1  # the last second
    assert holder_name(42) in _open(client, report["code"]).text
    ledger.reports.clock = lambda: start + 31 * 86400  # valid_until itself: over
    page = _open(client, report["code"])
    assert "报告已过期" in page.text and holder_name(42) not in page.text
    listed = client.get("/learner/reports", headers=token_for(learner)).json()
    assert listed[0]["state"] == "expired"
    pdf = client.get(f"/learner/reports/{report['report']}/report.pdf", headers=token_for(learner))
    assert pdf.status_code == 409 and "过期" in pdf.json()["detail_zh"]
    assert ledger.log.differences() == []


@pytest.mark.parametrize("days", [29, 181, 0, -30, 1000])
def test_days_outside_30_to_180_are_refused_in_chinese_and_english(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, issuer: Issuer, days: int
) -> None:
    number, learner = _holder(client, token_for, issuer, 43)
    size = ledger.store.size()
    refused = _create(client, token_for, learner, number, days)
    assert refused.status_code == 400
    body = refused.json()
    assert "from 30 to 180" in body["detail"]
    assert body["detail_zh"] == "有效期应为 30 至 180 天之间的整数天数。"
    assert client.get("/learner/reports", headers=token_for(learner)).json() == []
    assert ledger.store.size() == size


def test_only_the_holder_creates_withdraws_and_prints_a_report(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    number, learner = _holder(client, token_for, issuer, 44)
    other_number, other = _holder(client, token_for, issuer, 45)
    report = _create(client, token_for, learner, number, 90).json()

    mine = _create(client, token_for, other, number, 90)
    assert mine.status_code == 403 and "不是您的证书" in mine.json()["detail_zh"]
    withdraw = client.post(
        f"/learner/reports/{report['report']}/withdraw", headers=token_for(other)
    )
    assert withdraw.status_code == 404
    pdf = client.get(f"/learner/reports/{report['report']}/report.pdf", headers=token_for(other))
    assert pdf.status_code == 404
    assert client.get("/learner/reports", headers=token_for(other)).json() == []
    assert _create(client, token_for, issuer.principal, number, 90).status_code == 403
    assert _create(client, token_for, "office", number, 90).status_code == 403
    unknown = _create(client, token_for, learner, "X" + "0" * 14 + "0", 90)
    assert unknown.status_code in (400, 404)
    assert (
        client.post("/learner/reports", json={"certificate": number, "days": 90}).status_code == 401
    )
    # The report still works: nobody but its holder touched it.
    assert holder_name(44) in _open(client, report["code"]).text
    assert other_number != number


def test_a_revoked_certificate_gets_no_report_and_an_open_report_shows_the_revocation(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    number, learner = _holder(client, token_for, issuer, 46)
    report = _create(client, token_for, learner, number, 60).json()
    revoked = client.post(
        f"/certificates/{number}/revoke",
        json={"reason": "考核舞弊"},
        headers=token_for(issuer.principal),
    )
    assert revoked.status_code == 200
    page = _open(client, report["code"]).text
    assert "证书已被撤销" in page and "考核舞弊" in page
    refused = _create(client, token_for, learner, number, 60)
    assert refused.status_code == 409 and "已被撤销" in refused.json()["detail_zh"]


def test_codes_that_open_nothing_say_why(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, issuer: Issuer
) -> None:
    number, learner = _holder(client, token_for, issuer, 47)
    code = _create(client, token_for, learner, number, 30).json()["code"]
    swapped = code[:-1] + CODE_ALPHABET[(CODE_ALPHABET.index(code[-1]) + 1) % 31]
    mistyped = _open(client, swapped)
    assert mistyped.status_code == 400 and "校验位不符" in mistyped.text
    assert _open(client, "ABCD").status_code == 400
    zero = _open(client, "0" + code[1:])
    assert zero.status_code == 400 and "不含 0、O、1、I 和 Z" in zero.text
    # A well-formed code no report has (check character right): no such report.
    from ledger.domain.reports import new_code

    unknown = _open(client, new_code())
    assert unknown.status_code == 404 and "没有这份报告" in unknown.text
    assert "<script" not in _open(client, "<script>alert(1)</script>").text
    assert _views(ledger) == 0


def test_code_lookups_are_rate_limited_per_address(
    client: TestClient[Litestar], ledger: Ledger
) -> None:
    from ledger.domain.reports import new_code

    answers = [_open(client, new_code()).status_code for _ in range(25)]
    assert answers[:20] == [404] * 20
    assert 429 in answers[20:]
    limited = _open(client, new_code())
    assert limited.status_code == 429 and "retry-after" in limited.headers
    assert "请求过于频繁" in limited.text


def test_the_report_pdf_holds_the_code_and_its_qr_opens_the_report(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, tmp_path: Path
) -> None:
    number, learner = _holder(client, token_for, issuer, 48)
    report = _create(client, token_for, learner, number, 180).json()
    pdf = client.get(report["pdf"], headers=token_for(learner))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content, tmp_path)
    for expected in ("职业技能等级证书验证报告", "报告验证码", report["code"], number, "有效期至",
                     "扫码查看此报告", "持证人本人创建此报告"):  # fmt: skip
        assert expected in text, expected
    assert holder_name(48) not in text  # the name is shown on the page, never printed
    assert pdf_qr(pdf.content, tmp_path) == report["url"]
    opened = client.get(report["url"].removeprefix(PUBLIC_URL), headers={"accept": "text/html"})
    assert holder_name(48) in opened.text


def test_the_audit_names_a_tampered_report(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, issuer: Issuer
) -> None:
    number, learner = _holder(client, token_for, issuer, 49)
    report = _create(client, token_for, learner, number, 30).json()
    assert ledger.log.differences() == []
    with ledger.engine.begin() as connection:
        connection.execute(
            sa.update(verification_reports)
            .where(verification_reports.c.report == report["report"])
            .values(valid_until="2099-01-01T00:00:00.000Z")
        )
    found = ledger.log.differences()
    assert [(d.table, d.key) for d in found] == [("verification_reports", report["report"])]
    ledger.log.rebuild()
    assert ledger.log.differences() == []
