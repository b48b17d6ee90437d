"""No personal data from console traffic in the ledger or the server's log.

A real `certledger serve` process (its access log on) serves the school's console: a
clerk opens an invitation giving their own name and phone, signs in, enrols students by
name and ID number (one by one and from a sheet), lists and searches them, reveals an ID
number and exports the list. Then the test searches every entry's bytes and the server's
whole output for the learners' names and ID numbers and the clerk's name and phone, and
checks that the access log recorded the displays.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ledger.bootstrap import open_ledger
from ledger.core.principals import Principal, Role
from ledger.domain.staff import StaffRole
from ledger.settings import Settings
from tests.api.test_personal_data import entries, secrets_of
from tests.certificate_helpers import holder_name, id_number
from tests.registry_helpers import sample_school
from tests.served import Served

LEARNERS = range(660, 670)
CLERK_NAME = "欧阳娜娜"
CLERK_PHONE = "13800138000"
PASSWORD = "a long and quiet river"
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Browser:
    """httpx with a cookie jar that ignores Secure (the test talks plain http to a
    server whose public URL is https) and forms that carry the CSRF token."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookies: dict[str, str] = {}
        self.token = ""

    def _keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.partition(";")[0]
        found = (
            _CSRF.search(response.text)
            if response.headers.get("content-type", "").startswith("text/html")
            else None
        )
        if found:
            self.token = found.group(1)
        return response

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def get(self, path: str) -> httpx.Response:
        return self._keep(httpx.get(self.url + path, headers=self._headers(), timeout=30))

    def post(self, path: str, data: dict[str, Any], files: Any = None) -> httpx.Response:
        body = {**data, "_csrf_token": self.token}
        return self._keep(
            httpx.post(self.url + path, data=body, files=files, headers=self._headers(), timeout=60)
        )


def test_console_traffic_keeps_personal_data_out_of_the_ledger_and_the_log(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    served = serve(tmp_path / "data")
    settings = Settings.from_env(served.env)
    ledger = open_ledger(settings, first_run=False)
    try:
        school = sample_school(660)
        ledger.registry.admit_school(Principal(Role.OFFICE), school)
        invitation = ledger.staff.invite(None, Principal(Role.SCHOOL, school.id), StaffRole.ADMIN)
    finally:
        ledger.close()
    browser = Browser(served.url)
    path = f"/console/invitations/{invitation.secret}"
    browser.get(path)
    opened = browser.post(
        path,
        {
            "username": "pd-clerk",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "name": CLERK_NAME,
            "phone": CLERK_PHONE,
        },
    )
    assert opened.status_code == 303, opened.text
    browser.get("/console/sign-in")
    assert (
        browser.post("/console/sign-in", {"username": "pd-clerk", "password": PASSWORD}).status_code
        == 303
    )
    browser.get("/console/students")
    for n in LEARNERS[:5]:
        answer = browser.post(
            "/console/students", {"name": holder_name(n), "id_number": id_number(n)}
        )
        assert answer.status_code == 303, answer.text
    # A bad ID number: the answer names the column, never the value.
    refused = browser.post(
        "/console/students",
        {"name": holder_name(LEARNERS[5]), "id_number": id_number(LEARNERS[5])[:-1] + "0"},
    )
    assert refused.status_code == 400
    browser.get("/console/uploads/new?kind=students")
    sheet = "姓名,身份证号\n" + "".join(f"{holder_name(n)},{id_number(n)}\n" for n in LEARNERS[5:])
    preview = browser.post(
        "/console/uploads",
        {"kind": "students"},
        files={"file": ("students.csv", sheet.encode("gb18030"), "text/csv")},
    )
    assert preview.status_code == 303, preview.text
    browser.get(preview.headers["location"])
    confirmed = browser.post(preview.headers["location"] + "/confirm", {})
    assert confirmed.status_code == 303
    listed = browser.get("/console/students")
    assert holder_name(LEARNERS[0]) in listed.text
    assert id_number(LEARNERS[0]) not in listed.text  # masked
    account = re.search(r"/console/students/(L\d{11})", listed.text)
    assert account is not None
    revealed = browser.get(f"/console/students/{account.group(1)}?reveal=true")
    assert re.search(r"\d{17}[\dX]", revealed.text)
    found = browser.post("/console/students/search", {"q": holder_name(LEARNERS[1])})
    assert found.status_code == 200 and holder_name(LEARNERS[1]) in found.text
    assert browser.get("/console/exports/students.csv").status_code == 200

    ledger_bytes = b"\n".join(entries(served.url))
    output = served.stop().encode()
    assert b"POST /console/students" in output  # the access log is on: a positive control
    assert b"staff.activated" in ledger_bytes and b"learner.enrolled" in ledger_bytes
    for n in LEARNERS:
        # Raw, JSON-escaped, and percent-encoded as a URL would carry it.
        for secret in [*secrets_of(n), quote(holder_name(n)).encode()]:
            assert secret not in ledger_bytes, (n, "ledger")
            assert secret not in output, (n, "server output")
    for secret in (CLERK_NAME.encode(), CLERK_PHONE.encode(), b"pd-clerk"):
        assert secret not in ledger_bytes
    assert CLERK_NAME.encode() not in output and CLERK_PHONE.encode() not in output
    with sqlite3.connect(tmp_path / "data" / "ledger.db") as database:
        shown = database.execute(
            "SELECT shown, count(*) FROM personal_data_access GROUP BY shown"
        ).fetchall()
        kept_rows = database.execute("SELECT rows FROM upload_previews").fetchall()
    assert dict(shown)["id_number"] == 1 and dict(shown)["name"] >= len(LEARNERS)
    assert kept_rows == [("[]",)]  # a confirmed sheet's names are not kept
