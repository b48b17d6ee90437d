"""`certledger token ROLE [ID] [--ttl SECONDS]`: an operator's token, verified by the service."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from ledger.bootstrap import open_ledger
from ledger.core.principals import Principal
from ledger.settings import Settings
from scripts.cli import main


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("LEDGER_DATA_DIR", str(data_dir))
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    monkeypatch.setenv("LEDGER_PUBLIC_URL", "https://ledger.test")
    return data_dir


def test_the_token_command_prints_a_token_the_service_accepts(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "school", "4161010001", "--ttl", "120"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.count(".") == 2 and "\n" not in token
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["exp"] - claims["iat"] == 120 and claims["school"] == "4161010001"
    ledger = open_ledger(Settings.from_env(), first_run=False)
    try:
        assert ledger.tokens.verify(token) == Principal.parse("school:4161010001")
        assert len(list((environment / "keys" / "tokens").glob("*.pem"))) == 1
    finally:
        ledger.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "org"], "needs an id"),
        (["token", "wizard"], "unknown role"),
        (["token", "office", "--ttl", "0"], "lifetime"),
    ],
)
def test_the_token_command_refuses_what_it_cannot_mint(
    environment: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
