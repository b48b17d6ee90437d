"""Verification reports a holder creates: the projection of the report.* entries, and the
reports' codes beside the ledger.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_reports",
        sa.Column("report", sa.String(16), primary_key=True),
        sa.Column("certificate", sa.String(16), nullable=False),
        sa.Column("account", sa.String(12), nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("valid_until", sa.String(24), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_index", sa.BigInteger, nullable=False, unique=True),
        sa.Column("withdrawn_index", sa.BigInteger, nullable=True),
    )
    for column in ("certificate", "account"):
        op.create_index(f"ix_verification_reports_{column}", "verification_reports", [column])
    op.create_table(
        "report_codes",
        sa.Column("report", sa.String(16), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_codes")
    for column in ("certificate", "account"):
        op.drop_index(f"ix_verification_reports_{column}", table_name="verification_reports")
    op.drop_table("verification_reports")
