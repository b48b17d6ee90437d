"""Who may open the organization's console pages about one organization's objects: its own
staff, another organization's staff, a school's staff, a signed-in learner and an anonymous
visitor. One explicit table; a refused request writes nothing, and another organization's
lists show nothing of the first's."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.registry import Level, Standard
from ledger.services.standard_documents import check_document
from tests.certificate_helpers import holder, make_issuer
from tests.console.conftest import PUBLIC_URL, open_test_ledger
from tests.console_helpers import ConsoleClient, staff_member
from tests.org_helpers import AssessmentWorld, make_assessment

ACTORS = ("own", "other", "school", "learner", "anonymous")
PDF = b"%PDF-1.4\n% the matrix's standard\n%%EOF\n"
_holders = itertools.count(71_000)

# fmt: off
#: Expected status of each route about organization A's objects, by actor.
EXPECTED: dict[str, tuple[int, ...]] = {
    #                                                    own  other school learner anon
    "GET /console/org/standards":                        (200, 200, 403,   303,    303),
    "GET /console/org/standards/{documented}/document":  (200, 404, 403,   303,    303),
    "POST /console/org/standards/{documented}/document": (400, 404, 403,   303,    303),
    "GET /console/org/sites":                            (200, 200, 403,   303,    303),
    "POST /console/org/sites":                           (400, 400, 403,   303,    303),
    "POST /console/org/standards":                       (400, 400, 403,   303,    303),
    "POST /console/org/issue/sheet":                     (400, 400, 403,   303,    303),
    "POST /console/self-evaluations":                    (400, 400, 400,   303,    303),
    "GET /console/org/schedule":                         (200, 200, 403,   303,    303),
    "POST /console/org/schedule":                        (303, 403, 403,   303,    303),
    "GET /console/org/assessments":                      (200, 200, 403,   303,    303),
    "GET /console/org/assessments/{assessment}":         (200, 404, 403,   303,    303),
    "POST /console/org/assessments/{assessment}/certificates": (303, 404, 403, 303, 303),
    "GET /console/org/uploads/{results}":                (200, 404, 403,   303,    303),
    "GET /console/org/issue":                            (200, 200, 403,   303,    303),
    "POST /console/org/issue":                           (303, 400, 403,   303,    303),
    "GET /console/org/issue/{sheet}":                    (200, 404, 403,   303,    303),
    "POST /console/org/issue/{sheet}/confirm":           (303, 404, 403,   303,    303),
    "GET /console/org/certificates":                     (200, 200, 403,   303,    303),
    "GET /console/org/certificates/{certificate}/certificate.pdf": (200, 404, 403, 303, 303),
    "POST /console/org/certificates/{certificate}/revoke": (303, 404, 403, 303,    303),
    "GET /console/org/certificates/batch.pdf?batch={batch}": (200, 404, 403, 303,  303),
    "GET /console/self-evaluations":                     (200, 200, 200,   303,    303),
}
# fmt: on


@dataclass
class World:
    ledger: Ledger
    a: AssessmentWorld
    results: str
    clients: dict[str, ConsoleClient]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    ledger = open_test_ledger(tmp_path_factory.mktemp("org-matrix") / "data")
    apps = [create_app(ledger) for _ in ACTORS]
    with (
        TestClient(apps[0], base_url=PUBLIC_URL) as own,
        TestClient(apps[1], base_url=PUBLIC_URL) as other,
        TestClient(apps[2], base_url=PUBLIC_URL) as school,
        TestClient(apps[3], base_url=PUBLIC_URL) as learner,
        TestClient(apps[4], base_url=PUBLIC_URL) as anonymous,
    ):
        a = make_assessment(ledger, own, candidates=2)
        b = make_issuer(ledger, "1X-OTHR")
        org_a = Principal.parse(f"org:{a.org}")
        document = check_document("standard.pdf", PDF)
        credits = {Level.JUNIOR: 2}
        documented = Standard("1X-DOCM", a.org, "带文件的标准", credits, document.sha256)
        ledger.standard_documents.publish(org_a, documented, document)
        results = ledger.results_sheets.preview(
            org_a, a.assessment, f"学习账号,成绩,通过\n{a.candidates[0]},90,是\n".encode()
        ).upload
        assert results is not None
        staff_member(ledger, f"org:{a.org}", "matrix-org-a", admin=True)
        staff_member(ledger, f"org:{b.org}", "matrix-org-b", admin=True)
        staff_member(ledger, f"school:{a.school}", "matrix-school-a", admin=True)
        clients = {
            name: ConsoleClient(c)
            for name, c in zip(ACTORS, (own, other, school, learner, anonymous), strict=True)
        }
        clients["own"].sign_in("matrix-org-a")
        clients["other"].sign_in("matrix-org-b")
        clients["school"].sign_in("matrix-school-a")
        _learner_signs_in(ledger, clients["learner"], a)
        yield World(ledger, a, results, clients)
    ledger.close()


def _learner_signs_in(ledger: Ledger, client: ConsoleClient, a: AssessmentWorld) -> None:
    account = a.candidates[1]
    code = ledger.learner_access.issue_code(Principal.parse(f"school:{a.school}"), account)
    signed = client.post(
        "/learner/sign-in", {"account": account, "secret": code}, form_page="/learner/sign-in"
    )
    assert signed.headers["location"] == "/learner/password", signed.text
    password = "quiet river stones at dawn"
    done = client.post(
        "/learner/password",
        {"password": password, "password_again": password},
        form_page="/learner/password",
    )
    assert done.status_code == 303
    assert client.client.get("/learner/me").status_code == 200


def _objects(world: World) -> dict[str, Any]:
    """Fresh objects of organization A: a certificate and a checked sheet of one more."""
    ledger, a = world.ledger, world.a
    org_a = Principal.parse(f"org:{a.org}")
    n = next(_holders)
    batch = f"matrix-{n}"
    [issued] = ledger.certificates.issue_batch(
        org_a, batch, [{"standard": a.standard, "level": "junior", **holder(n)}]
    ).certificates
    row = holder(n + 50_000)
    sheet = f"姓名,身份证号,证书标准,等级\n{row['name']},{row['id_number']},{a.standard},初级\n"
    preview = ledger.issue_sheets.preview(org_a, sheet.encode())
    assert preview.upload is not None, preview.problems
    return {
        "documented": "1X-DOCM",
        "assessment": a.assessment,
        "results": world.results,
        "sheet": preview.upload,
        "certificate": issued.certificate,
        "batch": batch,
        "holder": holder(n + 60_000),
    }


def _form(route: str, objects: dict[str, Any], world: World) -> dict[str, Any]:
    a = world.a
    if route.endswith("/org/schedule"):
        return {
            "standard": a.standard,
            "level": "junior",
            "site": a.site,
            "date": date.today().isoformat(),
            "fee": "100",
        }
    if route.endswith("/org/issue"):
        return {**objects["holder"], "standard": a.standard, "level": "junior"}
    if route.endswith("/revoke"):
        return {"reason": "矩阵测试"}
    return {}


@pytest.mark.parametrize("route", list(EXPECTED))
@pytest.mark.parametrize("actor", ACTORS)
def test_org_console_route_by_actor(world: World, route: str, actor: str) -> None:
    expected = EXPECTED[route][ACTORS.index(actor)]
    objects = _objects(world)
    method, path = route.split(" ", 1)
    path = path.format(**objects)
    client = world.clients[actor]
    size = world.ledger.store.size()
    if method == "GET":
        answer = client.client.get(path, follow_redirects=False)
    else:
        answer = client.post(path, _form(route, objects, world), form_page="/console/sign-in")
    assert answer.status_code == expected, (route, actor, answer.text[:400])
    if method == "POST" and actor != "own":
        assert world.ledger.store.size() == size, "a refused request wrote to the ledger"
    if actor == "other" and answer.status_code == 200:
        for shown in (world.a.standard, "1X-DOCM", world.a.site, world.a.assessment):
            assert shown.encode() not in answer.content, (route, shown)
        assert objects["certificate"].encode() not in answer.content


@pytest.mark.parametrize("route", [r for r in EXPECTED if r.startswith("POST ")])
def test_every_org_form_needs_its_csrf_token(world: World, route: str) -> None:
    objects = _objects(world)
    path = route.split(" ", 1)[1].format(**objects)
    client = world.clients["own"]
    client.get("/console/org/issue")  # a page with forms: the cookie is set
    size = world.ledger.store.size()
    answer = client.post(path, _form(route, objects, world), csrf=False)
    assert answer.status_code == 403 and "CSRF" in answer.text, (route, answer.text[:300])
    assert world.ledger.store.size() == size
