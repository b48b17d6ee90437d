"""The registry endpoints: happy paths, filters and pages, bad bodies, and no personal data.

One SQLite ledger serves the module; every test makes objects with fresh numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from ledger.storage.tables import org_contacts
from tests.api.registry_support import (
    Api,
    fresh_number,
    module_api,
    org_body,
    school_body,
    standard_body,
    standard_code,
)
from tests.registry_helpers import DOCUMENT_HASH, contact, credit_code, school_code

OFFICE = "office"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_api(tmp_path_factory, "registry") as shared:
        yield shared


def register(api: Api, number: int | None = None, **changes: Any) -> str:
    body = org_body(fresh_number() if number is None else number, **changes)
    response = api.post("/orgs", body, OFFICE)
    assert response.status_code == 201, response.text
    return str(body["id"])


def admit(api: Api, **changes: Any) -> str:
    body = school_body(fresh_number(), **changes)
    response = api.post("/schools", body, OFFICE)
    assert response.status_code == 201, response.text
    return str(body["id"])


def publish(api: Api, org_id: str, code: str | None = None, **changes: Any) -> str:
    code = code or standard_code(fresh_number())
    response = api.post(
        f"/orgs/{org_id}/standards", standard_body(code, **changes), f"org:{org_id}"
    )
    assert response.status_code == 201, response.text
    return code


# -- organizations ----------------------------------------------------------------------


def test_register_an_org(api: Api) -> None:
    number = fresh_number()
    body = org_body(number)
    response = api.post("/orgs", body, OFFICE)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {"id": body["id"], "status": "registered", "index": api.size() - 1}

    entry = api.entry(created["index"])
    assert (entry["kind"], entry["principal"]) == ("org.registered", "office")
    payload = entry["payload"]
    assert payload.keys() == {"org", "name", "contact_commitment"}
    assert (payload["org"], payload["name"]) == (body["id"], body["name"])
    with api.ledger.engine.connect() as connection:
        salt = connection.execute(
            sa.select(org_contacts.c.salt).where(org_contacts.c.org == body["id"])
        ).scalar_one()
    expected = hashlib.sha256(salt + contact(number).encode()).hexdigest()
    assert payload["contact_commitment"] == expected


def test_read_an_org(api: Api) -> None:
    org_id = register(api)
    public = api.get(f"/orgs/{org_id}")
    assert public.status_code == 200
    view = public.json()
    assert "contact" not in view
    assert view["status"] == "registered"
    assert view["reason"] is None
    assert view["registered_index"] == view["status_index"]
    assert api.get(f"/orgs/{org_id}", OFFICE).json()["contact"].startswith("联系人")
    assert api.get(f"/orgs/{credit_code(999_999)}").status_code == 404


def test_org_status_changes(api: Api) -> None:
    org_id = register(api)
    steps = [
        ("suspend", "suspended", "org.suspended", "考核收费超标"),
        ("reinstate", "registered", "org.reinstated", "整改完成"),
        ("bar", "barred", "org.barred", "弄虚作假"),
    ]
    for action, status, kind, reason in steps:
        response = api.post(f"/orgs/{org_id}/{action}", {"reason": reason}, OFFICE)
        assert response.status_code == 200, response.text
        changed = response.json()
        assert (changed["id"], changed["status"]) == (org_id, status)
        entry = api.entry(changed["index"])
        assert (entry["kind"], entry["principal"]) == (kind, "office")
        assert entry["payload"] == {"org": org_id, "reason": reason}
        view = api.get(f"/orgs/{org_id}").json()
        assert (view["status"], view["reason"], view["status_index"]) == (
            status,
            reason,
            changed["index"],
        )


def test_list_orgs_filters_and_pages(api: Api) -> None:
    marker = f"Filter{fresh_number()}"
    ids = [register(api, name=f"{marker} 组织 {n}") for n in range(5)]
    api.post(f"/orgs/{ids[1]}/suspend", {"reason": "暂停"}, OFFICE)

    page = api.get("/orgs", name=marker.lower(), limit=2)
    assert page.status_code == 200
    listed = page.json()
    assert (listed["total"], listed["limit"], listed["offset"]) == (5, 2, 0)
    assert [item["id"] for item in listed["items"]] == ids[:2]
    rest = api.get("/orgs", name=marker, limit=2, offset=4).json()
    assert [item["id"] for item in rest["items"]] == ids[4:]

    suspended = api.get("/orgs", name=marker, status="suspended").json()
    assert [item["id"] for item in suspended["items"]] == [ids[1]]
    assert all("contact" not in item for item in listed["items"])
    assert all(
        "contact" in item for item in api.get("/orgs", "auditor", name=marker).json()["items"]
    )
    # LIKE wildcards in the filter are literal text.
    assert api.get("/orgs", name=f"{marker}%").json()["total"] == 0
    assert api.get("/orgs", name="_").json()["total"] == 0
    assert api.get("/orgs").json()["limit"] == 50


# -- schools ------------------------------------------------------------------------


def test_admit_read_and_change_a_school(api: Api) -> None:
    body = school_body(fresh_number(), city="yulin", level="secondary")
    response = api.post("/schools", body, OFFICE)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {"id": body["id"], "status": "admitted", "index": api.size() - 1}
    entry = api.entry(created["index"])
    assert (entry["kind"], entry["principal"]) == ("school.admitted", "office")
    assert entry["payload"] == {
        "school": body["id"],
        "name": body["name"],
        "city": "yulin",
        "level": "secondary",
    }
    view = api.get(f"/schools/{body['id']}").json()
    assert view == {
        **{key: body[key] for key in ("id", "name", "city", "level")},
        "status": "admitted",
        "reason": None,
        "admitted_index": created["index"],
        "status_index": created["index"],
    }
    for action, status, kind in [
        ("suspend", "suspended", "school.suspended"),
        ("reinstate", "admitted", "school.reinstated"),
        ("expel", "expelled", "school.expelled"),
    ]:
        response = api.post(f"/schools/{body['id']}/{action}", {"reason": f"{action} 理由"}, OFFICE)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
        entry = api.entry(response.json()["index"])
        assert (entry["kind"], entry["principal"]) == (kind, "office")
        assert entry["payload"] == {"school": body["id"], "reason": f"{action} 理由"}
    assert api.get(f"/schools/{school_code(99_999)}").status_code == 404


def test_list_schools_filters_and_pages(api: Api) -> None:
    # Hanzhong and Shangluo are used by this test only.
    ids = [admit(api, city="hanzhong", level=level) for level in ("higher", "secondary") * 3]
    other = admit(api, city="shangluo")
    api.post(f"/schools/{ids[0]}/suspend", {"reason": "停招"}, OFFICE)

    listed = api.get("/schools", city="hanzhong").json()
    assert [item["id"] for item in listed["items"]] == ids
    assert listed["total"] == 6
    secondary = api.get("/schools", city="hanzhong", level="secondary", limit=2, offset=1).json()
    assert [item["id"] for item in secondary["items"]] == [ids[3], ids[5]]
    assert secondary["total"] == 3
    suspended = api.get("/schools", city="hanzhong", status="suspended").json()
    assert [item["id"] for item in suspended["items"]] == [ids[0]]
    assert [i["id"] for i in api.get("/schools", city="shangluo").json()["items"]] == [other]


# -- standards ----------------------------------------------------------------------


def test_publish_and_read_a_standard(api: Api) -> None:
    org_id = register(api)
    code = standard_code(fresh_number())
    response = api.post(f"/orgs/{org_id}/standards", standard_body(code), f"org:{org_id}")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {"code": code, "index": api.size() - 1}
    entry = api.entry(created["index"])
    assert (entry["kind"], entry["principal"]) == ("standard.published", f"org:{org_id}")
    assert entry["payload"] == {
        "standard": code,
        "org": org_id,
        "title": "建筑信息模型(BIM)",
        "levels": ["junior", "intermediate"],
        "credits": {"junior": 2, "intermediate": 4},
        "document_hash": DOCUMENT_HASH,
    }
    view = api.get(f"/standards/{code}").json()
    assert view == {
        "code": code,
        "org": org_id,
        "title": "建筑信息模型(BIM)",
        "levels": ["junior", "intermediate"],
        "credits": {"junior": 2, "intermediate": 4},
        "document_hash": DOCUMENT_HASH,
        "published_index": created["index"],
    }
    assert api.get("/standards/1X-NONE").status_code == 404


def test_list_standards_filters_and_pages(api: Api) -> None:
    org_id, other = register(api), register(api)
    senior = {"levels": ["senior"], "credits": {"senior": 6}}
    codes = [publish(api, org_id), publish(api, org_id, **senior), publish(api, org_id)]
    publish(api, other, **senior)

    mine = api.get("/standards", org=org_id).json()
    assert [item["code"] for item in mine["items"]] == codes
    assert mine["total"] == 3
    assert [
        i["code"] for i in api.get("/standards", org=org_id, level="senior").json()["items"]
    ] == [codes[1]]
    junior = api.get("/standards", org=org_id, level="junior", limit=1, offset=1).json()
    assert ([i["code"] for i in junior["items"]], junior["total"]) == ([codes[2]], 2)
    assert api.get("/standards", level="senior").json()["total"] >= 2


def test_duplicates_are_conflicts(api: Api) -> None:
    org_id = register(api)
    school_id = admit(api)
    code = publish(api, org_id)
    size = api.size()
    duplicates = [
        ("/orgs", {**org_body(0), "id": org_id}, OFFICE, "is registered already"),
        ("/schools", {**school_body(0), "id": school_id}, OFFICE, "is admitted already"),
        (f"/orgs/{org_id}/standards", standard_body(code), f"org:{org_id}", "published already"),
    ]
    for path, body, principal, message in duplicates:
        response = api.post(path, body, principal)
        assert response.status_code == 409, response.text
        assert message in response.json()["detail"]
    assert api.size() == size


def test_unknown_objects_are_not_found(api: Api) -> None:
    size = api.size()
    for path in (
        f"/orgs/{credit_code(999_998)}/suspend",
        f"/orgs/{credit_code(999_998)}/bar",
        f"/schools/{school_code(99_998)}/expel",
        f"/schools/{school_code(99_998)}/reinstate",
    ):
        response = api.post(path, {"reason": "无"}, OFFICE)
        assert response.status_code == 404, response.text
        assert "there is no" in response.json()["detail"]
    assert api.size() == size


# -- bad requests -------------------------------------------------------------------

GOOD_ORG = org_body(5)
BAD_BODIES = {
    "malformed-json": ("/orgs", b'{"id": "91610000MA00000016", "name":', "not valid JSON"),
    "no-body": ("/orgs", b"", "body is missing"),
    "array": ("/orgs", [GOOD_ORG], "body must be a JSON object"),
    "wrong-type": ("/orgs", {**GOOD_ORG, "name": 42}, "field 'name' must be a string"),
    "missing-field": (
        "/orgs",
        {k: v for k, v in GOOD_ORG.items() if k != "contact"},
        "field 'contact' is required",
    ),
    "unknown-field": ("/orgs", {**GOOD_ORG, "email": "a@b.cn"}, "unknown field 'email'"),
    "name-too-long": ("/orgs", {**GOOD_ORG, "name": "名" * 201}, "field 'name' must be a string"),
    "name-empty": ("/orgs", {**GOOD_ORG, "name": ""}, "field 'name'"),
    "name-padded": ("/orgs", {**GOOD_ORG, "name": " 名称"}, "field 'name' must not start"),
    "contact-control": ("/orgs", {**GOOD_ORG, "contact": "张\x07三"}, "field 'contact'"),
    "check-character": (
        "/orgs",
        {**GOOD_ORG, "id": "91610000MA00000010"},
        "field 'id' must be a unified social credit code, but the check character",
    ),
    "lowercase-code": ("/orgs", {**GOOD_ORG, "id": "91350100m000100y43"}, "field 'id'"),
    "school-city": ("/schools", school_body(5, city="beijing"), "field 'city' must be one of"),
    "school-level": ("/schools", school_body(5, level="primary"), "field 'level'"),
    "school-code": ("/schools", school_body(5, id="41610ABCDE"), "field 'id'"),
    "reason-missing": ("/orgs/{org}/suspend", {}, "field 'reason' is required"),
    "reason-empty": ("/orgs/{org}/suspend", {"reason": ""}, "field 'reason'"),
    "reason-too-long": ("/schools/{school}/expel", {"reason": "r" * 501}, "field 'reason'"),
    "reason-wrong-type": ("/orgs/{org}/bar", {"reason": ["x"]}, "field 'reason' must be"),
    "path-id": ("/orgs/91610000MA0000001X/suspend", {"reason": "r"}, "path parameter 'id'"),
    "path-school": ("/schools/123/suspend", {"reason": "r"}, "path parameter 'id'"),
    "standard-code": ("{standards}", standard_body("BIM"), "field 'code'"),
    "standard-hash": (
        "{standards}",
        standard_body("1X-H", document_hash="AB" * 32),
        "field 'document_hash'",
    ),
    "standard-negative-credits": (
        "{standards}",
        standard_body("1X-N", credits={"junior": -1, "intermediate": 4}),
        "field 'credits",
    ),
    "standard-levels-and-credits": (
        "{standards}",
        standard_body("1X-L", credits={"junior": 2}),
        "field 'credits' must give one credit value for each level offered",
    ),
    "standard-repeated-level": (
        "{standards}",
        standard_body("1X-R", levels=["junior", "junior"], credits={"junior": 1}),
        "field 'levels' must not repeat",
    ),
    "standard-unknown-level": (
        "{standards}",
        standard_body("1X-U", levels=["expert"], credits={"expert": 1}),
        "field 'levels",
    ),
}


@pytest.mark.parametrize(("path", "body", "problem"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_are_400_naming_the_field(api: Api, path: str, body: Any, problem: str) -> None:
    org_id, school_id = register(api), admit(api)
    principal = OFFICE
    if path == "{standards}":
        path, principal = f"/orgs/{org_id}/standards", f"org:{org_id}"
    path = path.format(org=org_id, school=school_id)
    size = api.size()
    response = api.post(path, body, principal)
    assert response.status_code == 400, response.text
    assert problem in response.json()["detail"]
    assert api.size() == size


def test_an_oversized_body_is_413_and_writes_nothing(api: Api) -> None:
    size = api.size()
    body = org_body(fresh_number(), contact="x" * (1024 * 1024))
    response = api.post("/orgs", body, OFFICE)
    assert response.status_code == 413
    assert api.size() == size
    assert api.get(f"/orgs/{body['id']}").status_code == 404


BAD_QUERIES = {
    "unknown": ("/orgs", "stauts=suspended", "unknown query parameter 'stauts'"),
    "repeated": ("/orgs", "limit=1&limit=2", "'limit' is given 2 times"),
    "limit-zero": ("/orgs", "limit=0", "'limit' must be an integer >= 1"),
    "limit-over": ("/schools", "limit=101", "'limit' must be an integer <= 100"),
    "limit-float": ("/standards", "limit=1.0", "'limit' must be an integer"),
    "offset-negative": ("/orgs", "offset=-1", "'offset' must be an integer >= 0"),
    "offset-huge": ("/orgs", f"offset={10**30}", "'offset' must be an integer <="),
    "status": ("/orgs", "status=active", "'status' must be one of registered, suspended"),
    "school-status": ("/schools", "status=registered", "'status' must be one of admitted"),
    "school-level": ("/schools", "level=junior", "'level' must be one of secondary, higher"),
    "city": ("/schools", "city=beijing", "'city' must be one of the province's cities"),
    "standard-level": ("/standards", "level=higher", "'level' must be one of junior"),
    "standard-org": ("/standards", "org=abc", "query parameter 'org' must be"),
    "name-empty": ("/orgs", "name=", "'name'"),
    "on-a-write": ("/orgs/{org}/suspend", "force=1", "takes no query parameters"),
    "get-one": ("/standards/1X-BIM", "x=1", "takes no query parameters"),
    "bad-path-code": ("/standards/bim", "", "path parameter 'code' must be a standard code"),
    "bad-path-org": ("/orgs/abc", "", "path parameter 'id' must be a unified social credit"),
}


@pytest.mark.parametrize(("path", "query", "problem"), BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_bad_parameters_are_400_naming_them(api: Api, path: str, query: str, problem: str) -> None:
    size = api.size()
    if "{org}" in path:
        org_id = register(api)
        size = api.size()
        url = f"{path.format(org=org_id)}?{query}"
        response = api.client.post(url, json={"reason": "r"}, headers=api.auth(OFFICE))
    else:
        response = api.client.get(f"{path}?{query}" if query else path)
    assert response.status_code == 400, response.text
    assert problem in response.json()["detail"]
    assert api.size() == size


# -- personal data ------------------------------------------------------------------


def test_no_contact_ever_reaches_the_ledger(api: Api) -> None:
    numbers = [fresh_number() for _ in range(3)]
    for number in numbers:
        register(api, number)
    org_id = credit_code(numbers[0])
    api.post(f"/orgs/{org_id}/suspend", {"reason": "暂停"}, OFFICE)
    api.post(f"/orgs/{org_id}/reinstate", {"reason": "恢复"}, OFFICE)
    publish(api, org_id)

    entries = api.entries()
    assert len(entries) == api.size()
    for number in numbers:
        person, phone = contact(number).split(" ")
        for entry in entries:
            assert person.encode() not in entry["bytes"], entry["index"]
            assert phone.encode() not in entry["bytes"], entry["index"]
    # The contact is still there for those who may read it.
    assert api.get(f"/orgs/{org_id}", OFFICE).json()["contact"] == contact(numbers[0])
