"""The import boundaries of the layers: a pure core, one SQLAlchemy importer, bare wire types."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(folder: str) -> dict[str, set[str]]:
    """Every module each file under ``folder`` imports, by file."""
    found: dict[str, set[str]] = {}
    target = ROOT / folder
    for path in [target] if target.is_file() else sorted(target.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{file} imports {name}"
        for file, names in imported_modules(folder).items()
        for name in sorted(names)
        if name.split(".")[0] in forbidden or name in forbidden or name.startswith(forbidden)
    ]


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        (
            "ledger/core",
            (
                "sqlalchemy",
                "alembic",
                "litestar",
                "msgspec",
                "api",
                "schemas",
                "httpx",
                "ledger.storage",
                "ledger.services",
                "ledger.audit",
                "keys",
            ),
        ),
        (
            "ledger/domain",
            (
                "sqlalchemy",
                "alembic",
                "litestar",
                "msgspec",
                "api",
                "schemas",
                "ledger.storage",
                "ledger.services",
                "ledger.audit",
                "ledger.bootstrap",
                "keys",
            ),
        ),
        (
            # The one list of entry kinds and their payload types: msgspec and the core only.
            "ledger/kinds.py",
            (
                "sqlalchemy",
                "litestar",
                "api",
                "schemas",
                "ledger.storage",
                "ledger.services",
                "ledger.domain",
                "ledger.audit",
                "keys",
            ),
        ),
        (
            "ledger/payloads.py",
            (
                "sqlalchemy",
                "litestar",
                "api",
                "schemas",
                "ledger.storage",
                "ledger.services",
                "ledger.domain",
                "ledger.audit",
                "keys",
            ),
        ),
        ("schemas", ("ledger", "api", "keys", "sqlalchemy", "litestar")),
        ("ledger", ("api", "litestar", "scripts")),
        ("keys", ("sqlalchemy", "litestar", "msgspec", "api")),
        # The services own the read models they return; the HTTP layer never reaches past them.
        ("api", ("ledger.storage", "sqlalchemy", "alembic")),
    ],
    ids=[
        "core-is-pure",
        "domain-is-pure",
        "kinds-below-domain",
        "payloads-below-domain",
        "schemas-import-nothing-of-ours",
        "ledger-below-api",
        "keys-only-core",
        "api-above-storage",
    ],
)
def test_layer_does_not_import(folder: str, forbidden: tuple[str, ...]) -> None:
    assert offenders(folder, forbidden) == []


def test_only_storage_imports_sqlalchemy() -> None:
    importers = [
        file
        for folder in ("ledger", "api", "keys", "schemas")
        for file, names in imported_modules(folder).items()
        if any(name.split(".")[0] in ("sqlalchemy", "alembic") for name in names)
    ]
    # bootstrap.py is the composition root: it holds the engine it builds.
    assert importers and all(
        file.startswith("ledger/storage/") or file == "ledger/bootstrap.py" for file in importers
    ), importers
