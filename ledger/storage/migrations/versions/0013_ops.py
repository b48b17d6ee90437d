"""Rate-limit counters beside the ledger, shared by every server process; the projection
of the ledger's identities (ledger.identity entries).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("window_start", sa.BigInteger, primary_key=True),
        sa.Column("hits", sa.Integer, nullable=False),
    )
    op.create_table(
        "ledger_identities",
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("public_url", sa.String(200), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ledger_identities")
    op.drop_table("rate_counters")
