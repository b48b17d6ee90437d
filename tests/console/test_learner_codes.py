"""Activation codes with the student list: the school's console gives every student not
yet activated a new code, as .xlsx (read back with openpyxl), CSV or slips to print; an
activated learner keeps their password; the codes sign in; the API's
``POST /learners/{account}/activation`` answers a code to the learner's school only."""

from __future__ import annotations

import csv
import io

from litestar.testing import TestClient
from openpyxl import load_workbook

from api.app import create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal, Role
from tests.console.conftest import PUBLIC_URL
from tests.console_helpers import ConsoleClient, make_school, staff_member

PASSWORD = "moonlight over the wei river"


def _signs_in(ledger: Ledger, account: str, secret: str) -> bool:
    try:
        ledger.learner_access.authenticate(account, secret, "192.0.2.7")
    except Exception:
        return False
    return True


def test_the_student_list_carries_new_codes_for_those_not_yet_activated(
    ledger: Ledger, console: ConsoleClient
) -> None:
    school = make_school(ledger, students=3)
    staff_member(ledger, f"school:{school.id}", "codes-clerk")
    console.sign_in("codes-clerk")
    first, second, third = school.students
    # The first student has activated: their password must survive the sheet.
    code = ledger.learner_access.issue_code(school.principal, first)
    ledger.learner_access.activate(first, code, PASSWORD)

    size = ledger.store.size()
    console.get("/console/exports")
    answer = console.post("/console/exports/activation-codes", {"format": "xlsx"})
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["学习账号 account", "姓名 name", "激活码 activation_code"]
    codes = {row[0]: row[2] for row in rows[1:]}
    assert set(codes) == {first, second, third}
    assert codes[first].startswith("已激活")
    assert all(rows[i][3] == f"{PUBLIC_URL}/learner/sign-in" for i in range(1, 4))
    assert ledger.store.size() == size + 2  # one learner.password_reset per code
    assert _signs_in(ledger, first, PASSWORD)
    assert _signs_in(ledger, second, codes[second]) and _signs_in(ledger, third, codes[third])
    # Names shown are in the personal-data access log.
    logged, _ = ledger.staff.repository.access_log(
        learner=second, principal=None, limit=10, offset=0
    )
    assert any(r["page"] == "/console/exports/activation-codes" for r in logged)

    # A second sheet (CSV) gives new codes: the ones before stop working.
    console.get("/console/exports")
    again = console.post("/console/exports/activation-codes", {"format": "csv"})
    listed = list(csv.reader(io.StringIO(again.content.decode("utf-8-sig"))))
    fresh = {row[0]: row[2] for row in listed[1:]}
    assert fresh[second] != codes[second] and not _signs_in(ledger, second, codes[second])
    assert _signs_in(ledger, second, fresh[second])

    console.get("/console/exports")
    printed = console.post("/console/exports/activation-codes", {"format": "print"})
    assert printed.status_code == 200 and printed.text.count('class="slip"') == 2
    assert first not in printed.text and second in printed.text
    console.get("/console/exports")
    assert console.post("/console/exports/activation-codes", {"format": "pdf"}).status_code == 404


def test_only_the_school_gives_codes_and_refusals_write_nothing(
    ledger: Ledger, console: ConsoleClient
) -> None:
    school = make_school(ledger, students=1)
    [account] = school.students
    staff_member(ledger, f"org:{school.org}", "codes-org")
    console.sign_in("codes-org")
    size = ledger.store.size()
    console.get("/console/staff")
    assert console.post("/console/exports/activation-codes", {"format": "xlsx"}).status_code == 403
    without_csrf = console.post("/console/exports/activation-codes", {"format": "xlsx"}, csrf=False)
    assert without_csrf.status_code == 403
    assert ledger.store.size() == size

    with TestClient(create_app(ledger), base_url=PUBLIC_URL) as api:
        own = ledger.tokens.mint(Principal(Role.SCHOOL, school.id))
        answer = api.post(
            f"/learners/{account}/activation", headers={"Authorization": f"Bearer {own}"}
        )
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["account"] == account and _signs_in(ledger, account, body["activation_code"])
        size = ledger.store.size()
        for principal in ("office", f"org:{school.org}", f"learner:{account}"):
            token = ledger.tokens.mint(Principal.parse(principal))
            refused = api.post(
                f"/learners/{account}/activation", headers={"Authorization": f"Bearer {token}"}
            )
            assert refused.status_code == 403, (principal, refused.text)
        assert api.post(f"/learners/{account}/activation").status_code == 401
        assert ledger.store.size() == size
