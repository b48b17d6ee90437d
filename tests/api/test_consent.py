"""Consent to enrol (issue 11, defect 1): a school enrols a learner only with the learner's
one-time enrolment code, or with their name and ID number both matching; every refusal is
the same, and a school refused cannot read the learner or deposit credits for them."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import update

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.storage.console_tables import enrolment_codes
from tests.api.conftest import TokenFor
from tests.certificate_helpers import holder, holder_name, id_number, make_issuer
from tests.registry_helpers import sample_school

OFFICE = Principal.parse("office")
CREDIT = {"course": "C101", "title": "课程", "credits": 2, "term": "2026-1", "grade": "A"}


class Province:
    """Three schools, two learners with certificates, and a client acting as anyone."""

    def __init__(self, client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger):
        self.client, self.token_for, self.ledger = client, token_for, ledger
        self.schools = [sample_school(n).id for n in (901, 902, 903)]
        for n in (901, 902, 903):
            ledger.registry.admit_school(OFFICE, sample_school(n))
        issuer = make_issuer(ledger, "1X-BIM")
        self.accounts = []
        for n in (31, 32):
            issued = self.post("/certificates", issuer.row(n), issuer.principal)
            assert issued.status_code == 201, issued.text
            self.accounts.append(str(issued.json()["account"]))

    def post(self, path: str, body: Any, principal: str) -> Any:
        return self.client.post(path, json=body, headers=self.token_for(principal))

    def get(self, path: str, principal: str) -> Any:
        return self.client.get(path, headers=self.token_for(principal))

    def code(self, account: str) -> str:
        made = self.post("/learner/enrolment-codes", None, f"learner:{account}")
        assert made.status_code == 201, made.text
        assert made.json()["account"] == account
        return str(made.json()["code"])

    def enrol(self, school: str, body: dict[str, str]) -> Any:
        return self.post(f"/schools/{school}/students", body, f"school:{school}")


@pytest.fixture
def province(client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger) -> Province:
    return Province(client, token_for, ledger)


def _refused_alike(responses: list[Any]) -> None:
    """Every response is the one refusal: same status, same detail, Chinese beside it."""
    bodies = [(r.status_code, r.json()["detail"], r.json().get("detail_zh")) for r in responses]
    assert bodies[0][0] == 404
    assert "no learner matches" in bodies[0][1]
    assert bodies[0][2], "the refusal has its Chinese text"
    assert set(bodies) == {bodies[0]}, bodies


def test_an_account_number_alone_does_not_enrol(province: Province) -> None:
    size = province.ledger.store.size()
    refused = province.enrol(province.schools[0], {"account": province.accounts[0]})
    assert refused.status_code == 400, refused.text
    assert "not the learner's consent" in refused.json()["detail"]
    assert refused.json()["detail_zh"]
    assert province.ledger.store.size() == size


def test_every_enrolment_without_consent_gets_the_same_refusal(province: Province) -> None:
    school, (mine, other) = province.schools[0], province.accounts
    size = province.ledger.store.size()
    used = province.code(other)
    assert province.enrol(province.schools[2], {"enrolment_code": used}).status_code == 201
    size = province.ledger.store.size()
    expired = province.code(mine)
    with province.ledger.engine.begin() as connection:
        connection.execute(
            update(enrolment_codes)
            .values(expires_at=0)
            .where(enrolment_codes.c.account == mine, enrolment_codes.c.used_at.is_(None))
        )
    refusals = [
        # An ID number the store holds, with another name.
        province.enrol(school, {"name": "错名字", "id_number": id_number(31)}),
        province.enrol(school, {"name": holder_name(32), "id_number": id_number(31)}),
        # An unknown account; a made-up code; another learner's code; a used; an expired.
        province.enrol(
            school, {"account": "L04839205715", "enrolment_code": "ABCD-EFGH-JKMN-PQRS"}
        ),
        province.enrol(school, {"enrolment_code": "ABCD-EFGH-JKMN-PQRS"}),
        province.enrol(school, {"account": mine, "enrolment_code": province.code(other)}),
        province.enrol(school, {"enrolment_code": used}),
        province.enrol(school, {"enrolment_code": expired}),
    ]
    _refused_alike(refusals)
    assert province.ledger.store.size() == size
    assert province.ledger.school_lists.students(school).total == 0


def test_consent_enrols_once_by_code_or_by_matching_name_and_id_number(
    province: Province,
) -> None:
    first, second, third = province.schools
    mine = province.accounts[0]
    code = province.code(mine)
    enrolled = province.enrol(first, {"enrolment_code": code.lower().replace("-", " ")})
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["account"] == mine and enrolled.json()["opened"] is False
    # The code is spent: another school cannot use it.
    _refused_alike([province.enrol(second, {"account": mine, "enrolment_code": code})])
    # Name (with other spacing and width) and ID number both matching are consent too.
    by_identity = province.enrol(
        second, {"name": f" {holder_name(31)} ", "id_number": id_number(31)}
    )
    assert by_identity.status_code == 201, by_identity.text
    assert by_identity.json()["account"] == mine
    # A name and ID number the store does not hold open a new account.
    new = province.enrol(third, holder(33))
    assert new.status_code == 201 and new.json()["opened"] is True


def test_only_the_learner_makes_their_enrolment_codes(province: Province) -> None:
    for principal in ("office", f"school:{province.schools[0]}", "auditor"):
        refused = province.post("/learner/enrolment-codes", None, principal)
        assert refused.status_code == 403, (principal, refused.text)
    ghost = province.post("/learner/enrolment-codes", None, "learner:L04839205715")
    assert ghost.status_code == 404


def test_learner_reads_and_writes_by_role_and_object(province: Province) -> None:
    """The role-by-object matrix of a learner's account, transcript and credits."""
    consented, refused, stranger = province.schools
    mine, other = province.accounts
    assert province.enrol(consented, {"enrolment_code": province.code(mine)}).status_code == 201
    # The refused school tried every way without consent; it tried, and got nothing.
    for body in (
        {"account": mine},
        {"name": "错名字", "id_number": id_number(31)},
        {"account": mine, "enrolment_code": province.code(other)},
    ):
        assert province.enrol(refused, body).status_code in (400, 404)
    expected = {
        f"learner:{mine}": (200, 200, 403),
        f"learner:{other}": (403, 403, 403),
        f"school:{consented}": (200, 200, 201),
        f"school:{refused}": (403, 403, 403),
        f"school:{stranger}": (403, 403, 403),
        "office": (200, 200, 403),
        "auditor": (200, 200, 403),
    }
    seen = {}
    for principal in expected:
        account = province.get(f"/learners/{mine}", principal).status_code
        transcript = province.get(f"/learners/{mine}/transcript", principal).status_code
        deposit = province.post(f"/learners/{mine}/credits", CREDIT, principal).status_code
        seen[principal] = (account, transcript, deposit)
    assert seen == expected
