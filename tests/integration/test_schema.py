"""The migrations build exactly the schema that ledger/storage/tables.py describes.

Compared by Alembic's autogenerate on each engine: no table, column or index differs.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ledger.bootstrap import Ledger
from ledger.storage.tables import metadata


def test_migrations_match_the_table_definitions(ledger: Ledger) -> None:
    with ledger.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
