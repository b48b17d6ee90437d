"""API keys and revocations over HTTP: who may do what, what the ledger records, bad bodies.

Secrets are shown once and stored only as SHA-256; every issuance and revocation is an entry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from api.app import MAX_REQUEST_BODY_SIZE, create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.api.conftest import TokenFor, bearer

SCHOOL = "school:4161010001"


def payload(ledger: Ledger, index: int) -> dict[str, Any]:
    entry = ledger.store.entries(index, index + 1)[0]
    decoded: dict[str, Any] = json.loads(entry.data)
    return decoded


def test_a_new_key_is_shown_once_stored_hashed_and_recorded_without_its_secret(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    response = client.post("/api-keys", headers=token_for(SCHOOL))
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    secret = body["api_key"]
    assert secret.startswith(f"clk_{body['key_id']}_") and len(secret) == 4 + 16 + 1 + 43
    entry = payload(ledger, body["index"])
    assert entry["kind"] == "api_key.issued" and entry["principal"] == SCHOOL
    assert entry["payload"] == {"key_id": body["key_id"], "principal": SCHOOL}
    digest = hashlib.sha256(secret.encode()).digest()
    with ledger.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM api_keys")).mappings().all()
        secrets = connection.execute(sa.text("SELECT * FROM api_key_secrets")).mappings().all()
    assert [dict(row) for row in rows] == [
        {
            "key_id": body["key_id"],
            "principal": SCHOOL,
            "created_at": rows[0]["created_at"],
            "revoked_at": None,
        }
    ]
    # The hash lives beside the ledger, as a credential; the entry holds neither.
    assert [dict(row) for row in secrets] == [{"key_id": body["key_id"], "secret_hash": digest}]
    for stored in ledger.store.entries(0, ledger.store.size()):
        assert secret.encode() not in stored.data and digest.hex().encode() not in stored.data


def test_the_office_creates_a_key_for_a_school(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    response = client.post("/api-keys", headers=token_for("office"), json={"principal": SCHOOL})
    assert response.status_code == 201, response.text
    entry = payload(ledger, response.json()["index"])
    assert entry["principal"] == "office" and entry["payload"]["principal"] == SCHOOL
    token = client.post("/auth/token", json={"api_key": response.json()["api_key"]}).json()
    assert ledger.tokens.verify(token["access_token"]) == Principal.parse(SCHOOL)


@pytest.mark.parametrize(
    ("caller", "body", "reason"),
    [
        ("auditor", None, "auditor may not create API keys"),
        ("learner:L0001", None, "learner may not create API keys"),
        ("org:A1", {"principal": "org:B2"}, "only the office"),
        ("school:4161010001", {"principal": "school:4161010002"}, "only the office"),
        ("org:A1", {"principal": "office"}, "only the office"),
    ],
)
def test_who_may_not_create_keys(
    client: TestClient[Litestar],
    ledger: Ledger,
    token_for: TokenFor,
    caller: str,
    body: dict[str, str] | None,
    reason: str,
) -> None:
    size = ledger.store.size()
    response = client.post("/api-keys", headers=token_for(caller), json=body)
    assert response.status_code == 403
    assert reason in response.json()["detail"]
    assert ledger.store.size() == size


@pytest.mark.parametrize("revoker", ["office", SCHOOL])
def test_the_office_or_the_owner_revokes_a_key(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, revoker: str
) -> None:
    created = client.post("/api-keys", headers=token_for(SCHOOL)).json()
    response = client.post(f"/api-keys/{created['key_id']}/revoke", headers=token_for(revoker))
    assert response.status_code == 200, response.text
    entry = payload(ledger, response.json()["index"])
    assert entry["kind"] == "api_key.revoked" and entry["principal"] == revoker
    assert entry["payload"] == {"key_id": created["key_id"]}
    refused = client.post("/auth/token", json={"api_key": created["api_key"]})
    assert refused.status_code == 401 and refused.json()["detail"] == "API key revoked"
    again = client.post(f"/api-keys/{created['key_id']}/revoke", headers=token_for("office"))
    assert again.status_code == 409


@pytest.mark.parametrize("caller", ["school:4161010002", "org:A1", "auditor", "learner:L1"])
def test_nobody_else_revokes_a_key(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, caller: str
) -> None:
    created = client.post("/api-keys", headers=token_for(SCHOOL)).json()
    size = ledger.store.size()
    response = client.post(f"/api-keys/{created['key_id']}/revoke", headers=token_for(caller))
    assert response.status_code == 403
    assert ledger.store.size() == size


@pytest.mark.parametrize("key_id", ["0123456789abcdef", "not-a-key-id", "x" * 300])
def test_revoking_an_unknown_key_is_404(
    client: TestClient[Litestar], token_for: TokenFor, key_id: str
) -> None:
    response = client.post(f"/api-keys/{key_id}/revoke", headers=token_for("office"))
    assert response.status_code == 404
    assert "no API key" in response.json()["detail"]


def test_revoking_a_principal_revokes_its_keys_in_the_same_append(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    keys = [client.post("/api-keys", headers=token_for(SCHOOL)).json() for _ in range(2)]
    response = client.post(f"/principals/{SCHOOL}/revoke", headers=token_for("office"))
    assert response.status_code == 200, response.text
    index = response.json()["index"]
    assert response.json()["principal"] == SCHOOL
    assert ledger.store.size() == index + 3
    kinds = [payload(ledger, i)["kind"] for i in range(index, index + 3)]
    assert kinds == ["principal.revoked", "api_key.revoked", "api_key.revoked"]
    assert payload(ledger, index)["payload"] == {"principal": SCHOOL}
    for key in keys:
        refused = client.post("/auth/token", json={"api_key": key["api_key"]})
        assert refused.status_code == 401


@pytest.mark.parametrize("caller", ["org:A1", SCHOOL, "auditor", "learner:L1"])
def test_only_the_office_revokes_principals(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, caller: str
) -> None:
    size = ledger.store.size()
    response = client.post("/principals/school:4161010002/revoke", headers=token_for(caller))
    assert response.status_code == 403
    assert ledger.store.size() == size


def test_revoking_a_principal_that_is_not_one_is_400(
    client: TestClient[Litestar], token_for: TokenFor
) -> None:
    response = client.post("/principals/system/revoke", headers=token_for("office"))
    assert response.status_code == 400 and "unknown role" in response.json()["detail"]


@pytest.mark.parametrize(
    "api_key",
    ["", "clk_", "clk_0123456789abcdef_" + "A" * 43, "Bearer something", "clk_zz_" + "A" * 43],
)
def test_a_wrong_api_key_is_401(client: TestClient[Litestar], api_key: str) -> None:
    response = client.post("/auth/token", json={"api_key": api_key})
    assert response.status_code in (400, 401), response.text  # "" breaks min_length: 400


def test_a_wrong_secret_for_a_real_key_is_401(
    client: TestClient[Litestar], token_for: TokenFor
) -> None:
    created = client.post("/api-keys", headers=token_for(SCHOOL)).json()
    wrong = created["api_key"][:-4] + (
        "AAAA" if not created["api_key"].endswith("AAAA") else "BBBB"
    )
    response = client.post("/auth/token", json={"api_key": wrong})
    assert response.status_code == 401 and response.json()["detail"] == "API key not recognised"


# -- bodies -------------------------------------------------------------------------------

BAD_BODIES = [
    pytest.param("/api-keys", b"{not json", "malformed", id="api-keys-malformed-json"),
    pytest.param("/api-keys", b'{"principal": 5}', "field 'principal'", id="api-keys-int"),
    pytest.param("/api-keys", b'{"principal": ""}', "field 'principal'", id="api-keys-empty"),
    pytest.param(
        "/api-keys", b'{"principal": "office", "role": "office"}', "'role'", id="api-keys-unknown"
    ),
    pytest.param("/api-keys", b"[]", "the body must be a JSON object", id="api-keys-array"),
    pytest.param("/api-keys", b'{"principal": "nobody:1"}', "unknown role", id="api-keys-role"),
    pytest.param("/auth/token", b"{not json", "malformed", id="token-malformed-json"),
    pytest.param("/auth/token", b"{}", "field 'api_key' is required", id="token-missing"),
    pytest.param("/auth/token", b'{"api_key": 1}', "field 'api_key'", id="token-int"),
    pytest.param("/auth/token", b'{"api_key": "x", "scope": "all"}', "'scope'", id="token-unknown"),
]


@pytest.mark.parametrize(("path", "body", "reason"), BAD_BODIES)
def test_a_bad_body_is_400_naming_the_field_and_writes_nothing(
    client: TestClient[Litestar],
    ledger: Ledger,
    token_for: TokenFor,
    path: str,
    body: bytes,
    reason: str,
) -> None:
    size = ledger.store.size()
    headers = {**token_for("office"), "Content-Type": "application/json"}
    response = client.post(path, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert reason in response.json()["detail"]
    assert ledger.store.size() == size


@pytest.mark.parametrize("path", ["/api-keys", "/auth/token"])
def test_an_oversized_body_is_413(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor, path: str
) -> None:
    size = ledger.store.size()
    body = b'{"principal": "' + b"x" * MAX_REQUEST_BODY_SIZE + b'"}'
    response = client.post(path, content=body, headers=token_for("office"))
    assert response.status_code == 413
    assert ledger.store.size() == size


# -- on both engines ---------------------------------------------------------------------


def test_the_credential_lifecycle_on_each_engine(engine_ledger: Ledger) -> None:
    office = bearer(engine_ledger.tokens.mint(Principal.parse("office")))
    with TestClient(create_app(engine_ledger)) as client:
        created = client.post("/api-keys", headers=office, json={"principal": SCHOOL}).json()
        token = client.post("/auth/token", json={"api_key": created["api_key"]}).json()
        school = bearer(token["access_token"])
        assert client.post("/api-keys", headers=school).status_code == 201
        revoked = client.post(f"/principals/{SCHOOL}/revoke", headers=office)
        assert revoked.status_code == 200, revoked.text
        assert client.post("/api-keys", headers=school).status_code == 401
        again = client.post("/auth/token", json={"api_key": created["api_key"]})
        assert again.status_code == 401
    with engine_ledger.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT revoked_at FROM api_keys")).scalars().all()
    assert len(rows) == 2 and all(row is not None for row in rows)
