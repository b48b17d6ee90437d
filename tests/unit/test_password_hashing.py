"""Which Argon2id parameters passwords are hashed with, by LEDGER_PASSWORD_HASHING."""

from __future__ import annotations

import pytest
from argon2 import profiles
from argon2.exceptions import VerifyMismatchError

from ledger.core.errors import InvalidInput
from ledger.domain.password_hashing import password_hasher


def parameters(environ: dict[str, str]) -> tuple[int, int, int]:
    hasher = password_hasher(environ)
    return hasher.time_cost, hasher.memory_cost, hasher.parallelism


def test_the_default_is_rfc_9106_low_memory() -> None:
    low = profiles.RFC_9106_LOW_MEMORY
    assert parameters({}) == (low.time_cost, low.memory_cost, low.parallelism) == (3, 65536, 4)
    assert parameters({"LEDGER_PASSWORD_HASHING": " "}) == parameters({})


def test_cheapest_is_selected_by_name_and_is_cheaper() -> None:
    cheap = parameters({"LEDGER_PASSWORD_HASHING": "cheapest"})
    assert cheap[1] < parameters({})[1]


def test_a_hash_verifies_under_either_profile() -> None:
    cheap = password_hasher({"LEDGER_PASSWORD_HASHING": "cheapest"})
    strong = password_hasher({})
    stored = cheap.hash("correct horse")
    assert strong.verify(stored, "correct horse")
    assert strong.check_needs_rehash(stored)
    with pytest.raises(VerifyMismatchError):
        strong.verify(stored, "wrong horse")


def test_an_unknown_profile_is_refused_with_the_accepted_names() -> None:
    with pytest.raises(InvalidInput, match="cheapest, rfc9106-low-memory"):
        password_hasher({"LEDGER_PASSWORD_HASHING": "fast"})
