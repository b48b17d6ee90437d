"""The organization's console pages through the real app: publish a standard with its
document (bad files and fields refused on the page, nothing written), register a site,
schedule an assessment within the fee cap (over it refused), issue one certificate and a
batch from a sheet (every bad row named, confirmed once), file a self-evaluation, invite
a colleague; and the document over the API."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.registry import Level, Standard
from tests.certificate_helpers import holder, make_issuer
from tests.console_helpers import ConsoleClient, staff_member
from tests.org_helpers import OFFICE

PDF = b"%PDF-1.4\n% a standard\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _signed_in(ledger: Ledger, console: ConsoleClient, code: str = "1X-ORGP") -> str:
    issuer = make_issuer(ledger, code)
    staff_member(ledger, f"org:{issuer.org}", f"org-admin-{code}", admin=True)
    assert console.sign_in(f"org-admin-{code}").status_code == 303
    return issuer.org


def _publish(console: ConsoleClient, fields: dict[str, str], file: tuple[str, bytes, str] | None):  # type: ignore[no-untyped-def]
    console.get("/console/org/standards")
    return console.client.post(
        "/console/org/standards",
        data={"_csrf_token": console.token, **fields},
        files={"document": file} if file else {"document": ("", b"", "application/pdf")},
        follow_redirects=False,
    )


GOOD = {"code": "1X-DOCS", "title": "数字化文档管理", "credits_junior": "2", "credits_senior": "6"}


@pytest.mark.parametrize(
    ("fields", "file", "says"),
    [
        (GOOD, None, "请选择标准文件"),
        (
            GOOD,
            ("a.txt", b"plain text", "text/plain"),
            "只能是 PDF（.pdf）或 Word（.docx）文件。/ document must be a PDF",
        ),
        (GOOD, ("a.pdf", b"PK\x03\x04not a pdf", "application/pdf"), "文件内容与扩展名不符"),
        (
            GOOD,
            ("big.pdf", b"%PDF-" + b"0" * (10 * 1_048_576), "application/pdf"),
            "标准文件超过 10 MiB",
        ),
        ({**GOOD, "code": "BIM"}, ("a.pdf", PDF, "application/pdf"), "代码不正确"),
        ({**GOOD, "title": ""}, ("a.pdf", PDF, "application/pdf"), "名称应为 1 到 200 个字符"),
        (
            {"code": "1X-DOCS", "title": "t"},
            ("a.pdf", PDF, "application/pdf"),
            "give the credits of at least one level",
        ),
        ({**GOOD, "credits_junior": "两"}, ("a.pdf", PDF, "application/pdf"), "初级学分不正确"),
    ],
)
def test_a_bad_standard_is_refused_on_the_page_and_nothing_is_written(
    ledger: Ledger,
    console: ConsoleClient,
    fields: dict[str, str],
    file: tuple[str, bytes, str] | None,
    says: str,
) -> None:
    _signed_in(ledger, console)
    size = ledger.store.size()
    answer = _publish(console, fields, file)
    assert answer.status_code == 400, answer.text
    assert says in answer.text and 'role="alert"' in answer.text
    assert ledger.store.size() == size
    if file is not None:
        assert ledger.documents.document(hashlib.sha256(file[1]).hexdigest()) is None


def test_a_standard_is_published_with_its_document_and_served(
    ledger: Ledger, console: ConsoleClient
) -> None:
    org = _signed_in(ledger, console)
    answer = _publish(console, GOOD, ("标准 v1.pdf", PDF, "application/pdf"))
    assert answer.status_code == 303, answer.text
    record = ledger.registry.standard("1X-DOCS")
    assert record.org == org and record.document_hash == hashlib.sha256(PDF).hexdigest()
    assert {level.value: n for level, n in record.credits.items()} == {"junior": 2, "senior": 6}
    listed = console.get("/console/org/standards")
    assert "1X-DOCS" in listed.text and "/console/org/standards/1X-DOCS/document" in listed.text
    for path in ("/console/org/standards/1X-DOCS/document", "/standards/1X-DOCS/document"):
        got = console.client.get(path)
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''%E6%A0%87%E5%87%86%20v1.pdf" in got.headers["content-disposition"]
    # The same code again is refused on the page; the first stays.
    again = _publish(console, {**GOOD, "title": "另一个"}, ("b.pdf", PDF + b" ", "application/pdf"))
    assert again.status_code == 409 and "与现有记录冲突" in again.text
    assert ledger.documents.document(hashlib.sha256(PDF + b" ").hexdigest()) is None


def test_the_document_over_the_api(ledger: Ledger, console: ConsoleClient) -> None:
    issuer = make_issuer(ledger, "1X-APIE")
    other = make_issuer(ledger, "1X-APIF")
    client = console.client

    def call(method: str, path: str, who: str, **kwargs: object) -> Any:
        token = ledger.tokens.mint(Principal.parse(who))
        return client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    body = {
        "code": "1X-APID",
        "title": "接口上传的标准",
        "levels": ["junior"],
        "credits": {"junior": 3},
        "document_hash": hashlib.sha256(PDF).hexdigest(),
    }
    published = call("POST", f"/orgs/{issuer.org}/standards", issuer.principal, json=body)
    assert published.status_code == 201, published.text
    assert client.get("/standards/1X-APID/document").status_code == 404
    path = "/standards/1X-APID/document?filename=s.pdf"
    wrong = call("PUT", path, issuer.principal, content=PDF + b"x")
    assert wrong.status_code == 400 and "was published with" in wrong.json()["detail"]
    text = call("PUT", "/standards/1X-APID/document?filename=s.txt", issuer.principal, content=PDF)
    assert text.status_code == 400 and "PDF" in text.json()["detail"]
    assert call("PUT", path, other.principal, content=PDF).status_code == 403
    assert client.put(path, content=PDF).status_code == 401
    for who in ("office", "auditor", f"learner:{'L' + '0' * 11}"):
        assert call("PUT", path, who, content=PDF).status_code == 403, who
    assert (
        call(
            "PUT", "/standards/1X-NONE/document?filename=s.pdf", issuer.principal, content=PDF
        ).status_code
        == 404
    )
    assert client.get("/standards/1X-APID/document").status_code == 404
    put = call("PUT", path, issuer.principal, content=PDF)
    assert put.status_code == 200 and put.json()["sha256"] == body["document_hash"]
    ledger.registry.suspend_org(OFFICE, issuer.org, "整改中")
    suspended = call("PUT", path, issuer.principal, content=PDF)
    assert suspended.status_code == 403 and "整改中" in suspended.json()["detail"]
    ledger.registry.reinstate_org(OFFICE, issuer.org, "整改完成")
    got = client.get("/standards/1X-APID/document")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert "nosniff" in got.headers["x-content-type-options"]
    assert client.get("/standards/bad/document").status_code == 400


def test_a_site_is_registered_and_an_assessment_scheduled_within_the_cap(
    ledger: Ledger, console: ConsoleClient
) -> None:
    org = _signed_in(ledger, console, "1X-SITE")
    size = ledger.store.size()
    console.get("/console/org/sites")
    bad = console.post("/console/org/sites", {"city": "xian", "address": "x", "capacity": "9"})
    assert bad.status_code == 400 and "证书标准不正确" in bad.text and ledger.store.size() == size
    done = console.post(
        "/console/org/sites",
        {"city": "xian", "address": "西安市样例路2号", "capacity": "40", "standards": "1X-SITE"},
    )
    assert done.status_code == 303, done.text
    [site] = ledger.pilot.reads.sites(org=org, city=None)
    assert "西安市样例路2号" in console.get("/console/org/sites").text

    ledger.pilot.set_fee_cap(OFFICE, "1X-SITE", "junior", 300)
    shown = console.get("/console/org/schedule")
    assert "300 元" in shown.text
    form = {"standard": "1X-SITE", "level": "junior", "site": site["site"]}
    form["date"] = date.today().isoformat()
    size = ledger.store.size()
    over = console.post("/console/org/schedule", {**form, "fee": "301"})
    assert over.status_code == 400 and "cap of 300 yuan" in over.text
    assert "费用 301 元超过项目办设定的上限 300 元，不能安排。" in over.text
    assert ledger.store.size() == size
    ok = console.post("/console/org/schedule", {**form, "fee": "300"})
    assert ok.status_code == 303, ok.text
    assessment = ok.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert ledger.pilot.reads.assessment(assessment)["fee"] == 300


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_certificates_are_issued_one_and_from_a_sheet_once(
    ledger: Ledger, console: ConsoleClient
) -> None:
    org = _signed_in(ledger, console, "1X-ISSU")
    console.get("/console/org/issue")
    size = ledger.store.size()
    bad = console.post(
        "/console/org/issue",
        {"name": "张三", "id_number": "123", "standard": "1X-ISSU", "level": "junior"},
    )
    assert bad.status_code == 400 and "身份证号应为 18 位" in bad.text
    assert ledger.store.size() == size
    one = console.post(
        "/console/org/issue", {**holder(61_001), "standard": "1X-ISSU", "level": "junior"}
    )
    assert one.status_code == 303, one.text
    assert ledger.org_lists.certificates(org=org).total == 1

    def upload(content: bytes, name: str) -> object:
        console.get("/console/org/issue")
        return console.client.post(
            "/console/org/issue/sheet",
            data={"_csrf_token": console.token},
            files={"file": (name, content, "application/octet-stream")},
            follow_redirects=False,
        )

    rows = [holder(61_002 + k) for k in range(3)]
    csv = "姓名,身份证号,证书标准,等级\n" + "\n".join(
        [
            f"{rows[0]['name']},{rows[0]['id_number']},1X-ISSU,初级",
            f"{rows[1]['name']},110101199001011234,1X-ISSU,初级",
            f"{rows[2]['name']},{rows[2]['id_number']},1X-NONE,高级",
        ]
    )
    size = ledger.store.size()
    named = upload(csv.encode(), "sheet.csv")
    assert named.status_code == 200 and ledger.store.size() == size
    text = named.text
    assert (
        "<td>2</td><td>身份证号 id_number</td>" in text
        and "<td>3</td><td>证书标准 standard</td>" in text
    )
    assert "<td>1</td>" not in text

    good = _xlsx(
        [["姓名", "身份证号", "证书标准", "等级"]]
        + [
            [r["name"], r["id_number"], "1X-ISSU", "中级" if k else "初级"]
            for k, r in enumerate(rows)
        ]
    )
    answer = upload(good, "sheet.xlsx")
    assert answer.status_code == 303, answer.text
    preview = console.get(answer.headers["location"])
    assert preview.status_code == 200 and rows[0]["name"] not in preview.text
    upload_id = answer.headers["location"].rsplit("/", 1)[1]
    assert console.post(f"/console/org/issue/{upload_id}/confirm", {}).status_code == 303
    again = console.post(f"/console/org/issue/{upload_id}/confirm", {})
    assert again.status_code == 303 and "nothing%20issued%20twice" in again.headers["location"]
    batch = ledger.org_lists.certificates(org=org, batch=upload_id)
    assert batch.total == 3 and ledger.org_lists.certificates(org=org).total == 4


def test_self_evaluations_and_staff_work_for_an_organization(
    ledger: Ledger, console: ConsoleClient
) -> None:
    org = _signed_in(ledger, console, "1X-SELF")
    home = console.get("/console").text
    assert "/console/org/standards" in home and "/console/org/sites" in home
    assert console.get("/console/self-evaluations").status_code == 200
    filed = console.post(
        "/console/self-evaluations", {"year": "2026", "title": "年度自评", "text": "正文"}
    )
    assert filed.status_code == 303, filed.text
    [report] = ledger.pilot.self_evaluations(Principal.parse(f"org:{org}"), None)
    assert (
        report["author"] == f"org:{org}"
        and "年度自评" in console.get("/console/self-evaluations").text
    )
    assert console.get("/console/staff").status_code == 200
    invited = console.post("/console/staff", {"role": "clerk"})
    assert invited.status_code == 303, invited.text
    assert "/console/invitations/" in console.get("/console/staff").text


def test_a_document_is_uploaded_later_for_a_standard_published_without_it(
    ledger: Ledger, console: ConsoleClient
) -> None:
    org = _signed_in(ledger, console, "1X-LATE")
    later = Standard(
        "1X-LATR", org, "后补文件的标准", {Level.JUNIOR: 1}, hashlib.sha256(PDF).hexdigest()
    )
    ledger.registry.publish_standard(Principal.parse(f"org:{org}"), later)
    listed = console.get("/console/org/standards")
    assert 'action="/console/org/standards/1X-LATR/document"' in listed.text

    def upload(content: bytes) -> Any:
        console.get("/console/org/standards")
        return console.client.post(
            "/console/org/standards/1X-LATR/document",
            data={"_csrf_token": console.token},
            files={"document": ("later.pdf", content, "application/pdf")},
            follow_redirects=False,
        )

    wrong = upload(PDF + b"changed")
    assert wrong.status_code == 400 and "SHA-256 不符" in wrong.text
    assert ledger.standard_documents.document("1X-LATR") is None
    assert upload(PDF).status_code == 303
    assert console.client.get("/standards/1X-LATR/document").content == PDF
