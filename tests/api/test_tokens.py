"""The JWT negative suite: every refused token against a real write endpoint, nothing written.

Each case sends POST /api-keys (a write) and expects 401, a detail saying why, a
WWW-Authenticate challenge and an unchanged ledger; then the tokens that must work.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from joserfc import jwt as jose_jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.core.signing import SigningKey
from ledger.services.tokens import AUDIENCE
from tests.api.auth_helpers import (
    b64url,
    b64url_json,
    claims_for,
    compact,
    hmac_signer,
    public_key_pem,
    rsa_signer,
    service_key,
    signed_by_service,
)
from tests.api.conftest import TokenFor, bearer

WRITE = "/api-keys"

#: Builds the Authorization header value to send, from the ledger under test.
Authorization = Callable[[Ledger], str]


def _token(make: Callable[[Ledger], str]) -> Authorization:
    return lambda ledger: f"Bearer {make(ledger)}"


def _claims(**changes: Any) -> Authorization:
    return _token(lambda ledger: signed_by_service(ledger, claims_for(ledger, **changes)))


def _header(**header: Any) -> Authorization:
    return _token(lambda ledger: signed_by_service(ledger, **header))


def _foreign_key_with_our_kid(ledger: Ledger) -> str:
    header = {"alg": "EdDSA", "kid": service_key(ledger).kid, "typ": "JWT"}
    return compact(header, claims_for(ledger), SigningKey.generate().sign)


def _foreign_key_with_its_kid(ledger: Ledger) -> str:
    stranger = SigningKey.generate()
    return compact({"alg": "EdDSA", "kid": stranger.kid}, claims_for(ledger), stranger.sign)


def _hmac_confusion(digest: str, secret: Callable[[Ledger], bytes]) -> Authorization:
    def make(ledger: Ledger) -> str:
        header = {"alg": f"HS{digest[3:]}", "kid": service_key(ledger).kid, "typ": "JWT"}
        return compact(header, claims_for(ledger), hmac_signer(secret(ledger), digest))

    return _token(make)


def _tampered(ledger: Ledger) -> str:
    """A valid school token whose payload is swapped for the office's after signing."""
    head, _payload, signature = signed_by_service(ledger, claims_for(ledger, "school:1")).split(".")
    return f"{head}.{b64url_json(claims_for(ledger))}.{signature}"


def _jwk_header(ledger: Ledger) -> dict[str, str]:
    return SigningKey.generate().public.jwk()


NOW = int(time.time())

REFUSED: list[Any] = [
    pytest.param(
        _token(lambda ledger: compact({"alg": "none", "typ": "JWT"}, claims_for(ledger), None)),
        "algorithm 'none' refused",
        id="alg-none-unsigned",
    ),
    pytest.param(
        _token(
            lambda ledger: compact(
                {"alg": "none", "kid": service_key(ledger).kid}, claims_for(ledger), None
            )
        ),
        "algorithm 'none' refused",
        id="alg-none-with-our-kid",
    ),
    pytest.param(
        _token(lambda ledger: compact({"alg": "NONE"}, claims_for(ledger), None)),
        "algorithm 'NONE' refused",
        id="alg-NONE",
    ),
    pytest.param(
        _hmac_confusion("sha256", public_key_pem),
        "algorithm 'HS256' refused",
        id="HS256-public-key-pem-as-hmac-secret",
    ),
    pytest.param(
        _hmac_confusion("sha256", lambda ledger: service_key(ledger).public.raw),
        "algorithm 'HS256' refused",
        id="HS256-raw-public-key-as-hmac-secret",
    ),
    pytest.param(_hmac_confusion("sha384", public_key_pem), "'HS384' refused", id="HS384"),
    pytest.param(_hmac_confusion("sha512", public_key_pem), "'HS512' refused", id="HS512"),
    pytest.param(
        _token(
            lambda ledger: compact(
                {"alg": "RS256", "kid": service_key(ledger).kid}, claims_for(ledger), rsa_signer()
            )
        ),
        "algorithm 'RS256' refused",
        id="RS256-fresh-rsa-key",
    ),
    pytest.param(_header(alg="ES256"), "algorithm 'ES256' refused", id="ES256"),
    pytest.param(_header(alg="Ed25519"), "algorithm 'Ed25519' refused", id="alg-Ed25519"),
    pytest.param(
        _token(_foreign_key_with_our_kid),
        "signature does not verify",
        id="EdDSA-foreign-key-our-kid",
    ),
    pytest.param(_token(_foreign_key_with_its_kid), "unknown key", id="EdDSA-foreign-key-its-kid"),
    pytest.param(_header(kid=None), "no valid kid", id="kid-null"),
    pytest.param(_header(kid="../../keys/x"), "no valid kid", id="kid-path"),
    pytest.param(_token(_tampered), "signature does not verify", id="payload-swapped"),
    pytest.param(_header(jku="https://evil.example/jwks.json"), "'jku' refused", id="jku"),
    pytest.param(_header(x5u="https://evil.example/cert.pem"), "'x5u' refused", id="x5u"),
    pytest.param(
        _token(lambda ledger: signed_by_service(ledger, jwk=_jwk_header(ledger))),
        "'jwk' refused",
        id="jwk",
    ),
    pytest.param(_header(x5c=["MIIB"]), "'x5c' refused", id="x5c"),
    pytest.param(_header(x5t="aGFzaA"), "'x5t' refused", id="x5t"),
    pytest.param(_header(crit=["exp"], exp=1), "'crit' refused", id="crit-unknown-extension"),
    pytest.param(_header(crit=["b64"], b64=True), "'crit' refused", id="crit-b64"),
    pytest.param(_header(typ="at+jwt+other"), "type", id="typ-other"),
    pytest.param(_claims(aud="another-api"), "audience", id="wrong-aud"),
    pytest.param(_claims(aud=[AUDIENCE, "another-api"]), "audience", id="aud-list"),
    pytest.param(_claims(iss="https://evil.example"), "issuer", id="wrong-iss"),
    pytest.param(_claims(iat=NOW - 7200, nbf=NOW - 7200, exp=NOW - 5), "expired", id="expired"),
    pytest.param(_claims(nbf=NOW + 3600), "not yet valid", id="nbf-in-the-future"),
    pytest.param(_claims(iat=NOW + 3600), "not yet valid", id="iat-in-the-future"),
    pytest.param(_claims(exp=str(NOW + 600)), "'exp' is not an integer", id="exp-string"),
    pytest.param(_claims(exp=True), "'exp' is not an integer", id="exp-boolean"),
    *(
        pytest.param(_claims(**{claim: None}), f"lacks the '{claim}' claim", id=f"missing-{claim}")
        for claim in ("exp", "iat", "nbf", "sub", "role", "jti", "aud", "iss")
    ),
    pytest.param(
        _claims(sub="org:x", role="office"), "role does not match", id="role-office-sub-org"
    ),
    pytest.param(
        _token(lambda ledger: signed_by_service(ledger, claims_for(ledger, "org:x", org="y"))),
        "'org' claim does not match",
        id="org-claim-other-org",
    ),
    pytest.param(
        _token(lambda ledger: signed_by_service(ledger, claims_for(ledger, "school:1", org="1"))),
        "'org' claim does not match",
        id="org-claim-on-a-school",
    ),
    pytest.param(_claims(sub="system", role="system"), "not a principal", id="sub-system"),
    pytest.param(_claims(jti=7), "'jti' is not a string", id="jti-integer"),
    pytest.param(_claims(akid="0123456789abcdef"), "revoked API key", id="akid-unknown"),
    pytest.param(lambda _ledger: "Bearer not-a-token", "malformed", id="garbage"),
    pytest.param(lambda _ledger: "Bearer a.b.c", "malformed", id="garbage-three-parts"),
    pytest.param(
        lambda _ledger: f"Bearer {b64url(b'[]')}.{b64url(b'{}')}.", "malformed", id="header-array"
    ),
    pytest.param(lambda _ledger: "Bearer " + "a" * 5000, "longer than", id="too-long"),
    pytest.param(lambda _ledger: "Bearer ", "empty bearer token", id="empty-bearer"),
    pytest.param(lambda _ledger: "Bearer", "empty bearer token", id="bearer-without-token"),
    pytest.param(
        lambda ledger: "Basic " + base64.b64encode(b"office:office").decode(),
        "must be 'Bearer <token>'",
        id="basic-scheme",
    ),
]


@pytest.mark.parametrize(("authorization", "reason"), REFUSED)
def test_a_refused_token_gets_401_and_writes_nothing(
    client: TestClient[Litestar], ledger: Ledger, authorization: Authorization, reason: str
) -> None:
    size = ledger.store.size()
    response = client.post(WRITE, headers={"Authorization": authorization(ledger)})
    assert response.status_code == 401, response.text
    assert reason in response.json()["detail"]
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.headers["cache-control"] == "no-store"
    assert ledger.store.size() == size


def test_no_token_gets_401_with_a_bare_challenge(
    client: TestClient[Litestar], ledger: Ledger
) -> None:
    size = ledger.store.size()
    response = client.post(WRITE)
    assert response.status_code == 401
    assert response.json()["detail"] == "missing bearer token"
    assert response.headers["www-authenticate"] == "Bearer"
    assert ledger.store.size() == size


def test_two_authorization_headers_are_refused(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    good = token_for("office")["Authorization"]
    response = client.post(WRITE, headers=[("Authorization", good), ("Authorization", good)])
    assert response.status_code == 401
    assert "more than one" in response.json()["detail"]


def test_a_token_of_a_revoked_principal_is_refused(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    school = token_for("school:4161010001")
    revoked = client.post("/principals/school:4161010001/revoke", headers=token_for("office"))
    assert revoked.status_code == 200, revoked.text
    size = ledger.store.size()
    response = client.post(WRITE, headers=school)
    assert response.status_code == 401
    assert "revoked principal" in response.json()["detail"]
    assert ledger.store.size() == size


def test_a_token_from_a_revoked_api_key_is_refused(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    created = client.post(WRITE, headers=token_for("school:4161010001")).json()
    token = client.post("/auth/token", json={"api_key": created["api_key"]}).json()
    assert client.post(WRITE, headers=bearer(token["access_token"])).status_code == 201
    revoked = client.post(f"/api-keys/{created['key_id']}/revoke", headers=token_for("office"))
    assert revoked.status_code == 200, revoked.text
    size = ledger.store.size()
    response = client.post(WRITE, headers=bearer(token["access_token"]))
    assert response.status_code == 401
    assert response.json()["detail"] == "token from a revoked API key"
    assert ledger.store.size() == size


def test_refused_tokens_never_reach_the_logs(
    client: TestClient[Litestar], ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    forged = _foreign_key_with_our_kid(ledger)
    expired = signed_by_service(ledger, claims_for(ledger, exp=NOW - 5))
    with caplog.at_level(logging.DEBUG):
        for token in (forged, expired):
            assert client.post(WRITE, headers=bearer(token)).status_code == 401
    assert forged not in caplog.text and expired not in caplog.text
    assert forged.split(".")[2] not in caplog.text


# -- what must work ---------------------------------------------------------------------


def test_an_office_token_writes_and_the_entry_names_the_office(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    response = client.post(WRITE, headers=token_for("office"))
    assert response.status_code == 201, response.text
    entry = ledger.store.entries(response.json()["index"], response.json()["index"] + 1)[0]
    assert (entry.kind, entry.principal) == ("api_key.issued", "office")


@pytest.mark.parametrize("skew", [0, 29], ids=["now", "29s-ahead-within-leeway"])
def test_small_clock_skew_is_tolerated(
    client: TestClient[Litestar], ledger: Ledger, skew: int
) -> None:
    claims = claims_for(ledger, "org:91610000MA6TG12349", iat=NOW + skew, nbf=NOW + skew)
    response = client.post(WRITE, headers=bearer(signed_by_service(ledger, claims)))
    assert response.status_code == 201, response.text


def test_an_api_key_exchange_gives_a_short_token_that_writes(
    client: TestClient[Litestar], ledger: Ledger, token_for: TokenFor
) -> None:
    created = client.post(WRITE, headers=token_for("school:4161010001")).json()
    response = client.post("/auth/token", json={"api_key": created["api_key"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert response.headers["cache-control"] == "no-store"
    claims = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[1] + "=="))
    assert claims["akid"] == created["key_id"]
    assert claims["sub"] == "school:4161010001" and claims["school"] == "4161010001"
    assert claims["exp"] - claims["iat"] == 900
    assert ledger.tokens.verify(body["access_token"]) == Principal.parse("school:4161010001")
    assert client.post(WRITE, headers=bearer(body["access_token"])).status_code == 201


def _at(ledger: Ledger, monkeypatch: pytest.MonkeyPatch, now: int) -> None:
    """Move the token service's clock and the ledger's to ``now`` (seconds): the ledger's
    timestamps decide when a revocation took effect."""
    monkeypatch.setattr(ledger.tokens, "clock", lambda: now)
    monkeypatch.setattr(ledger.store, "_clock", lambda: datetime.fromtimestamp(now, UTC))


def test_a_token_minted_after_the_revocation_works(
    client: TestClient[Litestar], ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    _at(ledger, monkeypatch, now)
    office = bearer(ledger.tokens.mint(Principal.parse("office")))
    school = Principal.parse("school:4161010001")
    old = bearer(ledger.tokens.mint(school))
    assert client.post(f"/principals/{school}/revoke", headers=office).status_code == 200
    assert client.post(WRITE, headers=old).status_code == 401
    # Minted in the same second as the revocation: still at or before it, refused.
    assert client.post(WRITE, headers=bearer(ledger.tokens.mint(school))).status_code == 401
    _at(ledger, monkeypatch, now + 1)
    fresh = bearer(ledger.tokens.mint(school))
    assert client.post(WRITE, headers=fresh).status_code == 201
    assert client.post(WRITE, headers=old).status_code == 401


def test_revoking_again_moves_the_revocation_time(
    client: TestClient[Litestar], ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    _at(ledger, monkeypatch, now)
    office = bearer(ledger.tokens.mint(Principal.parse("office")))
    first = client.post("/principals/org:A1/revoke", headers=office).json()
    _at(ledger, monkeypatch, now + 10)
    between = bearer(ledger.tokens.mint(Principal.parse("org:A1")))
    assert client.post(WRITE, headers=between).status_code == 201
    _at(ledger, monkeypatch, now + 20)
    second = client.post("/principals/org:A1/revoke", headers=office).json()
    assert (first["revoked_at"], second["revoked_at"]) == (now, now + 20)
    assert client.post(WRITE, headers=between).status_code == 401


def test_our_token_verifies_with_joserfc_against_the_service_public_key(ledger: Ledger) -> None:
    token = ledger.tokens.mint(Principal.parse("org:91610000MA6TG12349"))
    (public,) = ledger.tokens.verifying_keys()
    key = OKPKey.import_key(dict(public.jwk()))
    with pytest.warns(SecurityWarning):
        decoded = jose_jwt.decode(token, key, algorithms=["EdDSA"])
    assert decoded.header == {"alg": "EdDSA", "kid": public.thumbprint(), "typ": "JWT"}
    claims = decoded.claims
    assert claims["iss"] == ledger.settings.public_url and claims["aud"] == AUDIENCE
    assert claims["sub"] == "org:91610000MA6TG12349" and claims["role"] == "org"
    assert claims["org"] == "91610000MA6TG12349" and "school" not in claims
    assert claims["exp"] - claims["iat"] == 3600 and claims["nbf"] == claims["iat"]
    assert len(base64.urlsafe_b64decode(claims["jti"] + "==")) == 16
    registry = jose_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ledger.settings.public_url},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
    )
    registry.validate(claims)


def test_the_token_key_is_not_the_ledger_signing_key(ledger: Ledger) -> None:
    token_key = ledger.tokens.signing_key()
    assert token_key.kid != ledger.log.signing_key().kid
    assert token_key.kid not in {key["kid"] for key in ledger.log.jwks()["keys"]}
    assert ledger.tokens.keys.path == ledger.settings.data_dir / "keys" / "tokens"
    with pytest.raises(Exception, match="unknown key"):
        ledger.tokens.verify(
            compact(
                {"alg": "EdDSA", "kid": ledger.log.signing_key().kid},
                claims_for(ledger),
                ledger.log.signing_key().sign,
            )
        )


def test_the_newest_key_file_signs_and_older_ones_still_verify(ledger: Ledger) -> None:
    old_kid = ledger.tokens.signing_key().kid
    old_token = ledger.tokens.mint(Principal.parse("office"))
    new_key = ledger.tokens.keys.create()
    old_file = ledger.tokens.keys.path / f"{old_kid}.pem"
    os.utime(old_file, ns=(1_000_000_000, 1_000_000_000))  # unmistakably the older file
    assert ledger.tokens.keys.kids() == [old_kid, new_key.kid]
    new_token = ledger.tokens.mint(Principal.parse("office"))
    assert json.loads(base64.urlsafe_b64decode(new_token.split(".")[0] + "=="))["kid"] == (
        new_key.kid
    )
    for token in (old_token, new_token):
        assert ledger.tokens.verify(token) == Principal.parse("office")
