"""Backups and restores on each engine, a restored older copy that refuses to sign rather
than fork, and a damaged database that `certledger serve` refuses and the audit reports."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from api.app import create_app
from keys.published import BehindPublished, PublishedCheckpoint
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.principals import Principal
from ledger.services import samples
from ledger.settings import Settings
from tests.certificate_helpers import make_issuer
from tests.integration.helpers import child_env
from tests.registry_helpers import sample_org

CERTLEDGER = [sys.executable, "-m", "scripts.cli"]


def certledger(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CERTLEDGER, *args],
        env=child_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def grow(ledger: Ledger, count: int) -> None:
    """Append ``count`` sample entries and sign a checkpoint of them (it is published)."""
    first = ledger.store.size()
    ledger.log.append([d for b in samples.sample_drafts(count, count, first) for d in b])
    ledger.log.checkpoint()


def test_backup_then_restore_an_older_copy_refuses_to_sign_until_caught_up(
    ledger: Ledger, settings: Settings, tmp_path: Path
) -> None:
    grow(ledger, 30)
    older = certledger(settings, "backup", str(tmp_path / "older"))
    assert older.returncode == 0, older.stderr
    manifest = json.loads((tmp_path / "older" / "manifest.json").read_text())
    assert manifest["tree_size"] == ledger.store.size() == 31
    assert manifest["root"] == ledger.store.root(31).hex()
    assert manifest["checkpoint"].startswith(f"{ledger.log.origin}\n31\n")
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / "older" / name).read_bytes()).hexdigest() == digest
    assert {"jwks.json", "vkey", "checkpoint"} <= set(manifest["files"])
    assert not list((tmp_path / "older").rglob("*.pem"))  # no private key in a backup
    grow(ledger, 10)
    newer = certledger(settings, "backup", str(tmp_path / "newer"))
    assert newer.returncode == 0, newer.stderr
    ledger.close()

    restored = certledger(settings, "restore", str(tmp_path / "older"))
    assert restored.returncode == 0, restored.stderr
    assert "refuse to sign" in restored.stderr and "41" in restored.stderr
    behind = open_ledger(settings, first_run=False)
    try:
        assert behind.store.size() == 31
        with pytest.raises(BehindPublished, match="published a checkpoint of 41 "):
            grow(behind, 5)  # entries may be written, but never signed under the key
        issuer = make_issuer(behind)
        token = behind.tokens.mint(Principal.parse(issuer.principal), ttl_seconds=600)
        org = sample_org(9999)
        with TestClient(create_app(behind)) as client:
            checkpoint = client.get("/log/checkpoint")
            issued = client.post(
                "/certificates",
                json=issuer.row(1),
                headers={"Authorization": f"Bearer {token}"},
            )
            registered = client.post(
                "/orgs",
                json={"id": org.id, "name": org.name, "contact": org.contact},
                headers={
                    "Authorization": "Bearer " + behind.tokens.mint(Principal.parse("office"))
                },
            )
        # No write is taken (it would be lost), no checkpoint or record signed.
        for response in (checkpoint, issued, registered):
            assert response.status_code == 503, response.text
            assert "published a checkpoint of 41 " in response.json()["detail"]
    finally:
        behind.close()
    served = certledger(settings, "audit")
    assert "FAILED" not in served.stdout  # what it holds is sound, merely behind

    assert certledger(settings, "restore", str(tmp_path / "newer")).returncode == 0
    caught_up = open_ledger(settings, first_run=False)
    try:
        assert caught_up.store.size() == 41
        grow(caught_up, 2)
        assert PublishedCheckpoint(settings.data_dir).read().tree_size == 43  # type: ignore[union-attr]
    finally:
        caught_up.close()


def test_restore_refuses_a_backup_whose_files_changed(
    ledger: Ledger, settings: Settings, tmp_path: Path
) -> None:
    grow(ledger, 3)
    assert certledger(settings, "backup", str(tmp_path / "b")).returncode == 0
    with (tmp_path / "b" / "jwks.json").open("a") as handle:
        handle.write(" ")
    refused = certledger(settings, "restore", str(tmp_path / "b"))
    assert refused.returncode == 2 and "differs from the manifest" in refused.stderr


def test_serve_refuses_a_damaged_database_and_the_audit_says_failed(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = Settings(tmp_path / "data", sqlite_url, "127.0.0.1", 8000, "https://ledger.test")
    ledger = open_ledger(settings)
    grow(ledger, 600)
    ledger.close()
    database = Path(sqlite_url.removeprefix("sqlite+pysqlite:///"))
    assert database.stat().st_size > 64 * 1024
    with database.open("r+b") as handle:
        handle.seek(32 * 1024)
        handle.write(os.urandom(4096))
    env = child_env(settings) | {"LEDGER_PORT": "1"}  # never reached: it must stop first
    served = subprocess.run(
        [*CERTLEDGER, "serve"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert served.returncode == 2, served.stdout + served.stderr
    assert "damaged" in served.stderr and "not serving" in served.stderr
    assert "Traceback" not in served.stderr
    audited = certledger(settings, "audit")
    assert audited.returncode == 1
    assert audited.stdout.startswith("FAILED") and "Traceback" not in audited.stderr
