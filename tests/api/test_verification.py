"""POST /verify, POST /lookup and the erasure of personal data.

A forged record is any record the ledger did not sign for an entry it holds: altered by
one character, signed by another key, or not a record at all.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from api.app import create_app
from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger
from ledger.core.jws import RecordSigner, b64url
from ledger.core.signing import SigningKey
from ledger.storage.tables import holder_secrets, learner_identities
from tests.api.conftest import TokenFor
from tests.certificate_helpers import Issuer, holder_name, make_issuer


@pytest.fixture
def issuer(ledger: Ledger) -> Issuer:
    return make_issuer(ledger)


@pytest.fixture
def issued(client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer) -> Any:
    response = client.post(
        "/certificates", json=issuer.row(40), headers=token_for(issuer.principal)
    )
    assert response.status_code == 201
    return response.json()


def verdict(client: TestClient[Litestar], record: str) -> Any:
    response = client.post("/verify", json={"record": record})
    assert response.status_code == 200, response.text
    return response.json()


def claims_of(record: str) -> dict[str, Any]:
    payload = record.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


def test_one_changed_character_anywhere_makes_a_record_forged(
    client: TestClient[Litestar], issued: Any
) -> None:
    record = issued["record"]
    header_end = record.index(".")
    payload_end = record.rindex(".")
    for position in (header_end // 2, (header_end + payload_end) // 2, len(record) - 10):
        changed = "A" if record[position] != "A" else "B"
        tampered = record[:position] + changed + record[position + 1 :]
        result = verdict(client, tampered)
        assert result["verdict"] == "forged", (position, result)
        assert result["reasons"]
        assert result["status"] is None


def test_a_record_signed_by_another_key_is_forged(
    client: TestClient[Litestar], issued: Any
) -> None:
    foreign = RecordSigner(SigningKey.generate())
    payload = base64.urlsafe_b64decode(issued["record"].split(".")[1] + "==")
    result = verdict(client, foreign.sign(payload))
    assert result["verdict"] == "forged"
    assert "not in the JWKS" in result["reasons"][0]


def test_an_altered_record_resigned_by_the_ledger_key_still_fails_against_the_log(
    client: TestClient[Litestar], issued: Any, ledger: Ledger
) -> None:
    # Even with the ledger's key, a record whose facts differ from its entry is forged.
    claims = claims_of(issued["record"])
    claims["level"] = "senior"
    signer = RecordSigner(ledger.log.signing_key())
    result = verdict(client, signer.sign(json.dumps(claims).encode()))
    assert result["verdict"] == "forged"
    assert "level" in result["reasons"][0]
    claims = claims_of(issued["record"])
    claims["leaf_hash"] = base64.b64encode(bytes(32)).decode()
    result = verdict(client, signer.sign(json.dumps(claims).encode()))
    assert result["verdict"] == "forged"
    assert "leaf hash" in result["reasons"][0]


def test_a_well_signed_record_of_a_certificate_the_ledger_never_issued_is_unknown(
    client: TestClient[Litestar], issued: Any, ledger: Ledger
) -> None:
    claims = claims_of(issued["record"])
    claims["certificate"] = "X202600000000003"
    result = verdict(
        client, RecordSigner(ledger.log.signing_key()).sign(json.dumps(claims).encode())
    )
    assert result["verdict"] == "unknown"
    assert result["status"] is None


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("not a record", "three parts"),
        ("a.b.c", "base64url"),
        (b64url(b'{"alg":"none","kid":"x"}') + "." + b64url(b"{}") + ".", "alg must be EdDSA"),
        (
            b64url(b'{"alg":"HS256","kid":"x"}') + "." + b64url(b"{}") + "." + b64url(b"x" * 32),
            "EdDSA",
        ),
        (b64url(b"[1]") + "." + b64url(b"{}") + "." + b64url(b"x" * 64), "JSON object"),
    ],
)
def test_things_that_are_not_records_are_forged(
    client: TestClient[Litestar], record: str, reason: str
) -> None:
    result = verdict(client, record)
    assert result["verdict"] == "forged"
    assert reason in result["reasons"][0]


def test_verify_refuses_a_body_without_a_record(client: TestClient[Litestar]) -> None:
    assert client.post("/verify", json={}).status_code == 400
    assert client.post("/verify", json={"record": ""}).status_code == 400
    assert client.post("/verify", json={"record": "x" * 20_000}).status_code == 400


# -- lookup ---------------------------------------------------------------------------


def lookup(client: TestClient[Litestar], number: str, name: str) -> Any:
    return client.post("/lookup", json={"certificate": number, "name": name})


def test_lookup_answers_alike_for_a_wrong_name_and_an_unknown_number(
    client: TestClient[Litestar], issued: Any
) -> None:
    right = lookup(client, issued["certificate"], holder_name(40))
    assert right.status_code == 200
    assert right.json()["verdict"] == "valid"
    assert right.json()["status"]["index"] == issued["index"]
    spaced = lookup(client, issued["certificate"], f"  {holder_name(40)} ")
    assert spaced.json()["verdict"] == "valid"
    wrong_name = lookup(client, issued["certificate"], holder_name(41))
    unknown_number = lookup(client, "X202600000000003", holder_name(40))
    assert wrong_name.status_code == unknown_number.status_code == 200
    assert wrong_name.json() == unknown_number.json()
    assert wrong_name.json()["verdict"] == "unknown"


def test_lookup_of_a_revoked_certificate(
    client: TestClient[Litestar], issued: Any, token_for: TokenFor
) -> None:
    client.post(
        f"/certificates/{issued['certificate']}/revoke",
        json={"reason": "withdrawn"},
        headers=token_for("office"),
    )
    result = lookup(client, issued["certificate"], holder_name(40)).json()
    assert result["verdict"] == "revoked"
    assert result["status"]["revocation_reason"] == "withdrawn"


def test_lookup_refuses_malformed_input(client: TestClient[Litestar]) -> None:
    assert lookup(client, "12", "王伟").status_code == 400
    assert lookup(client, "X202600000000003", "").status_code == 400


def test_lookup_is_rate_limited_per_address(ledger: Ledger) -> None:
    with TestClient(create_app(ledger)) as fresh:
        answers = [lookup(fresh, "X202600000000003", "王伟").status_code for _ in range(21)]
    assert answers[:20] == [200] * 20
    assert answers[20] == 429


# -- erasure --------------------------------------------------------------------------


def personal_rows(ledger: Ledger, account: str) -> list[tuple[Any, ...]]:
    with ledger.engine.connect() as connection:
        identities = connection.execute(
            select(learner_identities.c.id_number, learner_identities.c.name).where(
                learner_identities.c.account == account
            )
        ).all()
        secrets = connection.execute(
            select(holder_secrets.c.name, holder_secrets.c.salt).where(
                holder_secrets.c.account == account
            )
        ).all()
    return [tuple(row) for row in [*identities, *secrets]]


def test_erasure_removes_the_personal_data_and_keeps_everything_verifiable(
    client: TestClient[Litestar], issued: Any, token_for: TokenFor, ledger: Ledger
) -> None:
    account = issued["account"]
    assert all(value is not None for row in personal_rows(ledger, account) for value in row)
    response = client.delete(f"/learners/{account}/personal-data", headers=token_for("office"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "erased"
    rows = personal_rows(ledger, account)
    assert rows and all(value is None for row in rows for value in row)
    # The record still verifies; a lookup by name no longer finds the holder.
    assert verdict(client, issued["record"])["verdict"] == "valid"
    assert lookup(client, issued["certificate"], holder_name(40)).json()["verdict"] == "unknown"
    ledger.log.checkpoint()
    assert audit(DatabaseSource(ledger.store)).ok
    again = client.delete(f"/learners/{account}/personal-data", headers=token_for("office"))
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("principal", "account", "status"),
    [
        ("issuer", None, 403),
        ("learner:L04839205715", None, 403),
        (None, None, 401),
        ("office", "L04839205715", 404),
        ("office", "L04839205716", 400),
    ],
)
def test_erasure_refusals(
    client: TestClient[Litestar],
    issued: Any,
    issuer: Issuer,
    token_for: TokenFor,
    ledger: Ledger,
    principal: str | None,
    account: str | None,
    status: int,
) -> None:
    size = ledger.store.size()
    who = issuer.principal if principal == "issuer" else principal
    headers = token_for(who) if who else {}
    target = account or issued["account"]
    response = client.delete(f"/learners/{target}/personal-data", headers=headers)
    assert response.status_code == status, response.text
    assert ledger.store.size() == size
