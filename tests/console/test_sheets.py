"""Sheets: a confirmed upload records nothing the second time, an .xlsx workbook with
Chinese headers is read like CSV (in the console and in the API), and the exports read
back with openpyxl."""

from __future__ import annotations

import io

from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import Workbook, load_workbook

from ledger.bootstrap import Ledger
from tests.console_helpers import ConsoleClient, make_school, staff_member


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_confirming_twice_records_nothing_twice(ledger: Ledger, console: ConsoleClient) -> None:
    school = make_school(ledger, students=2)
    staff_member(ledger, f"school:{school.id}", "clerk-twice")
    console.sign_in("clerk-twice")
    rows = [
        ["学习账号", "课程代码", "课程名称", "学分", "学期", "成绩"],
        *[[a, "C-201", "工程测量", 3, "2026-1", 88] for a in school.students],
    ]
    console.get("/console/uploads/new?kind=credits")
    preview = console.client.post(
        "/console/uploads",
        data={"kind": "credits", "_csrf_token": console.token},
        files={"file": ("credits.xlsx", _xlsx(rows))},
        follow_redirects=False,
    )
    assert preview.status_code == 303, preview.text
    confirm = preview.headers["location"] + "/confirm"
    first = console.post(confirm, {}, form_page=preview.headers["location"])
    size = ledger.store.size()
    second = console.post(confirm, {})
    assert first.status_code == second.status_code == 303
    assert "nothing%20recorded%20twice" in second.headers["location"]
    assert ledger.store.size() == size
    assert ledger.school_lists.credits(school.id).total == 2
    exported = console.client.get("/console/exports/credits.xlsx")
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sorted(row[0] for row in values[1:]) == sorted(school.students)
    csv_export = console.client.get("/console/exports/credits.csv")
    assert csv_export.content.startswith("\ufeff".encode())
    assert "工程测量" in csv_export.content.decode("utf-8-sig")


def test_the_api_takes_an_xlsx_conversion_sheet_with_chinese_headers(
    ledger: Ledger, browser_client: TestClient[Litestar]
) -> None:
    from ledger.core.principals import Principal

    school = make_school(ledger, students=2)
    token = ledger.tokens.mint(Principal.parse(f"school:{school.id}"))
    rows = [
        ["学习账号", "证书编号", "转换规则", "专业"],
        *[[a, school.certificates[a], school.rule, school.programme] for a in school.students],
    ]
    answer = browser_client.post(
        "/conversions/batch.csv",
        params={"batch_id": "xlsx-1"},
        content=_xlsx(rows),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["recorded"] == 2
    listed = browser_client.get(
        "/conversions",
        params={"school": school.id},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert listed.json()["total"] == 2
