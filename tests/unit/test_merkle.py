"""Checks ledger.core.merkle against a brute-force reference written from RFC 9162 section 2.1.

The reference below is deliberately naive (recursive MTH, PATH, PROOF over a list of leaves).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.errors import InvalidInput, ProofError, RangeError
from ledger.core.merkle import (
    HASH_SIZE,
    LEAF_HASH_PREFIX,
    NODE_HASH_PREFIX,
    CompactRange,
    NodeID,
    consistency_proof_plan,
    empty_root,
    fold_range,
    inclusion_proof_plan,
    leaf_hash,
    node_hash,
    node_position,
    perfect_subtrees,
    root_from_inclusion_proof,
    root_plan,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------------------------------------
# Reference: RFC 9162 2.1.1 (MTH), 2.1.3.1 (PATH), 2.1.4.1 (PROOF / SUBPROOF), straight from the
# recursive definitions. Ranges are [begin, end) over ENTRIES; results are memoised so that the
# exhaustive tests below stay fast.
# ---------------------------------------------------------------------------------------------

SMALL = 256
ENTRIES = [b"entry %d" % i for i in range(SMALL)]


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def ref_mth(begin: int, end: int) -> bytes:
    n = end - begin
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + ENTRIES[begin])
    k = _largest_power_of_two_below(n)
    return _sha256(b"\x01" + ref_mth(begin, begin + k) + ref_mth(begin + k, end))


@cache
def ref_path(m: int, begin: int, end: int) -> tuple[bytes, ...]:
    n = end - begin
    if n == 1:
        return ()
    k = _largest_power_of_two_below(n)
    if m < k:
        return (*ref_path(m, begin, begin + k), ref_mth(begin + k, end))
    return (*ref_path(m - k, begin + k, end), ref_mth(begin, begin + k))


@cache
def ref_subproof(m: int, begin: int, end: int, whole: bool) -> tuple[bytes, ...]:
    n = end - begin
    if m == n:
        return () if whole else (ref_mth(begin, end),)
    k = _largest_power_of_two_below(n)
    if m <= k:
        return (*ref_subproof(m, begin, begin + k, whole), ref_mth(begin + k, end))
    return (*ref_subproof(m - k, begin + k, end, False), ref_mth(begin, begin + k))


def ref_proof(m: int, n: int) -> tuple[bytes, ...]:
    return ref_subproof(m, 0, n, True)


def ref_node(node: NodeID) -> bytes:
    width = 1 << node.level
    return ref_mth(node.index * width, (node.index + 1) * width)


def ref_leaf(index: int) -> bytes:
    return ref_mth(index, index + 1)


@cache
def small_tree() -> dict[NodeID, bytes]:
    """The reference hash of every perfect node of the tree of all SMALL entries."""
    return {node: ref_node(node) for node in all_perfect_nodes(SMALL)}


def hashes_from_plan(plan: list[list[NodeID]], lookup: Callable[[NodeID], bytes]) -> list[bytes]:
    return [fold_range([lookup(node) for node in nodes]) for nodes in plan]


def all_perfect_nodes(size: int) -> list[NodeID]:
    """Every perfect subtree of the tree [0, size)."""
    nodes: list[NodeID] = []
    level = 0
    while (1 << level) <= size:
        nodes.extend(NodeID(level, k) for k in range(size >> level))
        level += 1
    return nodes


# ---------------------------------------------------------------------------------------------
# Hashing primitives and known answers
# ---------------------------------------------------------------------------------------------

# The eight-leaf tree used by RFC 6962 implementations' tests (e.g. transparency-dev/merkle):
# the entries and the roots of the trees of their first 1..8 leaves.
KNOWN_ENTRIES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
KNOWN_ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def test_constants() -> None:
    assert LEAF_HASH_PREFIX == b"\x00"
    assert NODE_HASH_PREFIX == b"\x01"
    assert HASH_SIZE == 32


def test_hash_primitives_match_their_definitions() -> None:
    left, right = _sha256(b"left"), _sha256(b"right")
    assert leaf_hash(b"abc") == _sha256(b"\x00abc")
    assert node_hash(left, right) == _sha256(b"\x01" + left + right)
    assert node_hash(left, right) != node_hash(right, left)
    assert empty_root() == bytes.fromhex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert CompactRange().root() == empty_root()


def test_known_roots_of_the_rfc6962_test_tree() -> None:
    tree = CompactRange()
    for entry, root in zip(KNOWN_ENTRIES, KNOWN_ROOTS, strict=True):
        tree.append(leaf_hash(entry))
        assert tree.root() == root


# ---------------------------------------------------------------------------------------------
# Proof plans against the reference, exhaustively for every tree up to SMALL leaves
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", range(1, SMALL + 1))
def test_inclusion_plan_is_the_rfc_path_and_verifies(size: int) -> None:
    nodes = small_tree()
    root = ref_mth(0, size)
    assert fold_range([nodes[node] for node in root_plan(size)]) == root
    for index in range(size):
        proof = hashes_from_plan(inclusion_proof_plan(index, size), nodes.__getitem__)
        assert tuple(proof) == ref_path(index, 0, size), (index, size)
        verify_inclusion(nodes[NodeID(0, index)], index, size, proof, root)


@pytest.mark.parametrize("new_size", range(1, SMALL + 1))
def test_consistency_plan_is_the_rfc_proof_and_verifies(new_size: int) -> None:
    nodes = small_tree()
    new_root = ref_mth(0, new_size)
    for old_size in range(1, new_size + 1):
        proof = hashes_from_plan(consistency_proof_plan(old_size, new_size), nodes.__getitem__)
        assert tuple(proof) == ref_proof(old_size, new_size), (old_size, new_size)
        verify_consistency(old_size, new_size, ref_mth(0, old_size), new_root, proof)


def test_plan_ranges_satisfy_fold_range_precondition() -> None:
    # Every multi-node element of a plan covers [begin, end) with begin a multiple of a power
    # of two >= end - begin, which is what makes fold_range give the RFC MTH.
    for size in range(1, 80):
        plans = [inclusion_proof_plan(i, size) for i in range(size)]
        plans += [consistency_proof_plan(m, size) for m in range(1, size + 1)]
        for plan in plans:
            for nodes in plan:
                begin = nodes[0].index << nodes[0].level
                end = (nodes[-1].index + 1) << nodes[-1].level
                assert nodes == perfect_subtrees(begin, end)
                width = 1
                while width < end - begin:
                    width *= 2
                assert begin % width == 0


def test_empty_plans() -> None:
    assert root_plan(0) == []
    assert inclusion_proof_plan(0, 1) == []
    assert consistency_proof_plan(0, 0) == []
    assert consistency_proof_plan(0, 17) == []
    assert consistency_proof_plan(17, 17) == []


def test_plan_examples_from_rfc_9162_section_2_1_5() -> None:
    # The RFC's seven-leaf example: PATH(0) = [b, h, l], PATH(3) = [c, g, l], PATH(4) = [f, j, k],
    # PATH(6) = [i, k]; PROOF(3, D[7]) = [c, d, g, l], PROOF(4, D[7]) = [l], PROOF(6) = [i, j, k].
    b, c, d = (NodeID(0, i) for i in range(1, 4))
    e, f, j = NodeID(0, 4), NodeID(0, 5), NodeID(0, 6)
    g, h, i = NodeID(1, 0), NodeID(1, 1), NodeID(1, 2)
    k = NodeID(2, 0)
    assert inclusion_proof_plan(0, 7) == [[b], [h], [i, j]]
    assert inclusion_proof_plan(3, 7) == [[c], [g], [i, j]]
    assert inclusion_proof_plan(4, 7) == [[f], [j], [k]]
    assert inclusion_proof_plan(6, 7) == [[i], [k]]
    assert consistency_proof_plan(3, 7) == [[c], [d], [g], [i, j]]
    assert consistency_proof_plan(4, 7) == [[i, j]]
    assert consistency_proof_plan(6, 7) == [[i], [j], [k]]
    assert root_plan(7) == [k, i, j]
    assert [node_position(n) for n in (e, f, i, j)] == [7, 8, 9, 10]


# ---------------------------------------------------------------------------------------------
# perfect_subtrees, fold_range, node_position
# ---------------------------------------------------------------------------------------------


def test_perfect_subtrees_tile_the_range_with_maximal_aligned_blocks() -> None:
    for begin in range(70):
        for end in range(begin, 70):
            nodes = perfect_subtrees(begin, end)
            position = begin
            for node in nodes:
                width = 1 << node.level
                assert node.index * width == position
                # Greedy: the next larger aligned block at this position would not fit.
                bigger = width * 2
                assert position % bigger != 0 or position + bigger > end
                position += width
            assert position == end
            if begin == 0:
                levels = [node.level for node in nodes]
                assert levels == sorted(set(levels), reverse=True)
                assert len(nodes) == end.bit_count()


def test_fold_range_of_an_aligned_range_is_its_mth() -> None:
    for begin, end in [(0, 1), (0, 7), (8, 13), (16, 32), (64, 65), (128, 200), (192, 256)]:
        hashes = [ref_node(node) for node in perfect_subtrees(begin, end)]
        assert fold_range(hashes) == ref_mth(begin, end)
        assert fold_range(tuple(hashes)) == ref_mth(begin, end)


def test_node_positions_of_a_tree_are_gapless() -> None:
    for size in range(0, 300):
        positions = sorted(node_position(node) for node in all_perfect_nodes(size))
        assert positions == list(range(2 * size - size.bit_count()))


def test_node_positions_are_post_order() -> None:
    # A node comes right after its last leaf's interior ancestors below it, after everything
    # in its subtree, and right after its right child.
    for node in all_perfect_nodes(300):
        last_leaf = ((node.index + 1) << node.level) - 1
        assert node_position(node) == node_position(NodeID(0, last_leaf)) + node.level
        if node.level:
            left = NodeID(node.level - 1, 2 * node.index)
            right = NodeID(node.level - 1, 2 * node.index + 1)
            assert node_position(left) < node_position(right) == node_position(node) - 1


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=2**64))
def test_node_position_recurrences_hold_for_large_trees(level: int, index: int) -> None:
    node = NodeID(level, index)
    left = NodeID(level, 2 * index)
    right = NodeID(level, 2 * index + 1)
    parent = NodeID(level + 1, index)  # of left and right
    # Between the roots of two sibling subtrees come all 2**(level + 1) - 1 nodes of the right one.
    assert node_position(right) - node_position(left) == 2 ** (level + 1) - 1
    assert node_position(parent) == node_position(right) + 1
    # Completed next: the parent of a right child, else the next leaf.
    following = NodeID(level + 1, index // 2) if index % 2 else NodeID(0, (index + 1) << level)
    assert node_position(following) == node_position(node) + 1


# ---------------------------------------------------------------------------------------------
# CompactRange
# ---------------------------------------------------------------------------------------------


def test_compact_range_roots_and_visits_every_node_once_in_position_order() -> None:
    tree = CompactRange()
    visited: list[tuple[NodeID, bytes]] = []

    def visit(node: NodeID, value: bytes) -> None:
        visited.append((node, value))

    for size in range(1, SMALL + 1):
        before = len(visited)
        tree.append(ref_leaf(size - 1), visit)
        assert tree.size == size
        assert tree.root() == ref_mth(0, size)
        assert tree.hashes == [ref_node(node) for node in root_plan(size)]
        new = visited[before:]
        assert new[0] == (NodeID(0, size - 1), ref_leaf(size - 1))
        for node, value in new:
            assert value == ref_node(node)
    positions = [node_position(node) for node, _ in visited]
    assert positions == list(range(len(visited)))
    assert sorted(node for node, _ in visited) == sorted(all_perfect_nodes(SMALL))


def test_compact_range_without_visitor_gives_the_same_frontier() -> None:
    quiet = CompactRange()
    for index in range(100):
        quiet.append(ref_leaf(index))
        assert quiet.root() == ref_mth(0, index + 1)


def test_compact_range_resumes_from_a_stored_frontier() -> None:
    for size in range(0, 40):
        frontier = [ref_node(node) for node in root_plan(size)]
        tree = CompactRange(size, frontier)
        assert tree.size == size
        assert tree.root() == ref_mth(0, size)
        for index in range(size, 64):
            tree.append(ref_leaf(index))
        assert tree.root() == ref_mth(0, 64)


def test_compact_range_hashes_is_a_copy() -> None:
    tree = CompactRange()
    tree.append(ref_leaf(0))
    tree.hashes.clear()
    assert tree.hashes == [ref_leaf(0)]


def test_compact_range_unchanged_when_the_visitor_fails() -> None:
    tree = CompactRange()
    for index in range(7):
        tree.append(ref_leaf(index))

    def failing(node: NodeID, value: bytes) -> None:
        if node.level == 2:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        tree.append(ref_leaf(7), failing)
    assert tree.size == 7
    assert tree.root() == ref_mth(0, 7)
    tree.append(ref_leaf(7))
    assert tree.root() == ref_mth(0, 8)


def test_compact_range_rejects_bad_arguments() -> None:
    with pytest.raises(RangeError):
        CompactRange(-1)
    with pytest.raises(InvalidInput):
        CompactRange(3, [ref_leaf(0)])
    with pytest.raises(InvalidInput):
        CompactRange(1, [b"short"])
    tree = CompactRange()
    with pytest.raises(InvalidInput):
        tree.append(b"not a hash")
    assert tree.size == 0


# ---------------------------------------------------------------------------------------------
# Bad arguments to the plans
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("begin", "end"), [(-1, 3), (3, 2), (-2, -1)])
def test_perfect_subtrees_rejects_bad_ranges(begin: int, end: int) -> None:
    with pytest.raises(RangeError):
        perfect_subtrees(begin, end)


def test_plans_reject_bad_arguments() -> None:
    with pytest.raises(RangeError):
        root_plan(-1)
    for index, size in [(0, 0), (3, 3), (4, 3), (-1, 3)]:
        with pytest.raises(RangeError):
            inclusion_proof_plan(index, size)
    for old_size, new_size in [(5, 4), (1, 0), (-1, 3)]:
        with pytest.raises(RangeError):
            consistency_proof_plan(old_size, new_size)
    with pytest.raises(RangeError):
        node_position(NodeID(-1, 0))
    with pytest.raises(RangeError):
        node_position(NodeID(0, -1))
    with pytest.raises(InvalidInput):
        fold_range([])


# ---------------------------------------------------------------------------------------------
# Verifiers on trees up to 10**4 leaves (hypothesis)
# ---------------------------------------------------------------------------------------------

LARGE = 10**4


@cache
def large_tree() -> dict[NodeID, bytes]:
    """Every perfect node of a tree of LARGE leaves, computed level by level from the RFC."""
    nodes = {NodeID(0, i): _sha256(b"\x00" + b"large %d" % i) for i in range(LARGE)}
    level = 0
    while (2 << level) <= LARGE:
        for k in range(LARGE >> (level + 1)):
            left, right = nodes[NodeID(level, 2 * k)], nodes[NodeID(level, 2 * k + 1)]
            nodes[NodeID(level + 1, k)] = _sha256(b"\x01" + left + right)
        level += 1
    return nodes


def large_root(size: int) -> bytes:
    return fold_range([large_tree()[node] for node in root_plan(size)])


def large_inclusion(index: int, size: int) -> list[bytes]:
    return hashes_from_plan(inclusion_proof_plan(index, size), large_tree().__getitem__)


def large_consistency(old_size: int, new_size: int) -> list[bytes]:
    return hashes_from_plan(consistency_proof_plan(old_size, new_size), large_tree().__getitem__)


def flip_bit(proof: list[bytes], position: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[position])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


sizes = st.integers(min_value=1, max_value=LARGE)


@st.composite
def leaf_in_tree(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(sizes)
    return draw(st.integers(min_value=0, max_value=size - 1)), size


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    new_size = draw(sizes)
    return draw(st.integers(min_value=1, max_value=new_size)), new_size


@settings(max_examples=100, deadline=None)
@given(leaf_in_tree())
def test_inclusion_proofs_verify(case: tuple[int, int]) -> None:
    index, size = case
    proof = large_inclusion(index, size)
    leaf, root = large_tree()[NodeID(0, index)], large_root(size)
    assert root_from_inclusion_proof(leaf, index, size, proof) == root
    verify_inclusion(leaf, index, size, proof, root)


@settings(max_examples=100, deadline=None)
@given(leaf_in_tree(), st.data())
def test_inclusion_proof_with_a_flipped_bit_fails(
    case: tuple[int, int], data: st.DataObject
) -> None:
    index, size = case
    proof = large_inclusion(index, size)
    leaf, root = large_tree()[NodeID(0, index)], large_root(size)
    if proof:
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bit = data.draw(st.integers(min_value=0, max_value=8 * HASH_SIZE - 1))
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, flip_bit(proof, position, bit), root)
    bit = data.draw(st.integers(min_value=0, max_value=8 * HASH_SIZE - 1))
    with pytest.raises(ProofError):
        verify_inclusion(flip_bit([leaf], 0, bit)[0], index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, flip_bit([root], 0, bit)[0])


@settings(max_examples=100, deadline=None)
@given(leaf_in_tree(), st.data())
def test_inclusion_proof_for_another_leaf_or_tree_fails(
    case: tuple[int, int], data: st.DataObject
) -> None:
    index, size = case
    proof = large_inclusion(index, size)
    leaf, root = large_tree()[NodeID(0, index)], large_root(size)
    other_index = data.draw(
        st.integers(min_value=-2, max_value=size + 2).filter(lambda i: i != index)
    )
    with pytest.raises(ProofError):
        verify_inclusion(leaf, other_index, size, proof, root)
    # The size is bound by the root: a proof for one tree does not prove inclusion in another.
    other_size = data.draw(st.integers(min_value=1, max_value=LARGE).filter(lambda n: n != size))
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, other_size, proof, large_root(other_size))


@settings(max_examples=100, deadline=None)
@given(leaf_in_tree(), st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE))
def test_truncated_or_extended_inclusion_proof_fails(case: tuple[int, int], extra: bytes) -> None:
    index, size = case
    proof = large_inclusion(index, size)
    leaf, root = large_tree()[NodeID(0, index)], large_root(size)
    wrong_proofs = [[*proof, extra], [extra, *proof], [*proof, root], [*proof, b""]]
    if proof:
        wrong_proofs += [proof[:-1], proof[1:]]
    for wrong in wrong_proofs:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, wrong, root)


@settings(max_examples=100, deadline=None)
@given(two_sizes())
def test_consistency_proofs_verify(case: tuple[int, int]) -> None:
    old_size, new_size = case
    proof = large_consistency(old_size, new_size)
    verify_consistency(old_size, new_size, large_root(old_size), large_root(new_size), proof)


@settings(max_examples=100, deadline=None)
@given(two_sizes(), st.data())
def test_consistency_proof_with_a_flipped_bit_fails(
    case: tuple[int, int], data: st.DataObject
) -> None:
    old_size, new_size = case
    proof = large_consistency(old_size, new_size)
    old_root, new_root = large_root(old_size), large_root(new_size)
    bit = data.draw(st.integers(min_value=0, max_value=8 * HASH_SIZE - 1))
    if proof:
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        with pytest.raises(ProofError):
            verify_consistency(
                old_size, new_size, old_root, new_root, flip_bit(proof, position, bit)
            )
    with pytest.raises(ProofError):
        verify_consistency(old_size, new_size, flip_bit([old_root], 0, bit)[0], new_root, proof)
    with pytest.raises(ProofError):
        verify_consistency(old_size, new_size, old_root, flip_bit([new_root], 0, bit)[0], proof)


@settings(max_examples=100, deadline=None)
@given(two_sizes(), st.data())
def test_consistency_proof_for_other_sizes_fails(
    case: tuple[int, int], data: st.DataObject
) -> None:
    old_size, new_size = case
    proof = large_consistency(old_size, new_size)
    other_old = data.draw(
        st.integers(min_value=-1, max_value=new_size + 1).filter(lambda m: m != old_size)
    )
    other_old_root = large_root(other_old) if 1 <= other_old <= LARGE else large_root(old_size)
    with pytest.raises(ProofError):
        verify_consistency(other_old, new_size, other_old_root, large_root(new_size), proof)
    other_new = data.draw(
        st.integers(min_value=old_size - 1, max_value=LARGE).filter(lambda n: n != new_size)
    )
    other_new_root = large_root(other_new) if other_new >= 1 else empty_root()
    with pytest.raises(ProofError):
        verify_consistency(old_size, other_new, large_root(old_size), other_new_root, proof)
    if old_size != new_size:
        with pytest.raises(ProofError):
            verify_consistency(
                old_size, new_size, large_root(new_size), large_root(old_size), proof
            )


@settings(max_examples=100, deadline=None)
@given(two_sizes(), st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE))
def test_truncated_or_extended_consistency_proof_fails(case: tuple[int, int], extra: bytes) -> None:
    old_size, new_size = case
    proof = large_consistency(old_size, new_size)
    old_root, new_root = large_root(old_size), large_root(new_size)
    wrong_proofs = [[*proof, extra], [extra, *proof], [*proof, new_root], [old_root, *proof]]
    if proof:
        wrong_proofs += [proof[:-1], proof[1:], [*proof, b""]]
    for wrong in wrong_proofs:
        with pytest.raises(ProofError):
            verify_consistency(old_size, new_size, old_root, new_root, wrong)


# ---------------------------------------------------------------------------------------------
# Verifier edge cases
# ---------------------------------------------------------------------------------------------


def test_inclusion_verifier_edge_cases() -> None:
    leaf = ref_leaf(0)
    verify_inclusion(leaf, 0, 1, [], leaf)
    for index, size in [(0, 0), (1, 1), (-1, 1), (5, 3)]:
        with pytest.raises(ProofError):
            root_from_inclusion_proof(leaf, index, size, [])
    with pytest.raises(ProofError, match="bytes"):
        verify_inclusion(b"", 0, 1, [], b"")
    with pytest.raises(ProofError, match="too long"):
        verify_inclusion(leaf, 0, 1, [leaf], leaf)
    with pytest.raises(ProofError, match="too short"):
        verify_inclusion(leaf, 0, 2, [], ref_mth(0, 2))


def test_consistency_verifier_edge_cases() -> None:
    root1, root8 = ref_mth(0, 1), ref_mth(0, 8)
    verify_consistency(1, 1, root1, root1, [])
    verify_consistency(8, 8, root8, root8, [])
    with pytest.raises(ProofError, match="not empty"):
        verify_consistency(1, 1, root1, root1, [root1])
    with pytest.raises(ProofError, match="roots differ"):
        verify_consistency(8, 8, root8, root1, [])
    with pytest.raises(ProofError, match="larger"):
        verify_consistency(2, 1, root1, root1, [])
    with pytest.raises(ProofError, match="empty consistency proof"):
        verify_consistency(1, 8, root1, root8, [])
    # A proof from the empty tree proves nothing (and transparency-dev/merkle refuses it).
    for new_size, new_root in [(0, empty_root()), (8, root8)]:
        with pytest.raises(ProofError, match="at least 1"):
            verify_consistency(0, new_size, empty_root(), new_root, [])
