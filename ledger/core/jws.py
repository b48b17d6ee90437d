"""Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037): the verification records.

Only what records need: one algorithm, a protected header with ``kid`` and ``typ``, a
payload of bytes. The header of a key is encoded once (RecordSigner), so signing a
batch costs one Ed25519 signature and two base64 encodings per record. Verification
refuses every other ``alg``, so a ``none`` or HMAC header never reaches a key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.core.errors import BadSignature, VerificationError
from ledger.core.signing import SigningKey, VerifyingKey

#: The only algorithm a record may name.
ALGORITHM = "EdDSA"
#: The ``typ`` of a verification record's protected header.
RECORD_TYPE = "certledger-record+jws"
#: Records longer than this are refused before any decoding.
MAX_COMPACT_LENGTH = 16_384


class MalformedRecord(VerificationError):
    """A record that is not a compact JWS of this ledger's shape; the message says why."""


def b64url(raw: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, part: str) -> bytes:
    """Decode unpadded base64url; MalformedRecord naming ``part`` when it is not."""
    if not text or "=" in text or len(text) % 4 == 1:
        raise MalformedRecord(f"the {part} is not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedRecord(f"the {part} is not base64url") from exc
    if b64url(raw) != text:  # non-canonical trailing bits, or characters outside the alphabet
        raise MalformedRecord(f"the {part} is not canonical base64url")
    return raw


class RecordSigner:
    """Sign payloads with one key, its protected header encoded once."""

    def __init__(self, key: SigningKey, typ: str = RECORD_TYPE) -> None:
        self.key = key
        header = {"alg": ALGORITHM, "kid": key.kid, "typ": typ}
        self._prefix = b64url(json.dumps(header, separators=(",", ":")).encode("ascii")) + "."

    def sign(self, payload: bytes) -> str:
        """The compact JWS of ``payload``."""
        signing_input = self._prefix + b64url(payload)
        signature = self.key.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{b64url(signature)}"


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """The parts of a compact JWS, before its signature is checked."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    @property
    def kid(self) -> str:
        """The ``kid`` of the protected header."""
        kid: str = self.header["kid"]
        return kid


def parse_compact(token: str) -> ParsedJws:
    """Split and decode a compact JWS whose header names EdDSA and a kid.

    MalformedRecord says what is wrong: the shape, the base64url, the header JSON, an
    algorithm other than EdDSA, a missing kid, or a ``crit`` member (none understood).
    """
    if not isinstance(token, str) or len(token) > MAX_COMPACT_LENGTH:
        raise MalformedRecord(f"a record is a string of at most {MAX_COMPACT_LENGTH} characters")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise MalformedRecord("a record has three parts separated by '.'")
    header_b64, payload_b64, signature_b64 = parts
    try:
        header = json.loads(b64url_decode(header_b64, "header"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedRecord("the header is not JSON") from exc
    if not isinstance(header, dict):
        raise MalformedRecord("the header is not a JSON object")
    if header.get("alg") != ALGORITHM:
        raise MalformedRecord(f"the header's alg must be {ALGORITHM}, not {header.get('alg')!r}")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise MalformedRecord("the header names no kid")
    if "crit" in header:
        raise MalformedRecord("the header has a crit member, which this ledger never writes")
    signature = b64url_decode(signature_b64, "signature")
    if len(signature) != 64:
        raise MalformedRecord("the signature is not 64 bytes")
    return ParsedJws(
        header,
        b64url_decode(payload_b64, "payload"),
        f"{header_b64}.{payload_b64}".encode("ascii"),
        signature,
    )


def verify_compact(
    token: str, keys: Mapping[str, VerifyingKey], typ: str | None = RECORD_TYPE
) -> ParsedJws:
    """Parse ``token`` and check its signature under the key its kid names.

    ``keys`` maps kid to key; ``typ`` is the header's required ``typ`` (None: any).
    MalformedRecord for a token of the wrong shape or type; BadSignature when the kid
    is not among ``keys`` or the signature does not verify.
    """
    parsed = parse_compact(token)
    if typ is not None and parsed.header.get("typ") != typ:
        raise MalformedRecord(
            f"the header's typ must be {typ!r}: this is not a verification record"
        )
    key = keys.get(parsed.kid)
    if key is None:
        raise BadSignature(f"the record is signed by key {parsed.kid!r}, which is not in the JWKS")
    key.verify(parsed.signature, parsed.signing_input)
    return parsed
