"""Runs the RFC 6962 proof vectors of transparency-dev/merkle against ledger.core.merkle.

They are kept in tests/vectors/rfc6962 (see its README for their origin and licence).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ledger.core.errors import ProofError
from ledger.core.merkle import (
    CompactRange,
    NodeID,
    consistency_proof_plan,
    fold_range,
    inclusion_proof_plan,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "rfc6962"

# The subtreeinclusion/ and subtreeconsistency/ folders test proofs for arbitrary subtrees
# [start, end), which this module does not offer; only the plain RFC 9162 proofs run here.
INCLUSION = sorted((VECTORS / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((VECTORS / "consistency").rglob("*.json"))

# The entries whose trees of 1..8 leaves the happy-path vectors were made from.
ENTRIES = [
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


def vector_id(path: Path) -> str:
    return path.relative_to(VECTORS).with_suffix("").as_posix()


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def b64(value: str | None) -> bytes:
    return base64.b64decode(value or "", validate=True)


def proof_of(vector: dict[str, Any]) -> list[bytes]:
    # Go writes a nil proof as null.
    return [b64(value) for value in vector["proof"] or []]


def test_vectors_are_present() -> None:
    assert len(INCLUSION) > 50
    assert len(CONSISTENCY) > 50
    assert any(path.name == "happy-path.json" for path in INCLUSION)


@pytest.mark.parametrize("path", INCLUSION, ids=vector_id)
def test_inclusion_vector(path: Path) -> None:
    vector = load(path)

    def check() -> None:
        verify_inclusion(
            b64(vector["leafHash"]),
            vector["leafIdx"],
            vector["treeSize"],
            proof_of(vector),
            b64(vector["root"]),
        )

    if vector["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()


@pytest.mark.parametrize("path", CONSISTENCY, ids=vector_id)
def test_consistency_vector(path: Path) -> None:
    vector = load(path)

    def check() -> None:
        verify_consistency(
            vector["size1"],
            vector["size2"],
            b64(vector["root1"]),
            b64(vector["root2"]),
            proof_of(vector),
        )

    if vector["wantErr"]:
        with pytest.raises(ProofError):
            check()
    else:
        check()


def _tree_nodes() -> dict[NodeID, bytes]:
    nodes: dict[NodeID, bytes] = {}
    tree = CompactRange()
    for entry in ENTRIES:
        tree.append(leaf_hash(entry), nodes.__setitem__)
    return nodes


def _numbered_happy_paths(kind: str) -> list[Path]:
    return [
        path
        for path in (INCLUSION if kind == "inclusion" else CONSISTENCY)
        if path.name == "happy-path.json" and path.parent.name.isdigit()
    ]


@pytest.mark.parametrize("path", _numbered_happy_paths("inclusion"), ids=vector_id)
def test_our_inclusion_proof_matches_happy_path(path: Path) -> None:
    vector = load(path)
    nodes = _tree_nodes()
    index, size = vector["leafIdx"], vector["treeSize"]
    assert nodes[NodeID(0, index)] == b64(vector["leafHash"])
    plan = inclusion_proof_plan(index, size)
    assert [fold_range([nodes[node] for node in step]) for step in plan] == proof_of(vector)


@pytest.mark.parametrize("path", _numbered_happy_paths("consistency"), ids=vector_id)
def test_our_consistency_proof_matches_happy_path(path: Path) -> None:
    vector = load(path)
    nodes = _tree_nodes()
    plan = consistency_proof_plan(vector["size1"], vector["size2"])
    assert [fold_range([nodes[node] for node in step]) for step in plan] == proof_of(vector)
