"""Authentication dependencies: ``principal`` and ``optional_principal`` from a bearer token.

Both count each authenticated request against the caller's rate limit, keyed on the principal.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

import anyio.to_thread
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import SecurityRequirement, SecurityScheme

from api.rate_limit import Limiter, RateLimiter
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
    """The limiters of one app: per principal (in this process), and per client address for
    exchanging API keys and looking up certificates and report codes (in the database when
    the app serves a ledger, so that every server process counts against one limit)."""

    principal: Limiter
    token_exchange: Limiter
    lookup: Limiter

    @classmethod
    def create(
        cls,
        per_principal: RateLimit,
        token_exchange: RateLimit = TOKEN_EXCHANGE_LIMIT,
        lookup: RateLimit | None = None,
        ledger: Ledger | None = None,
    ) -> RateLimits:
        """Fresh limiters; with ``ledger``, the per-address ones count in its database."""

        def per_address(limit: RateLimit, what: str, scope: str) -> Limiter:
            if ledger is None:
                return RateLimiter(limit, what)
            return ledger.shared_limiter(limit, what, scope)

        return cls(
            RateLimiter(per_principal, "from this principal"),
            per_address(token_exchange, "exchanging this API key", "token"),
            per_address(
                lookup or LOOKUP_LIMIT, "looking up certificates from this address", "lookup"
            ),
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
    """The address rate limits of anonymous callers count by.

    The socket's peer, unless the peer is one of the trusted proxies the settings name
    (LEDGER_TRUSTED_PROXIES): then the nearest address in X-Forwarded-For that is not itself
    a trusted proxy. A client that is not a trusted proxy cannot choose its address.
    """
    peer = request.client.host if request.client is not None else "unknown"
    ledger: Ledger = request.app.state.ledger
    trusted = ledger.settings.trusted_proxies
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = [
        hop.strip()
        for header in request.headers.getall("x-forwarded-for", [])
        for hop in header.split(",")
        if hop.strip()
    ]
    # The proxy appends the address it saw; walk back from it past further trusted proxies.
    for hop in reversed(forwarded):
        if not _is_trusted(hop, trusted):
            return hop
    return peer


def _is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in _networks(trusted))


@functools.cache
def _networks(trusted: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(text) for text in trusted)


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


def _may_write(ledger: Ledger, principal: Principal, check_standing: bool) -> None:
    """The checks of every write, in one worker thread: a database restored from an older
    backup takes no write until it holds what it published (503, BehindPublished: an
    acknowledged write there would be lost), then the writer's standing if asked."""
    ledger.log.ensure_caught_up()
    if check_standing:
        ledger.gate.ensure_may_write(principal)


async def provide_principal(
    request: Request[Any, Any, Any], ledger: NamedDependency[Ledger]
) -> Principal:
    """The authenticated caller; Unauthenticated (401) saying why when there is none."""
    principal = await provide_optional_principal(request, ledger)
    if principal is None:
        raise Unauthenticated("missing bearer token")
    writing = request.method not in _READ_METHODS
    if writing:
        # Every write of a suspended, barred or expelled member stops here (403 with the
        # reason); writes that touch the registry check again inside their transaction.
        # Handlers marked CHECKS_EXIT refuse such members themselves, with a reason code.
        # The standing is held in memory, dropped whenever the log records a change of it.
        standing = not request.route_handler.opt.get(CHECKS_EXIT) and not (
            ledger.gate.known_standing(principal)
        )
        await anyio.to_thread.run_sync(_may_write, ledger, principal, standing)
    return principal


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


#: Registered on the app under these names; handlers ask for ``principal`` or
#: ``optional_principal``. Both are coroutines that hop to a thread only to verify a token
#: they have not seen.
AUTH_DEPENDENCIES = {
    "principal": Provide(provide_principal),
    "optional_principal": Provide(provide_optional_principal),
}
