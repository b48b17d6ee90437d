"""The benchmark behind ``certledger bench``: every figure beside a limit from the same run.

run.py measures, raw.py holds the raw limits, report.py prints the table.
"""

from ledger.bench.run import audit_child, run_benchmarks

__all__ = ["audit_child", "run_benchmarks"]
