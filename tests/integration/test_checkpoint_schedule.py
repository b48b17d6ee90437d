"""Checkpoints on a schedule, and the audit of a head past its latest checkpoint.

The schedule's tick is driven by hand here (no waiting on its interval); the served test
checks that a running server signs without being asked, polling the database only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from ledger.bootstrap import Ledger, open_ledger
from ledger.services.checkpoint_schedule import CheckpointSchedule
from ledger.services.samples import sample_drafts
from ledger.settings import Settings
from scripts.cli import main
from tests.integration.helpers import make_settings
from tests.served import Served, certledger


def grow(ledger: Ledger, count: int) -> int:
    for drafts in sample_drafts(count, count, start=ledger.store.size()):
        ledger.log.append(drafts)
    return ledger.store.size()


@pytest.mark.usefixtures("database_url")
def test_the_schedule_signs_once_the_log_grew_and_not_before(ledger: Ledger) -> None:
    schedule = CheckpointSchedule(ledger.log)
    first = schedule.tick()
    assert first is not None and first.tree_size == ledger.store.size()
    assert schedule.tick() is None  # nothing grew
    size = grow(ledger, 3)
    signed = schedule.tick()
    assert signed is not None and signed.tree_size == size
    assert ledger.store.latest_checkpoint() == signed
    # Another process signed the head first: nothing to sign here.
    size = grow(ledger, 2)
    ledger.log.checkpoint()
    assert schedule.tick() is None
    assert ledger.store.latest_checkpoint().tree_size == size  # type: ignore[union-attr]


def test_a_served_log_is_checkpointed_without_anyone_asking(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    served = serve(tmp_path / "data")
    minted = certledger("token", "office", env=served.env)
    headers = {"Authorization": f"Bearer {minted.stdout.strip()}"}
    index = httpx.post(served.url + "/api-keys", headers=headers).json()["index"]
    settings = make_settings(served.data_dir, f"sqlite+pysqlite:///{served.data_dir}/ledger.db")
    ledger = open_ledger(settings, first_run=False)
    try:
        deadline = time.monotonic() + 20
        while True:  # the database only: GET /log/checkpoint would sign on demand
            latest = ledger.store.latest_checkpoint()
            if latest is not None and latest.tree_size >= index + 1:
                break
            assert time.monotonic() < deadline, f"no checkpoint of {index + 1} entries: {latest}"
            time.sleep(0.05)
    finally:
        ledger.close()


def test_audit_checks_the_head_past_the_checkpoint_and_says_the_lag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    monkeypatch.setenv("LEDGER_PUBLIC_URL", "https://ledger.test")
    ledger = open_ledger(Settings.from_env())
    try:
        assert main(["audit"]) == 2  # InvalidInput: the message goes to stderr
        err = capsys.readouterr().err
        assert "no service has run on it" in err and "start the service once" not in err
        ledger.log.checkpoint()
        size = grow(ledger, 5)
    finally:
        ledger.close()
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert f"the head at {size} entries checks out too" in out
    assert "lags it by 5 entries" in out
