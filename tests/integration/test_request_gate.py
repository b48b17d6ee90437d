"""The request gate's caches: a token is verified once, yet a revocation, suspension or
return written by another process (another Ledger on the same database) takes effect on
the very next request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.bootstrap import Ledger, open_ledger
from ledger.core.errors import Forbidden, Unauthenticated
from ledger.core.principals import Principal
from ledger.settings import Settings
from tests.registry_helpers import sample_school

OFFICE = Principal.parse("office")


@pytest.fixture
def other(ledger: Ledger, settings: Settings) -> Iterator[Ledger]:
    """A second Ledger on the same database: another server process, as far as caches go."""
    opened = open_ledger(settings, first_run=False)
    try:
        yield opened
    finally:
        opened.close()


def test_a_token_is_verified_once_until_a_revocation_is_logged_elsewhere(
    ledger: Ledger, other: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = sample_school(1)
    ledger.registry.admit_school(OFFICE, school)
    principal = Principal.parse(f"school:{school.id}")
    token = ledger.tokens.mint(principal)
    calls: list[str] = []
    verify = ledger.tokens.verify
    monkeypatch.setattr(ledger.tokens, "verify", lambda t: calls.append(t) or verify(t))

    assert ledger.gate.verify(token) == principal
    assert ledger.gate.cached(token) == principal
    assert ledger.gate.verify(token) == principal
    assert len(calls) == 1, "a cached token was verified again"
    other.log.append([])  # unrelated writes keep the cache
    other.registry.admit_school(OFFICE, sample_school(2))
    assert ledger.gate.cached(token) == principal

    # Standing: suspended elsewhere, refused here at once; reinstated, allowed at once.
    ledger.gate.ensure_may_write(principal)
    other.registry.suspend_school(OFFICE, school.id, "audit findings")
    with pytest.raises(Forbidden, match="suspended"):
        ledger.gate.ensure_may_write(principal)
    with pytest.raises(Forbidden, match="suspended"):
        ledger.gate.ensure_may_write(principal)
    other.registry.reinstate_school(OFFICE, school.id, "resolved")
    ledger.gate.ensure_may_write(principal)

    # Revoked by the other process: the cached token is refused on the next request.
    other.tokens.revoke_principal(principal, by=OFFICE)
    assert ledger.gate.cached(token) is None
    with pytest.raises(Unauthenticated, match="revoked"):
        ledger.gate.verify(token)


def test_an_expired_token_is_never_answered_from_memory(ledger: Ledger) -> None:
    now = [ledger.tokens.clock()]
    ledger.tokens.clock = lambda: now[0]
    token = ledger.tokens.mint(OFFICE, ttl_seconds=60)
    gate = type(ledger.gate)(ledger.tokens, ledger.registry, ledger.gate._watch)
    assert gate.verify(token) == OFFICE
    now[0] += 61
    assert gate.cached(token) is None
    with pytest.raises(Unauthenticated, match="expired"):
        gate.verify(token)
