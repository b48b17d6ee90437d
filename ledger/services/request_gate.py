"""The request path's gate: who a bearer token names, and whether that principal may write,
answered from memory while nothing in the log has changed either.

A verified token is kept until it expires, and a principal's standing (not suspended,
barred or expelled) once read is kept too; both are dropped at once when the log gains an
entry that changes them (a revocation, a suspension, an exit or a return), whichever process
wrote it: every answer from memory first asks the ChangeWatch, one indexed read.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable

from ledger.core.errors import Forbidden
from ledger.core.principals import Principal
from ledger.kinds import Kind
from ledger.services.registry import RegistryService
from ledger.services.tokens import TokenService
from ledger.storage.change_watch import ChangeWatch

#: The entries after which no cached token or standing may be trusted.
STANDING_KINDS = frozenset(
    kind.value
    for kind in (
        Kind.API_KEY_REVOKED,
        Kind.PRINCIPAL_REVOKED,
        Kind.ORG_SUSPENDED,
        Kind.ORG_REINSTATED,
        Kind.ORG_BARRED,
        Kind.SCHOOL_SUSPENDED,
        Kind.SCHOOL_REINSTATED,
        Kind.SCHOOL_EXPELLED,
    )
)
#: At most this many tokens (or principals) are kept; beyond, the cache starts afresh.
MAX_CACHED = 10_000


def _expiry(token: str) -> int:
    """The ``exp`` claim of a token that has just verified (so it is well formed)."""
    claims = token.split(".")[1]
    exp: int = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["exp"]
    return exp


class RequestGate:
    """Token verification and the write gate, cached (see the module docstring)."""

    def __init__(
        self,
        tokens: TokenService,
        registry: RegistryService,
        watch: ChangeWatch,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self._tokens = tokens
        self._registry = registry
        self._watch = watch
        self._clock = clock or tokens.clock
        self._lock = threading.Lock()
        self._generation = -1
        self._verified: dict[str, tuple[Principal, int]] = {}
        #: Why each principal may not write, or None where it may.
        self._standing: dict[Principal, str | None] = {}

    def _current(self) -> None:
        """Forget everything if the log gained an entry that may change an answer."""
        generation = self._watch.generation()
        if generation != self._generation:
            with self._lock:
                self._verified.clear()
                self._standing.clear()
                self._generation = generation

    def cached(self, token: str) -> Principal | None:
        """The principal of ``token`` if it verified before, has not expired and nothing
        that may revoke it has been logged since; None when it must be verified afresh."""
        found = self._verified.get(token)
        if found is None or found[1] <= self._clock():
            return None
        self._current()
        found = self._verified.get(token)
        return None if found is None else found[0]

    def verify(self, token: str) -> Principal:
        """The principal ``token`` names; Unauthenticated saying why (as TokenService)."""
        principal = self.cached(token)
        if principal is not None:
            return principal
        self._current()
        generation = self._generation
        principal = self._tokens.verify(token)
        with self._lock:
            if generation == self._generation:  # no change was seen while verifying
                if len(self._verified) >= MAX_CACHED:
                    self._verified.clear()
                self._verified[token] = (principal, _expiry(token))
        return principal

    def known_standing(self, principal: Principal) -> bool:
        """True when the principal's standing is in memory and lets it write; Forbidden
        when it is in memory and does not; False when it must be read (ensure_may_write).

        Asks no one whether the log changed: call right after ``cached`` or ``verify``,
        which did."""
        if principal not in self._standing:
            return False
        refusal = self._standing.get(principal)
        if refusal is not None:
            raise Forbidden(refusal)
        return True

    def ensure_may_write(self, principal: Principal) -> None:
        """Forbidden, with the reason, for a suspended, barred or expelled member."""
        self._current()
        if self.known_standing(principal):
            return
        generation = self._generation
        refusal = None
        try:
            self._registry.ensure_may_write(principal)
        except Forbidden as refused:
            refusal = str(refused)
        with self._lock:
            if generation == self._generation:
                if len(self._standing) >= MAX_CACHED:
                    self._standing.clear()
                self._standing[principal] = refusal
        if refusal is not None:
            raise Forbidden(refusal)


__all__ = ["STANDING_KINDS", "RequestGate"]
