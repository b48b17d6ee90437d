"""Ed25519 keys: signing, PEM files, JWK form and RFC 7638 thumbprints.

Cross-checked against RFC 8037 Appendix A and two independent JOSE libraries.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable, Mapping

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from ledger.core.errors import BadSignature, SigningKeyError
from ledger.core.signing import SigningKey, VerifyingKey

# RFC 8037 Appendix A.1-A.4 (the private key is also RFC 8032 section 7.1, TEST 1).
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_SIGNING_INPUT = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
RFC8037_SIGNATURE = (
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkcs8_pem(key: object) -> bytes:
    assert isinstance(
        key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey | ec.EllipticCurvePrivateKey
    )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def joserfc_key(jwk: Mapping[str, str]) -> OKPKey:
    members: dict[str, str | list[str]] = dict(jwk)
    return OKPKey.import_key(members)


def key_from_seed(seed: bytes) -> SigningKey:
    return SigningKey.from_pem(pkcs8_pem(ed25519.Ed25519PrivateKey.from_private_bytes(seed)))


@pytest.fixture(scope="module")
def rfc8037_key() -> SigningKey:
    return key_from_seed(b64url_decode(RFC8037_D))


# --- sign and verify ----------------------------------------------------------


def test_generate_sign_verify() -> None:
    key = SigningKey.generate()
    signature = key.sign(b"hello")
    assert len(signature) == 64
    key.public.verify(signature, b"hello")


def test_generated_keys_differ() -> None:
    assert SigningKey.generate().public != SigningKey.generate().public


def test_verify_rejects_other_message() -> None:
    key = SigningKey.generate()
    with pytest.raises(BadSignature):
        key.public.verify(key.sign(b"hello"), b"hellp")


def test_verify_rejects_other_key() -> None:
    signature = SigningKey.generate().sign(b"hello")
    with pytest.raises(BadSignature):
        SigningKey.generate().public.verify(signature, b"hello")


@pytest.mark.parametrize("index", [0, 31, 32, 63])
def test_verify_rejects_flipped_signature_bit(index: int) -> None:
    key = SigningKey.generate()
    signature = bytearray(key.sign(b"hello"))
    signature[index] ^= 0x01
    with pytest.raises(BadSignature):
        key.public.verify(bytes(signature), b"hello")


@pytest.mark.parametrize(
    "mutate",
    [lambda s: s[:-1], lambda s: s + b"\x00", lambda s: b""],
    ids=["signature-63-bytes", "signature-65-bytes", "signature-empty"],
)
def test_verify_rejects_wrong_signature_length(mutate: Callable[[bytes], bytes]) -> None:
    key = SigningKey.generate()
    with pytest.raises(BadSignature):
        key.public.verify(mutate(key.sign(b"hello")), b"hello")


# --- VerifyingKey value semantics ---------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00" * 31, b"\x00" * 33, bytearray(32), "a" * 32],
    ids=["empty", "31-bytes", "33-bytes", "bytearray", "str"],
)
def test_verifying_key_rejects_bad_raw(raw: object) -> None:
    with pytest.raises(SigningKeyError):
        VerifyingKey(raw)  # type: ignore[arg-type]


def test_verifying_key_equal_and_hashable_by_raw_bytes() -> None:
    raw = SigningKey.generate().public.raw
    first, second = VerifyingKey(raw), VerifyingKey(bytes(raw))
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second}) == 1
    assert first != VerifyingKey(SigningKey.generate().public.raw)


def test_verifying_key_is_immutable() -> None:
    key = SigningKey.generate().public
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.raw = b"\x00" * 32  # type: ignore[misc]


# --- PEM ------------------------------------------------------------------------


def test_pem_round_trip() -> None:
    key = SigningKey.generate()
    pem = key.to_pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    again = SigningKey.from_pem(pem)
    assert again.public == key.public
    assert again.to_pem() == pem
    key.public.verify(again.sign(b"m"), b"m")


def test_signing_key_repr_hides_the_secret() -> None:
    key = SigningKey.generate()
    text = repr(key)
    assert key.kid in text
    assert "PRIVATE" not in text
    assert key.to_pem().decode() not in text


def _encrypted_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"password"),
    )


def _public_pem() -> bytes:
    return (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _openssh_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    "make_pem",
    [
        lambda: b"",
        lambda: b"not a key",
        lambda: b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        _encrypted_pem,
        _public_pem,
        _openssh_pem,
        lambda: pkcs8_pem(ed448.Ed448PrivateKey.generate()),
        lambda: pkcs8_pem(ec.generate_private_key(ec.SECP256R1())),
        lambda: SigningKey.generate().to_pem().decode(),
        lambda: SigningKey.generate().to_pem()[:-40],
    ],
    ids=[
        "empty",
        "garbage",
        "truncated-der",
        "encrypted-pkcs8",
        "public-key",
        "openssh-format",
        "ed448-key",
        "p256-key",
        "str-not-bytes",
        "truncated-pem",
    ],
)
def test_from_pem_rejects(make_pem: Callable[[], bytes]) -> None:
    with pytest.raises(SigningKeyError):
        SigningKey.from_pem(make_pem())


# --- RFC 8037 Appendix A --------------------------------------------------------


def test_rfc8037_public_key(rfc8037_key: SigningKey) -> None:
    assert rfc8037_key.public.raw == b64url_decode(RFC8037_X)
    assert rfc8037_key.public.jwk()["x"] == RFC8037_X


def test_rfc8037_thumbprint(rfc8037_key: SigningKey) -> None:
    assert rfc8037_key.public.thumbprint() == RFC8037_THUMBPRINT
    assert rfc8037_key.kid == RFC8037_THUMBPRINT
    assert rfc8037_key.public.jwk()["kid"] == RFC8037_THUMBPRINT


def test_rfc8037_signature(rfc8037_key: SigningKey) -> None:
    # Ed25519 is deterministic, so the RFC's JWS signature is reproduced exactly.
    assert rfc8037_key.sign(RFC8037_SIGNING_INPUT) == b64url_decode(RFC8037_SIGNATURE)
    rfc8037_key.public.verify(b64url_decode(RFC8037_SIGNATURE), RFC8037_SIGNING_INPUT)


def test_rfc8037_public_jwk_reads() -> None:
    key = VerifyingKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X})
    assert key.thumbprint() == RFC8037_THUMBPRINT


# --- JWK and thumbprint ---------------------------------------------------------


def test_jwk_members() -> None:
    key = SigningKey.generate().public
    assert key.jwk() == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url_encode(key.raw),
        "kid": key.thumbprint(),
        "alg": "EdDSA",
        "use": "sig",
    }


def test_jwk_round_trip() -> None:
    key = SigningKey.generate().public
    assert VerifyingKey.from_jwk(key.jwk()) == key
    assert VerifyingKey.from_jwk(json.loads(json.dumps(key.jwk()))) == key


@settings(max_examples=50)
@given(seed=st.binary(min_size=32, max_size=32))
def test_thumbprint_matches_joserfc(seed: bytes) -> None:
    key = key_from_seed(seed).public
    assert joserfc_key(key.jwk()).thumbprint() == key.thumbprint()
    bare = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(key.raw)}
    assert joserfc_key(bare).thumbprint() == key.thumbprint()


def test_jwk_reads_back_in_joserfc() -> None:
    key = SigningKey.generate().public
    imported = joserfc_key(key.jwk())
    assert imported.as_dict(private=False)["x"] == key.jwk()["x"]


def _jwk(**changes: object) -> dict[str, object]:
    good: dict[str, object] = dict(SigningKey.generate().public.jwk())
    good.update(changes)
    return {name: value for name, value in good.items() if value is not None}


@pytest.mark.parametrize(
    "jwk",
    [
        _jwk(kty="EC"),
        _jwk(kty=None),
        _jwk(crv="Ed448"),
        _jwk(crv="X25519"),
        _jwk(crv=None),
        _jwk(x=None),
        _jwk(x=12345),
        _jwk(x=""),
        _jwk(x=RFC8037_X + "="),
        _jwk(x=RFC8037_X.replace("_", "/")),
        _jwk(x=RFC8037_X[:-1]),
        _jwk(x=b64url_encode(b"\x01" * 31)),
        _jwk(x=b64url_encode(b"\x01" * 33)),
        _jwk(x=RFC8037_X[:-1] + "p"),
        _jwk(x=" " + RFC8037_X),
        _jwk(d=RFC8037_D),
        _jwk(alg="RS256"),
        _jwk(use="enc"),
    ],
    ids=[
        "kty-ec",
        "kty-missing",
        "crv-ed448",
        "crv-x25519",
        "crv-missing",
        "x-missing",
        "x-not-string",
        "x-empty",
        "x-padded",
        "x-std-alphabet",
        "x-truncated",
        "x-31-bytes",
        "x-33-bytes",
        "x-non-canonical-trailing-bits",
        "x-leading-space",
        "private-d-present",
        "alg-rs256",
        "use-enc",
    ],
)
def test_from_jwk_rejects(jwk: dict[str, object]) -> None:
    with pytest.raises(SigningKeyError):
        VerifyingKey.from_jwk(jwk)


def test_from_jwk_rejects_non_mapping() -> None:
    with pytest.raises(SigningKeyError):
        VerifyingKey.from_jwk([("kty", "OKP")])  # type: ignore[arg-type]


def test_from_jwk_accepts_fully_specified_alg() -> None:
    key = SigningKey.generate().public
    assert VerifyingKey.from_jwk(_jwk(x=key.jwk()["x"], alg="Ed25519")) == key


# --- JWS interoperability ---------------------------------------------------------


def _split_compact(token: str) -> tuple[bytes, bytes]:
    header, payload, signature = token.split(".")
    return f"{header}.{payload}".encode("ascii"), b64url_decode(signature)


def _our_compact_jws(key: SigningKey, header: dict[str, str], payload: bytes) -> str:
    encoded_header = b64url_encode(json.dumps(header, separators=(",", ":")).encode())
    signing_input = f"{encoded_header}.{b64url_encode(payload)}"
    return signing_input + "." + b64url_encode(key.sign(signing_input.encode("ascii")))


def test_joserfc_eddsa_jws_verifies_with_our_key() -> None:
    key = SigningKey.generate()
    with pytest.warns(SecurityWarning, match="RFC 9864"):
        token = jws.serialize_compact(
            {"alg": "EdDSA"}, b"payload", OKPKey.import_key(key.to_pem()), algorithms=["EdDSA"]
        )
    key.public.verify(*reversed(_split_compact(token)))


def test_joserfc_ed25519_jws_verifies_with_our_key() -> None:
    key = SigningKey.generate()
    token = jws.serialize_compact(
        {"alg": "Ed25519"}, b"payload", OKPKey.import_key(key.to_pem()), algorithms=["Ed25519"]
    )
    signing_input, signature = _split_compact(token)
    key.public.verify(signature, signing_input)
    with pytest.raises(BadSignature):
        SigningKey.generate().public.verify(signature, signing_input)


def test_our_jws_verifies_with_joserfc() -> None:
    key = SigningKey.generate()
    token = _our_compact_jws(key, {"alg": "Ed25519"}, b"payload")
    # Our JWK says alg "EdDSA", which joserfc will not use for "Ed25519": give it x only.
    bare = {"kty": "OKP", "crv": "Ed25519", "x": key.public.jwk()["x"]}
    verified = jws.deserialize_compact(token, joserfc_key(bare), algorithms=["Ed25519"])
    assert verified.payload == b"payload"


def test_our_eddsa_jws_verifies_with_joserfc() -> None:
    key = SigningKey.generate()
    token = _our_compact_jws(key, {"alg": "EdDSA", "kid": key.kid}, b"payload")
    with pytest.warns(SecurityWarning):
        verified = jws.deserialize_compact(
            token, joserfc_key(key.public.jwk()), algorithms=["EdDSA"]
        )
    assert verified.payload == b"payload"


def test_our_jws_verifies_with_pyjwt() -> None:
    key = SigningKey.generate()
    token = _our_compact_jws(key, {"alg": "EdDSA", "typ": "JWT"}, b'{"sub":"x"}')
    claims = jwt.decode(token, key=jwt.PyJWK(key.public.jwk()), algorithms=["EdDSA"])
    assert claims == {"sub": "x"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, key=jwt.PyJWK(SigningKey.generate().public.jwk()), algorithms=["EdDSA"])


def test_pyjwt_jws_verifies_with_our_key() -> None:
    key = SigningKey.generate()
    private = serialization.load_pem_private_key(key.to_pem(), password=None)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    token = jwt.encode({"sub": "x"}, private, algorithm="EdDSA")
    key.public.verify(*reversed(_split_compact(token)))
