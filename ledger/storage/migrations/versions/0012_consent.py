"""Learners' consent to enrolment: one-time enrolment codes (SHA-256 only) beside the ledger.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolment_codes",
        sa.Column("code_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column("account", sa.String(12), nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.Column("used_at", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_enrolment_codes_account", "enrolment_codes", ["account"])


def downgrade() -> None:
    op.drop_index("ix_enrolment_codes_account", "enrolment_codes")
    op.drop_table("enrolment_codes")
