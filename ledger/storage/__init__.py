"""Storage: the only place that imports SQLAlchemy.

Tables, the Alembic migrations that create them, and the append-only ledger store.
"""

# The staff tables join the shared metadata whenever storage is imported, so that the
# schema (and its comparison with the migrations) always holds them.
from ledger.storage import console_tables as _console_tables  # noqa: F401
from ledger.storage import identity_tables as _identity_tables  # noqa: F401
from ledger.storage import rate_counters as _rate_counters  # noqa: F401
from ledger.storage import staff_tables as _staff_tables  # noqa: F401
