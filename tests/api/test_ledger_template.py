"""The API tests' ledgers are copies of one template (tests/api/conftest.py): each copy is
a whole, independent ledger, as a first run would have built it."""

from __future__ import annotations

from pathlib import Path

from ledger.bootstrap import Ledger
from tests.api.conftest import (
    SAMPLE_ENTRIES,
    TEMPLATE_DATABASE,
    ledger_from_template,
    sample_drafts,
)


def test_a_copy_holds_the_sample_entries_and_its_keys(ledger: Ledger, tmp_path: Path) -> None:
    assert ledger.store.size() == SAMPLE_ENTRIES + 1
    assert ledger.settings.data_dir == tmp_path
    assert (tmp_path / "keys" / f"{ledger.log.signing_key().kid}.pem").is_file()
    # The log still signs: the checkpoint of every entry, after the previous root is rechecked.
    checkpoint = ledger.log.checkpoint()
    assert checkpoint.tree_size == SAMPLE_ENTRIES + 1
    assert checkpoint.key_id == ledger.log.signing_key().kid


def test_copies_are_independent_of_each_other_and_of_the_template(
    ledger_template: Path, tmp_path: Path
) -> None:
    template_bytes = (ledger_template / TEMPLATE_DATABASE).read_bytes()
    first = ledger_from_template(
        ledger_template, f"sqlite+pysqlite:///{tmp_path}/a/a.db", tmp_path / "a"
    )
    second = ledger_from_template(
        ledger_template, f"sqlite+pysqlite:///{tmp_path}/b/b.db", tmp_path / "b"
    )
    try:
        first.log.append(sample_drafts(3, first=SAMPLE_ENTRIES))
        assert first.store.size() == SAMPLE_ENTRIES + 4
        assert second.store.size() == SAMPLE_ENTRIES + 1
    finally:
        first.close()
        second.close()
    assert (ledger_template / TEMPLATE_DATABASE).read_bytes() == template_bytes
