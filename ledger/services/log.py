"""The log's use cases: units of work, checkpoints, the signing keys, rebuild and audit.

Every write goes through a unit of work (LogService.unit_of_work), which runs the
projections of ledger.kinds in the same transaction as the entries they mirror.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from keys.folder import KeyFolder
from keys.published import BehindPublished, Published, PublishedCheckpoint
from ledger.core.canonical import EntryDraft
from ledger.core.checkpoint import (
    Checkpoint,
    NoteVerifier,
    add_signature,
    key_hash,
    origin_from_url,
    sign_note,
    vkey,
)
from ledger.core.errors import LedgerError, RootMismatch, SigningKeyError
from ledger.core.jws import RecordSigner
from ledger.core.signing import SigningKey, VerifyingKey
from ledger.kinds import Kind
from ledger.storage import replay
from ledger.storage.key_registry import KeyRecord, KeyRegistry, active_key, all_keys
from ledger.storage.projection import ProjectionContext
from ledger.storage.projections.identity import Identity, identities
from ledger.storage.store import LedgerStore, StoredCheckpoint, StoredEntry
from ledger.storage.unit_of_work import Draft, Transaction, UnitOfWork

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

    def __init__(
        self,
        store: LedgerStore,
        keys: KeyFolder,
        origin: str,
        issuer: str,
        published: PublishedCheckpoint | None = None,
    ) -> None:
        self.store = store
        #: The newest checkpoint signed, kept outside the database (None: not kept).
        self.published = published
        self._caught_up: Published | None = None
        self.keys = keys
        self.origin = origin
        #: The ``iss`` of the verification records this ledger signs.
        self.issuer = issuer
        self.registry = KeyRegistry(store.engine)
        self._signers: dict[str, RecordSigner] = {}
        self.context = ProjectionContext(issuer, self._sign_record)

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work on this log: ``with log.unit_of_work() as uow: ... uow.commit()``."""
        return UnitOfWork(self.store, self.context)

    def append(self, drafts: Sequence[Draft | EntryDraft]) -> list[StoredEntry]:
        """Append ``drafts`` in one unit of work that checks nothing but their kinds and
        payloads (samples, benchmarks); the entries, durable when this returns."""
        with self.unit_of_work() as uow:
            uow.append(*drafts)
            return uow.commit()

    def _sign_record(self, connection: Transaction) -> Callable[[bytes], str]:
        """The signer of records for the key the ledger names as active on ``connection``."""
        record = active_key(connection)
        if record is None:
            raise SigningKeyError("the ledger has no active signing key; run the first start")
        self.ensure_caught_up()
        signer = self._signers.get(record.kid)
        if signer is None:
            signer = self._signers[record.kid] = RecordSigner(self.keys.load(record.kid))
        return signer.sign

    # -- rebuild and audit -------------------------------------------------------

    def rebuild(self, progress: Callable[[int], None] | None = None) -> dict[str, int]:
        """Recreate every projection from the entries alone, under the write lock; the rows
        written by table. What lives beside the ledger is kept as it is."""
        with self.unit_of_work() as uow:
            written = replay.rebuild(self.store, uow.connection, self.context, progress)
            uow.commit()
        return written

    def differences(
        self, limit: int = 20, progress: Callable[[int], None] | None = None
    ) -> list[replay.Difference]:
        """Where the projections differ from a replay of the ledger (empty: nowhere)."""
        return replay.differences(self.store, self.context, limit, progress)

    # -- keys ---------------------------------------------------------------------

    def ensure_signing_key(self) -> str:
        """Create and announce the first signing key unless the ledger has one; return its kid."""
        existing = self.registry.active()
        if existing is not None:
            return existing.kid
        key = self.keys.create()
        try:
            with self.unit_of_work() as uow:
                # Under the write lock: a second process racing us has its key here.
                if any(k.retired_index is None for k in all_keys(uow.connection)):
                    raise KeyAlreadyActive("another process created the signing key first")
                uow.append(_key_added(key))
                uow.commit()
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
            payload = {"kid": current.kid, "reason": "rotated"}
            drafts.append(Draft(Kind.KEY_RETIRED, SYSTEM_PRINCIPAL, payload))
        try:
            with self.unit_of_work() as uow:
                # Under the write lock: a rotation racing ours must not leave two active keys.
                active = [k.kid for k in all_keys(uow.connection) if k.retired_index is None]
                if active != ([] if current is None else [current.kid]):
                    raise KeyAlreadyActive("another rotation changed the signing key; try again")
                appended = uow.append(*drafts)
                uow.commit()
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

    # -- the ledger's identity -----------------------------------------------------

    def identities(self) -> list[Identity]:
        """Every identity the ledger recorded (ledger.identity entries), oldest first."""
        return identities(self.store.engine)

    def record_identity(self, public_url: str) -> int | None:
        """Make ``public_url`` (its origin, and itself as the issuer of records) the ledger's
        identity from the next entry on, with a ledger.identity entry; the entry's index, or
        None when it is the identity already. Records signed before keep their issuer."""
        origin = origin_from_url(public_url)
        payload = {"origin": origin, "public_url": public_url, "issuer": public_url}
        with self.unit_of_work() as uow:
            # Under the write lock: two processes adopting at once record it once.
            current = identities(uow.connection)
            if current and current[-1].public_url == public_url:
                return None
            [entry] = uow.append(Draft(Kind.LEDGER_IDENTITY, SYSTEM_PRINCIPAL, payload))
            uow.commit()
        self.origin, self.issuer = origin, public_url
        self.context = ProjectionContext(public_url, self._sign_record)
        return entry.index

    def issuer_at(self, index: int) -> str:
        """The issuer a record of the entry at ``index`` names: the identity in force then
        (the first recorded one for entries older than any; the current one without any)."""
        found = self.identities()
        chosen = found[0].issuer if found else self.issuer
        for identity in found:
            if identity.index <= index:
                chosen = identity.issuer
        return chosen

    # -- checkpoints -------------------------------------------------------------

    def ensure_caught_up(self) -> None:
        """BehindPublished unless the database holds the tree of the newest checkpoint this
        ledger published (a restored older backup does not): signing then would fork the
        log under the same key. Checked again whenever a newer checkpoint is recorded."""
        if self.published is None:
            return
        published = self.published.read()
        if published is None or published == self._caught_up:
            return
        size = self.store.size()
        if size < published.tree_size:
            raise BehindPublished(
                f"not signing: the database holds {size} entries, but this ledger has "
                f"published a checkpoint of {published.tree_size} (its data folder's "
                "published-checkpoint); it was restored from an older backup or lost entries. "
                "Restore a backup that holds them before it signs again"
            )
        recomputed = self.store.root(published.tree_size)
        if recomputed != published.root:
            # The entries it published were changed: the log's own integrity failure.
            raise RootMismatch(published.tree_size, published.root, recomputed)
        self._caught_up = published

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
        self.ensure_caught_up()
        if latest is not None and latest.tree_size <= size:
            recomputed = self.store.root(latest.tree_size)
            if recomputed != latest.root:
                raise RootMismatch(latest.tree_size, latest.root, recomputed)
        root = self.store.root(size)
        key = self._key_at(size)
        note = sign_note(Checkpoint(self.origin, size, root).to_text(), self.origin, key)
        for co_signer in co_signers:
            note = add_signature(note, self.origin, co_signer)
        stored = self.store.save_checkpoint(StoredCheckpoint(size, root, key.kid, note))
        if self.published is not None:
            self.published.record(stored.tree_size, stored.root, stored.note)
        return stored

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


def _key_added(key: SigningKey) -> Draft:
    return Draft(
        Kind.KEY_ADDED,
        SYSTEM_PRINCIPAL,
        {
            "algorithm": "Ed25519",
            "kid": key.kid,
            "public_key": key.public.raw.hex(),
            "purpose": "checkpoints and verification records",
        },
    )
