"""Certificates and learners, and the personal-data store beside them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("opened_index", sa.BigInteger, nullable=False, unique=True),
        sa.Column("erased_index", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "certificates",
        sa.Column("number", sa.String(16), primary_key=True),
        sa.Column("account", sa.String(12), nullable=False),
        sa.Column("standard", sa.String(32), sa.ForeignKey("standards.code"), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("org", sa.String(18), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("issued_on", sa.String(10), nullable=False),
        sa.Column("batch", sa.String(64), nullable=True),
        sa.Column("issued_index", sa.BigInteger, nullable=False, unique=True),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("revoked_index", sa.BigInteger, nullable=True),
        sa.Column("revoked_on", sa.String(10), nullable=True),
        sa.Column("revocation_reason", sa.String(500), nullable=True),
    )
    op.create_index("ix_certificates_account", "certificates", ["account"])
    op.create_index("ix_certificates_standard", "certificates", ["standard"])
    op.create_index("ix_certificates_org", "certificates", ["org"])
    op.create_table(
        "certificate_batches",
        sa.Column("org", sa.String(18), primary_key=True),
        sa.Column("batch", sa.String(64), primary_key=True),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("first_index", sa.BigInteger, nullable=False),
    )
    # The personal-data store: never copied into the ledger; erasure sets these to NULL.
    op.create_table(
        "learner_identities",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("id_number", sa.String(18), nullable=True, unique=True),
        sa.Column("name", sa.String(100), nullable=True),
    )
    op.create_table(
        "holder_secrets",
        sa.Column(
            "certificate",
            sa.String(16),
            sa.ForeignKey("certificates.number"),
            primary_key=True,
        ),
        sa.Column("account", sa.String(12), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("salt", sa.LargeBinary(16), nullable=True),
    )
    op.create_index("ix_holder_secrets_account", "holder_secrets", ["account"])


def downgrade() -> None:
    op.drop_index("ix_holder_secrets_account", table_name="holder_secrets")
    op.drop_table("holder_secrets")
    op.drop_table("learner_identities")
    op.drop_table("certificate_batches")
    for index in ("org", "standard", "account"):
        op.drop_index(f"ix_certificates_{index}", table_name="certificates")
    op.drop_table("certificates")
    op.drop_table("learners")
