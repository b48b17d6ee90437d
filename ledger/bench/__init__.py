"""The benchmark behind ``certledger bench``: every figure beside a limit from the same run.

run.py runs it, measure.py measures, raw.py holds the raw limits, issuance.py the batch
issuance, report.py prints the table.
"""

from ledger.bench.measure import audit_child
from ledger.bench.run import run_benchmarks

__all__ = ["audit_child", "run_benchmarks"]
