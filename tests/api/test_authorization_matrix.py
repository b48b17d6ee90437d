"""Who may write what: every role times every registry write, own object versus foreign.

One explicit table of expected statuses; refusals write nothing, no cell is an unexpected 2xx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ledger.core.principals import Principal, Role
from tests.api.registry_support import (
    Api,
    fresh_number,
    module_api,
    org_body,
    school_body,
    standard_body,
    standard_code,
)
from tests.registry_helpers import credit_code, sample_org, sample_school, school_code

OFFICE = Principal(Role.OFFICE)

#: The actors, in the table's column order. "own" and "foreign" are relative to the
#: object the request is about: the organization (or school) itself, or another one.
ACTORS = (
    "office",
    "org-own",
    "org-foreign",
    "school-own",
    "school-foreign",
    "learner",
    "auditor",
    "anonymous",
)

# fmt: off
#: Expected status of each write endpoint for each actor (columns as in ACTORS).
EXPECTED: dict[str, tuple[int, ...]] = {
    #                               office  org    org   school school learner auditor anon
    #                                       own  foreign  own  foreign
    "POST /orgs":                   (201,   403,   403,   403,   403,   403,   403,   401),
    "POST /orgs/{id}/suspend":      (200,   403,   403,   403,   403,   403,   403,   401),
    "POST /orgs/{id}/reinstate":    (200,   403,   403,   403,   403,   403,   403,   401),
    "POST /orgs/{id}/bar":          (200,   403,   403,   403,   403,   403,   403,   401),
    "POST /orgs/{id}/standards":    (403,   201,   403,   403,   403,   403,   403,   401),
    "POST /schools":                (201,   403,   403,   403,   403,   403,   403,   401),
    "POST /schools/{id}/suspend":   (200,   403,   403,   403,   403,   403,   403,   401),
    "POST /schools/{id}/reinstate": (200,   403,   403,   403,   403,   403,   403,   401),
    "POST /schools/{id}/expel":     (200,   403,   403,   403,   403,   403,   403,   401),
}
# fmt: on

#: The registry's nine write endpoints (every POST of the issue's path list).
WRITE_ENDPOINTS = tuple(EXPECTED)


@dataclass(frozen=True)
class Case:
    """One request: the path and body, and whom "own" and "foreign" mean for it."""

    path: str
    body: dict[str, Any]
    org: str  # the organization the request is about (or a fresh one)
    school: str  # the school the request is about (or a fresh one)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with module_api(tmp_path_factory, "matrix") as shared:
        yield shared


@pytest.fixture(scope="module")
def foreign(api: Api) -> tuple[str, str]:
    """A registered organization and an admitted school that the requests are not about."""
    org, school = sample_org(fresh_number()), sample_school(fresh_number())
    api.ledger.registry.register_org(OFFICE, org)
    api.ledger.registry.admit_school(OFFICE, school)
    return org.id, school.id


def _org(api: Api, *, suspended: bool = False) -> str:
    org = sample_org(fresh_number())
    api.ledger.registry.register_org(OFFICE, org)
    if suspended:
        api.ledger.registry.suspend_org(OFFICE, org.id, "准备恢复")
    return org.id


def _school(api: Api, *, suspended: bool = False) -> str:
    school = sample_school(fresh_number())
    api.ledger.registry.admit_school(OFFICE, school)
    if suspended:
        api.ledger.registry.suspend_school(OFFICE, school.id, "准备恢复")
    return school.id


def _new_org(_api: Api) -> Case:
    number = fresh_number()
    return Case("/orgs", org_body(number), credit_code(number), school_code(number))


def _new_school(_api: Api) -> Case:
    number = fresh_number()
    return Case("/schools", school_body(number), credit_code(number), school_code(number))


def _org_change(action: str, suspended: bool = False) -> Callable[[Api], Case]:
    def make(api: Api) -> Case:
        org = _org(api, suspended=suspended)
        return Case(f"/orgs/{org}/{action}", {"reason": "矩阵测试"}, org, school_code(0))

    return make


def _school_change(action: str, suspended: bool = False) -> Callable[[Api], Case]:
    def make(api: Api) -> Case:
        school = _school(api, suspended=suspended)
        return Case(f"/schools/{school}/{action}", {"reason": "矩阵测试"}, credit_code(0), school)

    return make


def _standard(api: Api) -> Case:
    org = _org(api)
    body = standard_body(standard_code(fresh_number()))
    return Case(f"/orgs/{org}/standards", body, org, school_code(0))


#: How to make fresh objects for each endpoint, so that an allowed request can succeed.
MAKE: dict[str, Callable[[Api], Case]] = {
    "POST /orgs": _new_org,
    "POST /orgs/{id}/suspend": _org_change("suspend"),
    "POST /orgs/{id}/reinstate": _org_change("reinstate", suspended=True),
    "POST /orgs/{id}/bar": _org_change("bar"),
    "POST /orgs/{id}/standards": _standard,
    "POST /schools": _new_school,
    "POST /schools/{id}/suspend": _school_change("suspend"),
    "POST /schools/{id}/reinstate": _school_change("reinstate", suspended=True),
    "POST /schools/{id}/expel": _school_change("expel"),
}


def actor_principal(actor: str, case: Case, foreign: tuple[str, str]) -> str | None:
    return {
        "office": "office",
        "org-own": f"org:{case.org}",
        "org-foreign": f"org:{foreign[0]}",
        "school-own": f"school:{case.school}",
        "school-foreign": f"school:{foreign[1]}",
        "learner": "learner:L2026000001",
        "auditor": "auditor",
        "anonymous": None,
    }[actor]


CELLS = [
    pytest.param(endpoint, actor, id=f"{endpoint.split(' ')[1]}-{actor}")
    for endpoint in WRITE_ENDPOINTS
    for actor in ACTORS
]


@pytest.mark.parametrize(("endpoint", "actor"), CELLS)
def test_cell(api: Api, foreign: tuple[str, str], endpoint: str, actor: str) -> None:
    case = MAKE[endpoint](api)
    principal = actor_principal(actor, case, foreign)
    expected = EXPECTED[endpoint][ACTORS.index(actor)]
    size = api.size()

    response = api.post(case.path, case.body, principal)

    assert response.status_code == expected, response.text
    if 200 <= expected < 300:
        assert api.size() == size + 1
        assert api.entry(size)["principal"] == principal
    else:
        assert api.size() == size, "a refused write changed the ledger"
        detail = response.json()["detail"]
        if expected == 403:
            # Either the role or ownership rule, or (for a suspended org acting on
            # itself) its suspension, is named as the reason.
            assert f"{principal} may not" in detail or "is suspended: 准备恢复" in detail


def test_the_table_allows_exactly_the_documented_writes() -> None:
    """No 2xx outside the office's registry writes and an organization's own standards."""
    allowed = {
        (endpoint, actor)
        for endpoint, row in EXPECTED.items()
        for actor, status in zip(ACTORS, row, strict=True)
        if 200 <= status < 300
    }
    office_writes = {(e, "office") for e in WRITE_ENDPOINTS if e != "POST /orgs/{id}/standards"}
    assert allowed == office_writes | {("POST /orgs/{id}/standards", "org-own")}
    assert all(row[ACTORS.index("anonymous")] == 401 for row in EXPECTED.values())
    assert len(WRITE_ENDPOINTS) * len(ACTORS) == len(CELLS)


# -- private reads --------------------------------------------------------------------

#: Who sees an organization's contact (a private field of a public object).
SEES_CONTACT = {
    "office": True,
    "org-own": True,
    "org-foreign": False,
    "school-own": False,
    "school-foreign": False,
    "learner": False,
    "auditor": True,
    "anonymous": False,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_contact_is_shown_only_to_those_who_may_read_it(
    api: Api, foreign: tuple[str, str], actor: str
) -> None:
    case = _org_change("suspend")(api)
    principal = actor_principal(actor, case, foreign)
    one = api.get(f"/orgs/{case.org}", principal)
    listed = api.get("/orgs", principal, limit=100, offset=max(0, _org_count(api) - 100))
    assert one.status_code == listed.status_code == 200
    [item] = [item for item in listed.json()["items"] if item["id"] == case.org]
    assert ("contact" in one.json()) is SEES_CONTACT[actor]
    assert ("contact" in item) is SEES_CONTACT[actor]


def _org_count(api: Api) -> int:
    total: int = api.get("/orgs", limit=1).json()["total"]
    return total
