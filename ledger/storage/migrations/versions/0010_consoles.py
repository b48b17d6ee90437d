"""Learners who sign in themselves (their access projection and credentials) and the
documents of certificate standards.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_access",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("school", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reset_index", sa.BigInteger, nullable=False),
        sa.Column("activated_index", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "learner_credentials",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=True),
        sa.Column("code_expires_at", sa.BigInteger, nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("changed_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "standard_documents",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_by", sa.String(40), nullable=False),
        sa.Column("uploaded_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("standard_documents")
    op.drop_table("learner_credentials")
    op.drop_table("learner_access")
