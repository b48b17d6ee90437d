"""Staff accounts, their credentials and sessions, the access log, upload previews.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("principal", sa.String(40), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("invited_index", sa.BigInteger, nullable=False, unique=True),
        sa.Column("invited_by", sa.String(200), nullable=False),
        sa.Column("activated_index", sa.BigInteger, nullable=True),
        sa.Column("disabled_index", sa.BigInteger, nullable=True),
        sa.Column("second_factor_reset_index", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_staff_accounts_principal", "staff_accounts", ["principal"])
    op.create_table(
        "staff_invitations",
        sa.Column("secret_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column("account", sa.String(12), nullable=False, unique=True),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.Column("used_at", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "staff_credentials",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("username", sa.String(40), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "staff_people",
        sa.Column("account", sa.String(12), primary_key=True),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
    )
    op.create_table(
        "personal_data_access",
        sa.Column("id", _SEQUENCE, primary_key=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("staff_account", sa.String(12), nullable=False),
        sa.Column("principal", sa.String(40), nullable=False),
        sa.Column("learner", sa.String(12), nullable=False),
        sa.Column("page", sa.String(200), nullable=False),
        sa.Column("shown", sa.String(32), nullable=False),
    )
    for column in ("at", "staff_account", "learner"):
        op.create_index(f"ix_personal_data_access_{column}", "personal_data_access", [column])
    op.create_table(
        "console_sessions",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_console_sessions_expires_at", "console_sessions", ["expires_at"])
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_start", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "upload_previews",
        sa.Column("upload", sa.String(32), primary_key=True),
        sa.Column("principal", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rows", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("confirmed_at", sa.BigInteger, nullable=True),
        sa.Column("result", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("upload_previews")
    op.drop_table("sign_in_failures")
    op.drop_index("ix_console_sessions_expires_at", table_name="console_sessions")
    op.drop_table("console_sessions")
    for column in ("at", "staff_account", "learner"):
        op.drop_index(f"ix_personal_data_access_{column}", table_name="personal_data_access")
    op.drop_table("personal_data_access")
    op.drop_table("staff_people")
    op.drop_table("staff_credentials")
    op.drop_table("staff_invitations")
    op.drop_index("ix_staff_accounts_principal", table_name="staff_accounts")
    op.drop_table("staff_accounts")
