"""Erasure that erases (issue 11, defect 2): after an erasure the database files, the WAL
included, hold neither the name nor the ID number, even when another connection held a read
transaction meanwhile; the erasure never holds up other writes while it waits; no unsalted
digest of personal data is kept anywhere."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.core.canonical import canonical_json
from ledger.core.principals import Principal
from ledger.storage.erasure import Erased
from ledger.storage.uploads import Uploads
from tests.api.conftest import TokenFor
from tests.certificate_helpers import holder_name, id_number, make_issuer
from tests.registry_helpers import sample_school

OFFICE = Principal.parse("office")
ERASED, KEPT = 61, 62


def _files(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("ledger.db*") if p.is_file())


def _secrets(n: int) -> list[bytes]:
    return [holder_name(n).encode("utf-8"), id_number(n).encode("ascii")]


def test_erasure_leaves_no_copy_and_never_blocks_writes_while_a_reader_waits(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger, tmp_path: Path
) -> None:
    issuer = make_issuer(ledger)
    accounts = {}
    for n in (ERASED, KEPT):
        issued = client.post(
            "/certificates", json=issuer.row(n), headers=token_for(issuer.principal)
        )
        assert issued.status_code == 201, issued.text
        accounts[n] = issued.json()["account"]
    # A students sheet waiting for a clerk's confirmation holds the same name and ID number.
    sheet = [{"name": holder_name(n), "id_number": id_number(n)} for n in (ERASED, KEPT)]
    Uploads(ledger.engine).add("U" + "0" * 24, "school:4161000001", "students", sheet, 0)
    assert all(s in _files(tmp_path) for s in _secrets(ERASED))  # a positive control

    reader = sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)
    reader.execute("BEGIN")  # a read transaction: its snapshot predates the erasure
    assert reader.execute("SELECT count(*) FROM learner_identities").fetchone()[0] >= 2
    outcome: list[Erased] = []
    erasing = threading.Thread(
        target=lambda: outcome.append(ledger.certificates.erase(OFFICE, accounts[ERASED]))
    )
    size = ledger.store.size()
    erasing.start()
    try:
        deadline = time.monotonic() + 10
        while ledger.store.size() == size and time.monotonic() < deadline:
            time.sleep(0.01)  # until learner.erased is recorded and the scrub waits
        started = time.monotonic()
        ledger.registry.admit_school(OFFICE, sample_school(611))
        assert time.monotonic() - started < 2, "a write waited for the erasure's scrub"
        assert not outcome, "the scrub cannot finish while the reader holds old pages"
    finally:
        reader.execute("COMMIT")
        reader.close()
    erasing.join(timeout=30)
    assert outcome and outcome[0].scrubbed
    files = _files(tmp_path)
    assert (tmp_path / "ledger.db-wal").stat().st_size == 0
    for secret in _secrets(ERASED):
        assert secret not in files
    for secret in _secrets(KEPT):
        assert secret in files  # still held for the learner not erased
    kept = Uploads(ledger.engine).get("U" + "0" * 24, "school:4161000001")
    assert kept is not None
    assert [row["id_number"] for row in kept.rows] == [None, id_number(KEPT)]


def test_the_api_says_erased_once_the_files_are_clean(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger, tmp_path: Path
) -> None:
    issuer = make_issuer(ledger)
    issued = client.post("/certificates", json=issuer.row(63), headers=token_for(issuer.principal))
    account = issued.json()["account"]
    erased = client.delete(f"/learners/{account}/personal-data", headers=token_for("office"))
    assert erased.status_code == 200, erased.text
    assert erased.json()["status"] == "erased"
    files = _files(tmp_path)
    for secret in _secrets(63):
        assert secret not in files


def test_no_unsalted_digest_of_personal_data_is_kept(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger, tmp_path: Path
) -> None:
    """Digests a guess could be confirmed against offline: of the name, the ID number, both,
    and of a batch's rows as a client sends them (what certificate_batches.digest held)."""
    issuer = make_issuer(ledger)
    rows = [issuer.row(n) for n in (64, 65)]
    batch = client.post(
        "/certificates/batch",
        json={"batch_id": "digest-1", "rows": rows},
        headers=token_for(issuer.principal),
    )
    assert batch.status_code == 201, batch.text
    texts = [holder_name(64), id_number(64), id_number(64) + holder_name(64)]
    texts += [id_number(64) + "\x00" + holder_name(64), json.dumps(rows, ensure_ascii=False)]
    blobs = [t.encode("utf-8") for t in texts] + [canonical_json(rows), canonical_json(rows[0])]
    files = _files(tmp_path)
    assert id_number(64).encode() in files  # the store holds it: a positive control
    for blob in blobs:
        digest = hashlib.sha256(blob).digest()
        assert digest not in files and digest.hex().encode() not in files, blob[:20]
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "ledger.db").execute(
            "SELECT name FROM pragma_table_list WHERE type = 'table'"
        )
    }
    columns = {
        (table, row[1])
        for table in tables
        for row in sqlite3.connect(tmp_path / "ledger.db").execute(f"PRAGMA table_info({table})")
    }
    assert ("certificate_batches", "digest") not in columns
