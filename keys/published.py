"""The newest checkpoint the ledger has published, kept in a file outside the database.

A database restored from an older backup must not sign again under the same key until it
holds the tree it already published: otherwise it would sign a fork. The file lives in
the data folder (``published-checkpoint``), is replaced atomically on every signed
checkpoint that is larger, and is never part of a backup's database.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ledger.core.errors import SigningKeyError

__all__ = ["BehindPublished", "Published", "PublishedCheckpoint"]

FILE_NAME = "published-checkpoint"


class BehindPublished(SigningKeyError):
    """The database does not hold the tree of a checkpoint this ledger has published."""


@dataclass(frozen=True)
class Published:
    """A published checkpoint: its tree size, root hash and signed note."""

    tree_size: int
    root: bytes
    note: str


class PublishedCheckpoint:
    """The file ``FILE_NAME`` in a data folder: read it, or record a larger checkpoint."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        #: The file's identity (inode, size, modification time) when last read, and what it
        #: held: every write request asks, and the file changes at most once a checkpoint.
        self._last: tuple[tuple[int, int, int], Published] | None = None

    def read(self) -> Published | None:
        """The checkpoint recorded, or None when none was (a ledger that never signed one).

        BehindPublished when the file exists but cannot be read: signing stops rather than
        risk a fork."""
        try:
            stat = self.path.stat()
            key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            last = self._last
            if last is not None and last[0] == key:
                return last[1]
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
            found = Published(int(data["tree_size"]), bytes.fromhex(data["root"]), data["note"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BehindPublished(f"{self.path} cannot be read ({exc}); not signing") from exc
        self._last = (key, found)
        return found

    def record(self, tree_size: int, root: bytes, note: str) -> None:
        """Keep this checkpoint unless a larger one is recorded; durable when this returns."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(FILE_NAME + ".lock")
        with lock.open("a") as held:
            # Processes signing at once: the larger checkpoint wins, never the later one.
            fcntl.flock(held, fcntl.LOCK_EX)
            current = self.read()
            if current is not None and current.tree_size >= tree_size:
                return
            text = json.dumps({"tree_size": tree_size, "root": root.hex(), "note": note})
            temporary = self.path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
            with temporary.open("w", encoding="utf-8") as handle:
                handle.write(text + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
