"""Exit (试点退出): suspended or barred organizations cannot write, reinstatement restores them,
bars and expulsions are final, the ledger records each step with its actor, past work stays."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.api.registry_support import (
    Api,
    fresh_number,
    module_api,
    org_body,
    school_body,
    standard_body,
    standard_code,
)

OFFICE = "office"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_api(tmp_path_factory, "exit") as shared:
        yield shared


def step(api: Api, path: str, body: Any, principal: str, status: int) -> dict[str, Any]:
    """POST and check the status; on a refusal, check that nothing was written."""
    size = api.size()
    response = api.post(path, body, principal)
    assert response.status_code == status, response.text
    assert api.size() == (size + 1 if status < 300 else size)
    answer: dict[str, Any] = response.json()
    return answer


def history(api: Api, key: str, object_id: str) -> list[tuple[str, str, str | None]]:
    """(kind, principal, reason) of every entry about one organization or school."""
    return [
        (entry["kind"], entry["principal"], entry["decoded"]["payload"].get("reason"))
        for entry in api.entries()
        if entry["decoded"]["payload"].get(key) == object_id
    ]


def test_an_orgs_exit_and_return(api: Api) -> None:
    body = org_body(fresh_number())
    org_id, org = body["id"], f"org:{body['id']}"
    standards = f"/orgs/{org_id}/standards"
    first, second, third = (standard_code(fresh_number()) for _ in range(3))

    step(api, "/orgs", body, OFFICE, 201)
    step(api, standards, standard_body(first), org, 201)

    step(api, f"/orgs/{org_id}/suspend", {"reason": "考核收费超出指导标准"}, OFFICE, 200)
    refused = step(api, standards, standard_body(second), org, 403)
    assert refused["detail"] == f"organization {org_id} is suspended: 考核收费超出指导标准"
    again = step(api, f"/orgs/{org_id}/suspend", {"reason": "再次"}, OFFICE, 409)
    assert "already suspended" in again["detail"]

    step(api, f"/orgs/{org_id}/reinstate", {"reason": "整改到位"}, OFFICE, 200)
    step(api, standards, standard_body(second), org, 201)

    step(api, f"/orgs/{org_id}/bar", {"reason": "证书弄虚作假"}, OFFICE, 200)
    barred = step(api, standards, standard_body(third), org, 403)
    assert barred["detail"] == f"organization {org_id} is barred: 证书弄虚作假"
    for action in ("reinstate", "suspend", "bar"):
        final = step(api, f"/orgs/{org_id}/{action}", {"reason": "申诉"}, OFFICE, 409)
        assert final["detail"] == f"organization {org_id} is barred; a bar is final"

    view = api.get(f"/orgs/{org_id}").json()
    assert (view["status"], view["reason"]) == ("barred", "证书弄虚作假")
    # What it published before stays listed and valid.
    listed = api.get("/standards", org=org_id).json()
    assert [item["code"] for item in listed["items"]] == [first, second]
    assert api.get(f"/standards/{first}").status_code == 200
    assert api.get(f"/standards/{third}").status_code == 404

    assert history(api, "org", org_id) == [
        ("org.registered", "office", None),
        ("standard.published", org, None),
        ("org.suspended", "office", "考核收费超出指导标准"),
        ("org.reinstated", "office", "整改到位"),
        ("standard.published", org, None),
        ("org.barred", "office", "证书弄虚作假"),
    ]


def test_a_suspended_org_is_refused_for_every_write_it_could_make(api: Api) -> None:
    body = org_body(fresh_number())
    org_id, org = body["id"], f"org:{body['id']}"
    step(api, "/orgs", body, OFFICE, 201)
    step(api, f"/orgs/{org_id}/suspend", {"reason": "暂停"}, OFFICE, 200)
    # Every write it could make: publishing, its own credentials, and the office's writes.
    refused = step(api, f"/orgs/{org_id}/standards", standard_body("1X-OTHER"), org, 403)
    assert "suspended: 暂停" in refused["detail"]
    step(api, "/api-keys", {}, org, 403)
    step(api, f"/orgs/{org_id}/reinstate", {"reason": "自行恢复"}, org, 403)
    step(api, "/orgs", org_body(fresh_number()), org, 403)
    step(api, f"/orgs/{org_id}/reinstate", {"reason": "整改到位"}, OFFICE, 200)
    step(api, "/api-keys", {}, org, 201)
    step(api, f"/orgs/{org_id}/standards", standard_body("1X-OTHER"), org, 201)


def test_a_suspended_school_writes_nothing_until_reinstated(api: Api) -> None:
    body = school_body(fresh_number())
    school = f"school:{body['id']}"
    step(api, "/schools", body, OFFICE, 201)
    step(api, "/api-keys", {}, school, 201)
    step(api, f"/schools/{body['id']}/suspend", {"reason": "违规收费"}, OFFICE, 200)
    refused = step(api, "/api-keys", {}, school, 403)
    assert "suspended: 违规收费" in refused["detail"]
    step(api, f"/schools/{body['id']}/reinstate", {"reason": "整改到位"}, OFFICE, 200)
    step(api, "/api-keys", {}, school, 201)
    step(api, f"/schools/{body['id']}/expel", {"reason": "严重违规"}, OFFICE, 200)
    step(api, "/api-keys", {}, school, 403)


def test_a_schools_exit(api: Api) -> None:
    body = school_body(fresh_number())
    school_id = body["id"]
    step(api, "/schools", body, OFFICE, 201)

    suspended = step(
        api, f"/schools/{school_id}/suspend", {"reason": "年度检查不合格"}, OFFICE, 200
    )
    assert suspended["status"] == "suspended"
    again = step(api, f"/schools/{school_id}/suspend", {"reason": "再次"}, OFFICE, 409)
    assert again["detail"] == f"school {school_id} is already suspended"
    # The school itself cannot lift its suspension.
    step(api, f"/schools/{school_id}/reinstate", {"reason": "申请"}, f"school:{school_id}", 403)

    reinstated = step(api, f"/schools/{school_id}/reinstate", {"reason": "复查合格"}, OFFICE, 200)
    assert reinstated["status"] == "admitted"
    twice = step(api, f"/schools/{school_id}/reinstate", {"reason": "再次"}, OFFICE, 409)
    assert "is admitted, not suspended" in twice["detail"]

    step(api, f"/schools/{school_id}/expel", {"reason": "违规收费"}, OFFICE, 200)
    for action in ("reinstate", "suspend", "expel"):
        final = step(api, f"/schools/{school_id}/{action}", {"reason": "申诉"}, OFFICE, 409)
        assert final["detail"] == f"school {school_id} is expelled; an expulsion is final"

    view = api.get(f"/schools/{school_id}").json()
    assert (view["status"], view["reason"]) == ("expelled", "违规收费")
    # An expelled school stays on the list, marked as such.
    listed = api.get("/schools", status="expelled").json()
    assert school_id in [item["id"] for item in listed["items"]]
    assert history(api, "school", school_id) == [
        ("school.admitted", "office", None),
        ("school.suspended", "office", "年度检查不合格"),
        ("school.reinstated", "office", "复查合格"),
        ("school.expelled", "office", "违规收费"),
    ]


def test_exit_and_return_on_each_engine(
    engine_ledger: Ledger, engine_client: TestClient[Litestar]
) -> None:
    def auth(principal: str) -> dict[str, str]:
        token = engine_ledger.tokens.mint(Principal.parse(principal))
        return {"Authorization": f"Bearer {token}"}

    number = fresh_number()
    body = org_body(number, name=f"Sample Org_{number} (样例数据)")
    org_id, org = body["id"], auth(f"org:{body['id']}")
    office = auth(OFFICE)
    post = engine_client.post
    assert post("/orgs", json=body, headers=office).status_code == 201
    assert post(f"/orgs/{org_id}/standards", json=standard_body("1X-PG"), headers=org).is_success
    reason = {"reason": "暂停"}
    assert post(f"/orgs/{org_id}/suspend", json=reason, headers=office).status_code == 200
    size = engine_ledger.store.size()
    refused = post(f"/orgs/{org_id}/standards", json=standard_body("1X-PG2"), headers=org)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        f"organization {org_id} is suspended: 暂停",
    )
    assert engine_ledger.store.size() == size
    assert post(f"/orgs/{org_id}/reinstate", json=reason, headers=office).status_code == 200
    assert post(f"/orgs/{org_id}/standards", json=standard_body("1X-PG2"), headers=org).is_success
    listed = engine_client.get("/standards", params={"org": org_id}).json()
    assert [item["code"] for item in listed["items"]] == ["1X-PG", "1X-PG2"]
    assert engine_client.get(f"/orgs/{org_id}", headers=office).json()["contact"] == body["contact"]
    for part, total in ((f"org_{number}", 1), (f"SAMPLE ORG_{number} (样例", 1), ("org%", 0)):
        found = engine_client.get("/orgs", params={"name": part, "status": "registered"}).json()
        assert found["total"] == total, part
