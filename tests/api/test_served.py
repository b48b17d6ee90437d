"""The real thing: `certledger serve` in a process of its own, audited over HTTP.

An auditor holds no database access: the audit reads only the public API, pins the
vkey it was given, and catches a server that serves a changed history.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ledger.core.checkpoint import vkey as vkey_text
from ledger.core.signing import SigningKey

CERTLEDGER = [sys.executable, "-m", "scripts.cli"]
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> str:
        """Stop the server (if running) and return everything it printed."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log.read_text()


def environment(data_dir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        LEDGER_DATA_DIR=str(data_dir),
        LEDGER_PORT=str(port),
        LEDGER_HOST="127.0.0.1",
        LEDGER_PUBLIC_URL="https://ledger.test",
        PYTHONUNBUFFERED="1",
    )
    env.pop("LEDGER_DATABASE_URL", None)
    return env


def certledger(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CERTLEDGER, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[callable]:  # type: ignore[valid-type]
    started: list[Served] = []

    def start(data_dir: Path, *extra: str) -> Served:
        port = free_port()
        env = environment(data_dir, port)
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*CERTLEDGER, "serve", *extra], env=env, stdout=output, stderr=subprocess.STDOUT
            )
        served = Served(f"http://127.0.0.1:{port}", data_dir, env, process, log)
        started.append(served)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"serve exited early:\n{served.stop()}")
            try:
                if httpx.get(served.url + "/healthz", timeout=1).status_code == 200:
                    return served
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail("serve did not answer /healthz in time")

    yield start
    for served in started:
        served.stop()


def test_first_run_serves_prints_where_to_open_and_audits_clean_over_http(
    serve: callable,  # type: ignore[valid-type]
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
    assert checkpoint.splitlines()[1] == "2501"
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
    assert "OK: 4001 entries" in audit.stdout
    assert "consistent with the older checkpoint of 2501 entries" in audit.stdout

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
    assert "open https://ledger.test/log/checkpoint" in printed
    assert "certledger token office" in printed


def test_http_audit_catches_a_server_serving_a_changed_history(
    serve: callable,  # type: ignore[valid-type]
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
