"""The credit bank over HTTP: enrolments, course credits, rules, conversions, accounts.

Every refusal of a conversion is checked through the API with its status, its code and
its message, and with nothing written.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import KeySet
from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.api.conftest import TokenFor
from tests.certificate_helpers import Issuer, holder, make_issuer
from tests.registry_helpers import sample_school

OFFICE = Principal.parse("office")


@dataclass
class Bank:
    client: TestClient[Litestar]
    token_for: TokenFor
    ledger: Ledger
    bim: Issuer
    web: Issuer
    school: str
    other_school: str

    def post(self, path: str, body: Any, principal: str | None) -> Any:
        headers = self.token_for(principal) if principal else {}
        return self.client.post(path, json=body, headers=headers)

    def issue(self, issuer: Issuer, number: int, **extra: Any) -> Any:
        response = self.post("/certificates", issuer.row(number, **extra), issuer.principal)
        assert response.status_code == 201, response.text
        return response.json()

    def enrol(self, account: str, school: str | None = None) -> Any:
        school = school or self.school
        body = {"account": account, "enrolment_code": self.code(account)}
        response = self.post(f"/schools/{school}/students", body, f"school:{school}")
        assert response.status_code == 201, response.text
        return response.json()

    def code(self, account: str) -> str:
        """A one-time enrolment code the learner makes (their consent)."""
        response = self.post("/learner/enrolment-codes", None, f"learner:{account}")
        assert response.status_code == 201, response.text
        return str(response.json()["code"])

    def rule(self, school: str | None = None, **changes: Any) -> Any:
        school = school or self.school
        body = {
            "programme": "P-BIM",
            "standard": self.bim.standard,
            "min_level": "junior",
            "courses": [
                {"code": "BIM101", "title": "建筑信息模型基础", "credits": 3},
                {"code": "BIM102", "title": "建筑信息模型实训", "credits": 2},
            ],
            "valid_from": "2020-01-01",
            **changes,
        }
        response = self.post(f"/schools/{school}/rules", body, f"school:{school}")
        assert response.status_code == 201, response.text
        return response.json()

    def convert(self, school: str | None = None, **body: Any) -> Any:
        school = school or self.school
        return self.post("/conversions", body, f"school:{school}")

    def account(self, account: str, principal: str = "office") -> Any:
        response = self.client.get(f"/learners/{account}", headers=self.token_for(principal))
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def bank(client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger) -> Bank:
    schools = [sample_school(n) for n in (801, 802)]
    for school in schools:
        ledger.registry.admit_school(OFFICE, school)
    return Bank(
        client,
        token_for,
        ledger,
        make_issuer(ledger, "1X-BIM"),
        make_issuer(ledger, "1X-WEB"),
        schools[0].id,
        schools[1].id,
    )


def test_enrol_by_account_or_by_name_and_id_number(bank: Bank) -> None:
    issued = bank.issue(bank.bim, 1)
    enrolled = bank.enrol(issued["account"])
    assert enrolled == {
        "account": issued["account"],
        "school": bank.school,
        "index": enrolled["index"],
        "opened": False,
    }
    # By name and ID number: the holder of certificate 1 gets the same account ...
    by_identity = bank.post(
        f"/schools/{bank.other_school}/students", holder(1), f"school:{bank.other_school}"
    )
    assert by_identity.status_code == 201
    assert by_identity.json()["account"] == issued["account"]
    assert by_identity.json()["opened"] is False
    # ... and a new learner gets a new account.
    new = bank.post(f"/schools/{bank.school}/students", holder(2), f"school:{bank.school}")
    assert new.status_code == 201 and new.json()["opened"] is True
    view = bank.account(issued["account"])
    assert [e["school"] for e in view["enrolments"]] == [bank.school, bank.other_school]


_UNKNOWN_WITH_CODE = {"account": "L04839205715", "enrolment_code": "ABCD-EFGH-JKMN-PQRS"}


@pytest.mark.parametrize(
    ("path_school", "principal", "body", "status", "message"),
    [
        ("mine", "other", {"account": "L04839205715"}, 403, "only school"),
        ("mine", "office", {"account": "L04839205715"}, 403, "only school"),
        ("mine", "mine", {"account": "L04839205715"}, 400, "alone is not the learner's consent"),
        ("mine", "mine", _UNKNOWN_WITH_CODE, 404, "no learner matches"),
        ("mine", "mine", {**_UNKNOWN_WITH_CODE, "account": "L04839205716"}, 400, "check digit"),
        ("mine", "mine", {"name": "王伟"}, 400, "enrolment_code (with or without account)"),
        ("mine", "mine", {}, 400, "enrolment_code"),
    ],
)
def test_enrolment_refusals(
    bank: Bank,
    path_school: str,
    principal: str,
    body: dict[str, str],
    status: int,
    message: str,
) -> None:
    schools = {"mine": bank.school, "other": bank.other_school}
    who = "office" if principal == "office" else f"school:{schools[principal]}"
    size = bank.ledger.store.size()
    response = bank.post(f"/schools/{schools[path_school]}/students", body, who)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert bank.ledger.store.size() == size


def test_enrolling_twice_is_a_conflict(bank: Bank) -> None:
    account = bank.issue(bank.bim, 3)["account"]
    bank.enrol(account)
    body = {"account": account, "enrolment_code": bank.code(account)}
    again = bank.post(f"/schools/{bank.school}/students", body, f"school:{bank.school}")
    assert again.status_code == 409
    assert "enrolled at school" in again.json()["detail"]


def test_course_credits_for_own_students_only(bank: Bank) -> None:
    account = bank.issue(bank.bim, 4, level="intermediate")["account"]
    bank.enrol(account)
    credit = {"course": "CS101", "title": "程序设计", "credits": 4, "term": "2026-1", "grade": "A"}
    deposited = bank.post(f"/learners/{account}/credits", credit, f"school:{bank.school}")
    assert deposited.status_code == 201, deposited.text
    view = bank.account(account)
    assert view["balance"] == {"deposited": 4 + 4, "converted": 0}
    course = next(o for o in view["outcomes"] if o["kind"] == "course")
    assert course["source"] == "CS101" and course["index"] == deposited.json()["index"]
    assert course["school"] == bank.school and course["counts"] is True
    size = bank.ledger.store.size()
    other = bank.post(f"/learners/{account}/credits", credit, f"school:{bank.other_school}")
    assert other.status_code == 403
    assert "not a student of school" in other.json()["detail"]
    bad = bank.post(
        f"/learners/{account}/credits", {**credit, "term": "spring"}, f"school:{bank.school}"
    )
    assert bad.status_code == 400 and "term" in bad.json()["detail"]
    assert bank.ledger.store.size() == size


def test_rule_versions_stay_readable_and_conversions_cite_theirs(bank: Bank) -> None:
    account = bank.issue(bank.bim, 5)["account"]
    certificate = bank.account(account)["outcomes"][0]["source"]
    bank.enrol(account)
    first = bank.rule()
    assert first["version"] == 1
    converted = bank.convert(
        account=account, certificate=certificate, rule=first["rule"], programme="P-BIM"
    )
    assert converted.status_code == 201, converted.text
    assert converted.json()["version"] == 1 and converted.json()["credits"] == 5
    assert converted.json()["school"] == bank.school and converted.json()["account"] == account
    second = bank.rule(
        rule=first["rule"], courses=[{"code": "BIM101", "title": "基础", "credits": 4}]
    )
    assert second == {"rule": first["rule"], "version": 2, "index": second["index"]}
    rule = bank.client.get(f"/rules/{first['rule']}", headers=bank.token_for("office")).json()
    assert [v["version"] for v in rule["versions"]] == [1, 2]
    assert rule["latest"]["credits"] == 4 and rule["versions"][0]["credits"] == 5
    listed = bank.client.get(f"/schools/{bank.school}/rules", headers=bank.token_for("office"))
    assert [(r["rule"], r["version"]) for r in listed.json()] == [(first["rule"], 2)]
    # The conversion made under version 1 still cites version 1.
    assert bank.account(account)["conversions"][0]["version"] == 1
    # Another school cannot version this school's rule.
    body = {
        "programme": "P-BIM",
        "standard": bank.bim.standard,
        "min_level": "junior",
        "courses": [{"code": "X1", "title": "x", "credits": 1}],
        "valid_from": "2020-01-01",
        "rule": first["rule"],
    }
    size = bank.ledger.store.size()
    theirs = bank.post(f"/schools/{bank.other_school}/rules", body, f"school:{bank.other_school}")
    assert theirs.status_code == 403
    assert f"belongs to school {bank.school}" in theirs.json()["detail"]
    assert bank.ledger.store.size() == size


@dataclass
class Scene:
    account: str
    certificate: str
    rule: str


@pytest.fixture
def scene(bank: Bank) -> Scene:
    issued = bank.issue(bank.bim, 10, level="intermediate", issued_on="2025-06-01")
    bank.enrol(issued["account"])
    return Scene(issued["account"], issued["certificate"], bank.rule()["rule"])


def refusal_cases() -> list[tuple[str, int]]:
    return [
        ("not_schools_student", 422),
        ("unknown_certificate", 422),
        ("certificate_revoked", 409),
        ("not_holders_certificate", 422),
        ("unknown_rule", 422),
        ("not_schools_rule", 422),
        ("programme_mismatch", 422),
        ("standard_mismatch", 422),
        ("below_rule_level", 422),
        ("outside_rule_validity", 422),
        ("already_converted", 409),
        ("school_not_active", 409),
    ]


@pytest.mark.parametrize(("code", "status"), refusal_cases())
def test_every_conversion_refusal_has_its_code_and_writes_nothing(
    bank: Bank, scene: Scene, code: str, status: int
) -> None:
    body = {
        "account": scene.account,
        "certificate": scene.certificate,
        "rule": scene.rule,
        "programme": "P-BIM",
    }
    school = bank.school
    if code == "not_schools_student":
        body["account"] = bank.issue(bank.bim, 11)["account"]
    elif code == "unknown_certificate":
        body["certificate"] = "X202600000000003"
    elif code == "certificate_revoked":
        bank.post(f"/certificates/{scene.certificate}/revoke", {"reason": "error"}, "office")
    elif code == "not_holders_certificate":
        body["certificate"] = bank.issue(bank.bim, 12)["certificate"]
    elif code == "unknown_rule":
        body["rule"] = "R04839205715"
    elif code == "not_schools_rule":
        body["rule"] = bank.rule(school=bank.other_school)["rule"]
    elif code == "programme_mismatch":
        body["programme"] = "P-OTHER"
    elif code == "standard_mismatch":
        body["rule"] = bank.rule(standard=bank.web.standard)["rule"]
    elif code == "below_rule_level":
        body["rule"] = bank.rule(min_level="senior")["rule"]
    elif code == "outside_rule_validity":
        body["rule"] = bank.rule(valid_from="2025-07-01", valid_to="2026-06-30")["rule"]
    elif code == "already_converted":
        assert bank.convert(**body).status_code == 201
    elif code == "school_not_active":
        bank.ledger.registry.suspend_school(OFFICE, school, "inspection under way")
    size = bank.ledger.store.size()
    response = bank.convert(school, **body)
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["code"] == code
    assert answer["status_code"] == status
    assert answer["detail"]
    assert bank.ledger.store.size() == size
    if code == "school_not_active":
        assert "suspended: inspection under way" in answer["detail"]


def test_revoking_a_certificate_reverses_its_conversions(bank: Bank, scene: Scene) -> None:
    for programme, rule in (
        ("P-BIM", scene.rule),
        ("P-CIVIL", bank.rule(programme="P-CIVIL")["rule"]),
    ):
        converted = bank.convert(
            account=scene.account, certificate=scene.certificate, rule=rule, programme=programme
        )
        assert converted.status_code == 201, converted.text
    assert bank.account(scene.account)["balance"] == {"deposited": 4, "converted": 10}
    revoked = bank.post(f"/certificates/{scene.certificate}/revoke", {"reason": "fraud"}, "office")
    assert revoked.status_code == 200
    view = bank.account(scene.account)
    assert view["balance"] == {"deposited": 0, "converted": 0}
    assert all(c["reversed_index"] is not None for c in view["conversions"])
    assert [r["reason"] for r in view["reversals"]] == ["certificate revoked"] * 2
    assert view["outcomes"][0]["counts"] is False
    # The reversals are ledger entries right after the revocation; nothing was deleted.
    index = revoked.json()["index"]
    kinds = [
        json.loads(base64.b64decode(e["data"]))["kind"]
        for e in bank.client.get("/log/entries", params={"start": index, "end": index + 3}).json()[
            "entries"
        ]
    ]
    assert kinds == ["certificate.revoked", "conversion.reversed", "conversion.reversed"]


def test_a_conversion_batch_is_all_or_nothing_and_never_twice(bank: Bank, scene: Scene) -> None:
    others = [bank.issue(bank.bim, n) for n in range(20, 23)]
    for issued in others:
        bank.enrol(issued["account"])
    rows = [
        {
            "account": i["account"],
            "certificate": i["certificate"],
            "rule": scene.rule,
            "programme": "P-BIM",
        }
        for i in [*others, {"account": scene.account, "certificate": scene.certificate}]
    ]
    bad = [*rows, dict(rows[0])]  # the last row converts row 1's certificate a second time
    size = bank.ledger.store.size()
    refused = bank.post(
        "/conversions/batch", {"batch_id": "t1", "rows": bad}, f"school:{bank.school}"
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"row": 5, "code": "already_converted", "problem": refused.json()["errors"][0]["problem"]}
    ]
    assert bank.ledger.store.size() == size
    done = bank.post(
        "/conversions/batch", {"batch_id": "t1", "rows": rows}, f"school:{bank.school}"
    )
    assert done.status_code == 201 and done.json()["recorded"] == 4
    again = bank.post(
        "/conversions/batch", {"batch_id": "t1", "rows": rows}, f"school:{bank.school}"
    )
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert [c["conversion"] for c in again.json()["conversions"]] == [
        c["conversion"] for c in done.json()["conversions"]
    ]
    assert bank.ledger.store.size() == size + 4
    other_rows = bank.post(
        "/conversions/batch", {"batch_id": "t1", "rows": rows[:1]}, f"school:{bank.school}"
    )
    assert other_rows.status_code == 409


def test_a_conversion_csv(bank: Bank, scene: Scene) -> None:
    text = "account,certificate,rule,programme\n"
    text += f"{scene.account},{scene.certificate},{scene.rule},P-BIM\n"
    response = bank.client.post(
        "/conversions/batch.csv",
        params={"batch_id": "csv-1"},
        content=text.encode(),
        headers={**bank.token_for(f"school:{bank.school}"), "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert bank.account(scene.account)["balance"]["converted"] == 5


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("self", 200),
        ("school", 200),
        ("office", 200),
        ("auditor", 200),
        ("other_learner", 403),
        ("other_school", 403),
        ("org", 403),
        (None, 401),
    ],
)
def test_who_reads_a_learning_account(
    bank: Bank, scene: Scene, who: str | None, status: int
) -> None:
    principal = {
        "self": f"learner:{scene.account}",
        "school": f"school:{bank.school}",
        "office": "office",
        "auditor": "auditor:a1",
        "other_learner": "learner:L04839205715",
        "other_school": f"school:{bank.other_school}",
        "org": bank.bim.principal,
        None: None,
    }[who]
    headers = bank.token_for(principal) if principal else {}
    response = bank.client.get(f"/learners/{scene.account}", headers=headers)
    assert response.status_code == status, response.text
    transcript = bank.client.get(f"/learners/{scene.account}/transcript", headers=headers)
    assert transcript.status_code == status


def test_the_transcript_verifies_with_an_independent_library(bank: Bank, scene: Scene) -> None:
    bank.convert(
        account=scene.account, certificate=scene.certificate, rule=scene.rule, programme="P-BIM"
    )
    response = bank.client.get(
        f"/learners/{scene.account}/transcript", headers=bank.token_for(f"learner:{scene.account}")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jose")
    keys = KeySet.import_key_set(bank.client.get("/.well-known/jwks.json").json())
    with pytest.warns(SecurityWarning):
        verified = jws.deserialize_compact(response.text, keys, algorithms=["EdDSA"])
    assert verified.headers()["typ"] == "certledger-transcript+jws"
    claims = json.loads(verified.payload)
    assert claims["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = claims["credentialSubject"]
    assert subject["id"] == f"urn:certledger:account:{scene.account}"
    assert [a["humanCode"] for a in subject["achievement"]] == [scene.certificate]
    assert subject["association"][0]["rule"] == scene.rule
    assert (subject["creditsDeposited"], subject["creditsConverted"]) == (4, 5)
