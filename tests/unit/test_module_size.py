"""Modules of the service stay under 400 lines, so that each can be read whole."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The service's packages; the tests are not held to the limit.
PACKAGES = ("ledger", "api", "schemas", "keys", "scripts")
MAX_LINES = 400


def module_lengths() -> dict[str, int]:
    """Lines of every .py file under the service's packages, by path from the root."""
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_the_modules_are_found() -> None:
    lengths = module_lengths()
    assert "api/app.py" in lengths
    assert "ledger/core/merkle.py" in lengths
    assert "scripts/cli.py" in lengths


def test_no_module_of_the_service_is_over_400_lines() -> None:
    too_long = {path: lines for path, lines in module_lengths().items() if lines > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines (split them): {too_long}"
