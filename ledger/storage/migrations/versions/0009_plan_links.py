"""A refiled plan names the returned plan it replaces.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("replaces", sa.String(12), nullable=True))
    # Entries written before carry no link; any that do are mirrored (none exist yet).
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT data FROM entries WHERE kind = 'plan.filed'"))
    for (data,) in rows.fetchall():
        payload = json.loads(bytes(data))["payload"]
        if payload.get("replaces"):
            bind.execute(
                sa.text("UPDATE plans SET replaces = :r WHERE plan = :p"),
                {"r": payload["replaces"], "p": payload["plan"]},
            )


def downgrade() -> None:
    raise NotImplementedError("the ledger's schema only moves forward")
