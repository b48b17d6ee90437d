"""Every LedgerError subclass of the project is drawn in ledger/core/errors.py's tree, under
its own base, and the drawing names no class that does not exist."""

from __future__ import annotations

import importlib
import pkgutil
import re

import ledger.core.errors
from ledger.core.errors import LedgerError

#: The packages of the service; a subclass defined anywhere in them must be drawn.
PACKAGES = ("ledger", "api", "schemas", "keys", "scripts")

#: A line of the drawing: its indent of "│   " or "    " columns, then the class name.
_NODE = re.compile(r"^    (?P<indent>(?:│   |    )*)(?:├── |└── )(?P<name>\w+)")


def import_the_project() -> None:
    """Import every module of the service, so that every subclass exists."""
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            # Alembic's migration scripts run only inside alembic's own context.
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def drawn_tree() -> dict[str, str]:
    """Each class the docstring draws, with the class drawn as its parent."""
    doc = ledger.core.errors.__doc__ or ""
    parents: dict[str, str] = {}
    path = ["LedgerError"]
    for line in doc.splitlines():
        node = _NODE.match(line)
        if node is None:
            continue
        depth = len(node["indent"]) // 4
        del path[depth + 1 :]
        parents[node["name"]] = path[depth]
        path.append(node["name"])
    return parents


def project_subclasses() -> dict[str, str]:
    """Each LedgerError subclass defined in the project, with its LedgerError base."""
    found: dict[str, str] = {}
    pending = [LedgerError]
    while pending:
        base = pending.pop()
        for subclass in base.__subclasses__():
            pending.append(subclass)
            # Tests define subclasses of their own; only the service's are drawn.
            if subclass.__module__.split(".")[0] in PACKAGES:
                found[subclass.__name__] = base.__name__
    return found


def test_the_drawing_is_read_as_a_tree() -> None:
    tree = drawn_tree()
    assert tree["InvalidInput"] == "LedgerError"
    assert tree["RangeError"] == "InvalidInput"
    assert tree["ProofError"] == "VerificationError"
    assert tree["RateLimited"] == "LedgerError"


def test_every_subclass_is_drawn_under_its_base() -> None:
    import_the_project()
    subclasses = project_subclasses()
    tree = drawn_tree()
    # A handful at least: an import that found nothing would pass vacuously.
    assert len(subclasses) >= 20
    missing = sorted(set(subclasses) - set(tree))
    assert not missing, f"LedgerError subclasses not drawn in ledger/core/errors.py: {missing}"
    misplaced = {
        name: (tree[name], base) for name, base in subclasses.items() if tree[name] != base
    }
    assert not misplaced, f"drawn under the wrong base (drawn, actual): {misplaced}"
    stale = sorted(set(tree) - set(subclasses))
    assert not stale, f"drawn in ledger/core/errors.py but not defined: {stale}"
