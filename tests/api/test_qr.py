"""QR codes of verification records, read back with a real decoder and checked independently.

The PNG is decoded with zxing-cpp; the SVG is rasterized here (a small parser of its path)
and decoded the same way. The record inside is verified with joserfc, an independent JOSE
library, against the served JWKS, and its entry is proven to be in the log: the checkpoint
note is checked by hand from format section 5 (with ``cryptography`` only), the inclusion
proof with ``verify_inclusion``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any, cast

import pytest
import zxingcpp
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import BadSignatureError, InvalidKeyIdError, SecurityWarning
from joserfc.jwk import KeySet
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image, ImageDraw, ImageFilter

from ledger.bootstrap import Ledger
from ledger.core.merkle import verify_inclusion
from tests.api.conftest import ORIGIN, TokenFor
from tests.certificate_helpers import Issuer, make_issuer

PUBLIC_URL = f"https://{ORIGIN}"
#: Pixels per SVG user unit (one module) when the SVG is rasterized, and the white
#: margin added around it, in modules (the standard's quiet zone is four).
SCALE = 8
QUIET_ZONE = 4


@pytest.fixture
def issuer(ledger: Ledger) -> Issuer:
    return make_issuer(ledger)


def issue(client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, number: int) -> Any:
    response = client.post(
        "/certificates",
        json=issuer.row(number, score=82, assessment="A-9"),
        headers=token_for(issuer.principal),
    )
    assert response.status_code == 201, response.text
    return response.json()


def decode(image: Image.Image) -> zxingcpp.Barcode:
    """The one barcode zxing-cpp finds in ``image``."""
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, f"expected one code, found {len(found)}"
    return found[0]


def extra(code: zxingcpp.Barcode) -> dict[str, Any]:
    """The symbol details zxing-cpp reports: ECLevel, Version, DataMask, ..."""
    details = code.extra
    assert isinstance(details, dict)
    return details


def joserfc_verify(record: str, jwks: dict[str, Any]) -> jws.CompactSignature:
    """The record verified by joserfc under the served JWKS, EdDSA only.

    joserfc warns that RFC 9864 deprecates the name "EdDSA" (for "Ed25519"); the ledger
    writes "EdDSA" on purpose (ledger/core/signing.py), so the warning is expected here.
    """
    with pytest.warns(SecurityWarning, match="EdDSA is deprecated"):
        return jws.deserialize_compact(
            record, KeySet.import_key_set(cast(Any, jwks)), algorithms=["EdDSA"]
        )


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def open_checkpoint_by_hand(note: str, jwks: dict[str, Any]) -> tuple[int, bytes]:
    """Size and root of a checkpoint note signed by a JWKS key, following section 5 only."""
    text, _, block = note.rpartition("\n\n")
    text += "\n"
    origin, size, root = text.splitlines()[:3]
    assert origin == ORIGIN
    keys = {}
    for jwk in jwks["keys"]:
        raw = b64url_decode(jwk["x"])
        key_hash = hashlib.sha256(origin.encode() + b"\n\x01" + raw).digest()[:4]
        keys[key_hash] = Ed25519PublicKey.from_public_bytes(raw)
    verified = 0
    for line in block.splitlines():
        name, signature = line.removeprefix("\N{EM DASH} ").split(" ")
        decoded = base64.b64decode(signature, validate=True)
        if name != origin or decoded[:4] not in keys:
            continue
        keys[decoded[:4]].verify(decoded[4:], text.encode())  # InvalidSignature if not
        verified += 1
    assert verified >= 1, "no signature by a key of the JWKS"
    return int(size), base64.b64decode(root, validate=True)


def prove_inclusion(client: TestClient[Litestar], claims: dict[str, Any]) -> None:
    """The record's leaf hash is at its index in the tree of the current checkpoint."""
    jwks = client.get("/.well-known/jwks.json").json()
    size, root = open_checkpoint_by_hand(client.get("/log/checkpoint").text, jwks)
    index = claims["index"]
    proof = client.get("/log/proof/inclusion", params={"index": index, "size": size}).json()
    assert (proof["index"], proof["tree_size"]) == (index, size)
    assert proof["leaf_hash"] == claims["leaf_hash"]
    leaf = base64.b64decode(claims["leaf_hash"], validate=True)
    hashes = [base64.b64decode(h, validate=True) for h in proof["hashes"]]
    verify_inclusion(leaf, index, size, hashes, root)


# -- rasterizing the SVG ------------------------------------------------------------------

_PATH_TOKEN = re.compile(r"[MmLlHhVvZz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _subpaths(d: str) -> Iterator[list[tuple[float, float]]]:
    """The vertices of each closed subpath of an SVG path made of M, L, H, V and Z."""
    tokens = _PATH_TOKEN.findall(d)
    assert "".join(tokens) == re.sub(r"[\s,]+", "", d), f"unexpected path syntax: {d[:80]}"
    x = y = 0.0
    points: list[tuple[float, float]] = []
    position = 0
    command = ""
    while position < len(tokens):
        if tokens[position].isalpha():
            command = tokens[position]
            position += 1
            if command in "Zz":
                yield points
                x, y = points[0]
                points = []
                continue
        relative = command.islower()
        if command in "MmLl":
            dx, dy = float(tokens[position]), float(tokens[position + 1])
            position += 2
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            if command in "Mm":
                assert not points, "an unclosed subpath"
                command = "l" if relative else "L"  # later pairs are line-tos
        elif command in "Hh":
            x = x + float(tokens[position]) if relative else float(tokens[position])
            position += 1
        elif command in "Vv":
            y = y + float(tokens[position]) if relative else float(tokens[position])
            position += 1
        else:
            raise AssertionError(f"unexpected path command {command!r}")
        points.append((x, y))
    assert not points, "an unclosed subpath"


def _dark_rectangles(svg: bytes) -> tuple[list[tuple[float, float, float, float]], float, float]:
    """Each dark rectangle (x0, y0, x1, y1) of an SVG of a QR code, and its width and height."""
    root = ET.fromstring(svg)  # noqa: S314 - the app's own output
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    rectangles = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "path":
            for points in _subpaths(element.attrib["d"]):
                xs, ys = {p[0] for p in points}, {p[1] for p in points}
                assert len(xs) == len(ys) == 2, f"a subpath that is not a rectangle: {points}"
                rectangles.append((min(xs), min(ys), max(xs), max(ys)))
        elif tag == "rect" and element.attrib.get("fill", "#000000") not in ("#fff", "#ffffff"):
            x, y = float(element.attrib.get("x", 0)), float(element.attrib.get("y", 0))
            w, h = float(element.attrib["width"]), float(element.attrib["height"])
            rectangles.append((x, y, x + w, y + h))
    return rectangles, width, height


def rasterize(svg: bytes) -> Image.Image:
    """The SVG drawn at SCALE pixels a unit, dark on white, with a white margin around it."""
    rectangles, width, height = _dark_rectangles(svg)
    assert rectangles
    margin = QUIET_ZONE * SCALE
    image = Image.new(
        "L", (round(width * SCALE) + 2 * margin, round(height * SCALE) + 2 * margin), 255
    )
    draw = ImageDraw.Draw(image)
    for x0, y0, x1, y1 in rectangles:
        draw.rectangle(
            (
                margin + round(x0 * SCALE),
                margin + round(y0 * SCALE),
                margin + round(x1 * SCALE) - 1,
                margin + round(y1 * SCALE) - 1,
            ),
            fill=0,
        )
    return image


def test_the_svg_parser_reads_absolute_and_relative_rectangles() -> None:
    d = "M4,4H5V5H4zM6 4h2v1h-2z m1,2 l1,0 l0,1 l-1,0 z"
    assert list(_subpaths(d)) == [
        [(4, 4), (5, 4), (5, 5), (4, 5)],
        [(6, 4), (8, 4), (8, 5), (6, 5)],
        [(7, 6), (8, 6), (8, 7), (7, 7)],
    ]


# -- the codes ----------------------------------------------------------------------------


def test_the_png_holds_the_verification_url_and_the_record_verifies_independently(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    issued = issue(client, token_for, issuer, 21)
    number = issued["certificate"]
    response = client.get(f"/certificates/{number}/qr.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"

    code = decode(image)
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    assert code.ec_level in ("M", "Q", "H")
    assert extra(code)["ECLevel"] == code.ec_level
    assert code.content_type == zxingcpp.ContentType.Text
    record = client.get(f"/certificates/{number}/record").text
    # The short link: the page fetches the record from it (format section 9.4).
    assert code.text == f"{PUBLIC_URL}/verify/{number}" == issued["verify_url"]
    assert int(extra(code)["Version"]) <= 7
    assert record == issued["record"]

    jwks = client.get("/.well-known/jwks.json").json()
    verified = joserfc_verify(record, jwks)
    assert verified.protected == {
        "alg": "EdDSA",
        "kid": jwks["keys"][-1]["kid"],
        "typ": "certledger-record+jws",
    }
    claims = json.loads(verified.payload)
    assert claims["iss"] == PUBLIC_URL
    assert claims["certificate"] == number and claims["index"] == issued["index"]
    assert (claims["standard"], claims["level"], claims["org"]) == (
        issuer.standard,
        "junior",
        issuer.org,
    )
    assert (claims["score"], claims["assessment"]) == (82, "A-9")
    prove_inclusion(client, claims)


def test_the_svg_rasterized_holds_the_same_url(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    issued = issue(client, token_for, issuer, 22)
    number = issued["certificate"]
    response = client.get(f"/certificates/{number}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    code = decode(rasterize(response.content))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    assert code.ec_level in ("M", "Q", "H")
    assert code.text == f"{PUBLIC_URL}/verify/{number}"
    png = decode(Image.open(io.BytesIO(client.get(f"/certificates/{number}/qr.png").content)))
    assert png.text == code.text
    # The same symbol, module for module: same version and mask.
    assert (extra(code)["Version"], extra(code)["DataMask"]) == (
        extra(png)["Version"],
        extra(png)["DataMask"],
    )


def test_joserfc_refuses_a_tampered_record(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    record = issue(client, token_for, issuer, 23)["record"]
    header, payload, signature = record.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["level"] = "senior"
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    jwks = client.get("/.well-known/jwks.json").json()
    with pytest.raises(BadSignatureError):
        joserfc_verify(f"{header}.{tampered}.{signature}", jwks)


def test_after_a_rotation_old_records_verify_and_new_ones_name_the_new_key(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    old = issue(client, token_for, issuer, 24)
    old_kid = json.loads(b64url_decode(old["record"].split(".")[0]))["kid"]
    rotation = ledger.log.rotate_key()
    assert rotation.retired == old_kid and rotation.added != old_kid

    jwks = client.get("/.well-known/jwks.json").json()
    assert [key["kid"] for key in jwks["keys"]] == [old_kid, rotation.added]
    # The old record, fetched from its QR code's link, still verifies under the new JWKS.
    png = client.get(f"/certificates/{old['certificate']}/qr.png").content
    number = decode(Image.open(io.BytesIO(png))).text.rsplit("/", 1)[1]
    old_record = client.get(f"/certificates/{number}/record").text
    assert old_record == old["record"]
    assert joserfc_verify(old_record, jwks).protected["kid"] == old_kid

    new = issue(client, token_for, issuer, 25)
    verified = joserfc_verify(new["record"], jwks)
    assert verified.protected["kid"] == rotation.added
    # Each key verifies its own records only.
    only_old = {"keys": [key for key in jwks["keys"] if key["kid"] == old_kid]}
    with pytest.raises(InvalidKeyIdError):
        joserfc_verify(new["record"], only_old)

    # Both entries are in the log under the checkpoint the new key signs.
    prove_inclusion(client, json.loads(joserfc_verify(old_record, jwks).payload))
    prove_inclusion(client, json.loads(verified.payload))


def test_the_hand_verifier_refuses_a_checkpoint_with_a_broken_signature(
    client: TestClient[Litestar],
) -> None:
    note = client.get("/log/checkpoint").text
    jwks = client.get("/.well-known/jwks.json").json()
    text, _, line = note.rpartition("\n\n")
    name, signature = line.removeprefix("\N{EM DASH} ").split()
    raw = bytearray(base64.b64decode(signature))
    raw[-1] ^= 1
    broken = f"{text}\n\n\N{EM DASH} {name} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(InvalidSignature):
        open_checkpoint_by_hand(broken, jwks)


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["qr.png", "qr.svg"])
@pytest.mark.parametrize("number", ["X20261234", "X2026123456789a0", "x202612345678901"])
def test_a_malformed_number_is_400_naming_the_parameter(
    client: TestClient[Litestar], kind: str, number: str
) -> None:
    response = client.get(f"/certificates/{number}/{kind}")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status_code"] == 400
    assert "number" in body["detail"]


@pytest.mark.parametrize("kind", ["qr.png", "qr.svg"])
def test_a_wrong_check_digit_is_400_and_an_unknown_number_404(
    client: TestClient[Litestar], kind: str
) -> None:
    from ledger.domain.certificates import luhn_digit

    body = "20260000000001"
    good = f"X{body}{luhn_digit(body)}"
    bad = f"X{body}{(int(luhn_digit(body)) + 1) % 10}"
    response = client.get(f"/certificates/{bad}/{kind}")
    assert response.status_code == 400, response.text
    assert "number" in response.json()["detail"]
    assert "check digit" in response.json()["detail"]
    response = client.get(f"/certificates/{good}/{kind}")
    assert response.status_code == 404, response.text
    assert response.json()["status_code"] == 404
    assert good in response.json()["detail"]


# -- a phone's photo ------------------------------------------------------------------------


def phone_photo(png: bytes, width: int, seed: int) -> Image.Image:
    """The code printed ``width`` pixels wide and photographed: tilted 7 degrees, slightly
    blurred, with sensor noise, on a grey background."""
    code = Image.open(io.BytesIO(png)).convert("L")
    printed = code.resize((width, width * code.height // code.width), Image.Resampling.BILINEAR)
    page = Image.new("L", (printed.width + 80, printed.height + 80), 235)
    page.paste(printed, (40, 40))
    tilted = page.rotate(7, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=190)
    blurred = tilted.filter(ImageFilter.GaussianBlur(radius=0.9))
    rng = random.Random(seed)
    pixels = blurred.width * blurred.height
    noise = Image.frombytes("L", blurred.size, bytes(rng.randrange(256) for _ in range(pixels)))
    return Image.blend(blurred, noise, 0.18)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_phone_photo_of_the_code_printed_200_pixels_wide_decodes(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, seed: int
) -> None:
    issued = issue(client, token_for, issuer, 40 + seed)
    png = client.get(f"/certificates/{issued['certificate']}/qr.png").content
    photo = phone_photo(png, 200, seed)
    code = decode(photo)
    assert code.text == f"{PUBLIC_URL}/verify/{issued['certificate']}"
    assert int(extra(code)["Version"]) <= 7
    assert code.ec_level == "M"


def test_the_old_full_record_code_would_not_survive_the_same_photo(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    # Why the QR code now holds a short link: the same photo of a code carrying the whole
    # record (version 20 and more) does not decode at 200 pixels wide.
    from api.qr import qr_png

    issued = issue(client, token_for, issuer, 44)
    full = qr_png(f"{PUBLIC_URL}/verify#r={issued['record']}")
    assert zxingcpp.read_barcodes(phone_photo(full, 200, 1)) == []
