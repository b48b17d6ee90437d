"""The signing keys projection: which keys the ledger announced, and which it retired."""

from __future__ import annotations

from sqlalchemy import update

from ledger.kinds import KEYS, Kind
from ledger.payloads import KeyAdded, KeyRetired
from ledger.storage.projection import SIGNER_MEMO, Projection, ProjectionWriter
from ledger.storage.store import StoredEntry
from ledger.storage.tables import signing_keys


def _added(writer: ProjectionWriter, entry: StoredEntry, p: KeyAdded, _beside: object) -> None:
    writer.memo.pop(SIGNER_MEMO, None)  # records after this entry may need another key
    writer.insert(
        signing_keys,
        {
            "kid": p.kid,
            "public_key": bytes.fromhex(p.public_key),
            "added_index": entry.index,
            "retired_index": None,
        },
    )


def _retired(writer: ProjectionWriter, entry: StoredEntry, p: KeyRetired, _beside: object) -> None:
    writer.memo.pop(SIGNER_MEMO, None)
    writer.execute(
        update(signing_keys).where(signing_keys.c.kid == p.kid).values(retired_index=entry.index)
    )


PROJECTION = Projection(KEYS, (signing_keys,), {Kind.KEY_ADDED: _added, Kind.KEY_RETIRED: _retired})
