"""The one list of entry kinds holds the projections, the document and the code together."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ledger.kinds import BESIDE, KINDS, Kind, check_payload
from ledger.payloads import members
from ledger.storage.console_tables import CONSOLE_BESIDE_TABLES
from ledger.storage.projections import PROJECTIONS
from ledger.storage.replay import projected_tables
from ledger.storage.staff_tables import STAFF_BESIDE_TABLES
from ledger.storage.tables import BESIDE_TABLES, metadata

ROOT = Path(__file__).resolve().parents[2]
FORMAT = ROOT / "docs" / "format.md"
KIND_TEXT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def test_every_kind_feeds_exactly_the_projections_it_declares() -> None:
    for kind, spec in KINDS.items():
        handled_by = {name for name, p in PROJECTIONS.items() if kind in p.handlers}
        assert handled_by == set(spec.projections), kind
        assert len(spec.projections) == len(set(spec.projections)), kind


def test_every_projection_reads_only_kinds_that_declare_it() -> None:
    for name, projection in PROJECTIONS.items():
        for kind in projection.handlers:
            assert name in KINDS[kind].projections, (name, kind)
        assert projection.beside == (name in BESIDE), name


def test_every_table_is_a_projection_or_beside_the_ledger() -> None:
    owners: dict[str, str] = {}
    for projection in PROJECTIONS.values():
        for table in projection.tables:
            assert table.name not in owners, f"{table.name} is written by two projections"
            owners[table.name] = projection.name
            assert (table.name in BESIDE_TABLES | STAFF_BESIDE_TABLES | CONSOLE_BESIDE_TABLES) == (
                projection.beside
            )
    log_tables = {"entries", "merkle_nodes", "checkpoints"}
    # Sessions, credentials and the like live beside the ledger with no projection at all.
    unowned = BESIDE_TABLES | STAFF_BESIDE_TABLES | CONSOLE_BESIDE_TABLES
    assert set(metadata.tables) == set(owners) | log_tables | unowned
    assert {t.name for t in projected_tables()} == set(owners) - BESIDE_TABLES - unowned


def _documented_kinds() -> dict[str, str]:
    """Each kind named in a table of section 2.4 of the format, with its payload cell."""
    text = FORMAT.read_text(encoding="utf-8")
    section = text.split("### 2.4 Kinds", 1)[1].split("\n### ", 1)[0]
    found: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) != 3 or cells[0] in ("kind", "---"):
            continue
        for name in re.findall(r"`([^`]+)`", cells[0]):
            found[name] = cells[2]
    return found


def test_the_format_documents_every_kind_and_no_other() -> None:
    assert set(_documented_kinds()) == {kind.value for kind in Kind}


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_the_format_names_every_member_of_each_payload(kind: Kind) -> None:
    cell = _documented_kinds()[kind.value]
    named = set(re.findall(r"`([a-z_]+)`", cell))
    required, optional = members(KINDS[kind].payload)
    assert set(required) | set(optional) <= named, (kind, cell)


def test_no_kind_string_is_written_outside_the_list_of_kinds() -> None:
    kinds = {kind.value for kind in Kind}
    offenders = []
    for folder in ("ledger", "api", "scripts", "schemas"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "ledger" / "kinds.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in kinds:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value}")
    assert offenders == []


def test_an_unknown_kind_or_a_payload_off_its_type_is_refused() -> None:
    from ledger.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not a kind"):
        check_payload("sample.recorded", "system", {"n": 1})
    with pytest.raises(InvalidInput, match="unknown field"):
        check_payload("learner.opened", "org:X", {"account": "L1", "name": "x"})
    with pytest.raises(InvalidInput, match="does not write"):
        check_payload(
            "org.registered", "school:1", {"org": "a", "name": "b", "contact_commitment": "c"}
        )
    assert KIND_TEXT.match(Kind.CERTIFICATE_ISSUED.value)
