"""The credit bank: enrolments, learning outcomes, conversion rules, conversions, balances.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolments",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("enrolled_index", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "outcomes",
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("account", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("school", sa.String(10), nullable=True),
        sa.Column("credits", sa.Integer, nullable=False),
        sa.Column("earned_on", sa.String(10), nullable=False),
        sa.Column("term", sa.String(8), nullable=True),
        sa.Column("grade", sa.String(8), nullable=True),
        sa.Column("reversed_index", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_outcomes_account", "outcomes", ["account"])
    op.create_table(
        "rules",
        sa.Column("rule", sa.String(12), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("school", sa.String(10), nullable=False),
        sa.Column("programme", sa.String(32), nullable=False),
        sa.Column("standard", sa.String(32), nullable=False),
        sa.Column("min_level", sa.String(16), nullable=False),
        sa.Column("courses", sa.Text, nullable=False),
        sa.Column("credits", sa.Integer, nullable=False),
        sa.Column("valid_from", sa.String(10), nullable=False),
        sa.Column("valid_to", sa.String(10), nullable=True),
        sa.Column("published_index", sa.BigInteger, nullable=False, unique=True),
    )
    op.create_index("ix_rules_school", "rules", ["school"])
    op.create_table(
        "conversions",
        sa.Column("conversion", sa.String(12), primary_key=True),
        sa.Column("account", sa.String(12), nullable=False),
        sa.Column("certificate", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("school", sa.String(10), nullable=False),
        sa.Column("programme", sa.String(32), nullable=False),
        sa.Column("credits", sa.Integer, nullable=False),
        sa.Column("recorded_index", sa.BigInteger, nullable=False, unique=True),
        sa.Column("recorded_on", sa.String(10), nullable=False),
        sa.Column("batch", sa.String(64), nullable=True),
        sa.Column("reversed_index", sa.BigInteger, nullable=True),
        sa.Column("reversal_reason", sa.String(500), nullable=True),
    )
    op.create_index("ix_conversions_account", "conversions", ["account"])
    op.create_index("ix_conversions_certificate", "conversions", ["certificate"])
    op.create_table(
        "balances",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("deposited", sa.Integer, nullable=False),
        sa.Column("converted", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("balances")
    op.drop_index("ix_conversions_certificate", table_name="conversions")
    op.drop_index("ix_conversions_account", table_name="conversions")
    op.drop_table("conversions")
    op.drop_index("ix_rules_school", table_name="rules")
    op.drop_table("rules")
    op.drop_index("ix_outcomes_account", table_name="outcomes")
    op.drop_table("outcomes")
    op.drop_table("enrolments")
