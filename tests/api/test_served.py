"""The real thing: `certledger serve` in a process of its own, audited over HTTP.

An auditor holds no database access: the audit reads only the public API, pins the
vkey it was given, and catches a server that serves a changed history.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx

from ledger.core.checkpoint import vkey as vkey_text
from ledger.core.signing import SigningKey
from tests.served import Served, certledger


def test_first_run_serves_prints_where_to_open_and_audits_clean_over_http(
    serve: Callable[..., Served],
    tmp_path: Path,
) -> None:
    served = serve(tmp_path / "data", "--workers", "2")
    assert (tmp_path / "data" / "ledger.db").exists()
    keys = list((tmp_path / "data" / "keys").glob("*.pem"))
    assert len(keys) == 1 and oct(keys[0].stat().st_mode & 0o777) == "0o600"
    # The service key of bearer tokens: a folder of its own, never the ledger's key.
    tokens_dir = tmp_path / "data" / "keys" / "tokens"
    token_keys = list(tokens_dir.glob("*.pem"))
    assert len(token_keys) == 1 and oct(token_keys[0].stat().st_mode & 0o777) == "0o600"
    assert oct(tokens_dir.stat().st_mode & 0o777) == "0o700"
    assert token_keys[0].name != keys[0].name

    # A CLI writer beside two server workers, then an audit through the public API only.
    seeded = certledger("seed", "2500", env=served.env)
    assert seeded.returncode == 0, seeded.stderr
    vkey = httpx.get(served.url + "/log/vkey").text.strip()
    checkpoint = httpx.get(served.url + "/log/checkpoint").text
    # The first start wrote two entries: its signing key and the ledger's identity.
    assert checkpoint.splitlines()[1] == "2502"
    (tmp_path / "older.note").write_text(checkpoint)
    certledger("seed", "1500", env=served.env)

    audit = certledger(
        "audit",
        "--url",
        served.url,
        "--vkey",
        vkey,
        "--older",
        str(tmp_path / "older.note"),
        env=served.env,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "OK: 4002 entries" in audit.stdout
    assert "consistent with the older checkpoint of 2502 entries" in audit.stdout

    # A vkey the auditor did not get from this log refuses its checkpoint.
    stranger = vkey_text(
        f"ledger.test:{served.url.rsplit(':', 1)[1]}", SigningKey.generate().public
    )
    other = certledger("audit", "--url", served.url, "--vkey", stranger, env=served.env)
    assert other.returncode == 1 and "bad signature" in other.stdout, other.stdout

    # The first run says how to get the office's token; that token writes over HTTP.
    minted = certledger("token", "office", env=served.env)
    assert minted.returncode == 0, minted.stderr
    created = httpx.post(
        served.url + "/api-keys", headers={"Authorization": f"Bearer {minted.stdout.strip()}"}
    )
    assert created.status_code == 201, created.text

    printed = served.stop()
    assert "open https://ledger.test/  (API documentation: https://ledger.test/schema)" in printed
    assert "certledger token office" in printed


def test_http_audit_catches_a_server_serving_a_changed_history(
    serve: Callable[..., Served],
    tmp_path: Path,
) -> None:
    honest = serve(tmp_path / "honest")
    assert certledger("seed", "300", env=honest.env).returncode == 0
    vkey = httpx.get(honest.url + "/log/vkey").text.strip()
    kept = httpx.get(honest.url + "/log/checkpoint").text

    # The forger copies the data, rewrites entry 120's payload with a fresh leaf hash
    # and serves it with the same key; the checkpoint it re-signs cannot match the
    # checkpoint the auditor kept.
    forged_dir = tmp_path / "forged"
    shutil.copytree(tmp_path / "honest", forged_dir)
    with sqlite3.connect(forged_dir / "ledger.db") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for table in ("entries", "merkle_nodes", "checkpoints"):
            for action in ("update", "delete"):
                db.execute(f"DROP TRIGGER {table}_refuse_{action}")
        data = db.execute("SELECT data FROM entries WHERE idx = 120").fetchone()[0]
        db.execute(
            "UPDATE entries SET data = ? WHERE idx = 120",
            (data.replace(b'"score":', b'"score":1'),),
        )
        db.execute("DELETE FROM checkpoints")
    forged = serve(forged_dir)
    (tmp_path / "kept.note").write_text(kept)
    audit = certledger(
        "audit",
        "--url",
        forged.url,
        "--vkey",
        vkey,
        "--older",
        str(tmp_path / "kept.note"),
        env=forged.env,
    )
    assert audit.returncode == 1, audit.stdout
    assert "FAILED: index 120: entry changed" in audit.stdout
