"""Ed25519 keys for the ledger: signing, verifying, PEM files and the JWK form.

A key is identified by its RFC 7638 JWK thumbprint over its RFC 8037 OKP public JWK.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ledger.core.errors import BadSignature, SigningKeyError

__all__ = ["PUBLIC_KEY_SIZE", "SIGNATURE_SIZE", "SigningKey", "VerifyingKey"]

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64

# RFC 8037 section 3.1 names the JWS algorithm "EdDSA"; RFC 9864 adds the
# fully specified "Ed25519". We publish "EdDSA" (what PyJWT and most verifiers
# know) and accept either when reading a JWK.
_JWS_ALGORITHM = "EdDSA"
_ACCEPTED_JWK_ALGORITHMS = frozenset({"EdDSA", "Ed25519"})
_BASE64URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url (RFC 7515 section 2); ValueError otherwise."""
    if not _BASE64URL_ALPHABET.fullmatch(text):
        raise ValueError("not base64url without padding")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Re-encoding rejects a length of 1 mod 4 and non-zero trailing bits, so
    # every key has exactly one spelling.
    if _b64url_encode(raw) != text:
        raise ValueError("not canonical base64url")
    return raw


@dataclass(frozen=True, slots=True)
class VerifyingKey:
    """An Ed25519 public key: immutable, hashable, equal when the raw bytes are equal."""

    raw: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Check the raw key; raise SigningKeyError unless it is 32 bytes."""
        if not isinstance(self.raw, bytes) or len(self.raw) != PUBLIC_KEY_SIZE:
            raise SigningKeyError(f"an Ed25519 public key is {PUBLIC_KEY_SIZE} bytes")
        try:
            key = Ed25519PublicKey.from_public_bytes(self.raw)
        except ValueError as exc:
            raise SigningKeyError("not an Ed25519 public key") from exc
        object.__setattr__(self, "_key", key)

    def verify(self, signature: bytes, message: bytes) -> None:
        """Return if signature is this key's Ed25519 signature of message; raise BadSignature."""
        if not isinstance(signature, bytes) or len(signature) != SIGNATURE_SIZE:
            raise BadSignature(f"an Ed25519 signature is {SIGNATURE_SIZE} bytes")
        try:
            self._key.verify(signature, message)
        except InvalidSignature as exc:
            raise BadSignature(f"signature does not verify under key {self.thumbprint()}") from exc

    def thumbprint(self) -> str:
        """The RFC 7638 JWK thumbprint (SHA-256, unpadded base64url): the key's id."""
        # RFC 7638 section 3.2: only the required members, in lexicographic
        # order, no whitespace. Every value is ASCII, so no escaping arises.
        required = f'{{"crv":"Ed25519","kty":"OKP","x":"{_b64url_encode(self.raw)}"}}'
        return _b64url_encode(hashlib.sha256(required.encode("ascii")).digest())

    def jwk(self) -> dict[str, str]:
        """The RFC 8037 public JWK, with kid (the thumbprint), alg "EdDSA" and use "sig"."""
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64url_encode(self.raw),
            "kid": self.thumbprint(),
            "alg": _JWS_ALGORITHM,
            "use": "sig",
        }

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, object]) -> VerifyingKey:
        """Read an RFC 8037 Ed25519 public JWK.

        Requires kty "OKP", crv "Ed25519" and x (canonical unpadded base64url of
        32 bytes); if present, alg must be "EdDSA" or "Ed25519" and use "sig".
        A JWK carrying the private "d" is refused. kid is not checked: compare it
        with thumbprint() where it matters. Raises SigningKeyError otherwise.
        """
        if not isinstance(jwk, Mapping):
            raise SigningKeyError("a JWK is a JSON object")
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise SigningKeyError('not an Ed25519 key (kty "OKP", crv "Ed25519")')
        if "d" in jwk:
            raise SigningKeyError("a private JWK where a public key was expected")
        if "alg" in jwk and jwk["alg"] not in _ACCEPTED_JWK_ALGORITHMS:
            raise SigningKeyError(f"JWK alg {jwk['alg']!r} is not EdDSA")
        if "use" in jwk and jwk["use"] != "sig":
            raise SigningKeyError(f"JWK use {jwk['use']!r} is not sig")
        x = jwk.get("x")
        if not isinstance(x, str):
            raise SigningKeyError("JWK x is missing or not a string")
        try:
            raw = _b64url_decode(x)
        except ValueError as exc:
            raise SigningKeyError("JWK x is not unpadded base64url") from exc
        return cls(raw)


class SigningKey:
    """An Ed25519 private key. Never printed, never compared: only used to sign."""

    __slots__ = ("_key", "_public")

    def __init__(self, key: Ed25519PrivateKey) -> None:
        """Wrap a cryptography Ed25519 private key; prefer generate() or from_pem()."""
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError("not an Ed25519 private key")
        self._key = key
        self._public = VerifyingKey(key.public_key().public_bytes_raw())

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh key from the operating system's random source."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        """Read an unencrypted PKCS#8 PEM Ed25519 private key.

        Raises SigningKeyError for anything else: garbage, an encrypted key, a
        public key, or a key of another algorithm.
        """
        if not isinstance(pem, bytes):
            raise SigningKeyError("a PEM key is bytes")
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise SigningKeyError("unreadable PKCS#8 PEM private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"PEM key is {type(key).__name__}, not Ed25519")
        return cls(key)

    def to_pem(self) -> bytes:
        """The key as unencrypted PKCS#8 PEM; from_pem() reads it back."""
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public(self) -> VerifyingKey:
        """The matching public key."""
        return self._public

    @property
    def kid(self) -> str:
        """The key id: the RFC 7638 thumbprint of the public key."""
        return self._public.thumbprint()

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 (RFC 8032, pure) signature of message."""
        return self._key.sign(message)

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.kid!r})"
