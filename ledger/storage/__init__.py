"""Storage: the only place that imports SQLAlchemy.

Tables, the Alembic migrations that create them, and the append-only ledger store.
"""
