"""The ledger's identity is stored in it (ledger.identity entries), not taken from each
process's environment: a process configured otherwise warns and uses the stored one, a
change is a recorded entry, and records signed before a change still verify."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.principals import Principal
from ledger.settings import Settings
from tests.certificate_helpers import holder, make_issuer
from tests.integration.helpers import child_env

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ledger-0006"
FIRST, OTHER, MOVED = "https://ledger.test", "http://127.0.0.1:8000", "https://moved.ledger.test"


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # type: ignore[no-any-return]


def issue_and_verify(ledger: Ledger, standard: str = "1X-WEB") -> tuple[str, str]:
    """Issue a certificate over HTTP; its record's issuer and the verdict of POST /verify."""
    issuer = make_issuer(ledger, standard)
    token = ledger.tokens.mint(Principal.parse(issuer.principal), ttl_seconds=600)
    with TestClient(create_app(ledger)) as client:
        issued = client.post(
            "/certificates", json=issuer.row(1), headers={"Authorization": f"Bearer {token}"}
        )
        assert issued.status_code == 201, issued.text
        record = issued.json()["record"]
        verdict = client.post("/verify", json={"record": record}).json()["verdict"]
    return claims(record)["iss"], verdict


def reopened(settings: Settings, public_url: str) -> Ledger:
    return open_ledger(dataclasses.replace(settings, public_url=public_url), first_run=False)


def test_a_process_configured_otherwise_warns_and_uses_the_stored_identity(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(tmp_path / "data", sqlite_url, "127.0.0.1", 8000, FIRST)
    first = open_ledger(settings)
    assert first.adopt_identity() == 1
    assert first.adopt_identity() is None  # recorded once
    first.close()
    with caplog.at_level(logging.WARNING):
        other = reopened(settings, OTHER)
    try:
        assert any(OTHER in r.getMessage() and FIRST in r.getMessage() for r in caplog.records)
        assert other.settings.public_url == FIRST and other.log.origin == "ledger.test"
        assert issue_and_verify(other) == (FIRST, "valid")
        assert other.log.checkpoint().note.startswith("ledger.test\n")
    finally:
        other.close()
    # Another command in another process (here: minting a token) uses it too, and says so.
    minted = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "token", "office"],
        env=child_env(dataclasses.replace(settings, public_url=OTHER)),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert claims(minted.stdout.strip())["iss"] == FIRST
    assert "using the ledger's" in minted.stderr


def test_a_change_is_recorded_and_older_records_still_verify(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(tmp_path / "data", sqlite_url, "127.0.0.1", 8000, FIRST)
    ledger = open_ledger(settings)
    try:
        ledger.adopt_identity()
        issuer = make_issuer(ledger)
        row = {"standard": issuer.standard, "level": "junior", **holder(7)}
        older = ledger.certificates.issue(Principal.parse(issuer.principal), row)
        index = ledger.log.record_identity(MOVED)
        assert index is not None
        assert [i.public_url for i in ledger.log.identities()] == [FIRST, MOVED]
    finally:
        ledger.close()
    moved = reopened(settings, MOVED)
    try:
        assert issue_and_verify(moved) == (MOVED, "valid")
        with TestClient(create_app(moved)) as client:
            verdict = client.post("/verify", json={"record": older.record}).json()
        assert claims(older.record)["iss"] == FIRST
        assert verdict["verdict"] == "valid", verdict
        assert moved.log.checkpoint().note.startswith("moved.ledger.test\n")
    finally:
        moved.close()


def test_a_ledger_older_than_identities_adopts_the_configured_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    for key in (data / "keys").rglob("*.pem"):
        key.chmod(0o600)
    url = f"sqlite+pysqlite:///{data}/ledger.db"
    ledger = open_ledger(Settings(data, url, "127.0.0.1", 8000, "https://legacy.ledger.test"))
    try:
        assert ledger.log.identities() == []
        assert ledger.adopt_identity() == 622
        report = audit(DatabaseSource(ledger.store))
        assert report.ok, report.fault
        assert ledger.log.differences() == []
        assert ledger.log.issuer_at(5) == "https://legacy.ledger.test"
    finally:
        ledger.close()
