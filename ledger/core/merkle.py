"""RFC 9162 (RFC 6962) Merkle tree maths over bytes and ints: hashes, proofs, frontier.

Plans say which stored perfect nodes a root or proof needs; storage fetches them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from hashlib import sha256
from typing import NamedTuple

from ledger.core.errors import InvalidInput, ProofError, RangeError

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


# NodeID(level, index) without the generated __new__'s Python-level call: half the cost
# on the append path, which builds up to two NodeIDs per leaf.
_new_node_id = tuple.__new__


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


def _split(size: int) -> int:
    """Return the largest power of two strictly smaller than size (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion_proof_plan(index: int, size: int) -> list[list[NodeID]]:
    """Return the plan of the RFC 9162 2.1.3.1 inclusion proof PATH(index, D[0:size]).

    Element k lists the stored perfect nodes whose fold_range is proof hash k;
    elements are in the RFC's order (from the leaf up). Empty for size 1.
    Raises RangeError unless 0 <= index < size.
    """
    if index < 0 or index >= size:
        raise RangeError(f"leaf index {index} is not in a tree of size {size}")
    plan: list[list[NodeID]] = []
    begin, end = 0, size
    # Walk down from the root; the RFC lists siblings from the leaf up, so reverse at the end.
    while end - begin > 1:
        half = _split(end - begin)
        middle = begin + half
        if index < middle:
            plan.append(perfect_subtrees(middle, end))
            end = middle
        else:
            level = half.bit_length() - 1
            plan.append([NodeID(level, begin >> level)])
            begin = middle
    plan.reverse()
    return plan


def consistency_proof_plan(old_size: int, new_size: int) -> list[list[NodeID]]:
    """Return the plan of the RFC 9162 2.1.4.1 consistency proof PROOF(old_size, D[0:new_size]).

    Same convention as inclusion_proof_plan: element k lists the perfect nodes
    whose fold_range is proof hash k, in the RFC's order. Empty when
    old_size == new_size or old_size == 0 (note that verify_consistency rejects
    old_size == 0: a proof from the empty tree proves nothing).
    Raises RangeError unless 0 <= old_size <= new_size.
    """
    if old_size < 0 or old_size > new_size:
        raise RangeError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size == 0:
        return []
    plan: list[list[NodeID]] = []
    begin, end = 0, new_size
    remaining = old_size  # the old tree's leaves inside [begin, end)
    whole_old_tree = True  # the RFC's flag b: still on the old tree's own root path
    while remaining != end - begin:
        half = _split(end - begin)
        middle = begin + half
        if remaining <= half:
            plan.append(perfect_subtrees(middle, end))
            end = middle
        else:
            level = half.bit_length() - 1
            plan.append([NodeID(level, begin >> level)])
            begin = middle
            remaining -= half
            whole_old_tree = False
    if not whole_old_tree:
        # SUBPROOF(m, D[m], false) = MTH(D[m]); this range is always a left child, so perfect.
        level = (end - begin).bit_length() - 1
        plan.append([NodeID(level, begin >> level)])
    plan.reverse()
    return plan


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
            return _EMPTY_ROOT
        return fold_range(self._hashes)

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, root={self.root().hex()})"


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for position, value in enumerate(proof):
        if len(value) != HASH_SIZE:
            raise ProofError(f"proof hash {position} has {len(value)} bytes, want {HASH_SIZE}")


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Return the root that `proof` yields for leaf hash `leaf` at `index` in a tree of `size`.

    RFC 9162 2.1.3.2 without the final comparison. Raises ProofError unless
    0 <= index < size, every hash has HASH_SIZE bytes and the proof has exactly
    the length the RFC algorithm consumes for (index, size).
    """
    if index < 0 or index >= size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"leaf hash has {len(leaf)} bytes, want {HASH_SIZE}")
    _check_proof_hashes(proof)
    prefix = NODE_HASH_PREFIX
    node = index  # the RFC's fn
    last = size - 1  # the RFC's sn
    result = leaf
    for sibling in proof:
        if last == 0:
            raise ProofError(
                f"inclusion proof too long: {len(proof)} hashes "
                f"for leaf index {index} in tree size {size}"
            )
        if node & 1 or node == last:
            result = sha256(prefix + sibling + result).digest()
            if not node & 1:
                # On the right border: skip levels where this node has no right sibling.
                while node and not node & 1:
                    node >>= 1
                    last >>= 1
        else:
            result = sha256(prefix + result + sibling).digest()
        node >>= 1
        last >>= 1
    if last != 0:
        raise ProofError(
            f"inclusion proof too short: {len(proof)} hashes "
            f"for leaf index {index} in tree size {size}"
        )
    return result


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf hash `leaf` is at `index` in the tree of `size` leaves with `root`.

    RFC 9162 2.1.3.2. Returns None on success; raises ProofError otherwise
    (see root_from_inclusion_proof, and when the computed root differs).
    """
    computed = root_from_inclusion_proof(leaf, index, size, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof for leaf index {index} in tree size {size} "
            f"gives root {computed.hex()}, expected {root.hex()}"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (new_size, new_root) extends the tree (old_size, old_root).

    RFC 9162 2.1.4.2 for 0 < old_size < new_size. Equal sizes need an empty
    proof and equal roots. Returns None on success; raises ProofError when
    old_size > new_size, when old_size <= 0 (a proof from the empty tree proves
    nothing; RFC 9162 defines none, and transparency-dev/merkle rejects it),
    when a proof hash is not HASH_SIZE bytes, or when the proof does not verify.
    """
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    if old_size <= 0:
        raise ProofError(
            f"no consistency proof from tree size {old_size}: old size must be at least 1"
        )
    if old_size == new_size:
        if proof:
            raise ProofError(f"sizes are equal ({old_size}) but the proof is not empty")
        if old_root != new_root:
            raise ProofError(f"sizes are equal ({old_size}) but the roots differ")
        return
    if not proof:
        raise ProofError(f"empty consistency proof from size {old_size} to {new_size}")
    _check_proof_hashes(proof)
    path: Sequence[bytes] = proof
    if old_size & (old_size - 1) == 0:
        # The old tree is perfect, so its root is the proof's implicit first node.
        path = [old_root, *proof]
    prefix = NODE_HASH_PREFIX
    node = old_size - 1  # the RFC's fn
    last = new_size - 1  # the RFC's sn
    # Start at the level of the old tree's rightmost perfect subtree, the first proof node.
    while node & 1:
        node >>= 1
        last >>= 1
    old_result = new_result = path[0]
    for i in range(1, len(path)):
        sibling = path[i]
        if last == 0:
            raise ProofError(
                f"consistency proof too long: {len(proof)} hashes from {old_size} to {new_size}"
            )
        if node & 1 or node == last:
            old_result = sha256(prefix + sibling + old_result).digest()
            new_result = sha256(prefix + sibling + new_result).digest()
            if not node & 1:
                # On the right border: skip levels where this node has no right sibling.
                while node and not node & 1:
                    node >>= 1
                    last >>= 1
        else:
            new_result = sha256(prefix + new_result + sibling).digest()
        node >>= 1
        last >>= 1
    if last != 0:
        raise ProofError(
            f"consistency proof too short: {len(proof)} hashes from {old_size} to {new_size}"
        )
    if old_result != old_root:
        raise ProofError(
            f"consistency proof gives old root {old_result.hex()}, expected {old_root.hex()}"
        )
    if new_result != new_root:
        raise ProofError(
            f"consistency proof gives new root {new_result.hex()}, expected {new_root.hex()}"
        )
