"""RFC 9162 (RFC 6962) Merkle tree maths over bytes and ints: hashes, proofs, frontier.

Plans say which stored perfect nodes a root or proof needs; storage fetches them. The node
hashes live in ledger.core.merkle_nodes and the proofs in ledger.core.merkle_proofs; this
module holds the frontier (CompactRange) and re-exports them, so callers import one module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from hashlib import sha256

from ledger.core.errors import InvalidInput, RangeError
from ledger.core.merkle_nodes import (
    HASH_SIZE,
    LEAF_HASH_PREFIX,
    NODE_HASH_PREFIX,
    NodeID,
    empty_root,
    fold_range,
    leaf_hash,
    node_hash,
    node_position,
    perfect_subtrees,
    root_plan,
)
from ledger.core.merkle_proofs import (
    consistency_proof_plan,
    inclusion_proof_plan,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "HASH_SIZE",
    "LEAF_HASH_PREFIX",
    "NODE_HASH_PREFIX",
    "CompactRange",
    "NodeID",
    "consistency_proof_plan",
    "empty_root",
    "fold_range",
    "inclusion_proof_plan",
    "leaf_hash",
    "node_hash",
    "node_position",
    "perfect_subtrees",
    "root_from_inclusion_proof",
    "root_plan",
    "verify_consistency",
    "verify_inclusion",
]


# NodeID(level, index) without the generated __new__'s Python-level call: half the cost
# on the append path, which builds up to two NodeIDs per leaf.
_new_node_id = tuple.__new__


class CompactRange:
    """Frontier of the tree [0, size): the hashes of root_plan(size), left to right."""

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        """Start from a tree of `size` leaves whose frontier hashes are `hashes`.

        Raises RangeError for a negative size, InvalidInput unless there is one
        HASH_SIZE-byte hash per node of root_plan(size).
        """
        if size < 0:
            raise RangeError(f"no tree of size {size}")
        expected = size.bit_count()
        if len(hashes) != expected:
            raise InvalidInput(
                f"a tree of size {size} has {expected} frontier hashes, got {len(hashes)}"
            )
        for value in hashes:
            if len(value) != HASH_SIZE:
                raise InvalidInput(f"frontier hash of {len(value)} bytes, want {HASH_SIZE}")
        self._size = size
        self._hashes = [bytes(value) for value in hashes]

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> list[bytes]:
        """A copy of the frontier hashes, largest subtree first."""
        return list(self._hashes)

    def append(self, leaf: bytes, visit: Callable[[NodeID, bytes], None] | None = None) -> None:
        """Append one leaf hash (leaf_hash of an entry).

        If given, `visit(node, hash)` is called for the new leaf (level 0) and
        then for every perfect node it completes, in increasing node_position
        order, so storage can persist them. Raises InvalidInput unless the leaf
        hash has HASH_SIZE bytes. If either check or `visit` raises, the range
        is left as it was.
        """
        if len(leaf) != HASH_SIZE:
            raise InvalidInput(f"leaf hash of {len(leaf)} bytes, want {HASH_SIZE}")
        index = self._size
        hashes = self._hashes
        # Each trailing one bit of the leaf index closes one perfect node, whose left
        # child is the frontier's last hash.
        if visit is None:
            carry = index
            while carry & 1:
                leaf = sha256(NODE_HASH_PREFIX + hashes.pop() + leaf).digest()
                carry >>= 1
            hashes.append(leaf)
        else:
            new_node = _new_node_id
            visit(new_node(NodeID, (0, index)), leaf)
            carry = index
            level = 0
            depth = len(hashes)
            while carry & 1:
                depth -= 1
                leaf = sha256(NODE_HASH_PREFIX + hashes[depth] + leaf).digest()
                carry >>= 1
                level += 1
                visit(new_node(NodeID, (level, carry)), leaf)
            del hashes[depth:]
            hashes.append(leaf)
        self._size = index + 1

    def root(self) -> bytes:
        """The root of the tree [0, size); empty_root() for size 0."""
        if not self._hashes:
            return empty_root()
        return fold_range(self._hashes)

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, root={self.root().hex()})"
