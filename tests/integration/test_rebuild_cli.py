"""`certledger rebuild` and the projection half of `certledger audit`, run as a clerk would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger.bootstrap import open_ledger
from ledger.core.principals import Principal
from ledger.domain.credit_bank import CourseCredit
from ledger.settings import Settings
from scripts.cli import main
from tests.certificate_helpers import holder_name, id_number, make_issuer
from tests.consent_helpers import consent
from tests.registry_helpers import sample_school


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A first-run ledger with accounts, course credits and a revoked certificate."""
    folder = tmp_path / "data"
    monkeypatch.setenv("LEDGER_DATA_DIR", str(folder))
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    monkeypatch.setenv("LEDGER_PUBLIC_URL", "https://ledger.test")
    ledger = open_ledger(Settings.from_env())
    try:
        issuer = make_issuer(ledger)
        school = sample_school(901)
        ledger.registry.admit_school(Principal.parse("office"), school)
        org, clerk = Principal.parse(issuer.principal), Principal.parse(f"school:{school.id}")
        issued = [
            ledger.certificates.issue(
                org,
                {"standard": issuer.standard, "level": "junior", "name": holder_name(n),
                 "id_number": id_number(n)},
            )
            for n in range(5)
        ]  # fmt: skip
        for certificate in issued:
            ledger.credit_bank.enrol(
                clerk,
                school.id,
                account=certificate.account,
                enrolment_code=consent(ledger, certificate.account),
            )
            ledger.credit_bank.deposit(
                clerk, certificate.account, CourseCredit("C1", "课程", 3, "2026-1", "B")
            )
        ledger.certificates.revoke(org, issued[0].certificate, "issued in error")
        ledger.log.checkpoint()
    finally:
        ledger.close()
    return folder


def test_audit_catches_a_hand_changed_balance_and_rebuild_repairs_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit"]) == 0
    assert "every projection matches a replay" in capsys.readouterr().out

    with sqlite3.connect(data_dir / "ledger.db") as database:
        account = database.execute("SELECT account FROM balances ORDER BY account").fetchone()[0]
        database.execute(
            "UPDATE balances SET deposited = deposited + 10 WHERE account = ?", (account,)
        )
        database.execute("UPDATE outcomes SET credits = 99 WHERE kind = 'course'")
    assert main(["audit"]) == 1
    out = capsys.readouterr().out
    assert f"balances {account}: stored ('{account}'," in out
    assert "outcomes " in out and "rebuild" in out

    assert main(["rebuild"]) == 0
    assert "rebuilt from" in capsys.readouterr().out
    assert main(["audit"]) == 0
    capsys.readouterr()


def test_rebuild_from_empty_tables_gives_the_same_rows_byte_for_byte(data_dir: Path) -> None:
    tables = ("learners", "enrolments", "outcomes", "rules", "conversions", "balances")

    def dump() -> dict[str, list[tuple[object, ...]]]:
        with sqlite3.connect(data_dir / "ledger.db") as database:
            return {
                t: database.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables
            }

    before = dump()
    assert before["balances"] and before["outcomes"]
    with sqlite3.connect(data_dir / "ledger.db") as database:
        for table in tables:
            database.execute(f"DELETE FROM {table}")
    assert all(not rows for rows in dump().values())
    assert main(["rebuild"]) == 0
    assert dump() == before


@pytest.mark.parametrize("where", ["header", "middle"])
def test_the_audit_of_a_damaged_database_file_says_so_without_a_traceback(
    data_dir: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    database = data_dir / "ledger.db"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = database.stat().st_size
    with database.open("r+b") as raw:
        raw.seek(0 if where == "header" else size // 2)
        raw.write(bytes(range(256)) * 16)  # 4 KiB of garbage in the middle of the file
    assert main(["audit"]) == 1
    out = capsys.readouterr()
    assert "FAILED" in out.out and "damaged" in out.out
    assert "Traceback" not in out.out + out.err
