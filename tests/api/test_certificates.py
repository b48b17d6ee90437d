"""Issuing and revoking certificates over HTTP, with every refusal writing nothing.

Records are checked here with our own verifier (POST /verify); tests/api/test_qr.py checks
them with an independent JOSE library and a real QR decoder.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.certificates import (
    check_account_number,
    check_certificate_number,
)
from ledger.services.certificates import china_today
from tests.api.conftest import TokenFor
from tests.certificate_helpers import Issuer, holder_name, id_number, make_issuer


@pytest.fixture
def issuer(ledger: Ledger) -> Issuer:
    return make_issuer(ledger)


def entry(client: TestClient[Litestar], index: int) -> dict[str, Any]:
    page = client.get("/log/entries", params={"start": index, "end": index + 1}).json()
    decoded: dict[str, Any] = json.loads(base64.b64decode(page["entries"][0]["data"]))
    return decoded


def issue(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, number: int, **extra: Any
) -> Any:
    response = client.post(
        "/certificates", json=issuer.row(number, **extra), headers=token_for(issuer.principal)
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_issuance_records_a_masked_holder_and_a_commitment_that_opens_with_the_salt(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    before = ledger.store.size()
    issued = issue(client, token_for, issuer, 7, issued_on="2026-11-20", score=91, assessment="A-7")
    check_certificate_number(issued["certificate"])
    check_account_number(issued["account"])
    assert issued["certificate"].startswith("X2026")
    assert issued["verify_url"] == f"https://ledger.test/verify/{issued['certificate']}"
    # The learner's account opens first, then the certificate: two entries.
    assert ledger.store.size() == before + 2
    opened, recorded = entry(client, before), entry(client, before + 1)
    assert opened["kind"] == "learner.opened"
    assert opened["payload"] == {"account": issued["account"]}
    assert recorded["kind"] == "certificate.issued"
    assert recorded["principal"] == issuer.principal
    payload = recorded["payload"]
    salt = bytes.fromhex(issued["holder_salt"])
    assert len(salt) == 16
    commitment = hashlib.sha256(
        salt + id_number(7).encode() + b"\x00" + holder_name(7).encode()
    ).hexdigest()
    assert payload == {
        "certificate": issued["certificate"],
        "account": issued["account"],
        "standard": issuer.standard,
        "level": "junior",
        "org": issuer.org,
        "issued_on": "2026-11-20",
        "holder": holder_name(7)[0] + "*" * (len(holder_name(7)) - 1),
        "holder_commitment": commitment,
        "assessment": "A-7",
        "score": 91,
    }
    assert issued["index"] == before + 1


def test_the_record_names_the_entry_and_the_standard(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    issued = issue(client, token_for, issuer, 8, level="intermediate")
    header_b64, payload_b64, _ = issued["record"].split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))
    assert header == {
        "alg": "EdDSA",
        "kid": ledger.log.signing_key().kid,
        "typ": "certledger-record+jws",
    }
    assert claims["index"] == issued["index"]
    assert base64.b64decode(claims["leaf_hash"]) == ledger.store.leaf_hash_at(issued["index"])
    assert claims["standard_title"] == "建筑信息模型(BIM)"
    assert claims["org_name"].startswith("样例培训评价组织")
    assert claims["level"] == "intermediate"
    assert claims["issued_on"] == china_today().isoformat()
    assert claims["iss"] == "https://ledger.test"
    assert client.get(f"/certificates/{issued['certificate']}/record").text == issued["record"]


def test_a_holders_second_certificate_goes_to_the_same_account(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    first = issue(client, token_for, issuer, 9)
    size = ledger.store.size()
    second = issue(client, token_for, issuer, 9, level="intermediate")
    assert second["account"] == first["account"]
    assert second["certificate"] != first["certificate"]
    assert ledger.store.size() == size + 1  # no second learner.opened


def test_status_and_verification_of_a_fresh_certificate(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    issued = issue(client, token_for, issuer, 10)
    status = client.get(f"/certificates/{issued['certificate']}/status").json()
    assert status["status"] == "valid"
    assert status["standard"] == issuer.standard
    assert status["org"] == issuer.org
    assert status["index"] == issued["index"]
    assert "holder" not in status
    verified = client.post("/verify", json={"record": issued["record"]}).json()
    assert verified["verdict"] == "valid"
    assert verified["reasons"] == []
    assert verified["status"] == status


def _tomorrow() -> str:
    return (china_today() + timedelta(days=1)).isoformat()


REFUSED_ROWS = [
    ({"standard": "1X-NONE"}, 400, "1X-NONE is not published"),
    ({"level": "senior"}, 400, "senior is not a level of 1X-BIM"),
    ({"level": "expert"}, 400, "level"),
    ({"holder": {"name": "王伟", "id_number": "610102199501010009"}}, 400, "check character"),
    ({"holder": {"name": "王伟", "id_number": "610102199502300008"}}, 400, "date of birth"),
    ({"holder": {"name": "王伟3", "id_number": id_number(1)}}, 400, "must not contain digits"),
    ({"holder": {"name": " ", "id_number": id_number(1)}}, 400, "holder.name"),
    ({"issued_on": "tomorrow"}, 400, "YYYY-MM-DD"),
    ({"issued_on": "2018-12-31"}, 400, "pilot began"),
    ({"issued_on": "2026-02-30"}, 400, "not a date of the calendar"),
    ({"score": 101}, 400, "score"),
    ({"assessment": "a b"}, 400, "assessment"),
    ({"colour": "red"}, 400, "unknown field 'colour'"),
]


@pytest.mark.parametrize(("change", "status", "message"), REFUSED_ROWS)
def test_bad_issuance_requests_are_refused_and_write_nothing(
    client: TestClient[Litestar],
    token_for: TokenFor,
    issuer: Issuer,
    ledger: Ledger,
    change: dict[str, Any],
    status: int,
    message: str,
) -> None:
    size = ledger.store.size()
    body = {**issuer.row(11), **change}
    response = client.post("/certificates", json=body, headers=token_for(issuer.principal))
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert ledger.store.size() == size
    # Never an ID number or a full name in an error.
    assert id_number(1) not in response.text and "王伟" not in response.text


def test_an_issue_date_after_today_is_refused(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    body = issuer.row(12, issued_on=_tomorrow())
    response = client.post("/certificates", json=body, headers=token_for(issuer.principal))
    assert response.status_code == 400
    assert "later than today" in response.json()["detail"]


@pytest.mark.parametrize(
    ("principal", "status", "message"),
    [
        (None, 401, "missing bearer token"),
        ("office", 403, "only organizations issue certificates"),
        ("school:4161010001", 403, "only organizations issue certificates"),
        ("learner:L12345678903", 403, "only organizations issue certificates"),
        ("org:91350100M000100Y43", 400, "belongs to organization"),
    ],
)
def test_only_the_owning_organization_issues(
    client: TestClient[Litestar],
    token_for: TokenFor,
    issuer: Issuer,
    ledger: Ledger,
    principal: str | None,
    status: int,
    message: str,
) -> None:
    size = ledger.store.size()
    headers = token_for(principal) if principal else {}
    response = client.post("/certificates", json=issuer.row(13), headers=headers)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert ledger.store.size() == size


def test_a_suspended_organization_cannot_issue(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    ledger.registry.suspend_org(Principal.parse("office"), issuer.org, "audit under way")
    size = ledger.store.size()
    response = client.post(
        "/certificates", json=issuer.row(14), headers=token_for(issuer.principal)
    )
    assert response.status_code == 403
    assert "suspended: audit under way" in response.json()["detail"]
    assert ledger.store.size() == size


# -- revocation -----------------------------------------------------------------------


@pytest.fixture
def issued(client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer) -> Iterator[Any]:
    yield issue(client, token_for, issuer, 20)


@pytest.mark.parametrize("revoker", ["issuer", "office"])
def test_revocation_shows_at_once(
    client: TestClient[Litestar],
    token_for: TokenFor,
    issuer: Issuer,
    issued: Any,
    ledger: Ledger,
    revoker: str,
) -> None:
    principal = issuer.principal if revoker == "issuer" else "office"
    number = issued["certificate"]
    response = client.post(
        f"/certificates/{number}/revoke",
        json={"reason": "assessment irregularity"},
        headers=token_for(principal),
    )
    assert response.status_code == 200, response.text
    revoked = response.json()
    assert revoked["revoked_on"] == china_today().isoformat()
    assert entry(client, revoked["index"])["payload"] == {
        "certificate": number,
        "reason": "assessment irregularity",
    }
    assert entry(client, revoked["index"])["principal"] == principal
    status = client.get(f"/certificates/{number}/status").json()
    assert status["status"] == "revoked"
    assert status["revocation_reason"] == "assessment irregularity"
    assert status["revoked_on"] == revoked["revoked_on"]
    verified = client.post("/verify", json={"record": issued["record"]}).json()
    assert verified["verdict"] == "revoked"
    assert "assessment irregularity" in verified["reasons"][0]


@pytest.mark.parametrize(
    ("who", "number", "body", "status", "message"),
    [
        ("org:91350100M000100Y43", None, {"reason": "x"}, 403, "or the office may revoke it"),
        ("school:4161010001", None, {"reason": "x"}, 403, "may not"),
        (None, None, {"reason": "x"}, 401, "missing bearer token"),
        ("issuer", "X202600000000003", {"reason": "x"}, 404, "there is no certificate"),
        ("issuer", "X202600000000004", {"reason": "x"}, 400, "check digit"),
        ("issuer", "12345", {"reason": "x"}, 400, "path parameter 'number'"),
        ("issuer", None, {"reason": ""}, 400, "reason"),
        ("issuer", None, {}, 400, "reason"),
    ],
)
def test_revocation_refusals_write_nothing(
    client: TestClient[Litestar],
    token_for: TokenFor,
    issuer: Issuer,
    issued: Any,
    ledger: Ledger,
    who: str | None,
    number: str | None,
    body: dict[str, str],
    status: int,
    message: str,
) -> None:
    size = ledger.store.size()
    principal = issuer.principal if who == "issuer" else who
    headers = token_for(principal) if principal else {}
    target = number or issued["certificate"]
    response = client.post(f"/certificates/{target}/revoke", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert ledger.store.size() == size


def test_a_certificate_is_revoked_once(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, issued: Any, ledger: Ledger
) -> None:
    path = f"/certificates/{issued['certificate']}/revoke"
    first = client.post(path, json={"reason": "error"}, headers=token_for("office"))
    assert first.status_code == 200
    size = ledger.store.size()
    again = client.post(path, json={"reason": "error"}, headers=token_for(issuer.principal))
    assert again.status_code == 409
    assert "revoked already" in again.json()["detail"]
    assert ledger.store.size() == size


def test_status_of_an_unknown_and_a_malformed_number(client: TestClient[Litestar]) -> None:
    unknown = client.get("/certificates/X202600000000003/status")
    assert unknown.status_code == 200
    assert unknown.json() == {
        "certificate": "X202600000000003",
        "status": "unknown",
        "standard": None,
        "standard_title": None,
        "level": None,
        "org": None,
        "org_name": None,
        "issued_on": None,
        "index": None,
        "revoked_on": None,
        "revocation_reason": None,
    }
    assert client.get("/certificates/X20260000000000/status").status_code == 400
    assert client.get("/certificates/X202600000000004/status").status_code == 400
    assert client.get("/certificates/X202600000000003/record").status_code == 404


def test_dates_default_to_today_in_china(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    issued = issue(client, token_for, issuer, 30)
    status = client.get(f"/certificates/{issued['certificate']}/status").json()
    assert date.fromisoformat(status["issued_on"]) == china_today()
