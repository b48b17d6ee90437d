"""`certledger verify FILE --jwks ... [--checkpoint ... --proof ...]`, run as a real process.

Everything it reads was fetched from the app's public API and saved to disk, as a
verifier with no access to the service would hold it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar.testing import TestClient
from PIL import Image

from api.app import create_app
from api.qr import qr_png
from ledger.core.principals import Principal
from tests.api.conftest import build_ledger
from tests.certificate_helpers import make_issuer
from tests.conftest import REPO_ROOT


@dataclass(frozen=True)
class Saved:
    """Files a verifier saved from the API: a record, its QR code and the evidence."""

    folder: Path
    record: str
    certificate: str

    def path(self, name: str) -> str:
        return str(self.folder / name)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Saved]:
    """The files, made once: the tests only read them."""
    tmp_path = tmp_path_factory.mktemp("verify-cli")
    ledger = build_ledger(f"sqlite+pysqlite:///{tmp_path}/ledger.db", tmp_path / "data")
    folder = tmp_path / "saved"
    folder.mkdir()
    try:
        issuer = make_issuer(ledger)
        token = ledger.tokens.mint(Principal.parse(issuer.principal))
        with TestClient(create_app(ledger)) as client:
            response = client.post(
                "/certificates",
                json=issuer.row(11, score=75),
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, response.text
            issued = response.json()
            number, index = issued["certificate"], issued["index"]
            record = client.get(f"/certificates/{number}/record").text
            checkpoint = client.get("/log/checkpoint").text
            size = int(checkpoint.split("\n")[1])
            files = {
                "record.jws": record,
                # The older verification URL, which carries the whole record.
                "url.txt": f"{issued['verify_url'].rsplit('/verify/', 1)[0]}/verify#r={record}\n",
                "short-url.txt": issued["verify_url"] + "\n",
                "jwks.json": client.get("/.well-known/jwks.json").text,
                "checkpoint.txt": checkpoint,
                "proof.json": client.get(
                    "/log/proof/inclusion", params={"index": index, "size": size}
                ).text,
                "other-proof.json": client.get(
                    "/log/proof/inclusion", params={"index": index - 1, "size": size}
                ).text,
            }
            # A QR code of the older URL: the CLI reads the record out of its image.
            png = qr_png(files["url.txt"].strip())
    finally:
        ledger.close()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "qr.png").write_bytes(png)
    photo = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(photo, format="JPEG", quality=90)
    (folder / "qr-photo").write_bytes(photo.getvalue())  # no extension: found by content
    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    (folder / "blank.png").write_bytes(blank.getvalue())
    header, payload, signature = record.split(".")
    flipped = payload[:-5] + ("A" if payload[-5] != "A" else "B") + payload[-4:]
    (folder / "tampered.jws").write_text(f"{header}.{flipped}.{signature}")
    (folder / "not-json.json").write_text("{keys: }")
    (folder / "bracket-jwks.json").write_text(
        json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "[/x]"}]})
    )
    yield Saved(folder, record, number)


def verify(saved: Saved, file: str, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m scripts.cli verify`` in a fresh process."""
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "scripts.cli", "verify", saved.path(file), *options],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        timeout=120,
        check=False,
    )


def full(saved: Saved, proof: str = "proof.json") -> list[str]:
    return [
        "--jwks",
        saved.path("jwks.json"),
        "--checkpoint",
        saved.path("checkpoint.txt"),
        "--proof",
        saved.path(proof),
    ]


@pytest.mark.parametrize("file", ["record.jws", "url.txt", "qr.png", "qr-photo"])
def test_a_saved_record_url_or_qr_image_verifies_with_its_checkpoint_and_proof(
    saved: Saved, file: str
) -> None:
    result = verify(saved, file, *full(saved))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict: valid" in result.stdout
    assert saved.certificate in result.stdout
    assert "revocation not checked" in result.stdout
    assert f"/certificates/{saved.certificate}/status" in result.stdout
    assert "Traceback" not in result.stderr


def test_without_checkpoint_and_proof_the_record_is_only_signed(saved: Saved) -> None:
    result = verify(saved, "qr.png", "--jwks", saved.path("jwks.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict: signed" in result.stdout
    assert "inclusion not checked" in result.stdout
    assert "revocation not checked" in result.stdout


def test_a_tampered_record_is_forged(saved: Saved) -> None:
    result = verify(saved, "tampered.jws", *full(saved))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "verdict: forged" in result.stdout
    assert "does not verify" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_proof_of_another_entry_leaves_the_record_unproven(saved: Saved) -> None:
    result = verify(saved, "record.jws", *full(saved, "other-proof.json"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "verdict: unproven" in result.stdout
    assert "the proof is of entry" in result.stdout


@pytest.mark.parametrize(
    ("file", "options", "message"),
    [
        ("missing.jws", ["--jwks", "jwks.json"], "No such file"),
        ("record.jws", ["--jwks", "missing.json"], "--jwks"),
        ("record.jws", ["--jwks", "not-json.json"], "is not JSON"),
        ("record.jws", ["--jwks", "proof.json"], "a JWKS is a JSON object"),
        ("record.jws", ["--jwks", "jwks.json", "--proof", "proof.json"], "needs --checkpoint"),
        ("blank.png", ["--jwks", "jwks.json"], "no QR code found"),
        ("record.jws", [], "--jwks"),
        ("record.jws", ["--jwks", "bracket-jwks.json"], "JWK alg '[/x]' is not EdDSA"),
    ],
)
def test_usage_errors_exit_2_with_a_message_and_no_traceback(
    saved: Saved, file: str, options: list[str], message: str
) -> None:
    paths = [saved.path(o) if o.endswith((".json", ".txt")) else o for o in options]
    result = verify(saved, file, *paths)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "verdict" not in result.stdout


def test_a_short_link_is_refused_with_where_to_get_the_record(saved: Saved) -> None:
    result = verify(saved, "short-url.txt", "--jwks", saved.path("jwks.json"))
    assert result.returncode == 2
    assert "short verification link" in result.stderr
    assert "/record" in result.stderr and "Traceback" not in result.stderr
