"""The log's use cases: append, sign checkpoints, and manage the signing keys.

Every write goes through LogService.append, so key entries and (later) other
projections change in the same transaction as the entries they mirror.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from keys.folder import KeyFolder
from ledger.core.canonical import EntryDraft
from ledger.core.checkpoint import (
    Checkpoint,
    NoteVerifier,
    add_signature,
    key_hash,
    sign_note,
    vkey,
)
from ledger.core.errors import LedgerError, RootMismatch, SigningKeyError
from ledger.core.signing import SigningKey, VerifyingKey
from ledger.storage.key_registry import (
    KEY_ADDED,
    KEY_RETIRED,
    KeyRecord,
    KeyRegistry,
    all_keys,
    project_keys,
)
from ledger.storage.store import (
    LedgerStore,
    Planner,
    Projector,
    StoredCheckpoint,
    StoredEntry,
    Transaction,
)

#: The principal that writes the service's own bookkeeping entries.
SYSTEM_PRINCIPAL = "system"


class KeyAlreadyActive(LedgerError):
    """First-run key creation found that another process created the key first."""


@dataclass(frozen=True)
class Rotation:
    """The outcome of a key rotation."""

    added: str
    retired: str | None
    index: int


class LogService:
    """Append entries, sign checkpoints and publish the keys of one log."""

    def __init__(self, store: LedgerStore, keys: KeyFolder, origin: str) -> None:
        self.store = store
        self.keys = keys
        self.origin = origin
        self.registry = KeyRegistry(store.engine)

    def append(
        self, drafts: Sequence[EntryDraft], project: Projector | None = None
    ) -> list[StoredEntry]:
        """Append ``drafts`` durably (see LedgerStore.append); projections run in the commit."""
        return self.append_planned(lambda _connection: drafts, project)

    def append_planned(self, plan: Planner, project: Projector | None = None) -> list[StoredEntry]:
        """Append the drafts ``plan`` makes under the write lock (LedgerStore.append_planned)."""

        def project_all(connection: Transaction, appended: Sequence[StoredEntry]) -> None:
            project_keys(connection, appended)
            if project is not None:
                project(connection, appended)

        return self.store.append_planned(plan, project_all)

    # -- keys ---------------------------------------------------------------------

    def ensure_signing_key(self) -> str:
        """Create and announce the first signing key unless the ledger has one; return its kid."""
        existing = self.registry.active()
        if existing is not None:
            return existing.kid
        key = self.keys.create()

        def only_if_first(connection: Transaction, _appended: Sequence[StoredEntry]) -> None:
            # Runs under the write lock: a second process racing us sees our key here.
            keys = [k for k in all_keys(connection) if k.kid != key.kid]
            if any(k.retired_index is None for k in keys):
                raise KeyAlreadyActive("another process created the signing key first")

        try:
            self.append([_key_added(key)], only_if_first)
        except KeyAlreadyActive:
            self.keys.discard(key.kid)
            return self.ensure_signing_key()
        return key.kid

    def rotate_key(self) -> Rotation:
        """Add a new signing key and retire the active one, as two entries in one commit.

        The first checkpoint after the rotation is signed by both keys, so a verifier
        that trusts the old key learns the new one from the log itself.
        """
        key = self.keys.create()
        current = self.registry.active()
        drafts = [_key_added(key)]
        if current is not None:
            drafts.append(
                EntryDraft(KEY_RETIRED, SYSTEM_PRINCIPAL, {"kid": current.kid, "reason": "rotated"})
            )

        def still_current(connection: Transaction, _appended: Sequence[StoredEntry]) -> None:
            # Under the write lock: a rotation racing ours must not leave two active keys.
            active = [k.kid for k in all_keys(connection) if k.retired_index is None]
            if active != [key.kid]:
                raise KeyAlreadyActive("another rotation changed the signing key; try again")

        try:
            appended = self.append(drafts, still_current)
        except KeyAlreadyActive:
            self.keys.discard(key.kid)
            raise
        size = appended[-1].index + 1
        co_signers = [] if current is None else [self.keys.load(current.kid)]
        self._sign(size, self.store.latest_checkpoint(), co_signers)
        return Rotation(key.kid, None if current is None else current.kid, appended[0].index)

    def signing_key(self) -> SigningKey:
        """The private key the ledger names as active; SigningKeyError if there is none."""
        record = self.registry.active()
        if record is None:
            raise SigningKeyError("the ledger has no active signing key; run the first start")
        return self.keys.load(record.kid)

    def key_records(self) -> list[KeyRecord]:
        """Every key the ledger announced, oldest first, retired ones included."""
        return self.registry.all()

    def verifying_keys(self) -> list[VerifyingKey]:
        """Public keys of every announced key, for records and checkpoints they signed."""
        return [VerifyingKey(record.public_key) for record in self.key_records()]

    def note_verifiers(self) -> list[NoteVerifier]:
        """Checkpoint verifiers for every announced key under this log's origin."""
        return [
            NoteVerifier(self.origin, key_hash(self.origin, key), key)
            for key in self.verifying_keys()
        ]

    def vkey(self) -> str:
        """The active checkpoint verifier key in note ``vkey`` format (no private key needed)."""
        record = self.registry.active()
        if record is None:
            raise SigningKeyError("the ledger has no active signing key; run the first start")
        return vkey(self.origin, VerifyingKey(record.public_key))

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JWK set of every key that signs (or signed) verification records."""
        return {"keys": [key.jwk() for key in self.verifying_keys()]}

    # -- checkpoints -------------------------------------------------------------

    def checkpoint(self) -> StoredCheckpoint:
        """The signed checkpoint of the current tree, signing one if the tree has grown.

        Before signing, the root of the previous checkpoint is recomputed from storage:
        the log never signs a tree that is not an extension of the one it signed before
        (RootMismatch otherwise).
        """
        size = self.store.size()
        latest = self.store.latest_checkpoint()
        if latest is not None and latest.tree_size >= size:
            return latest
        return self._sign(size, latest)

    def _sign(
        self,
        size: int,
        latest: StoredCheckpoint | None,
        co_signers: Sequence[SigningKey] = (),
    ) -> StoredCheckpoint:
        if latest is not None and latest.tree_size <= size:
            recomputed = self.store.root(latest.tree_size)
            if recomputed != latest.root:
                raise RootMismatch(latest.tree_size, latest.root, recomputed)
        root = self.store.root(size)
        key = self._key_at(size)
        note = sign_note(Checkpoint(self.origin, size, root).to_text(), self.origin, key)
        for co_signer in co_signers:
            note = add_signature(note, self.origin, co_signer)
        return self.store.save_checkpoint(StoredCheckpoint(size, root, key.kid, note))

    def _key_at(self, size: int) -> SigningKey:
        """The key active after entry ``size - 1``: it signs the checkpoint of that size.

        Choosing by tree size, not by the clock, means a rotation committed while a
        checkpoint is being signed never yields a checkpoint signed by a key that its
        own tree does not announce.
        """
        announced = [k for k in self.registry.all() if k.added_index < size]
        active = [k for k in announced if k.retired_index is None or k.retired_index >= size]
        if not active:
            raise SigningKeyError("the ledger has no active signing key; run the first start")
        return self.keys.load(active[-1].kid)


def _key_added(key: SigningKey) -> EntryDraft:
    return EntryDraft(
        KEY_ADDED,
        SYSTEM_PRINCIPAL,
        {
            "algorithm": "Ed25519",
            "kid": key.kid,
            "public_key": key.public.raw.hex(),
            "purpose": "checkpoints and verification records",
        },
    )
