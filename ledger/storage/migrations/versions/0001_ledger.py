"""The ledger: entries, Merkle nodes, checkpoints, signing keys; append-only guards.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Tables whose rows, once written, the database itself refuses to change.
APPEND_ONLY = ("entries", "merkle_nodes", "checkpoints")
# Tables whose key must be the next integer after the current maximum.
GAPLESS = {"entries": "idx", "merkle_nodes": "position"}

sequence = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("idx", sequence, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("timestamp", sa.String(24), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("link", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "merkle_nodes",
        sa.Column("position", sequence, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "checkpoints",
        sa.Column("tree_size", sequence, primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("public_key", sa.LargeBinary(32), nullable=False),
        sa.Column("added_index", sa.BigInteger, nullable=False),
        sa.Column("retired_index", sa.BigInteger, nullable=True),
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_guards()
    else:
        _postgresql_guards()


def _sqlite_guards() -> None:
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_refuse_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )
    for table, column in GAPLESS.items():
        op.execute(
            f"CREATE TRIGGER {table}_gapless BEFORE INSERT ON {table} "
            f"WHEN NEW.{column} IS NOT (SELECT COALESCE(MAX({column}), -1) + 1 FROM {table}) "
            f"BEGIN SELECT RAISE(ABORT, '{table}: {column} must be the next in sequence'); END"
        )


def _postgresql_guards() -> None:
    op.execute(
        """
        CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_refuse_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
        )
    for table, column in GAPLESS.items():
        op.execute(
            f"""
            CREATE FUNCTION {table}_next_in_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.{column} IS DISTINCT FROM
                   (SELECT COALESCE(MAX({column}), -1) + 1 FROM {table}) THEN
                    RAISE EXCEPTION '{table}: {column} % is not the next in sequence', NEW.{column}
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_gapless BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_next_in_sequence()"
        )


def downgrade() -> None:
    # The ledger is append-only: its tables are never dropped by a migration.
    raise NotImplementedError("the ledger's first migration cannot be undone")
