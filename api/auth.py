"""Authentication dependencies: ``principal`` and ``optional_principal`` from a bearer token.

Both count each authenticated request against the caller's rate limit, keyed on the principal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import SecurityRequirement, SecurityScheme

from api.rate_limit import RateLimiter
from ledger.bootstrap import Ledger
from ledger.core.errors import Unauthenticated
from ledger.core.principals import Principal
from ledger.settings import RateLimit

__all__ = [
    "AUTH_DEPENDENCIES",
    "BEARER_SECURITY",
    "BEARER_SECURITY_SCHEMES",
    "CHECKS_EXIT",
    "LOOKUP_LIMIT",
    "TOKEN_EXCHANGE_LIMIT",
    "RateLimits",
    "bearer_token",
    "client_address",
    "provide_optional_principal",
    "provide_principal",
]

#: The OpenAPI security scheme of bearer tokens, and the requirement handlers declare
#: (``security=BEARER_SECURITY``) when they take ``principal``.
BEARER_SECURITY_SCHEMES: dict[str, SecurityScheme | Any] = {
    "BearerToken": SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="JWT",
        description="An EdDSA JWT of this service: certledger token, or POST /auth/token.",
    )
}
BEARER_SECURITY: list[SecurityRequirement] = [{"BearerToken": []}]

#: A route handler ``opt`` key: the handler's service refuses suspended or expelled members
#: itself (inside its transaction, with a reason code), so the general write gate stands
#: aside.
CHECKS_EXIT = "checks_exit"

#: Failed attempts per client address at POST /auth/token.
TOKEN_EXCHANGE_LIMIT = RateLimit(30, 60)
#: Certificate lookups (number plus holder name) per client address.
LOOKUP_LIMIT = RateLimit(20, 60)


@dataclass(frozen=True)
class RateLimits:
    """The limiters of one app: per principal, and for exchanging API keys."""

    principal: RateLimiter
    token_exchange: RateLimiter
    lookup: RateLimiter

    @classmethod
    def create(
        cls,
        per_principal: RateLimit,
        token_exchange: RateLimit = TOKEN_EXCHANGE_LIMIT,
        lookup: RateLimit | None = None,
    ) -> RateLimits:
        """Fresh limiters (no request counted yet)."""
        return cls(
            RateLimiter(per_principal, "from this principal"),
            RateLimiter(token_exchange, "exchanging this API key"),
            RateLimiter(lookup or LOOKUP_LIMIT, "looking up certificates from this address"),
        )


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    """The token of ``Authorization: Bearer <token>``; None without the header.

    Unauthenticated for any other scheme, an empty token or a repeated header.
    """
    values = request.headers.getall("authorization", [])
    if not values:
        return None
    # Tokens never hold a comma: one means several credentials joined in one header.
    if len(values) > 1 or "," in values[0]:
        raise Unauthenticated("more than one Authorization header")
    scheme, _, token = values[0].strip().partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthenticated("Authorization header must be 'Bearer <token>'")
    token = token.strip()
    if not token:
        raise Unauthenticated("empty bearer token")
    return token


def client_address(request: Request[Any, Any, Any]) -> str:
    """The address rate limits of anonymous callers count by: the socket's peer, never
    X-Forwarded-For (a client can forge it; the server is started without proxy-header
    rewriting for the same reason)."""
    return request.client.host if request.client is not None else "unknown"


def _limits(request: Request[Any, Any, Any]) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


async def provide_optional_principal(
    request: Request[Any, Any, Any], ledger: NamedDependency[Ledger]
) -> Principal | None:
    """The caller, or None without an Authorization header; a refused token is still 401.

    A token verified before (and nothing logged since that could revoke it) is answered
    from memory on the event loop; any other is verified in a worker thread.
    """
    token = bearer_token(request)
    if token is None:
        return None
    principal = ledger.gate.cached(token)
    if principal is None:
        principal = await anyio.to_thread.run_sync(ledger.gate.verify, token)
    # Keyed on the verified principal only: client headers such as X-Forwarded-For are
    # forgeable and never choose the bucket.
    _limits(request).principal.check(str(principal))
    return principal


async def provide_principal(
    request: Request[Any, Any, Any], ledger: NamedDependency[Ledger]
) -> Principal:
    """The authenticated caller; Unauthenticated (401) saying why when there is none."""
    principal = await provide_optional_principal(request, ledger)
    if principal is None:
        raise Unauthenticated("missing bearer token")
    writing = request.method not in _READ_METHODS
    # Every write of a suspended, barred or expelled member stops here (403 with the
    # reason); writes that touch the registry check again inside their transaction.
    # Handlers marked CHECKS_EXIT refuse such members themselves, with a reason code.
    # The standing is held in memory, dropped whenever the log records a change of it.
    if (
        writing
        and not request.route_handler.opt.get(CHECKS_EXIT)
        and not ledger.gate.known_standing(principal)
    ):
        await anyio.to_thread.run_sync(ledger.gate.ensure_may_write, principal)
    return principal


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


#: Registered on the app under these names; handlers ask for ``principal`` or
#: ``optional_principal``. Both are coroutines that hop to a thread only to verify a token
#: they have not seen.
AUTH_DEPENDENCIES = {
    "principal": Provide(provide_principal),
    "optional_principal": Provide(provide_optional_principal),
}
