"""A ledger written before the one write path opens, migrates, audits clean and rebuilds.

The fixture (tests/fixtures/ledger-0006) was written at schema revision 0006, when the
organizations' contacts, API key hashes and report texts sat inside the projections and
the credential times came from the service's clock.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger, open_ledger
from ledger.settings import Settings
from ledger.storage.tables import api_key_secrets, documents, org_contacts
from tests.integration.helpers import projected_rows

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ledger-0006"


@pytest.fixture
def legacy(tmp_path: Path) -> Iterator[Ledger]:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    for key in (data / "keys").rglob("*.pem"):
        key.chmod(0o600)
    settings = Settings(
        data_dir=data,
        database_url=f"sqlite+pysqlite:///{data}/ledger.db",
        host="127.0.0.1",
        port=8000,
        public_url="https://legacy.ledger.test",
    )
    ledger = open_ledger(settings)
    try:
        yield ledger
    finally:
        ledger.close()


def test_the_old_ledger_audits_clean_after_the_migration(legacy: Ledger) -> None:
    report = audit(DatabaseSource(legacy.store))
    assert report.ok, report.fault
    assert report.entries_checked == 622
    assert legacy.log.differences() == []


def test_what_moved_beside_the_ledger_is_kept(legacy: Ledger) -> None:
    with legacy.engine.connect() as connection:
        contacts = connection.execute(sa.select(org_contacts)).all()
        secrets = connection.execute(sa.select(api_key_secrets)).all()
        texts = connection.execute(sa.select(documents)).all()
    assert len(contacts) == 6 and all(row.contact and row.salt for row in contacts)
    assert len(secrets) == 2 and all(len(row.secret_hash) == 32 for row in secrets)
    assert texts and all(row.text for row in texts)
    org = legacy.registry.orgs(None, limit=1).items[0]
    from ledger.core.principals import Principal

    assert legacy.registry.org(Principal.parse("office"), org.id).contact


def test_a_rebuild_reproduces_every_row(legacy: Ledger) -> None:
    before = projected_rows(legacy)
    assert before["certificates"] and before["api_keys"] and before["revoked_principals"]
    legacy.log.rebuild()
    assert projected_rows(legacy) == before


def test_a_rebuild_signs_each_record_again_with_the_key_of_its_time(
    legacy: Ledger,
) -> None:
    from ledger.core.principals import Principal
    from tests.certificate_helpers import holder_name, id_number

    standard = legacy.registry.standards(limit=1).items[0]
    org = Principal.parse(f"org:{standard.org}")
    if legacy.registry.org(None, standard.org).status.value != "registered":
        legacy.registry.reinstate_org(Principal.parse("office"), standard.org, "样例：恢复")
    level = standard.levels[0].value

    def issue(number: int) -> str:
        row = {"standard": standard.code, "level": level, "name": holder_name(number),
               "id_number": id_number(number)}  # fmt: skip
        return legacy.certificates.issue(org, row).record

    before = [issue(n) for n in (9001, 9002)]
    legacy.log.rotate_key()
    after = [issue(n) for n in (9003, 9004)]
    kids = {record: record.split(".")[0] for record in before + after}
    assert kids[before[0]] != kids[after[0]]  # the header names another key
    rows = projected_rows(legacy)
    legacy.log.rebuild()
    assert projected_rows(legacy) == rows
    assert legacy.log.differences() == []
