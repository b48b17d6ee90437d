"""Merkle tree nodes (RFC 9162 section 2.1): the leaf and interior hashes, the perfect
subtrees (NodeID) a leaf range splits into, their storage positions, and folding them into a root.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256
from typing import NamedTuple

from ledger.core.errors import InvalidInput, RangeError

__all__ = [
    "HASH_SIZE",
    "LEAF_HASH_PREFIX",
    "NODE_HASH_PREFIX",
    "NodeID",
    "empty_root",
    "fold_range",
    "leaf_hash",
    "node_hash",
    "node_position",
    "perfect_subtrees",
    "root_plan",
]

LEAF_HASH_PREFIX = b"\x00"
NODE_HASH_PREFIX = b"\x01"
HASH_SIZE = 32

_EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """Return SHA-256(0x00 || entry), the RFC 9162 hash of one log entry."""
    return sha256(LEAF_HASH_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right), the RFC 9162 hash of an interior node."""
    return sha256(NODE_HASH_PREFIX + left + right).digest()


def empty_root() -> bytes:
    """Return SHA-256 of the empty string, the root of the tree with no leaves."""
    return _EMPTY_ROOT


class NodeID(NamedTuple):
    """A perfect subtree of the log: leaves [index * 2**level, (index + 1) * 2**level).

    Level 0 is a single leaf; the tree's nodes are exactly the NodeIDs whose range fits in it.
    """

    level: int
    # The field shadows tuple.index(); the name is part of the public API, and positional
    # unpacking or `.index` attribute access is how callers use it.
    index: int  # type: ignore[assignment]


def node_position(node: NodeID) -> int:
    """Return the storage position of a perfect node in post-order (completion order).

    Nodes are numbered in the order they are completed when leaves are appended
    one by one, leaves and interior nodes interleaved: leaf n is at
    2n - popcount(n), and a node sits right after its last leaf's interior
    ancestors below it, at position(last leaf) + level. A tree of n leaves uses
    positions 0 .. 2n - popcount(n) - 1, with no gaps.
    Raises RangeError for a negative level or index.
    """
    level, index = node
    if level < 0 or index < 0:
        raise RangeError(f"no node at level {level}, index {index}")
    last_leaf = ((index + 1) << level) - 1
    return 2 * last_leaf - last_leaf.bit_count() + level


def perfect_subtrees(begin: int, end: int) -> list[NodeID]:
    """Split the leaf range [begin, end) into maximal perfect subtrees, left to right.

    Each node is the largest aligned power-of-two block that starts where the
    previous one ended and fits before `end`; for begin == 0 the levels
    strictly decrease (the nodes of the tree's frontier). Empty for begin == end.
    Raises RangeError unless 0 <= begin <= end.
    """
    if begin < 0 or begin > end:
        raise RangeError(f"no leaf range [{begin}, {end})")
    nodes: list[NodeID] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            # The block must also be aligned: no larger than begin's lowest set bit.
            level = min(level, (begin & -begin).bit_length() - 1)
        nodes.append(NodeID(level, begin >> level))
        begin += 1 << level
    return nodes


def fold_range(hashes: Sequence[bytes]) -> bytes:
    """Return the RFC 9162 MTH of a leaf range from the hashes of its perfect subtrees.

    `hashes` are the hashes of perfect_subtrees(begin, end), left to right; they
    are folded from the right. This equals the RFC's MTH(D[begin:end]) only when
    `begin` is a multiple of a power of two >= end - begin (always true for
    begin == 0, and for every range a root or proof plan asks for).
    Raises InvalidInput on an empty sequence (an empty range has no hash here;
    the empty tree's root is empty_root()).
    """
    if not hashes:
        raise InvalidInput("cannot fold an empty list of subtree hashes")
    prefix = NODE_HASH_PREFIX
    result = hashes[-1]
    for i in range(len(hashes) - 2, -1, -1):
        result = sha256(prefix + hashes[i] + result).digest()
    return result


def root_plan(size: int) -> list[NodeID]:
    """Return the perfect nodes whose fold_range is the root of the tree [0, size).

    Empty for size 0 (whose root is empty_root()). Raises RangeError for a negative size.
    """
    if size < 0:
        raise RangeError(f"no tree of size {size}")
    return perfect_subtrees(0, size)
