"""Principals and tokens: hashed API keys and revoked principals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_api_keys_principal", "api_keys", ["principal"])
    op.create_table(
        "revoked_principals",
        sa.Column("principal", sa.String(200), primary_key=True),
        sa.Column("revoked_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("revoked_principals")
    op.drop_index("ix_api_keys_principal", table_name="api_keys")
    op.drop_table("api_keys")
