"""The lists the organization's console reads, over the API with bearer tokens:
``GET /assessments``, ``GET /certificates`` and ``GET /orgs/{id}/sites``: who may read
which, paging like the registry's, the filters, and a 400 naming a bad parameter."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.certificate_helpers import holder
from tests.console.conftest import open_test_ledger
from tests.org_helpers import AssessmentWorld, make_assessment
from tests.registry_helpers import sample_org


@dataclass
class Lists:
    ledger: Ledger
    client: Any
    a: AssessmentWorld
    b: AssessmentWorld
    batch: str


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lists]:
    ledger = open_test_ledger(Path(tmp_path_factory.mktemp("org-lists")) / "data")
    with TestClient(create_app(ledger)) as client:
        a = make_assessment(ledger, client, candidates=1)
        b = make_assessment(ledger, client, candidates=1)
        org_a = Principal.parse(f"org:{a.org}")
        rows = [{"standard": a.standard, "level": "junior", **holder(70_000 + k)} for k in (1, 2)]
        outcome = ledger.certificates.issue_batch(org_a, "lists-batch", rows)
        ledger.certificates.issue(
            org_a, {"standard": a.standard, "level": "junior", **holder(70_003)}
        )
        ledger.certificates.revoke(org_a, outcome.certificates[0].certificate, "信息有误")
        ledger.certificates.issue(
            Principal.parse(f"org:{b.org}"),
            {"standard": b.standard, "level": "junior", **holder(70_004)},
        )
        yield Lists(ledger, client, a, b, "lists-batch")
    ledger.close()


def _get(lists: Lists, path: str, who: str | None, **params: Any) -> Any:
    headers = {}
    if who is not None:
        headers["Authorization"] = f"Bearer {lists.ledger.tokens.mint(Principal.parse(who))}"
    return lists.client.get(path, params=params, headers=headers)


def _who(lists: Lists, actor: str) -> str | None:
    return {
        "own": f"org:{lists.a.org}",
        "other": f"org:{lists.b.org}",
        "school": f"school:{lists.a.school}",
        "office": "office",
        "auditor": "auditor",
        "learner": f"learner:{lists.a.candidates[0]}",
        "anonymous": None,
    }[actor]


ACTORS = ("own", "other", "school", "office", "auditor", "learner", "anonymous")
# fmt: off
EXPECTED = {
    #                               own  other school office auditor learner anon
    "/assessments?org={a}":         (200, 403,  200,   200,   200,    403,    401),
    "/certificates?org={a}":        (200, 403,  403,   200,   200,    403,    401),
    "/orgs/{a}/sites":              (200, 200,  200,   200,   200,    403,    401),
}
# fmt: on


@pytest.mark.parametrize("route", list(EXPECTED))
@pytest.mark.parametrize("actor", ACTORS)
def test_who_reads_an_organizations_lists(lists: Lists, route: str, actor: str) -> None:
    path, _, query = route.format(a=lists.a.org).partition("?")
    params = dict(pair.split("=") for pair in query.split("&")) if query else {}
    answer = _get(lists, path, _who(lists, actor), **params)
    assert answer.status_code == EXPECTED[route][ACTORS.index(actor)], answer.text
    if answer.status_code == 200:
        page = answer.json()
        assert set(page) == {"items", "total", "limit", "offset"}
        assert page["total"] >= 1
        assert all(item["org"] == lists.a.org for item in page["items"])


def test_an_organization_reads_only_its_own_by_default(lists: Lists) -> None:
    for path in ("/assessments", "/certificates"):
        own = _get(lists, path, f"org:{lists.b.org}").json()
        assert own["total"] >= 1 and {i["org"] for i in own["items"]} == {lists.b.org}
    everything = _get(lists, "/certificates", "office").json()
    assert {lists.a.org, lists.b.org} <= {i["org"] for i in everything["items"]}


def test_certificates_filter_and_page(lists: Lists) -> None:
    who = f"org:{lists.a.org}"
    assert _get(lists, "/certificates", who).json()["total"] == 3
    batch = _get(lists, "/certificates", who, batch=lists.batch).json()
    assert batch["total"] == 2 and {i["batch"] for i in batch["items"]} == {lists.batch}
    revoked = _get(lists, "/certificates", who, status="revoked").json()
    assert revoked["total"] == 1 and revoked["items"][0]["revoked_on"]
    assert _get(lists, "/certificates", who, status="valid").json()["total"] == 2
    assert _get(lists, "/certificates", who, standard=lists.b.standard).json()["total"] == 0
    first = _get(lists, "/certificates", who, limit=2).json()
    second = _get(lists, "/certificates", who, limit=2, offset=2).json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    numbers = [i["number"] for i in first["items"] + second["items"]]
    assert len(set(numbers)) == 3


def test_assessments_filter_by_standard_and_dates(lists: Lists) -> None:
    who = "office"
    today = date.today()
    mine = _get(lists, "/assessments", who, standard=lists.a.standard).json()
    assert [i["assessment"] for i in mine["items"]] == [lists.a.assessment]
    window = {"from": today.isoformat(), "to": today.isoformat(), "org": lists.a.org}
    assert _get(lists, "/assessments", who, **window).json()["total"] == 1
    later = (today + timedelta(days=1)).isoformat()
    assert _get(lists, "/assessments", who, org=lists.a.org, **{"from": later}).json()["total"] == 0


@pytest.mark.parametrize(
    ("path", "params", "names"),
    [
        ("/assessments", {"from": "2026-13-01"}, "from"),
        ("/assessments", {"to": "yesterday"}, "to"),
        ("/assessments", {"org": "not-a-code"}, "org"),
        ("/assessments", {"standard": "BIM"}, "standard"),
        ("/assessments", {"limit": "0"}, "limit"),
        ("/certificates", {"limit": "101"}, "limit"),
        ("/certificates", {"offset": "-1"}, "offset"),
        ("/certificates", {"status": "lost"}, "status"),
        ("/certificates", {"color": "red"}, "color"),
        ("/orgs/not-a-code/sites", {}, "id"),
    ],
)
def test_a_bad_parameter_is_named(
    lists: Lists, path: str, params: dict[str, str], names: str
) -> None:
    answer = _get(lists, path, "office", **params)
    assert answer.status_code == 400 and names in answer.json()["detail"], answer.text


def test_sites_of_an_unknown_organization_are_404_and_paged(lists: Lists) -> None:
    unregistered = sample_org(9_991).id
    assert _get(lists, f"/orgs/{unregistered}/sites", "office").status_code == 404
    page = _get(lists, f"/orgs/{lists.a.org}/sites", "office", limit=1, offset=1).json()
    assert page == {"items": [], "total": 1, "limit": 1, "offset": 1}
    [site] = _get(lists, f"/orgs/{lists.a.org}/sites", "office").json()["items"]
    assert site["site"] == lists.a.site and site["standards"] == [lists.a.standard]
