"""Every table a projection of the ledger, or beside it.

Moves what the entries do not hold out of the projections: organizations' contacts to
``org_contacts``, API key secret hashes to ``api_key_secrets``, self-evaluation texts to
``documents``; drops the batch digest (an unsalted hash of personal data); and recomputes
the credential times from the entries' timestamps, so that a rebuild reproduces them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _seconds(timestamp: str) -> int:
    return int(
        datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()
    )


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "org_contacts",
        sa.Column("org", sa.String(18), primary_key=True),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("salt", sa.LargeBinary(16), nullable=True),
    )
    bind.execute(
        sa.text(
            "INSERT INTO org_contacts (org, contact, salt) "
            "SELECT id, contact, contact_salt FROM orgs"
        )
    )
    op.drop_column("orgs", "contact")
    op.drop_column("orgs", "contact_salt")

    op.create_table(
        "api_key_secrets",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False),
    )
    bind.execute(
        sa.text(
            "INSERT INTO api_key_secrets (key_id, secret_hash) "
            "SELECT key_id, secret_hash FROM api_keys"
        )
    )
    op.drop_column("api_keys", "secret_hash")
    _credential_times(bind)

    op.drop_column("certificate_batches", "digest")

    op.create_table(
        "documents",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    bind.execute(
        sa.text(
            "INSERT INTO documents (digest, text) SELECT digest, MIN(text) FROM self_evaluations "
            "GROUP BY digest"
        )
    )
    op.drop_column("self_evaluations", "text")

    # The personal-data store must not stop a rebuild from clearing the certificates.
    op.create_table(
        "holder_secrets_0007",
        sa.Column("certificate", sa.String(16), primary_key=True),
        sa.Column("account", sa.String(12), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("salt", sa.LargeBinary(16), nullable=True),
    )
    bind.execute(
        sa.text(
            "INSERT INTO holder_secrets_0007 (certificate, account, name, salt) "
            "SELECT certificate, account, name, salt FROM holder_secrets"
        )
    )
    op.drop_table("holder_secrets")
    op.rename_table("holder_secrets_0007", "holder_secrets")
    op.create_index("ix_holder_secrets_account", "holder_secrets", ["account"])


def _credential_times(bind: sa.Connection) -> None:
    """Set the credential times from the timestamps of the entries that made them."""
    rows = bind.execute(
        sa.text(
            "SELECT kind, timestamp, data FROM entries WHERE kind IN "
            "('api_key.issued', 'api_key.revoked', 'principal.revoked') ORDER BY idx"
        )
    )
    for kind, timestamp, data in rows.fetchall():
        payload = json.loads(bytes(data))["payload"]
        seconds = _seconds(timestamp)
        if kind == "api_key.issued":
            bind.execute(
                sa.text("UPDATE api_keys SET created_at = :t WHERE key_id = :k"),
                {"t": seconds, "k": payload["key_id"]},
            )
        elif kind == "api_key.revoked":
            bind.execute(
                sa.text("UPDATE api_keys SET revoked_at = :t WHERE key_id = :k"),
                {"t": seconds, "k": payload["key_id"]},
            )
        else:
            bind.execute(
                sa.text("UPDATE revoked_principals SET revoked_at = :t WHERE principal = :p"),
                {"t": seconds, "p": payload["principal"]},
            )


def downgrade() -> None:
    raise NotImplementedError("the ledger's schema only moves forward")
