"""Alembic environment: runs on the connection the caller hands over (see migrate.py)."""

from __future__ import annotations

from alembic import context

from ledger.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
