"""Where an audit reads a log: straight from a database, or from a running instance.

The HTTP source uses only the public read API, so an auditor needs no database access.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx

from ledger.audit.checks import AuditedEntry
from ledger.core.chain import GENESIS_LINK
from ledger.core.errors import InvalidInput
from ledger.storage.store import LedgerStore, StoredEntry

#: Entries per request; the API's documented cap is 1000.
PAGE_SIZE = 1000


class DatabaseSource:
    """Read a log from its database, including the stored Merkle nodes and links."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    def checkpoint_note(self) -> str:
        """The latest checkpoint stored in the database."""
        stored = self.store.latest_checkpoint()
        if stored is None:
            # A running service signs one within a second of starting (and of the log
            # growing), so this database has not been served since its first entries.
            raise InvalidInput(
                "the database has no signed checkpoint yet: no service has run on it; "
                "`certledger serve` signs one within a second of starting"
            )
        return stored.note

    def entries(self) -> Iterator[StoredEntry]:
        """Every entry as stored, in index order, with its stored leaf hash and link."""
        return self.store.iter_entries()

    def node_hashes(self) -> Iterator[bytes]:
        """Stored Merkle node hashes in position order."""
        return self.store.iter_node_hashes()

    # -- what the audit's worker processes read (ledger.audit.parallel) -------------

    def database_url(self) -> str | None:
        """The database's URL, password included; None for a database in memory."""
        url = self.store.engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return None
        return url.render_as_string(hide_password=False)

    def size(self) -> int:
        """The number of entries stored."""
        return self.store.size()

    def entries_from(self, start: int, count: int | None = None) -> Iterator[StoredEntry]:
        """The entries as stored from index ``start`` on, at most ``count`` of them."""
        return self.store.iter_entries(start, count=count)

    def node_hashes_from(self, position: int, count: int | None = None) -> Iterator[bytes]:
        """Stored Merkle node hashes from ``position`` on (at most ``count``), up to the
        first gap."""
        return self.store.iter_node_hashes(position, count=count)

    def claimed_state(self, start: int) -> tuple[bytes, str, list[bytes]] | None:
        """The stored link and timestamp of entry ``start - 1`` and the stored frontier of
        the first ``start`` entries; None when one of them is missing."""
        if start == 0:
            return GENESIS_LINK, "", []
        before = self.store.entries(start - 1, start)
        if not before:
            return None
        try:
            frontier = self.store.frontier(start)
        except LookupError:
            return None
        return before[0].link, before[0].timestamp, frontier


class HttpSource:
    """Read a log through the public API of a running instance at ``base_url``."""

    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(timeout=30.0)

    def _get(self, path: str, **params: int) -> httpx.Response:
        try:
            response = self.client.get(self.base_url + path, params=params)
        except httpx.HTTPError as exc:
            raise InvalidInput(f"cannot reach {self.base_url}{path}: {exc}") from exc
        if response.status_code != 200:
            raise InvalidInput(
                f"{self.base_url}{path} answered {response.status_code}: {response.text[:200]}"
            )
        return response

    def checkpoint_note(self) -> str:
        """The instance's latest checkpoint (GET /log/checkpoint)."""
        return self._get("/log/checkpoint").text

    def vkey(self) -> str:
        """The instance's current verifier key (GET /log/vkey)."""
        return self._get("/log/vkey").text.strip()

    def entries(self) -> Iterator[AuditedEntry]:
        """Every entry the instance serves, a page of GET /log/entries at a time."""
        start, end = 0, 1
        while start < end:
            page = self._get("/log/entries", start=start, end=start + PAGE_SIZE).json()
            rows, end = page["entries"], page["tree_size"]
            if not rows:
                return
            for row in rows:
                yield AuditedEntry(
                    int(row["index"]),
                    base64.b64decode(row["data"], validate=True),
                    base64.b64decode(row["leaf_hash"], validate=True),
                )
            start += len(rows)

    def node_hashes(self) -> None:
        """The public API does not serve stored nodes; the auditor recomputes them."""
        return None
