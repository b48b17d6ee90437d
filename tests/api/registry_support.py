"""Helpers of the registry API tests: a module-wide ledger and client, bodies, ledger reads.

Tokens are minted with the ledger's own token service; every object gets a fresh number.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.api.conftest import build_ledger
from tests.registry_helpers import DOCUMENT_HASH, contact, credit_code, school_code

_numbers = itertools.count(1000)


def fresh_number() -> int:
    """A number no other object of this test run has used."""
    return next(_numbers)


@dataclass
class Api:
    """A client of one ledger's app, with a token per principal."""

    ledger: Ledger
    client: TestClient[Litestar]
    _tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, principal: str | None) -> dict[str, str]:
        """Authorization headers of ``principal`` (none for None: anonymous)."""
        if principal is None:
            return {}
        if principal not in self._tokens:
            self._tokens[principal] = self.ledger.tokens.mint(Principal.parse(principal))
        return {"Authorization": f"Bearer {self._tokens[principal]}"}

    def post(self, path: str, body: Any, principal: str | None) -> Any:
        """POST ``body`` as JSON (or raw bytes) as ``principal``."""
        if isinstance(body, bytes):
            headers = {**self.auth(principal), "Content-Type": "application/json"}
            return self.client.post(path, content=body, headers=headers)
        return self.client.post(path, json=body, headers=self.auth(principal))

    def get(self, path: str, principal: str | None = None, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.auth(principal))

    def size(self) -> int:
        return self.ledger.store.size()

    def entries(self, start: int = 0) -> list[dict[str, Any]]:
        """Every entry from ``start`` as GET /log/entries serves it, bytes decoded."""
        found: list[dict[str, Any]] = []
        size = self.size()
        while start < size:
            page = self.client.get("/log/entries", params={"start": start, "end": start + 1000})
            assert page.status_code == 200, page.text
            for entry in page.json()["entries"]:
                entry["bytes"] = base64.b64decode(entry["data"])
                entry["decoded"] = json.loads(entry["bytes"])
                found.append(entry)
            start += len(page.json()["entries"])
        return found

    def entry(self, index: int) -> dict[str, Any]:
        """Entry ``index`` decoded: its kind, principal and payload."""
        page = self.client.get("/log/entries", params={"start": index, "end": index + 1})
        assert page.status_code == 200, page.text
        [found] = page.json()["entries"]
        decoded: dict[str, Any] = json.loads(base64.b64decode(found["data"]))
        return decoded


@contextmanager
def module_api(tmp_path_factory: Any, name: str) -> Iterator[Api]:
    """A SQLite ledger and client shared by one test module."""
    folder: Path = tmp_path_factory.mktemp(name)
    ledger = build_ledger(f"sqlite+pysqlite:///{folder}/ledger.db", folder)
    try:
        with TestClient(create_app(ledger)) as client:
            yield Api(ledger, client)
    finally:
        ledger.close()


def org_body(number: int, **changes: Any) -> dict[str, Any]:
    body = {
        "id": credit_code(number),
        "name": f"样例培训评价组织{number}(样例数据)",
        "contact": contact(number),
    }
    return {**body, **changes}


def school_body(number: int, **changes: Any) -> dict[str, Any]:
    body = {
        "id": school_code(number),
        "name": f"样例职业学院{number}(样例数据)",
        "city": "xian",
        "level": "higher",
    }
    return {**body, **changes}


def standard_body(code: str, **changes: Any) -> dict[str, Any]:
    body = {
        "code": code,
        "title": "建筑信息模型(BIM)",
        "levels": ["junior", "intermediate"],
        "credits": {"junior": 2, "intermediate": 4},
        "document_hash": DOCUMENT_HASH,
    }
    return {**body, **changes}


def standard_code(number: int) -> str:
    return f"1X-S{number}"
