"""What may enter the public ledger over HTTP (issue 11, defect 7): text with bidi controls,
zero-width characters or a leading formula character, look-alike names of organizations and
schools, an ID number born in the future, duplicate JSON keys, JSON sent as text/plain and
a genuinely signed token valid for ten years are all refused with a 4xx that says why, and
nothing is written."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.certificates import id_number_check_character
from ledger.services.tokens import AUDIENCE, MAX_TTL_SECONDS
from tests.api.conftest import TokenFor
from tests.certificate_helpers import holder_name, make_issuer
from tests.registry_helpers import credit_code, school_code

OFFICE = "office"


def _post(client: TestClient[Litestar], headers: dict[str, str], path: str, body: Any) -> Any:
    return client.post(path, json=body, headers=headers)


def _refused(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    assert words in response.json()["detail"], response.json()
    assert response.json().get("detail_zh"), "a person reads this: Chinese beside English"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("样例职业学院\u202e院学", "U+202E"),
        ("样例\u200b职业学院", "U+200B"),
        ("样例\u200d职业学院", "U+200D"),
        ('=HYPERLINK("http://x")', "formula"),
        ("@SUM(A1)", "formula"),
        ("Cafe\u0301 School", "NFC"),
    ],
)
def test_a_school_name_that_hides_or_runs_something_is_refused(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger, name: str, words: str
) -> None:
    size = ledger.store.size()
    body = {"id": school_code(4401), "name": name, "city": "xian", "level": "higher"}
    _refused(_post(client, token_for(OFFICE), "/schools", body), 400, words)
    assert ledger.store.size() == size


def test_a_reason_with_a_bidi_control_or_a_formula_is_refused(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger
) -> None:
    body = {"id": school_code(4402), "name": "样例职业学院4402", "city": "xian", "level": "higher"}
    assert _post(client, token_for(OFFICE), "/schools", body).status_code == 201
    size = ledger.store.size()
    for reason, words in (("违规\u202e办学", "U+202E"), ("-1+1", "formula")):
        path = f"/schools/{school_code(4402)}/suspend"
        _refused(_post(client, token_for(OFFICE), path, {"reason": reason}), 400, words)
    assert ledger.store.size() == size


def test_look_alike_names_of_organizations_and_schools_are_refused(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger
) -> None:
    first = {"id": credit_code(4403), "name": "Shaanxi Copper Academy", "contact": "王老师"}
    assert _post(client, token_for(OFFICE), "/orgs", first).status_code == 201
    size = ledger.store.size()
    for name in (
        "Shaanxi Сopper Аcademy",  # Cyrillic С and А
        "ＳＨＡＡＮＸＩ ＣＯＰＰＥＲ ＡＣＡＤＥＭＹ",  # full-width
        "shaanxi copper acad\u0435my",  # Cyrillic е
        "Shaanxi C0pper Academy",  # a zero for the O
    ):
        org = {"id": credit_code(4404), "name": name, "contact": "李老师"}
        _refused(_post(client, token_for(OFFICE), "/orgs", org), 409, "looks like")
        school = {"id": school_code(4404), "name": name, "city": "xian", "level": "higher"}
        _refused(_post(client, token_for(OFFICE), "/schools", school), 409, "looks like")
    assert ledger.store.size() == size
    other = {"id": credit_code(4405), "name": "Shaanxi Silver Academy", "contact": "赵老师"}
    assert _post(client, token_for(OFFICE), "/orgs", other).status_code == 201


def test_holder_names_like_formulas_and_id_numbers_born_later_are_refused(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger
) -> None:
    issuer = make_issuer(ledger)
    size = ledger.store.size()
    body = "61010220990101123"
    unborn = body + id_number_check_character(body)
    for holder, words in (
        ({"name": '=HYPERLINK("http://x","王伟")', "id_number": "11010519491231002X"}, "formula"),
        ({"name": holder_name(4406), "id_number": unborn}, "in the future"),
    ):
        row = {"standard": issuer.standard, "level": "junior", "holder": holder}
        response = _post(client, token_for(issuer.principal), "/certificates", row)
        assert response.status_code == 400, response.text
        assert words in response.text
    assert ledger.store.size() == size


def test_a_duplicate_json_key_is_refused(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger
) -> None:
    size = ledger.store.size()
    twice = (
        f'{{"id": "{school_code(4407)}", "name": "样例职业学院4407", "name": "别的名字", '
        '"city": "xian", "level": "higher"}'
    )
    headers = {**token_for(OFFICE), "Content-Type": "application/json"}
    response = client.post("/schools", content=twice.encode(), headers=headers)
    _refused(response, 400, "'name' twice")
    assert ledger.store.size() == size


def test_json_sent_as_text_plain_is_refused(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger
) -> None:
    size = ledger.store.size()
    body = {"id": school_code(4408), "name": "样例职业学院4408", "city": "xian", "level": "higher"}
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        headers = {**token_for(OFFICE), "Content-Type": content_type}
        response = client.post("/schools", content=json.dumps(body).encode(), headers=headers)
        _refused(response, 415, "must be sent as JSON")
    assert ledger.store.size() == size
    headers = {**token_for(OFFICE), "Content-Type": "application/json; charset=utf-8"}
    assert (
        client.post("/schools", content=json.dumps(body).encode(), headers=headers).status_code
        == 201
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_a_genuinely_signed_token_valid_ten_years_is_refused(
    client: TestClient[Litestar], ledger: Ledger
) -> None:
    key = ledger.tokens.signing_key()
    now = int(time.time())
    claims = {
        "iss": ledger.tokens.issuer,
        "aud": AUDIENCE,
        "sub": "office",
        "role": "office",
        "iat": now,
        "nbf": now,
        "exp": now + 10 * 365 * 24 * 3600,
        "jti": _b64url(secrets.token_bytes(16)),
    }
    header = {"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    token = f"{signing_input}.{_b64url(key.sign(signing_input.encode('ascii')))}"
    body = {"id": school_code(4409), "name": "样例职业学院4409", "city": "xian", "level": "higher"}
    response = client.post("/schools", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert "lifetime" in response.json()["detail"]
    # The same claims with a week's lifetime are accepted: the refusal is the lifetime's.
    week = ledger.tokens.mint(Principal.parse("office"), ttl_seconds=MAX_TTL_SECONDS)
    assert ledger.tokens.verify(week) == Principal.parse("office")
