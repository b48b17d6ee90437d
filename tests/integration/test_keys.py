"""Signing keys: created 0600 on first run, rotated through the ledger, old ones still verify."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from keys.folder import KeyFolder
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.canonical import EntryDraft
from ledger.core.checkpoint import NoteVerifier, open_checkpoint
from ledger.core.errors import BadSignature, SigningKeyError
from ledger.settings import Settings
from tests.integration.helpers import append_raw


def make_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(tmp_path / "data", url, "127.0.0.1", 8000, "https://ledger.test")


@pytest.fixture
def ledger(tmp_path: Path, sqlite_url: str) -> Iterator[Ledger]:
    opened = open_ledger(make_settings(tmp_path, sqlite_url))
    yield opened
    opened.close()


def test_first_run_creates_one_private_key_file_readable_only_by_owner(ledger: Ledger) -> None:
    folder = ledger.settings.keys_dir
    # keys/tokens/ holds the separate service key of bearer tokens.
    files = list(folder.glob("*.pem"))
    assert [f.name for f in files] == [f"{ledger.log.signing_key().kid}.pem"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    entry = ledger.store.entries(0, 1)[0]
    assert entry.kind == "key.added"
    assert ledger.log.signing_key().kid.encode() in entry.data
    assert b"PRIVATE" not in entry.data


def test_reopening_does_not_create_another_key(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(tmp_path, sqlite_url)
    first = open_ledger(settings)
    kid = first.log.signing_key().kid
    first.close()
    again = open_ledger(settings)
    assert again.log.signing_key().kid == kid
    assert again.store.size() == 1
    assert len(list(settings.keys_dir.glob("*.pem"))) == 1
    assert len(list(settings.token_keys_dir.glob("*.pem"))) == 1
    again.close()


def test_rotation_is_recorded_and_old_checkpoints_still_verify(ledger: Ledger) -> None:
    old_key = ledger.log.signing_key()
    old_note = ledger.log.checkpoint().note
    rotation = ledger.log.rotate_key()
    assert rotation.retired == old_key.kid
    added, retired = ledger.store.entries(rotation.index, rotation.index + 2)
    assert (added.kind, retired.kind) == ("key.added", "key.retired")
    assert rotation.added.encode() in added.data and old_key.kid.encode() in retired.data

    # The checkpoint right after the rotation is signed by both keys, so a verifier
    # that pinned the old key can follow the log to the new one.
    handover = ledger.store.latest_checkpoint()
    assert handover is not None and handover.tree_size == rotation.index + 2
    for verifier in ledger.log.note_verifiers():
        assert open_checkpoint(handover.note, [verifier], "ledger.test").size == handover.tree_size

    append_raw(ledger, [EntryDraft("sample.recorded", "system", {"n": 1})])
    new_note = ledger.log.checkpoint().note
    new_key = ledger.log.signing_key()
    assert new_key.kid == rotation.added != old_key.kid

    verifiers = ledger.log.note_verifiers()
    assert open_checkpoint(old_note, verifiers, "ledger.test").size == 1
    assert open_checkpoint(new_note, verifiers, "ledger.test").size == 4
    # Each note is signed by its own key only.
    only_old = [NoteVerifier.from_vkey(v.vkey()) for v in verifiers if v.key == old_key.public]
    with pytest.raises(BadSignature):
        open_checkpoint(new_note, only_old, "ledger.test")
    assert [k.kid for k in ledger.log.key_records()] == [old_key.kid, new_key.kid]
    assert {k["kid"] for k in ledger.log.jwks()["keys"]} == {old_key.kid, new_key.kid}


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    folder = KeyFolder(tmp_path / "keys")
    key = folder.create()
    (tmp_path / "keys" / f"{key.kid}.pem").chmod(0o644)
    with pytest.raises(SigningKeyError, match="readable by others"):
        KeyFolder(tmp_path / "keys").load(key.kid)


def test_missing_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="no private key file"):
        KeyFolder(tmp_path / "keys").load("no-such-kid")


def test_key_file_holding_another_key_is_refused(tmp_path: Path) -> None:
    folder = KeyFolder(tmp_path / "keys")
    first, second = folder.create(), folder.create()
    (tmp_path / "keys" / f"{first.kid}.pem").write_bytes(second.to_pem())
    with pytest.raises(SigningKeyError, match="holds key"):
        KeyFolder(tmp_path / "keys").load(first.kid)


def test_opening_without_first_run_creates_nothing(tmp_path: Path) -> None:
    from ledger.core.errors import InvalidInput

    settings = make_settings(tmp_path, f"sqlite+pysqlite:///{tmp_path}/absent/ledger.db")
    with pytest.raises(InvalidInput, match="no ledger database"):
        open_ledger(settings, first_run=False)
    assert not (tmp_path / "absent").exists() and not settings.data_dir.exists()


def test_opening_a_database_without_the_schema_is_refused(tmp_path: Path) -> None:
    from ledger.core.errors import InvalidInput

    (tmp_path / "empty.db").write_bytes(b"")
    settings = make_settings(tmp_path, f"sqlite+pysqlite:///{tmp_path}/empty.db")
    with pytest.raises(InvalidInput, match="current ledger schema"):
        open_ledger(settings, first_run=False)
