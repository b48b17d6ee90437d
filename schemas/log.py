"""Wire types of the public log API: entries, proofs, health, errors and the JWK set.

Every ``bytes`` field travels as standard base64 with padding (RFC 4648 section 4).
"""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = [
    "ConsistencyProof",
    "EntriesPage",
    "ErrorDetail",
    "Health",
    "InclusionProof",
    "Jwk",
    "JwkSet",
    "LogEntry",
]

_BASE64 = "standard base64 with padding (RFC 4648 section 4)"
_HASH = Annotated[
    bytes,
    msgspec.Meta(description=f"a 32-byte SHA-256 hash, {_BASE64}", examples=["A" * 43 + "="]),
]


class LogEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One ledger entry: its position, what it records, and its exact canonical bytes."""

    index: Annotated[int, msgspec.Meta(ge=0, description="sequence number, from 0, no gaps")]
    kind: Annotated[str, msgspec.Meta(description="entry kind, such as certificate.issued")]
    principal: Annotated[str, msgspec.Meta(description="who wrote the entry")]
    timestamp: Annotated[
        str, msgspec.Meta(description="UTC time of the append, YYYY-MM-DDTHH:MM:SS.mmmZ")
    ]
    data: Annotated[
        bytes,
        msgspec.Meta(description=f"the entry's canonical bytes (RFC 8785 JSON), {_BASE64}"),
    ]
    leaf_hash: Annotated[
        bytes,
        msgspec.Meta(description=f"SHA-256(0x00 || data), the RFC 9162 leaf hash, {_BASE64}"),
    ]


class EntriesPage(msgspec.Struct, frozen=True, kw_only=True):
    """A run of consecutive entries and the log size they were read at."""

    tree_size: Annotated[int, msgspec.Meta(ge=0, description="the log's size when read")]
    entries: list[LogEntry]


class InclusionProof(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 9162 section 2.1.3 inclusion proof of one leaf in the tree of ``tree_size`` leaves."""

    index: Annotated[int, msgspec.Meta(ge=0)]
    tree_size: Annotated[int, msgspec.Meta(ge=1)]
    leaf_hash: _HASH
    hashes: Annotated[
        list[_HASH], msgspec.Meta(description="the audit path, from the leaf up (RFC 9162 order)")
    ]


class ConsistencyProof(msgspec.Struct, frozen=True, kw_only=True):
    """RFC 9162 section 2.1.4 proof that the tree of ``new_size`` extends that of ``old_size``."""

    old_size: Annotated[int, msgspec.Meta(ge=1)]
    new_size: Annotated[int, msgspec.Meta(ge=1)]
    hashes: Annotated[list[_HASH], msgspec.Meta(description="the proof nodes, RFC 9162 order")]


class Health(msgspec.Struct, frozen=True, kw_only=True):
    """Liveness of the service and its database."""

    status: str
    tree_size: Annotated[int, msgspec.Meta(ge=0)]


class Jwk(msgspec.Struct, frozen=True, kw_only=True):
    """An RFC 8037 Ed25519 public JWK; ``kid`` is its RFC 7638 thumbprint."""

    kty: str
    crv: str
    x: Annotated[str, msgspec.Meta(description="the 32-byte public key, unpadded base64url")]
    kid: Annotated[str, msgspec.Meta(description="RFC 7638 SHA-256 JWK thumbprint")]
    alg: str
    use: str


class JwkSet(msgspec.Struct, frozen=True, kw_only=True):
    """An RFC 7517 JWK set: every key that signs, or once signed, verification records."""

    keys: list[Jwk]


class ErrorDetail(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The body of every error response; ``detail_zh`` only on errors a person may see."""

    status_code: Annotated[int, msgspec.Meta(examples=[400])]
    detail: Annotated[
        str,
        msgspec.Meta(
            description="what was wrong, naming the parameter",
            examples=["query parameter 'start' must be an integer, got 'abc'"],
        ),
    ]
    detail_zh: Annotated[
        str | None,
        msgspec.Meta(
            description="the same in Chinese, for the errors a person may see (README)",
            examples=["证书编号的校验位不符：其中有一位数字输错了，请逐位核对。"],
        ),
    ] = None
