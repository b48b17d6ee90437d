"""The public read API of the log: checkpoints, keys, entries and Merkle proofs.

No authentication: everything here is what outsiders need to verify the log themselves.
"""

from __future__ import annotations

import logging
from typing import Annotated

from litestar import MediaType, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException
from litestar.params import Parameter
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_503_SERVICE_UNAVAILABLE

from api.errors import error_spec
from api.params import ApiController
from ledger.bootstrap import Ledger
from ledger.core.errors import InvalidInput, RangeError
from schemas.log import (
    ConsistencyProof,
    EntriesPage,
    Health,
    InclusionProof,
    Jwk,
    JwkSet,
    LogEntry,
)

__all__ = ["MAX_ENTRIES_PER_REQUEST", "LogController"]

logger = logging.getLogger(__name__)

#: The most entries one GET /log/entries returns; page through longer ranges.
MAX_ENTRIES_PER_REQUEST = 1000

_NO_CACHE = CacheControlHeader(no_cache=True)
_BAD_INPUT = error_spec(
    "A parameter is missing, not an integer, or out of range.",
)
_UNAVAILABLE = error_spec("The database does not answer.")
_CANNOT_SIGN = error_spec(
    "The log failed its own integrity check or cannot reach its signing key.",
)


class LogController(ApiController):
    """GET-only public endpoints; the Ledger comes from dependency injection (``ledger``)."""

    path = "/"
    tags = ["log"]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "/log/checkpoint",
        media_type=MediaType.TEXT,
        cache_control=_NO_CACHE,
        sync_to_thread=True,
        summary="The latest signed checkpoint",
        description=(
            "A C2SP tlog-checkpoint (origin, tree size, base64 root hash) in a C2SP "
            "signed-note with an Ed25519 signature; verify it with GET /log/vkey. The log "
            "signs a new checkpoint when it has grown, after checking that the new tree "
            "extends the one it signed before."
        ),
        responses={HTTP_503_SERVICE_UNAVAILABLE: _CANNOT_SIGN},
    )
    def checkpoint(self, ledger: NamedDependency[Ledger]) -> str:
        """Return the signed checkpoint note of the current tree."""
        return ledger.log.checkpoint().note

    @get(
        "/log/vkey",
        media_type=MediaType.TEXT,
        cache_control=_NO_CACHE,
        sync_to_thread=True,
        summary="The checkpoint verifier key",
        description=(
            "The active key in signed-note vkey format, name+hexkeyid+base64(0x01 || "
            "public key), followed by a newline. Checkpoints signed before a key rotation "
            "verify with the key that was active then (see /.well-known/jwks.json)."
        ),
        responses={HTTP_503_SERVICE_UNAVAILABLE: _CANNOT_SIGN},
    )
    def vkey(self, ledger: NamedDependency[Ledger]) -> str:
        """Return the verifier key of the active signing key."""
        return ledger.log.vkey() + "\n"

    @get(
        "/log/entries",
        sync_to_thread=True,
        summary="A run of entries",
        description=(
            f"Entries start .. end - 1, at most {MAX_ENTRIES_PER_REQUEST} per request. "
            "start must be below the log's size; an end beyond the log's size is clamped "
            "to it, so the page may hold fewer entries than asked for (tree_size says how "
            "many the log had). Bytes are standard base64 with padding."
        ),
        responses={HTTP_400_BAD_REQUEST: _BAD_INPUT},
    )
    def entries(
        self,
        ledger: NamedDependency[Ledger],
        start: Annotated[int, Parameter(ge=0, description="index of the first entry")],
        end: Annotated[
            int,
            Parameter(
                ge=1,
                description=(
                    "one past the last entry; above start by at most "
                    f"{MAX_ENTRIES_PER_REQUEST}; clamped to the log's size"
                ),
            ),
        ],
    ) -> EntriesPage:
        """Return entries start .. end - 1 that exist."""
        if end <= start:
            raise InvalidInput(f"end {end} must be greater than start {start}")
        if end - start > MAX_ENTRIES_PER_REQUEST:
            raise InvalidInput(
                f"at most {MAX_ENTRIES_PER_REQUEST} entries per request: "
                f"end - start is {end - start}; ask for the range in pages"
            )
        size = ledger.store.size()
        if start >= size:
            raise RangeError(f"start {start} is beyond the log's size {size}")
        stored = ledger.store.entries(start, min(end, size))
        return EntriesPage(
            tree_size=size,
            entries=[
                LogEntry(
                    index=entry.index,
                    kind=entry.kind,
                    principal=entry.principal,
                    timestamp=entry.timestamp,
                    data=entry.data,
                    leaf_hash=entry.leaf_hash,
                )
                for entry in stored
            ],
        )

    @get(
        "/log/proof/inclusion",
        sync_to_thread=True,
        summary="An inclusion proof",
        description=(
            "The RFC 9162 section 2.1.3 inclusion proof of entry index in the tree of the "
            "first size entries (default: the whole log). Hashes are standard base64."
        ),
        responses={HTTP_400_BAD_REQUEST: _BAD_INPUT},
    )
    def inclusion_proof(
        self,
        ledger: NamedDependency[Ledger],
        index: Annotated[int, Parameter(ge=0, description="the entry to prove")],
        size: Annotated[
            int | None,
            Parameter(ge=1, description="tree size to prove against; default the log's size"),
        ] = None,
    ) -> InclusionProof:
        """Return the audit path of entry index in the tree of size entries."""
        if size is not None and index >= size:
            raise RangeError(f"index {index} is not in a tree of size {size}")
        current = ledger.store.size()
        tree_size = current if size is None else size
        if tree_size > current:
            raise RangeError(f"size {tree_size} is beyond the log's size {current}")
        if index >= tree_size:
            raise RangeError(f"index {index} is beyond the log's size {tree_size}")
        return InclusionProof(
            index=index,
            tree_size=tree_size,
            leaf_hash=ledger.store.leaf_hash_at(index),
            hashes=ledger.store.inclusion_proof(index, tree_size),
        )

    @get(
        "/log/proof/consistency",
        sync_to_thread=True,
        summary="A consistency proof",
        description=(
            "The RFC 9162 section 2.1.4 proof that the tree of the first new entries "
            "(default: the whole log) extends the tree of the first old entries. Equal "
            "sizes give an empty proof. Hashes are standard base64."
        ),
        responses={HTTP_400_BAD_REQUEST: _BAD_INPUT},
    )
    def consistency_proof(
        self,
        ledger: NamedDependency[Ledger],
        old: Annotated[int, Parameter(ge=1, description="size of the older tree")],
        new: Annotated[
            int | None,
            Parameter(ge=1, description="size of the newer tree; default the log's size"),
        ] = None,
    ) -> ConsistencyProof:
        """Return the proof that tree size new extends tree size old."""
        if new is not None and old > new:
            raise RangeError(f"old {old} is larger than new {new}")
        current = ledger.store.size()
        new_size = current if new is None else new
        if new_size > current:
            raise RangeError(f"new {new_size} is beyond the log's size {current}")
        if old > new_size:
            raise RangeError(f"old {old} is beyond the log's size {new_size}")
        return ConsistencyProof(
            old_size=old,
            new_size=new_size,
            hashes=ledger.store.consistency_proof(old, new_size),
        )

    @get(
        "/.well-known/jwks.json",
        cache_control=_NO_CACHE,
        sync_to_thread=True,
        tags=["keys"],
        summary="The public signing keys",
        description=(
            "An RFC 7517 JWK set of every Ed25519 key that signs, or once signed, "
            "verification records and checkpoints; kid is the RFC 7638 thumbprint."
        ),
    )
    def jwks(self, ledger: NamedDependency[Ledger]) -> JwkSet:
        """Return every key the ledger announced, retired ones included."""
        return JwkSet(keys=[Jwk(**key) for key in ledger.log.jwks()["keys"]])

    @get(
        "/healthz",
        cache_control=CacheControlHeader(no_store=True),
        sync_to_thread=True,
        tags=["service"],
        summary="Liveness",
        description="ok and the log's size, read from the database; 503 without it.",
        responses={HTTP_503_SERVICE_UNAVAILABLE: _UNAVAILABLE},
    )
    def healthz(self, ledger: NamedDependency[Ledger]) -> Health:
        """Return ok and the log's size; 503 when the database does not answer."""
        try:
            size = ledger.store.size()
        except Exception as exc:
            # Whatever the driver raises, a health check reports it rather than failing.
            logger.exception("health check: the database does not answer")
            raise ServiceUnavailableException("the database does not answer") from exc
        return Health(status="ok", tree_size=size)
