"""Pilot operations: plans, sites, fee caps, assessments, candidates, monitoring, reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("plan", sa.String(12), primary_key=True),
        sa.Column("school", sa.String(10), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("comments", sa.String(500), nullable=True),
        sa.Column("filed_index", sa.BigInteger, nullable=False, unique=True),
        sa.Column("reviewed_index", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_plans_school", "plans", ["school"])
    op.create_index("ix_plans_year", "plans", ["year"])
    op.create_table(
        "plan_items",
        sa.Column("plan", sa.String(12), primary_key=True),
        sa.Column("standard", sa.String(32), primary_key=True),
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("candidates", sa.Integer, nullable=False),
    )
    op.create_table(
        "sites",
        sa.Column("site", sa.String(12), primary_key=True),
        sa.Column("org", sa.String(18), nullable=False),
        sa.Column("city", sa.String(32), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("registered_index", sa.BigInteger, nullable=False, unique=True),
    )
    op.create_index("ix_sites_org", "sites", ["org"])
    op.create_index("ix_sites_city", "sites", ["city"])
    op.create_table(
        "site_standards",
        sa.Column("site", sa.String(12), primary_key=True),
        sa.Column("standard", sa.String(32), primary_key=True),
    )
    op.create_table(
        "fee_caps",
        sa.Column("standard", sa.String(32), primary_key=True),
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("cap", sa.Integer, nullable=False),
        sa.Column("set_index", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("assessment", sa.String(12), primary_key=True),
        sa.Column("org", sa.String(18), nullable=False),
        sa.Column("standard", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("site", sa.String(12), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("fee", sa.Integer, nullable=False),
        sa.Column("scheduled_index", sa.BigInteger, nullable=False, unique=True),
    )
    op.create_index("ix_assessments_org", "assessments", ["org"])
    op.create_index("ix_assessments_standard", "assessments", ["standard"])
    op.create_table(
        "candidates",
        sa.Column("assessment", sa.String(12), primary_key=True),
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("school", sa.String(10), nullable=False),
        sa.Column("enrolled_index", sa.BigInteger, nullable=False),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("passed", sa.Integer, nullable=True),
        sa.Column("result_index", sa.BigInteger, nullable=True),
        sa.Column("certificate", sa.String(16), nullable=True),
    )
    op.create_index("ix_candidates_school", "candidates", ["school"])
    op.create_index("ix_candidates_certificate", "candidates", ["certificate"])
    op.create_table(
        "monitoring_points",
        sa.Column("school", sa.String(10), primary_key=True),
        sa.Column("standard", sa.String(32), primary_key=True),
        sa.Column("designated_index", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "self_evaluations",
        sa.Column("report", sa.String(12), primary_key=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("submitted_index", sa.BigInteger, nullable=False, unique=True),
    )
    op.create_index("ix_self_evaluations_author", "self_evaluations", ["author"])


def downgrade() -> None:
    op.drop_index("ix_self_evaluations_author", table_name="self_evaluations")
    op.drop_table("self_evaluations")
    op.drop_table("monitoring_points")
    op.drop_index("ix_candidates_certificate", table_name="candidates")
    op.drop_index("ix_candidates_school", table_name="candidates")
    op.drop_table("candidates")
    op.drop_index("ix_assessments_org", table_name="assessments")
    op.drop_index("ix_assessments_standard", table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("fee_caps")
    op.drop_table("site_standards")
    op.drop_index("ix_sites_org", table_name="sites")
    op.drop_index("ix_sites_city", table_name="sites")
    op.drop_table("sites")
    op.drop_table("plan_items")
    op.drop_index("ix_plans_school", table_name="plans")
    op.drop_index("ix_plans_year", table_name="plans")
    op.drop_table("plans")
