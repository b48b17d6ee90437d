"""Documents for holders: the printable certificate (read back with pdftotext, its QR code
rendered with pdftoppm and decoded with zxing-cpp), and the Open Badges 3.0 and CLR 2.0
credentials, checked against 1EdTech's published JSON Schemas (tests/vendor/1edtech) with
jsonschema and their JOSE signatures with joserfc, an independent library.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, cast

import pytest
import zxingcpp
from joserfc import jws
from joserfc.errors import BadSignatureError, SecurityWarning
from joserfc.jwk import KeySet
from jsonschema import Draft201909Validator
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from ledger.bootstrap import Ledger
from ledger.domain.certificates import luhn_digit, mask_name
from tests.api.conftest import ORIGIN, TokenFor
from tests.api.test_credit_bank import Bank, Scene, bank, scene  # noqa: F401 - fixtures
from tests.certificate_helpers import Issuer, holder_name, make_issuer
from tests.conftest import running_under_ci

PUBLIC_URL = f"https://{ORIGIN}"
VENDOR = Path(__file__).parent.parent / "vendor" / "1edtech"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if running_under_ci():
            pytest.fail(f"{name} (poppler-utils) is missing; under CI=true it must be there")
        pytest.skip(f"{name} (poppler-utils) not installed")
    return found


def schema(name: str) -> Draft201909Validator:
    document = json.loads((VENDOR / name).read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(document)
    return Draft201909Validator(document)


def verified(client: TestClient[Litestar], token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The protected header and the payload of ``token``, checked by joserfc."""
    keys = KeySet.import_key_set(cast(Any, client.get("/.well-known/jwks.json").json()))
    with pytest.warns(SecurityWarning, match="EdDSA is deprecated"):
        checked = jws.deserialize_compact(token, keys, algorithms=["EdDSA"])
    return dict(checked.headers()), json.loads(checked.payload)


@pytest.fixture
def issuer(ledger: Ledger) -> Issuer:
    return make_issuer(ledger)


def issue(client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, n: int) -> Any:
    response = client.post(
        "/certificates",
        json=issuer.row(n, "intermediate", assessment="2026-S2", score=88),
        headers=token_for(issuer.principal),
    )
    assert response.status_code == 201, response.text
    return response.json()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def pdf_qr(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [tool("pdftoppm"), "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(tmp_path / "page.png")
    assert image.width < image.height  # portrait A4
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1
    return codes[0].text


def test_the_printed_certificate_holds_the_chinese_text_and_its_qr_decodes(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, tmp_path: Path
) -> None:
    issued = issue(client, token_for, issuer, 31)
    number = issued["certificate"]
    response = client.get(f"/certificates/{number}/certificate.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    text = pdf_text(response.content, tmp_path)
    for expected in (
        "职业技能等级证书",
        "持证人（姓名已遮蔽）",
        mask_name(holder_name(31)),
        "中级 Intermediate",
        "扫码验证此证书",
        "本证书的真伪与状态以账本记录为准",
        number,
        "2026-S2",
    ):
        assert expected in text, expected
    assert holder_name(31) not in text  # the full name is never printed
    assert pdf_qr(response.content, tmp_path) == f"{PUBLIC_URL}/verify/{number}"


def test_a_revoked_certificate_prints_its_revocation(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, tmp_path: Path
) -> None:
    number = issue(client, token_for, issuer, 32)["certificate"]
    revoked = client.post(
        f"/certificates/{number}/revoke",
        json={"reason": "考核舞弊"},
        headers=token_for(issuer.principal),
    )
    assert revoked.status_code == 200, revoked.text
    text = pdf_text(client.get(f"/certificates/{number}/certificate.pdf").content, tmp_path)
    assert "此证书已被撤销" in text
    assert f"撤销日期：{revoked.json()['revoked_on']}；撤销原因：考核舞弊" in text


def test_documents_of_a_malformed_or_unknown_number(client: TestClient[Litestar]) -> None:
    for document in ("certificate.pdf", "credential"):
        malformed = client.get(f"/certificates/X2026/{document}")
        assert malformed.status_code == 400
        assert malformed.json()["detail_zh"].startswith("证书编号应为 X 加 15 位数字")
        unknown = client.get(f"/certificates/X202600000000002/{document}")
        assert unknown.status_code == 400
        assert "校验位" in unknown.json()["detail_zh"]
        body = "20260000000001"
        number = f"X{body}{luhn_digit(body)}"
        never = client.get(f"/certificates/{number}/{document}")
        assert never.status_code == 404
        assert never.json()["detail_zh"] == f"账本中没有编号为 {number} 的证书。"


def test_the_open_badge_credential_meets_the_1edtech_schema_and_verifies(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    issued = issue(client, token_for, issuer, 33)
    number = issued["certificate"]
    response = client.get(f"/certificates/{number}/credential")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+jwt")
    header, credential = verified(client, response.text)
    assert header["typ"] == "vc+jwt" and header["cty"] == "vc"

    errors = sorted(
        schema("ob_v3p0_achievementcredential_schema.json").iter_errors(credential), key=str
    )
    assert errors == [], [error.message for error in errors]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    record = json.loads(
        jws.extract_compact(issued["record"].encode()).payload  # the record's own members
    )
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == record["holder_commitment"]
    assert subject["achievement"]["humanCode"] == issuer.standard
    assert subject["achievement"]["creator"]["name"] == record["org_name"]
    assert credential["validFrom"].startswith(record["issued_on"])
    assert holder_name(33) not in response.text and holder_name(33) not in json.dumps(credential)

    # Changed by one claim, it no longer verifies.
    head, _payload, signature = response.text.split(".")
    forged = dict(credential, validFrom="2019-01-01T00:00:00+08:00")
    other = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        verified(client, f"{head}.{other}.{signature}")


def test_the_clr_credential_meets_the_1edtech_schema_and_keeps_its_readers(
    bank: Bank,  # noqa: F811 - the fixture
    scene: Scene,  # noqa: F811 - the fixture
) -> None:
    bank.convert(
        account=scene.account, certificate=scene.certificate, rule=scene.rule, programme="P-BIM"
    )
    deposit = bank.post(
        f"/learners/{scene.account}/credits",
        {"course": "MATH101", "title": "高等数学", "credits": 4, "term": "2026-1", "grade": "A"},
        f"school:{bank.school}",
    )
    assert deposit.status_code == 201, deposit.text

    path = f"/learners/{scene.account}/clr"
    response = bank.client.get(path, headers=bank.token_for(f"learner:{scene.account}"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vc+jwt")
    header, credential = verified(bank.client, response.text)
    assert header["typ"] == "vc+jwt"
    errors = sorted(schema("clr_v2p0_clrcredential_schema.json").iter_errors(credential), key=str)
    assert errors == [], [error.message for error in errors]
    subject = credential["credentialSubject"]
    assert subject["id"] == f"urn:certledger:account:{scene.account}"
    kinds = [
        c["credentialSubject"]["achievement"]["achievementType"]
        for c in subject["verifiableCredential"]
    ]
    assert sorted(kinds) == ["Certificate", "Course"]
    assert len(subject["association"]) == 1
    assert subject["association"][0]["targetId"].endswith(
        f"/schools/{bank.school}/programmes/P-BIM"
    )

    assert bank.client.get(path).status_code == 401
    other = bank.client.get(path, headers=bank.token_for(f"school:{bank.other_school}"))
    assert other.status_code == 403
    assert other.json()["detail_zh"] == "您无权执行此操作。"


def test_a_transcript_checks_out_offline_and_item_by_item_against_the_log(
    bank: Bank,  # noqa: F811 - the fixture
    scene: Scene,  # noqa: F811 - the fixture
) -> None:
    from ledger.audit.transcripts import is_transcript, verify_transcript

    bank.convert(
        account=scene.account, certificate=scene.certificate, rule=scene.rule, programme="P-BIM"
    )
    token = bank.client.get(
        f"/learners/{scene.account}/transcript", headers=bank.token_for("office")
    ).text
    jwks = bank.client.get("/.well-known/jwks.json").json()

    def entry(index: int) -> bytes:
        page = bank.client.get("/log/entries", params={"start": index, "end": index + 1})
        return base64.b64decode(page.json()["entries"][0]["data"])

    assert is_transcript(token)
    offline = verify_transcript(token, jwks)
    assert offline.verdict == "signed" and offline.account == scene.account
    assert [item.kind for item in offline.items] == ["certificate", "conversion"]
    checked = verify_transcript(token, jwks, entry)
    assert checked.verdict == "valid"
    assert {item.outcome for item in checked.items} == {"ok"}
    # A log whose entries say otherwise: the item that differs is named.
    shifted = verify_transcript(token, jwks, lambda index: entry(index - 1))
    assert shifted.verdict == "forged"
    head, payload, signature = token.split(".")
    assert verify_transcript(f"{head}.{payload}x.{signature}", jwks).verdict == "forged"
