"""What the benchmark runs and the targets it checks, shared by the run and the report.

The targets are the issue's; docs/performance.md explains each figure.
"""

#: Entries per commit in the batched appends (and in ``certledger seed``).
BATCH = 1_000
#: One-at-a-time appends stop after this many entries or SINGLE_SECONDS of our time.
SINGLE_MAX = 2_000
SINGLE_SECONDS = 5.0
#: One-at-a-time appends alternate with their raw counterpart in rounds of this many.
SINGLE_ROUND = 50
#: Proofs timed at the full size.
PROOFS = 2_000
#: Checkpoints signed (each after one more entry) for the checkpoint latency.
CHECKPOINTS = 20
#: Certificates issued through POST /certificates/batch, and rows per batch.
ISSUANCE_ROWS = 20_000
ISSUANCE_BATCH = 1_000
#: Targets from the issue.
BATCHED_TARGET = 0.5
AUDIT_TARGET = 0.5
INCLUSION_P99_TARGET_MS = 2.0
MEMORY_FLAT_FACTOR = 1.5
#: Batch issuance: signed certificates per second against raw Ed25519 signatures per second
#: (issue 12: at least 30%, with the records signed on the second core).
ISSUANCE_TARGET = 0.3
#: Issue 12: the audit of 10^6 entries in at most this many seconds (on both cores).
AUDIT_SECONDS_TARGET = 8.0
AUDIT_SECONDS_AT = 1_000_000
#: Smallest log the benchmark builds.
MIN_ENTRIES = 2_000

EntryRow = tuple[int, str, str, str, bytes, bytes, bytes]
NodeRow = tuple[int, bytes]
