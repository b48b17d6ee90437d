"""Registry: projections of organizations, pilot schools and certificate standards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orgs",
        sa.Column("id", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        # Personal data, kept only here so that it can be erased: the ledger entry holds
        # SHA-256(contact_salt || contact).
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("contact_salt", sa.LargeBinary(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("registered_index", sa.BigInteger, nullable=False, unique=True),
        sa.Column("status_index", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_orgs_status", "orgs", ["status"])
    op.create_table(
        "schools",
        sa.Column("id", sa.String(10), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("city", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("admitted_index", sa.BigInteger, nullable=False, unique=True),
        sa.Column("status_index", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_schools_city", "schools", ["city"])
    op.create_index("ix_schools_status", "schools", ["status"])
    op.create_table(
        "standards",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("org", sa.String(18), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("junior_credits", sa.Integer, nullable=True),
        sa.Column("intermediate_credits", sa.Integer, nullable=True),
        sa.Column("senior_credits", sa.Integer, nullable=True),
        sa.Column("document_hash", sa.String(64), nullable=False),
        sa.Column("published_index", sa.BigInteger, nullable=False, unique=True),
    )
    op.create_index("ix_standards_org", "standards", ["org"])


def downgrade() -> None:
    op.drop_index("ix_standards_org", table_name="standards")
    op.drop_table("standards")
    op.drop_index("ix_schools_status", table_name="schools")
    op.drop_index("ix_schools_city", table_name="schools")
    op.drop_table("schools")
    op.drop_index("ix_orgs_status", table_name="orgs")
    op.drop_table("orgs")
