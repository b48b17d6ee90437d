"""Child processes for the integration tests: ``python -m tests.integration.ledger_process``.

The ledger comes from the environment (LEDGER_DATA_DIR, LEDGER_DATABASE_URL,
LEDGER_PUBLIC_URL) and must already exist. Every append is acknowledged on stdout
only after ``append`` returned, one line per append:

    ack FIRST_INDEX FIRST_N COUNT

meaning entries FIRST_INDEX .. FIRST_INDEX + COUNT - 1 hold n = FIRST_N, FIRST_N + 1, ...

``stream --batch B``  appends batches of B entries ({"n": i}) until killed.
``writer W COUNT``    prints ``ready``, waits for ``go`` on stdin, prints ``start T``,
                      appends COUNT entries ({"writer": W, "n": i}) in the sizes of
                      batch_sizes(COUNT), prints ``end T``, signs a checkpoint and prints
                      ``done`` (T: time.monotonic_ns(), the same clock in every process).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Sequence

from ledger.bootstrap import open_ledger
from ledger.core.canonical import EntryDraft
from ledger.settings import Settings
from tests.integration.helpers import append_raw

STREAM_KIND = "test.stream"
WRITER_KIND = "test.writer"
#: A writer's append sizes cycle through these: single appends and batches, mixed.
BATCH_PATTERN = (1, 3, 1, 8, 1, 1, 5, 2)
#: Appends of a stream stop here if nobody kills the process first.
STREAM_LIMIT = 1_000_000


def batch_sizes(count: int) -> list[int]:
    """The sizes of a writer's appends: BATCH_PATTERN repeated, cut to total ``count``."""
    sizes: list[int] = []
    left = count
    for size in itertools.cycle(BATCH_PATTERN):
        if left == 0:
            return sizes
        sizes.append(min(size, left))
        left -= sizes[-1]
    raise AssertionError("unreachable")


def _ack(first_index: int, first_n: int, count: int) -> None:
    sys.stdout.write(f"ack {first_index} {first_n} {count}\n")
    sys.stdout.flush()


def stream(batch: int) -> int:
    ledger = open_ledger(Settings.from_env(), first_run=False)
    n = 0
    while n < STREAM_LIMIT:
        drafts = [EntryDraft(STREAM_KIND, "crash-writer", {"n": n + i}) for i in range(batch)]
        appended = append_raw(ledger, drafts)
        _ack(appended[0].index, n, len(appended))
        n += batch
    ledger.close()
    return 0


def writer(number: int, count: int) -> int:
    ledger = open_ledger(Settings.from_env())
    try:
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            return 3
        print(f"start {time.monotonic_ns()}", flush=True)
        n = 0
        for size in batch_sizes(count):
            drafts = [
                EntryDraft(WRITER_KIND, f"writer-{number}", {"writer": number, "n": n + i})
                for i in range(size)
            ]
            appended = append_raw(ledger, drafts)
            _ack(appended[0].index, n, len(appended))
            n += size
        print(f"end {time.monotonic_ns()}", flush=True)
        ledger.log.checkpoint()
        print("done", flush=True)
    finally:
        ledger.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ledger_process")
    commands = parser.add_subparsers(dest="command", required=True)
    stream_parser = commands.add_parser("stream")
    stream_parser.add_argument("--batch", type=int, default=1)
    writer_parser = commands.add_parser("writer")
    writer_parser.add_argument("number", type=int)
    writer_parser.add_argument("count", type=int)
    args = parser.parse_args(argv)
    if args.command == "stream":
        return stream(args.batch)
    return writer(args.number, args.count)


if __name__ == "__main__":
    sys.exit(main())
