"""Credentials over HTTP: API keys exchanged for tokens, issued and revoked; principals revoked.

Issuing and revoking are ledger entries written by the caller; the secret is shown once.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
)

from api.auth import BEARER_SECURITY, RateLimits, client_address
from api.errors import error_spec
from api.params import ApiController
from ledger.bootstrap import Ledger
from ledger.core.errors import Unauthenticated
from ledger.core.principals import Principal
from ledger.services.tokens import API_KEY_TOKEN_TTL_SECONDS
from schemas.auth import (
    ApiKeyCreated,
    ApiKeyRevoked,
    CreateApiKey,
    PrincipalRevoked,
    TokenRequest,
    TokenResponse,
)

__all__ = ["TokenController"]

_NO_STORE = CacheControlHeader(no_store=True)


_BAD_BODY = {HTTP_400_BAD_REQUEST: error_spec("The body is not JSON, has a wrong type or field.")}
_WRITE_ERRORS = {
    **_BAD_BODY,
    HTTP_401_UNAUTHORIZED: error_spec("No bearer token, or the token is refused; detail says why."),
    HTTP_403_FORBIDDEN: error_spec("This principal may not do this; detail says why."),
    HTTP_429_TOO_MANY_REQUESTS: error_spec("Over the rate limit; see Retry-After."),
}


class TokenController(ApiController):
    """POST /auth/token, /api-keys, /api-keys/{key_id}/revoke, /principals/{principal}/revoke."""

    path = "/"
    tags = ["auth"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/auth/token",
        status_code=HTTP_200_OK,
        cache_control=_NO_STORE,
        sync_to_thread=True,
        summary="Exchange an API key for a bearer token",
        description=(
            f"A machine client sends its API key and gets a bearer token valid "
            f"{API_KEY_TOKEN_TTL_SECONDS} s; send it as Authorization: Bearer <token>. "
            "Failed attempts are rate limited per client address; a right key is never "
            "refused for somebody else's wrong guesses."
        ),
        responses={
            **_BAD_BODY,
            HTTP_401_UNAUTHORIZED: error_spec("The API key is unknown or revoked."),
            HTTP_429_TOO_MANY_REQUESTS: error_spec("Too many attempts; see Retry-After."),
        },
    )
    def token(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        data: JSONBody[TokenRequest],
    ) -> TokenResponse:
        """Return a short bearer token for the API key's principal."""
        limits: RateLimits = request.app.state.rate_limits
        try:
            token = ledger.tokens.exchange(data.api_key)
        except Unauthenticated:
            # Only failures count: key ids are public (the ledger names them), so a
            # per-key limit would let anyone lock a school's system out of its own key.
            limits.token_exchange.check(f"address:{client_address(request)}")
            raise
        return TokenResponse(
            access_token=token,
            token_type="Bearer",  # noqa: S106 - the OAuth token type, not a password
            expires_in=API_KEY_TOKEN_TTL_SECONDS,
        )

    @post(
        "/api-keys",
        status_code=HTTP_201_CREATED,
        cache_control=_NO_STORE,
        sync_to_thread=True,
        summary="Create an API key",
        security=BEARER_SECURITY,
        description=(
            "For the caller, or (office only) for the principal in the body. Auditors and "
            "learners may not create keys. The secret api_key is in this response only; "
            "the ledger records api_key.issued with the key id, never the secret."
        ),
        responses=_WRITE_ERRORS,
    )
    def create_api_key(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[CreateApiKey | None] = None,
    ) -> ApiKeyCreated:
        """Issue an API key and return its secret once."""
        holder = principal
        if data is not None and data.principal is not None:
            holder = Principal.parse(data.principal)
        issued = ledger.tokens.create_api_key(holder, by=principal)
        return ApiKeyCreated(key_id=issued.key_id, api_key=issued.secret, index=issued.index)

    @post(
        "/api-keys/{key_id:str}/revoke",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Revoke an API key",
        security=BEARER_SECURITY,
        description=(
            "The office, or the key's own principal. Tokens made from the key stop "
            "working at once; the ledger records api_key.revoked."
        ),
        responses={
            **_WRITE_ERRORS,
            HTTP_404_NOT_FOUND: error_spec("No such API key."),
            HTTP_409_CONFLICT: error_spec("The key is already revoked."),
        },
    )
    def revoke_api_key(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        key_id: FromPath[str],
    ) -> ApiKeyRevoked:
        """Revoke the API key ``key_id``."""
        index = ledger.tokens.revoke_api_key(key_id, by=principal)
        return ApiKeyRevoked(key_id=key_id, index=index)

    @post(
        "/principals/{subject:str}/revoke",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        summary="Revoke a principal",
        security=BEARER_SECURITY,
        description=(
            "Office only. Every token of the principal issued until now and every API key "
            "it holds stop working; tokens minted afterwards work (that is how credentials "
            "are re-issued). Revoking again moves the time."
        ),
        responses=_WRITE_ERRORS,
    )
    def revoke_principal(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        subject: FromPath[str],
    ) -> PrincipalRevoked:
        """Revoke the principal ``subject`` (``role`` or ``role:id``)."""
        revocation = ledger.tokens.revoke_principal(Principal.parse(subject), by=principal)
        return PrincipalRevoked(
            principal=revocation.principal,
            revoked_at=revocation.revoked_at,
            index=revocation.index,
        )
