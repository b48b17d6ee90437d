"""Wire types of authentication: token exchange, API keys and revocations.

Request bodies refuse unknown fields, so a misspelt field is a 400, never silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

__all__ = [
    "ApiKeyCreated",
    "ApiKeyRevoked",
    "CreateApiKey",
    "PrincipalRevoked",
    "TokenRequest",
    "TokenResponse",
]

_PRINCIPAL = msgspec.Meta(
    min_length=1,
    max_length=200,
    description="a principal: role or role:id, such as office or school:4161010001",
    examples=["school:4161010001"],
)
_INDEX = msgspec.Meta(ge=0, description="ledger index of the entry that records this")


class TokenRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Exchange an API key for a short bearer token."""

    api_key: Annotated[
        str,
        msgspec.Meta(min_length=1, max_length=200, description="the secret clk_<key id>_<secret>"),
    ]


class TokenResponse(msgspec.Struct, frozen=True, kw_only=True):
    """An OAuth 2.0 style bearer token response (RFC 6749 section 5.1)."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: Annotated[int, msgspec.Meta(ge=1, description="seconds the token is valid")]


class CreateApiKey(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Whom the new API key acts as; the caller when left out."""

    principal: Annotated[str, _PRINCIPAL] | None = None


class ApiKeyCreated(msgspec.Struct, frozen=True, kw_only=True):
    """A new API key: ``api_key`` is shown this once and cannot be read again."""

    key_id: str
    api_key: Annotated[str, msgspec.Meta(description="the secret; store it now")]
    index: Annotated[int, _INDEX]


class ApiKeyRevoked(msgspec.Struct, frozen=True, kw_only=True):
    """An API key revoked: tokens made from it stop working at once."""

    key_id: str
    index: Annotated[int, _INDEX]


class PrincipalRevoked(msgspec.Struct, frozen=True, kw_only=True):
    """A principal revoked: its tokens issued until ``revoked_at`` and its API keys stop working."""

    principal: str
    revoked_at: Annotated[int, msgspec.Meta(description="Unix time in seconds")]
    index: Annotated[int, _INDEX]
