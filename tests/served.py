"""`certledger serve` in processes of their own, for tests that need the real server.

The ``serve`` fixture (tests/conftest.py) starts one on a free port over a data folder and
stops it after the test; ``certledger`` runs any other subcommand.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

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


def serving(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start `certledger serve` processes on free ports; stop them all afterwards."""
    started: list[Served] = []

    def start(data_dir: Path, *extra: str, database_url: str | None = None) -> Served:
        port = free_port()
        env = environment(data_dir, port)
        if database_url is not None:  # else the SQLite file in the data folder
            env["LEDGER_DATABASE_URL"] = database_url
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
