"""A console restored from an older backup takes no form's write until the database holds
the checkpoint this ledger published: the page says so (503) and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

from litestar.testing import TestClient

from api.app import create_app
from ledger.core.principals import Principal, Role
from tests.console.conftest import PUBLIC_URL, open_test_ledger
from tests.console_helpers import ConsoleClient, make_school, staff_member
from tests.registry_helpers import sample_school


def test_a_form_write_waits_until_the_database_holds_what_was_published(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    ledger = open_test_ledger(folder)
    school = make_school(ledger, students=0)
    staff_member(ledger, f"school:{school.id}", "clerk-behind")
    ledger.log.checkpoint()
    ledger.close()
    shutil.copy(folder / "ledger.db", tmp_path / "older.db")  # the older backup

    ledger = open_test_ledger(folder)
    ledger.registry.admit_school(Principal(Role.OFFICE), sample_school(9301))
    ledger.log.checkpoint()  # published: one entry more than the backup holds
    ledger.close()
    for suffix in ("", "-wal", "-shm"):
        (folder / f"ledger.db{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "older.db", folder / "ledger.db")

    behind = open_test_ledger(folder)
    try:
        size = behind.store.size()
        with TestClient(create_app(behind), base_url=PUBLIC_URL) as client:
            console = ConsoleClient(client)
            assert console.sign_in("clerk-behind").status_code == 303
            assert console.get("/console/students").status_code == 200  # reading works
            body = {"account": "", "name": "李四", "id_number": "11010519491231002X"}
            refused = console.post("/console/students", body, form_page="/console/students")
        assert refused.status_code == 503, refused.text
        assert "账本暂时无法签名" in refused.text and "published a checkpoint" in refused.text
        assert behind.store.size() == size
        assert behind.school_lists.students(school.id).total == 0
    finally:
        behind.close()
