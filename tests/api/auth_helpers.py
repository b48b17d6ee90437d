"""Forge bearer tokens for the authentication tests: any header, any claims, any signature.

Built by hand (base64url, JSON, the raw signature) so that a test never relies on the
library under test to produce the attack it checks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.bootstrap import Ledger
from ledger.core.signing import SigningKey
from ledger.services.tokens import AUDIENCE

#: Signs the ASCII signing input ``header.payload``; returns the raw signature.
Signer = Callable[[bytes], bytes]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_json(value: object) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def compact(header: dict[str, Any], claims: dict[str, Any], signer: Signer | None) -> str:
    """A compact JWS over ``header`` and ``claims``; an empty signature without a signer."""
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    signature = b"" if signer is None else signer(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


def service_key(ledger: Ledger) -> SigningKey:
    """The ledger's active token key (the private one, for forging valid signatures)."""
    return ledger.tokens.signing_key()


def claims_for(ledger: Ledger, principal: str = "office", **changes: Any) -> dict[str, Any]:
    """Claims the service would accept for ``principal``; ``changes`` set (None: remove)."""
    now = int(time.time())
    role, _, principal_id = principal.partition(":")
    claims: dict[str, Any] = {
        "iss": ledger.settings.public_url,
        "aud": AUDIENCE,
        "sub": principal,
        "role": role,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "forged-token-0000000001",
    }
    if role in ("org", "school"):
        claims[role] = principal_id
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def signed_by_service(ledger: Ledger, claims: dict[str, Any] | None = None, **header: Any) -> str:
    """A token signed with the service's own key, ``header`` added to alg, kid and typ."""
    key = service_key(ledger)
    full_header = {"alg": "EdDSA", "kid": key.kid, "typ": "JWT", **header}
    return compact(full_header, claims or claims_for(ledger), key.sign)


def hmac_signer(secret: bytes, digest: str) -> Signer:
    return lambda message: hmac.new(secret, message, getattr(hashlib, digest)).digest()


def public_key_pem(ledger: Ledger) -> bytes:
    """The service public key as a SubjectPublicKeyInfo PEM, the usual confusion secret."""
    raw = service_key(ledger).public.raw
    return Ed25519PublicKey.from_public_bytes(raw).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def rsa_signer() -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return lambda message: key.sign(message, padding.PKCS1v15(), hashes.SHA256())
