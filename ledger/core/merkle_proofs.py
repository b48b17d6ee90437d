"""RFC 9162 inclusion and consistency proofs: the plans saying which stored perfect nodes each
proof hash folds, and the verifiers a client runs on the hashes it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

from ledger.core.errors import ProofError, RangeError
from ledger.core.merkle_nodes import HASH_SIZE, NODE_HASH_PREFIX, NodeID, perfect_subtrees

__all__ = [
    "consistency_proof_plan",
    "inclusion_proof_plan",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]


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
