"""The office's console through the real app: the registry (register, admit, suspend,
reinstate, expel, the first admin's invitation shown once), fee caps, monitoring points,
self-evaluations, statistics, the access pages; and auditors, who sign in with a second
factor like the office and read every page without a form, every write of theirs 403."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pyotp
import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger
from tests.console.conftest import PUBLIC_URL, open_test_ledger
from tests.console_helpers import ConsoleClient, School, make_school, staff_member
from tests.registry_helpers import credit_code, sample_org, school_code

OFFICE_PAGES = (
    "/console/office",
    "/console/office/plans",
    "/console/office/plans?status=all",
    "/console/office/orgs",
    "/console/office/schools",
    "/console/office/fee-caps",
    "/console/office/monitoring-points",
    "/console/office/self-evaluations",
    "/console/office/statistics",
    "/console/office/staff",
    "/console/office/api-keys",
    "/console/office/revocations",
    "/console/access-log",
)
#: Every write of the office's console, with a form that would pass for the office.
OFFICE_WRITES = (
    ("/console/office/orgs", {"id": "", "name": "x", "contact": "x"}),
    ("/console/office/schools", {"id": "", "name": "x", "city": "xian", "level": "higher"}),
    ("/console/office/orgs/{org}/status", {"action": "suspend", "reason": "审计试图暂停"}),
    ("/console/office/schools/{school}/status", {"action": "suspend", "reason": "审计试图暂停"}),
    ("/console/office/orgs/{org}/invite", {}),
    ("/console/office/schools/{school}/invite", {}),
    ("/console/office/fee-caps", {"standard": "{standard}", "level": "junior", "cap": "100"}),
    ("/console/office/monitoring-points", {"school": "{school}", "standard": "{standard}"}),
    ("/console/office/api-keys/0123456789abcdef/revoke", {}),
    ("/console/office/revocations", {"principal": "school:{school}"}),
    ("/console/office/plans/P00000000000/review", {"decision": "approve"}),
)
_POST_FORM = re.compile(r'<form method="post" action="([^"]+)"')


def second_factor_client(
    ledger: Ledger, client: ConsoleClient, party: str, username: str, *, admin: bool = True
) -> None:
    """Sign ``client`` in as a new admin (or clerk) of ``party`` (office or auditor),
    setting up the TOTP second factor the way a person does at their first sign-in."""
    account = staff_member(ledger, party, username, admin=admin)
    secret = ledger.staff.new_second_factor_secret()
    assert ledger.staff.set_up_second_factor(account, secret, pyotp.TOTP(secret).now())
    assert client.sign_in(username).headers["location"] == "/console/second-factor"
    totp = pyotp.TOTP(secret)
    code = totp.at(time.time() + totp.interval)  # the next step: the current one is used
    answer = client.post(
        "/console/second-factor", {"code": code}, form_page="/console/second-factor"
    )
    assert answer.status_code == 303, answer.text


@dataclass
class World:
    ledger: Ledger
    school: School
    office: ConsoleClient
    auditor: ConsoleClient


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    ledger = open_test_ledger(tmp_path_factory.mktemp("office") / "data")
    school = make_school(ledger, students=1)
    with (
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as office,
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as auditor,
    ):
        world = World(ledger, school, ConsoleClient(office), ConsoleClient(auditor))
        second_factor_client(ledger, world.office, "office", "office-admin")
        second_factor_client(ledger, world.auditor, "auditor", "auditor-admin")
        yield world
    ledger.close()


def test_the_office_registers_admits_and_changes_the_status_with_a_reason(
    world: World,
) -> None:
    ledger, office = world.ledger, world.office
    org = sample_org(61_001)
    office.get("/console/office/orgs")
    answer = office.post(
        "/console/office/orgs", {"id": org.id, "name": org.name, "contact": org.contact}
    )
    assert answer.status_code == 303
    assert ledger.registry.org(None, org.id).name == org.name
    listed = office.get("/console/office/orgs?q=61001")
    assert org.id in listed.text and org.contact in listed.text

    code = school_code(61_002)
    office.get("/console/office/schools")
    admitted = office.post(
        "/console/office/schools",
        {"id": code, "name": "渭南样例职业学院(样例数据)", "city": "weinan", "level": "secondary"},
    )
    assert admitted.status_code == 303
    assert ledger.registry.school(code).city == "weinan"
    found = office.get("/console/office/schools?q=渭南样例").text
    assert code in found and world.school.id not in found
    assert code in office.get(f"/console/office/schools?q={code[:6]}&city=weinan").text

    office.post(
        f"/console/office/schools/{code}/status", {"action": "suspend", "reason": "材料不实"}
    )
    record = ledger.registry.school(code)
    assert record.status.value == "suspended" and record.reason == "材料不实"
    assert "材料不实" in office.get("/console/office/schools?status=suspended").text
    office.post(
        f"/console/office/schools/{code}/status", {"action": "reinstate", "reason": "已整改"}
    )
    assert ledger.registry.school(code).status.value == "admitted"
    office.post(f"/console/office/orgs/{org.id}/status", {"action": "bar", "reason": "违规发证"})
    assert ledger.registry.org(None, org.id).status.value == "barred"
    barred = office.get(f"/console/office/orgs?q={org.name}").text
    assert f"/console/office/orgs/{org.id}/status" not in barred  # a bar is final


def test_bad_registry_input_is_explained_and_writes_nothing(world: World) -> None:
    ledger, office = world.ledger, world.office
    size = ledger.store.size()
    office.get("/console/office/schools")
    bad_code = office.post(
        "/console/office/schools",
        {"id": "12345", "name": "某校", "city": "xian", "level": "higher"},
    )
    assert bad_code.status_code == 400 and "不正确" in bad_code.text
    bad_city = office.post(
        "/console/office/schools",
        {"id": school_code(61_003), "name": "某校", "city": "atlantis", "level": "higher"},
    )
    assert bad_city.status_code == 400
    no_reason = office.post(
        f"/console/office/schools/{world.school.id}/status", {"action": "suspend", "reason": ""}
    )
    assert no_reason.status_code == 400
    twice = office.post(
        "/console/office/orgs",
        {"id": world.school.org, "name": "重复", "contact": "张三 13800000000"},
    )
    assert twice.status_code == 400 and "冲突" in twice.text
    unknown = office.post(f"/console/office/orgs/{credit_code(61_999)}/invite", {})
    assert unknown.status_code == 400 and "没有找到" in unknown.text
    assert ledger.store.size() == size
    for query in ("status=gone", "city=atlantis"):
        answer = office.get(f"/console/office/schools?{query}")
        assert answer.status_code == 400 and "不正确" in answer.text, query
    assert office.get("/console/office/orgs?offset=-1").status_code == 400


def test_the_first_admin_is_invited_once_and_the_url_shown_once(world: World) -> None:
    ledger, office = world.ledger, world.office
    code = school_code(61_004)
    office.get("/console/office/schools")
    office.post(
        "/console/office/schools",
        {"id": code, "name": "宝鸡样例学院(样例数据)", "city": "baoji", "level": "higher"},
    )
    invited = office.post(f"/console/office/schools/{code}/invite", {})
    assert invited.status_code == 303
    shown = office.get(invited.headers["location"]).text
    url = re.search(r'id="invitation-url">([^<]+)<', shown)
    assert url is not None and url.group(1).startswith(f"{PUBLIC_URL}/console/invitations/")
    assert 'id="invitation-url"' not in office.get("/console/office/schools").text
    [account] = ledger.staff.repository.accounts(f"school:{code}")
    assert account.role == "admin" and account.status == "invited"
    # The invitation works: its page asks for a username and a password.
    secret = url.group(1).rsplit("/", 1)[1]
    assert ledger.staff.invitation(secret) is not None
    # An admin exists now: a second invitation from the office is refused.
    office.get("/console/office/schools")
    again = office.post(f"/console/office/schools/{code}/invite", {})
    assert again.status_code == 400 and "冲突" in again.text


def test_fee_caps_monitoring_points_reports_and_statistics(world: World) -> None:
    ledger, office, school = world.ledger, world.office, world.school
    office.get("/console/office/fee-caps")
    set_cap = office.post(
        "/console/office/fee-caps", {"standard": school.standard, "level": "senior", "cap": "480"}
    )
    assert set_cap.status_code == 303
    assert any(
        c["standard"] == school.standard and c["cap"] == 480 for c in ledger.pilot.reads.fee_caps()
    )
    assert "480" in office.get("/console/office/fee-caps").text
    bad = office.post(
        "/console/office/fee-caps", {"standard": school.standard, "level": "senior", "cap": "-5"}
    )
    assert bad.status_code == 400 and "整数" in bad.text

    office.get("/console/office/monitoring-points")
    point = office.post(
        "/console/office/monitoring-points", {"school": school.id, "standard": school.standard}
    )
    assert point.status_code == 303
    points = office.get("/console/office/monitoring-points").text
    assert school.id in points and school.standard in points

    ledger.pilot.submit_report(
        school.principal, school.id, 2026, "年度自评", "本年度试点工作总结。"
    )
    reports = office.get("/console/office/self-evaluations?year=2026").text
    assert "年度自评" in reports and "本年度试点工作总结。" in reports

    figures = office.get("/console/office/statistics")
    assert figures.status_code == 200 and "/reports/bulletin?period=" in figures.text
    assert office.get("/console/office/statistics?period=2026-H3").status_code == 400
    dashboard = office.get("/console/office").text
    assert "待审核申报" in dashboard and "关键数字" in dashboard


def test_the_access_pages_list_every_party_keys_and_revocations(world: World) -> None:
    ledger, office, school = world.ledger, world.office, world.school
    key = ledger.tokens.create_api_key(school.principal)
    staff_member(ledger, f"school:{school.id}", "access-clerk")
    accounts = office.get(f"/console/office/staff?party=school:{school.id}").text
    assert "access-clerk" in accounts and "auditor-admin" not in accounts
    assert "auditor-admin" in office.get("/console/office/staff").text
    keys = office.get("/console/office/api-keys").text
    assert key.key_id in keys and key.secret not in keys
    assert office.post(f"/console/office/api-keys/{key.key_id}/revoke", {}).status_code == 303
    assert ledger.tokens.principals.api_key(key.key_id).revoked_at is not None  # type: ignore[union-attr]
    office.get("/console/office/revocations")
    revoked = office.post("/console/office/revocations", {"principal": f"school:{school.id}"})
    assert revoked.status_code == 303
    assert f"school:{school.id}" in office.get("/console/office/revocations").text


def _filled(template: dict[str, str], world: World) -> dict[str, str]:
    values = {"school": world.school.id, "org": world.school.org, "standard": world.school.standard}
    return {name: value.format(**values) for name, value in template.items()}


def test_auditors_read_every_office_page_and_may_write_nothing(world: World) -> None:
    ledger, auditor = world.ledger, world.auditor
    for path in OFFICE_PAGES:
        answer = auditor.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
        # The only form an auditor sees is signing out.
        assert _POST_FORM.findall(answer.text) == ["/console/sign-out"], path
    size = ledger.store.size()
    for path, form in OFFICE_WRITES:
        target = path.format(school=world.school.id, org=world.school.org)
        answer = auditor.post(target, _filled(form, world), form_page="/console/office")
        assert answer.status_code == 403, (target, answer.text[:300])
    assert ledger.store.size() == size
    # The office sees the forms of the same pages.
    for path in ("/console/office/orgs", "/console/office/fee-caps", "/console/office/revocations"):
        assert len(_POST_FORM.findall(world.office.get(path).text)) > 1, path


def test_auditors_sign_in_only_with_their_second_factor(world: World) -> None:
    with TestClient(create_app(world.ledger), base_url=PUBLIC_URL) as raw:
        client = ConsoleClient(raw)
        staff_member(world.ledger, "auditor", "auditor-two", admin=False)
        answer = client.sign_in("auditor-two")
        assert answer.headers["location"] == "/console/second-factor/set-up"
        assert raw.get("/console/office", follow_redirects=False).status_code == 303


def test_an_office_clerk_reviews_but_only_an_admin_invites(world: World) -> None:
    code = school_code(61_005)
    world.office.get("/console/office/schools")
    world.office.post(
        "/console/office/schools",
        {"id": code, "name": "汉中样例学院(样例数据)", "city": "hanzhong", "level": "higher"},
    )
    with TestClient(create_app(world.ledger), base_url=PUBLIC_URL) as raw:
        clerk = ConsoleClient(raw)
        second_factor_client(world.ledger, clerk, "office", "office-clerk", admin=False)
        page = clerk.get("/console/office/schools").text
        assert f"/console/office/schools/{code}/status" in page
        assert f"/console/office/schools/{code}/invite" not in page  # no button for clerks
        size = world.ledger.store.size()
        refused = clerk.post(f"/console/office/schools/{code}/invite", {})
        assert refused.status_code == 403 and "没有权限" in refused.text
        assert world.ledger.store.size() == size
