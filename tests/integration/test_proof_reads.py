"""Proofs read O(log n) stored nodes in a constant number of statements, and are RFC 6962's.

The reference is a brute-force RFC 6962 / RFC 9162 tree written out here from the
RFC's recursive definitions (MTH, PATH, PROOF/SUBPROOF), over the stored entries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from hashlib import sha256
from typing import Any

import pytest
from sqlalchemy import event

from ledger.bootstrap import Ledger
from tests.integration.helpers import ENGINES, append_raw, numbered, standalone_ledger

#: Entries in the log: the key entry and 5000 more.
SIZE = 5001


@pytest.fixture(scope="module", params=ENGINES)
def big_ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """A ledger of 5001 entries on each engine, shared by the module (read only)."""
    with standalone_ledger(request.param, request, tmp_path_factory) as ledger:
        for start in range(0, SIZE - 1, 1000):
            append_raw(ledger, numbered(1000, start))
        assert ledger.store.size() == SIZE
        yield ledger


# -- RFC 6962 section 2.1, literally --------------------------------------------------


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


@dataclass
class Rfc6962Tree:
    """MTH, PATH and PROOF over the leaf hashes, recursively, as the RFC defines them."""

    leaves: list[bytes]
    mth: Callable[[int, int], bytes] = field(init=False)

    def __post_init__(self) -> None:
        @cache
        def mth(lo: int, hi: int) -> bytes:  # MTH(D[lo:hi])
            if hi - lo == 1:
                return self.leaves[lo]
            k = _split(hi - lo)
            return sha256(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi)).digest()

        self.mth = mth

    def path(self, m: int, lo: int, hi: int) -> list[bytes]:  # PATH(m, D[lo:hi])
        if hi - lo == 1:
            return []
        k = _split(hi - lo)
        if m < k:
            return [*self.path(m, lo, lo + k), self.mth(lo + k, hi)]
        return [*self.path(m - k, lo + k, hi), self.mth(lo, lo + k)]

    def subproof(self, m: int, lo: int, hi: int, b: bool) -> list[bytes]:  # SUBPROOF(m, D, b)
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = _split(n)
        if m <= k:
            return [*self.subproof(m, lo, lo + k, b), self.mth(lo + k, hi)]
        return [*self.subproof(m - k, lo + k, hi, False), self.mth(lo, lo + k)]

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return self.path(index, 0, size)

    def consistency(self, old: int, new: int) -> list[bytes]:  # PROOF(m, D[n])
        return self.subproof(old, 0, new, True)


@pytest.fixture(scope="module")
def reference(big_ledger: Ledger) -> Rfc6962Tree:
    leaves = []
    for entry in big_ledger.store.iter_entries():
        leaf = sha256(b"\x00" + entry.data).digest()
        assert leaf == entry.leaf_hash
        leaves.append(leaf)
    return Rfc6962Tree(leaves)


def _sample(n: int) -> list[int]:
    """Indexes 0..n-1 worth trying: both ends, the middle, around powers of two."""
    picks = {0, 1, n // 2, n - 2, n - 1, n // 3}
    picks.update(p + d for p in (2**e for e in range(13)) for d in (-1, 0, 1))
    return sorted(i for i in picks if 0 <= i < n)


SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 100, 1000, 1024, 1025, 4096, 4097, SIZE - 1, SIZE]


def test_proofs_equal_the_rfc_6962_definitions(big_ledger: Ledger, reference: Rfc6962Tree) -> None:
    store = big_ledger.store
    for n in SIZES:
        assert store.root(n) == reference.mth(0, n), n
        for i in _sample(n):
            assert store.inclusion_proof(i, n) == reference.inclusion(i, n), (i, n)
        for m in _sample(n + 1):
            if m >= 1:
                assert store.consistency_proof(m, n) == reference.consistency(m, n), (m, n)


# -- the reads a proof costs ----------------------------------------------------------


@dataclass
class Reads:
    """Statements sent to the database, and node positions asked for."""

    statements: int = 0
    node_queries: int = 0
    nodes: int = 0


@pytest.fixture
def reads(big_ledger: Ledger) -> Iterator[Callable[[Callable[[], Any]], Reads]]:
    current = Reads()

    def count(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        current.statements += 1
        if "FROM merkle_nodes" in statement:
            current.node_queries += 1
            current.nodes += len(parameters)

    def measure(call: Callable[[], Any]) -> Reads:
        nonlocal current
        current = Reads()
        call()
        return current

    event.listen(big_ledger.engine, "before_cursor_execute", count)
    try:
        yield measure
    finally:
        event.remove(big_ledger.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("proof", ["inclusion", "consistency"])
def test_proofs_cost_log_n_reads(
    big_ledger: Ledger, reads: Callable[[Callable[[], Any]], Reads], proof: str
) -> None:
    store = big_ledger.store
    statements: dict[int, set[int]] = {}
    for n in (100, SIZE - 1):
        bound = 2 * math.log2(n) + 2
        statements[n] = set()
        for i in _sample(n):
            if proof == "inclusion":
                cost = reads(lambda i=i, n=n: store.inclusion_proof(i, n))
            elif i >= 1:  # consistency from i to n; PROOF(n, D[n]) is empty, nothing to read
                cost = reads(lambda i=i, n=n: store.consistency_proof(i, n))
            else:
                continue
            assert cost.node_queries == 1, (i, n)
            assert cost.statements <= 3, (i, n, cost)
            assert cost.nodes <= bound, (i, n, cost, bound)
            statements[n].add(cost.statements)
    # The same number of statements whatever the tree size: one count, one node query
    # (and a BEGIN on SQLite).
    assert len(statements[100]) == 1
    assert statements[100] == statements[SIZE - 1]


def test_a_proof_at_the_full_size_reads_few_nodes(
    big_ledger: Ledger, reads: Callable[[Callable[[], Any]], Reads]
) -> None:
    """The control for the counter: it sees the nodes a proof needs, and no more."""
    store = big_ledger.store
    cost = reads(lambda: store.inclusion_proof(SIZE - 1, SIZE))
    assert cost.node_queries == 1
    assert 1 <= cost.nodes <= 2 * math.log2(SIZE) + 2
    assert reads(lambda: store.root(SIZE)).nodes == SIZE.bit_count()
