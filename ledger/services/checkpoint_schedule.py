"""Checkpoints on a schedule: the server signs a checkpoint soon after the log grows (at
most one per interval), so one exists for every auditor without anyone asking for it.

Every server process runs a schedule; two signing the same size store it once
(LedgerStore.save_checkpoint), and a process that sees the latest checkpoint at the head
signs nothing.
"""

from __future__ import annotations

import logging
import threading
import time

from ledger.services.log import LogService
from ledger.storage.store import StoredCheckpoint

#: Seconds between looks at the log's size: at most one checkpoint per interval.
CHECKPOINT_INTERVAL_SECONDS = 1.0

logger = logging.getLogger(__name__)


class CheckpointSchedule:
    """Sign a checkpoint whenever the log has grown past the latest one."""

    def __init__(self, log: LogService, interval: float = CHECKPOINT_INTERVAL_SECONDS) -> None:
        self._log = log
        self.interval = interval
        self._signed = 0

    def tick(self) -> StoredCheckpoint | None:
        """Sign a checkpoint of the current tree if it grew since the latest; the one
        signed, or None when the latest is at the head already."""
        size = self._log.store.size()
        if size <= self._signed:
            return None
        latest = self._log.store.latest_checkpoint()
        if latest is not None and latest.tree_size >= size:
            self._signed = latest.tree_size
            return None
        signed = self._log.checkpoint()
        self._signed = signed.tree_size
        return signed

    def run(self, stop: threading.Event) -> None:
        """Tick at once, then every interval until ``stop`` is set; a failed tick is logged,
        not fatal (a busy database, a rotation under way), and the next one tries again."""
        wait = 0.0
        while not stop.wait(wait):
            wait = self.interval
            began = time.monotonic()
            try:
                signed = self.tick()
            except Exception:
                logger.exception("signing a scheduled checkpoint failed; retrying")
                continue
            if signed is not None:
                logger.debug(
                    "checkpoint of %d entries signed in %.1f ms",
                    signed.tree_size,
                    (time.monotonic() - began) * 1e3,
                )

    def start(self, stop: threading.Event) -> None:
        """Run the schedule in a daemon thread until ``stop`` is set."""
        threading.Thread(target=self.run, args=(stop,), name="checkpoints", daemon=True).start()
