"""Who may open what in the consoles: every console route by role, about objects of one
school ("own") seen by its own clerk, a clerk of another school ("foreign"), an
organization's staff, the office's staff and an anonymous visitor. One explicit table;
no cell is an unexpected 2xx, and lists never show another school's rows.

The API's new lists get the same table with bearer tokens.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pyotp
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.certificate_helpers import holder
from tests.consent_helpers import consent
from tests.console.conftest import PUBLIC_URL, open_test_ledger
from tests.console_helpers import ConsoleClient, School, make_school, staff_member

_holders = itertools.count(80_000)
ACTORS = ("own", "foreign", "org", "office", "anonymous")

# fmt: off
#: Expected status of each console route (objects of school A) by actor.
EXPECTED: dict[str, tuple[int, ...]] = {
    #                                           own  foreign  org  office  anon
    "GET /console/students/{student}":          (200, 404,    403, 403,    303),
    "GET /console/students/{student}?reveal=true": (200, 404, 403, 403,    303),
    "GET /console/rules/{rule}":                (200, 404,    403, 403,    303),
    "GET /console/conversions/new?account={student}": (200, 404, 403, 403, 303),
    "GET /console/uploads/{upload}":            (200, 404,    404, 404,    303),
    "POST /console/uploads/{upload}/confirm":   (303, 404,    404, 404,    303),
    "POST /console/staff/{clerk}/disable":      (303, 404,    404, 404,    303),
    "POST /console/assessments/A00000000000/candidates": (404, 404, 403, 403, 303),
    "GET /console/students":                    (200, 200,    403, 403,    303),
    "GET /console/credits":                     (200, 200,    403, 403,    303),
    "GET /console/rules":                       (200, 200,    403, 403,    303),
    "GET /console/conversions":                 (200, 200,    403, 403,    303),
    "GET /console/plans":                       (200, 200,    403, 403,    303),
    "GET /console/assessments":                 (200, 200,    403, 403,    303),
    "GET /console/self-evaluations":            (200, 200,    200, 403,    303),
    "GET /console/exports/students.xlsx":       (200, 200,    403, 403,    303),
    "GET /console/exports/conversions.csv":     (200, 200,    403, 403,    303),
    "GET /console/access-log":                  (403, 403,    403, 200,    303),
    "GET /console/staff":                       (200, 200,    200, 200,    303),
    "POST /console/students/{student}/activation": (200, 404, 403, 403,    303),
    "GET /console/org/assessments":             (403, 403,    200, 403,    303),
    "GET /console/org/assessments/A00000000000": (403, 403,   404, 403,    303),
    "GET /console/org/certificates":            (403, 403,    200, 403,    303),
    "GET /console/org/certificates/{certificate}/certificate.pdf": (403, 403, 200, 403, 303),
    "GET /console/org/uploads/U0":              (403, 403,    404, 403,    303),
    "GET /console/office":                      (403, 403,    403, 200,    303),
    "GET /console/office/plans":                (403, 403,    403, 200,    303),
    "GET /console/org/standards":               (403, 403,    200, 403,    303),
    "POST /console/org/standards":              (403, 403,    400, 403,    303),
    "GET /console/org/standards/{standard}/document": (403, 403, 404, 403,  303),
    "GET /console/org/sites":                   (403, 403,    200, 403,    303),
    "POST /console/org/sites":                  (403, 403,    400, 403,    303),
    "GET /console/org/schedule":                (403, 403,    200, 403,    303),
    "POST /console/org/schedule":               (403, 403,    400, 403,    303),
    "GET /console/org/issue":                   (403, 403,    200, 403,    303),
    "POST /console/org/issue":                  (403, 403,    400, 403,    303),
    "POST /console/org/issue/sheet":            (403, 403,    400, 403,    303),
    "GET /console/org/issue/U0":                (403, 403,    404, 403,    303),
    "POST /console/org/issue/U0/confirm":       (403, 403,    404, 403,    303),
    "POST /console/self-evaluations":           (400, 400,    400, 403,    303),
}
# fmt: on


@dataclass
class World:
    ledger: Ledger
    app: Litestar
    school: School
    other: School
    clients: dict[str, ConsoleClient]


def _office_client(ledger: Ledger, client: ConsoleClient) -> None:
    account = staff_member(ledger, "office", "matrix-office", admin=True)
    secret = ledger.staff.new_second_factor_secret()
    assert ledger.staff.set_up_second_factor(account, secret, pyotp.TOTP(secret).now())
    client.sign_in("matrix-office")
    totp = pyotp.TOTP(secret)
    code = totp.at(time.time() + totp.interval)  # the next step: the current one is used
    answer = client.post(
        "/console/second-factor", {"code": code}, form_page="/console/second-factor"
    )
    assert answer.status_code == 303, answer.text


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    ledger = open_test_ledger(tmp_path_factory.mktemp("matrix") / "data")
    app = create_app(ledger)
    school, other = make_school(ledger, students=2), make_school(ledger, students=2)
    staff_member(ledger, f"school:{school.id}", "own-admin", admin=True)
    staff_member(ledger, f"school:{other.id}", "foreign-admin", admin=True)
    staff_member(ledger, f"org:{school.org}", "org-admin", admin=True)
    # One app per client, as separate server processes would be.
    with (
        TestClient(app, base_url=PUBLIC_URL) as own,
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as foreign,
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as org,
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as office,
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as anonymous,
    ):
        clients = {
            name: ConsoleClient(c)
            for name, c in zip(ACTORS, (own, foreign, org, office, anonymous), strict=True)
        }
        clients["own"].sign_in("own-admin")
        clients["foreign"].sign_in("foreign-admin")
        clients["org"].sign_in("org-admin")
        _office_client(ledger, clients["office"])
        yield World(ledger, app, school, other, clients)
    ledger.close()


def _objects(world: World) -> dict[str, str]:
    """Fresh objects of school A for one request: a student holding an unconverted
    certificate, the school's rule, a checked conversion sheet of them, and a clerk."""
    ledger, school = world.ledger, world.school
    number = next(_holders)
    issued = ledger.certificates.issue(
        Principal.parse(f"org:{school.org}"),
        {"standard": school.standard, "level": "junior", **holder(number)},
    )
    ledger.credit_bank.enrol(
        school.principal,
        school.id,
        account=issued.account,
        enrolment_code=consent(ledger, issued.account),
    )
    sheet = (
        "学习账号,证书编号,转换规则,专业\n"
        f"{issued.account},{issued.certificate},{school.rule},{school.programme}\n"
    )
    preview = ledger.sheets.preview(school.principal, "conversions", sheet.encode())
    assert preview.upload is not None, preview.problems
    clerk = staff_member(ledger, f"school:{school.id}", f"clerk-{number}")
    return {
        "student": issued.account,
        "rule": school.rule,
        "upload": preview.upload,
        "clerk": clerk,
        "certificate": issued.certificate,
        "standard": school.standard,
    }


@pytest.mark.parametrize("route", list(EXPECTED))
@pytest.mark.parametrize("actor", ACTORS)
def test_console_route_by_role(world: World, route: str, actor: str) -> None:
    expected = EXPECTED[route][ACTORS.index(actor)]
    objects = _objects(world)
    method, path = route.split(" ", 1)
    path = path.format(**objects)
    client = world.clients[actor]
    size = world.ledger.store.size()
    if method == "GET":
        answer = client.client.get(path, follow_redirects=False)
    else:
        answer = client.post(path, {}, form_page="/console/sign-in")
    assert answer.status_code == expected, (route, actor, answer.text[:300])
    if method == "POST" and actor != "own":
        assert world.ledger.store.size() == size, "a refused request wrote to the ledger"
    if actor == "foreign" and answer.status_code == 200:
        # A list of the other school shows nothing of school A.
        body = answer.content
        for student in world.school.students:
            assert student.encode() not in body
        assert world.school.rule.encode() not in body


def _token(world: World, principal: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.ledger.tokens.mint(Principal.parse(principal))}"}


API_ACTORS = ("own", "foreign", "org", "office", "auditor", "learner", "anonymous")

# fmt: off
API_EXPECTED: dict[str, tuple[int, ...]] = {
    #                                      own  foreign  org  office  auditor  learner  anon
    "GET /schools/{school}/students":      (200, 403,    403, 200,    200,     403,     401),
    "GET /schools/{school}/credits":       (200, 403,    403, 200,    200,     403,     401),
    "GET /conversions?school={school}":    (200, 403,    403, 200,    200,     403,     401),
    "GET /conversions":                    (200, 200,    403, 200,    200,     403,     401),
}
# fmt: on
API__holders = itertools.count(80_000)
API_ACTORS = ("own", "foreign", "org", "office", "auditor", "learner", "anonymous")


@pytest.mark.parametrize("route", list(API_EXPECTED))
@pytest.mark.parametrize("actor", API_ACTORS)
def test_api_lists_by_role(world: World, route: str, actor: str) -> None:
    school = world.school
    principals = {
        "own": f"school:{school.id}",
        "foreign": f"school:{world.other.id}",
        "org": f"org:{school.org}",
        "office": "office",
        "auditor": "auditor",
        "learner": f"learner:{school.students[0]}",
    }
    headers = {} if actor == "anonymous" else _token(world, principals[actor])
    path = route.split(" ", 1)[1].format(school=school.id)
    answer = world.clients["anonymous"].client.get(path, headers=headers)
    assert answer.status_code == API_EXPECTED[route][API_ACTORS.index(actor)], answer.text
    if answer.status_code == 200:
        page = answer.json()
        assert set(page) == {"items", "total", "limit", "offset"}
        if actor == "foreign":
            assert all(item["school"] == world.other.id for item in page["items"])


# --- The office's pages, auditors and learners ------------------------------------------
# A learner signs in at /learner: their session never opens a staff page, so their column
# of every route above is the anonymous visitor's.


@dataclass
class People:
    auditor: ConsoleClient
    learner: ConsoleClient
    other_learner: ConsoleClient


LEARNER_PASSWORD = "willow branches in spring"


def _learner_client(ledger: Ledger, school: School, account: str, client: ConsoleClient) -> None:
    code = ledger.learner_access.issue_code(school.principal, account)
    ledger.learner_access.activate(account, code, LEARNER_PASSWORD)
    answer = client.post(
        "/learner/sign-in",
        {"account": account, "secret": LEARNER_PASSWORD},
        form_page="/learner/sign-in",
    )
    assert answer.headers["location"] == "/learner/me", answer.text


@pytest.fixture(scope="module")
def people(world: World) -> Iterator[People]:
    from tests.console.test_office_console import second_factor_client

    ledger, school = world.ledger, world.school
    with (
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as auditor,
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as learner,
        TestClient(create_app(ledger), base_url=PUBLIC_URL) as other,
    ):
        made = People(ConsoleClient(auditor), ConsoleClient(learner), ConsoleClient(other))
        second_factor_client(ledger, made.auditor, "auditor", "matrix-auditor")
        _learner_client(ledger, school, school.students[0], made.learner)
        _learner_client(ledger, school, school.students[1], made.other_learner)
        yield made


def test_a_learners_session_opens_no_staff_route(world: World, people: People) -> None:
    objects = _objects(world)  # refused requests use nothing up: one set serves every route
    for route in EXPECTED:
        method, path = route.split(" ", 1)
        path = path.format(**objects)
        size = world.ledger.store.size()
        if method == "GET":
            answer = people.learner.client.get(path, follow_redirects=False)
        else:
            answer = people.learner.post(path, {}, form_page="/console/sign-in")
        assert answer.status_code == EXPECTED[route][ACTORS.index("anonymous")] == 303, route
        assert answer.headers["location"].startswith("/console/sign-in"), route
        assert world.ledger.store.size() == size, route


OFFICE_ACTORS = ("own", "org", "office", "auditor", "learner", "anonymous")
_READ = (403, 403, 200, 200, 303, 303)
#: A write of the office: refused to all but the office (auditors 403); the office's
#: cell is 303 when it writes, 400 when the body is refused (so nothing changes here).
_WRITE_OK = (403, 403, 303, 403, 303, 303)
_WRITE_REFUSED = (403, 403, 400, 403, 303, 303)

# fmt: off
OFFICE_EXPECTED: dict[str, tuple[int, ...]] = {
    #                                                     own  org  office  auditor  learner  anon
    "GET /console/office":                                _READ,
    "GET /console/office/plans?status=all":               _READ,
    "GET /console/office/orgs":                           _READ,
    "GET /console/office/orgs?q=x&status=barred&offset=50": _READ,
    "GET /console/office/schools":                        _READ,
    "GET /console/office/schools?city=xian&status=admitted": _READ,
    "GET /console/office/fee-caps":                       _READ,
    "GET /console/office/monitoring-points":              _READ,
    "GET /console/office/self-evaluations":               _READ,
    "GET /console/office/statistics":                     _READ,
    "GET /console/office/staff":                          _READ,
    "GET /console/office/api-keys":                       _READ,
    "GET /console/office/revocations":                    _READ,
    "GET /console/access-log":                            _READ,
    "POST /console/office/fee-caps":                      _WRITE_OK,
    "POST /console/office/monitoring-points":             _WRITE_OK,
    "POST /console/office/orgs":                          _WRITE_REFUSED,
    "POST /console/office/schools":                       _WRITE_REFUSED,
    "POST /console/office/schools/{school}/status":       _WRITE_REFUSED,
    "POST /console/office/orgs/{org}/status":             _WRITE_REFUSED,
    "POST /console/office/schools/{school}/invite":       _WRITE_REFUSED,
    "POST /console/office/api-keys/0123456789abcdef/revoke": _WRITE_REFUSED,
    "POST /console/office/revocations":                   _WRITE_REFUSED,
    "POST /console/office/plans/P00000000000/review":     _WRITE_REFUSED,
    "POST /console/exports/activation-codes":             (200, 403, 403, 403, 303, 303),
}
# fmt: on
_BODIES = {
    "/console/office/fee-caps": {"standard": "{standard}", "level": "junior", "cap": "300"},
    "/console/office/monitoring-points": {"school": "{school}", "standard": "{standard}"},
    "/console/office/orgs": {"id": "", "name": "", "contact": ""},
    "/console/office/schools": {"id": "1", "name": "x", "city": "xian", "level": "higher"},
    "/console/office/schools/{school}/status": {"action": "suspend", "reason": ""},
    "/console/office/orgs/{org}/status": {"action": "suspend", "reason": ""},
    "/console/office/revocations": {"principal": ""},
    "/console/office/plans/P00000000000/review": {"decision": "approve"},
    "/console/exports/activation-codes": {"format": "csv"},
}


@pytest.mark.parametrize("route", list(OFFICE_EXPECTED))
@pytest.mark.parametrize("actor", OFFICE_ACTORS)
def test_office_route_by_role(world: World, people: People, route: str, actor: str) -> None:
    expected = OFFICE_EXPECTED[route][OFFICE_ACTORS.index(actor)]
    school = world.school
    values = {"school": school.id, "org": school.org, "standard": school.standard}
    method, path = route.split(" ", 1)
    body = {k: v.format(**values) for k, v in _BODIES.get(path, {}).items()}
    path = path.format(**values)
    client = {"auditor": people.auditor, "learner": people.learner}.get(actor)
    client = client or world.clients[actor]
    size = world.ledger.store.size()
    if method == "GET":
        answer = client.client.get(path, follow_redirects=False)
    else:
        answer = client.post(path, body, form_page="/console/sign-in")
    assert answer.status_code == expected, (route, actor, answer.text[:300])
    if method == "POST" and expected != 303 and expected != 200:
        assert world.ledger.store.size() == size, "a refused request wrote to the ledger"
    if actor == "auditor" and method == "GET":
        # Auditors read without a form: signing out is the only thing they can post.
        assert answer.text.count('<form method="post"') == 1, route


LEARNER_ACTORS = ("learner", "other learner", "own school", "anonymous")

# fmt: off
LEARNER_EXPECTED: dict[str, tuple[int, ...]] = {
    #                                              learner  other  own school  anon
    "GET /learner/me":                             (200,    200,   303,        303),
    "GET /learner/me/transcript.pdf":              (200,    200,   303,        303),
    "GET /learner/me/transcript.jws":              (200,    200,   303,        303),
    "GET /learner/me/certificates/{certificate}/certificate.pdf": (200, 404, 303,   303),
    "GET /console/students/{account}":             (303,    303,   200,        303),
}
# fmt: on


@pytest.mark.parametrize("route", list(LEARNER_EXPECTED))
@pytest.mark.parametrize("actor", LEARNER_ACTORS)
def test_a_learner_never_sees_another_learners_page(
    world: World, people: People, route: str, actor: str
) -> None:
    school = world.school
    account = school.students[0]
    certificate = school.certificates[account]
    client = {
        "learner": people.learner,
        "other learner": people.other_learner,
        "own school": world.clients["own"],
        "anonymous": world.clients["anonymous"],
    }[actor]
    path = route.split(" ", 1)[1].format(account=account, certificate=certificate)
    answer = client.client.get(path, follow_redirects=False)
    assert answer.status_code == LEARNER_EXPECTED[route][LEARNER_ACTORS.index(actor)], answer.text
    if actor == "other learner":
        # Their own page and transcripts: nothing of the first learner.
        assert account.encode() not in answer.content
        assert certificate.encode() not in answer.content
