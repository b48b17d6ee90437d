"""SIGKILL of the served process under concurrent writes loses no acknowledged write.

Sixteen clients post ``POST /api-keys`` to a real ``certledger serve`` (uvicorn, sockets,
group commit; on SQLite and PostgreSQL) until a couple of hundred writes are acknowledged;
then the server is killed with SIGKILL in mid-load. Every 2xx it answered must be in the
ledger afterwards, at the index and with the key it named; the log must be gapless and
audit clean.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import open_ledger
from tests.integration.helpers import make_settings, payload
from tests.served import Served, certledger

CLIENTS = 16
ACKS_BEFORE_KILL = 200


def test_sigkill_under_group_commit_loses_no_acknowledged_write(
    serve: Callable[..., Served],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEDGER_RATE_LIMIT", "1000000/1")
    served = serve(tmp_path / "data", database_url=database_url)
    minted = certledger("token", "office", env=served.env)
    assert minted.returncode == 0, minted.stderr
    headers = {"Authorization": f"Bearer {minted.stdout.strip()}"}

    acknowledged: list[tuple[int, str]] = []
    refused: list[str] = []
    lock = threading.Lock()
    enough, stop = threading.Event(), threading.Event()

    def client() -> None:
        with httpx.Client(base_url=served.url, headers=headers, timeout=30) as http:
            while not stop.is_set():
                try:
                    answer = http.post("/api-keys")
                except httpx.TransportError:
                    return  # the server is gone
                with lock:
                    if answer.status_code != 201:
                        refused.append(f"{answer.status_code} {answer.text[:200]}")
                        return
                    body = answer.json()
                    acknowledged.append((body["index"], body["key_id"]))
                    if len(acknowledged) >= ACKS_BEFORE_KILL:
                        enough.set()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        assert enough.wait(120), f"only {len(acknowledged)} acks; refused: {refused[:3]}"
        served.process.kill()  # SIGKILL, while the other clients' writes are in flight
        assert served.process.wait(10) == -9
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert refused == []

    ledger = open_ledger(make_settings(served.data_dir, database_url), first_run=False)
    try:
        size = ledger.store.size()
        stored = {entry.index: entry for entry in ledger.store.iter_entries()}
        assert sorted(stored) == list(range(size)), "the log is not gapless"
        for index, key_id in acknowledged:
            entry = stored.get(index)
            assert entry is not None, f"acknowledged entry {index} is lost"
            assert entry.kind == "api_key.issued"
            assert payload(entry.data)["key_id"] == key_id
        assert len({index for index, _key in acknowledged}) == len(acknowledged)
        ledger.log.checkpoint()
        report = audit(DatabaseSource(ledger.store))
        assert report.ok, report.fault
    finally:
        ledger.close()
