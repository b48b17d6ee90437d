"""The tables of learners' sign-in and of standards' documents (migration 0010), on the
metadata of ledger.storage.tables.

``learner_access`` is a projection of the ``learner.password_reset`` and
``learner.activated`` entries (ledger/storage/projections/learner_access.py). The rest lives
beside the ledger (CONSOLE_BESIDE_TABLES) and is never derived from it:

- credentials: ``learner_credentials`` (SHA-256 of the learner's current activation code
  and when it expires, the Argon2id hash of their password);
- documents: ``standard_documents`` (the file of a certificate standard, keyed by its
  SHA-256, which the ``standard.published`` entry carries as ``document_hash``).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, LargeBinary, String, Table

from ledger.storage.tables import metadata

learner_access = Table(
    "learner_access",
    metadata,
    Column("account", String(12), primary_key=True),
    Column("school", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("reset_index", BigInteger, nullable=False),
    Column("activated_index", BigInteger, nullable=True),
)

learner_credentials = Table(
    "learner_credentials",
    metadata,
    Column("account", String(12), primary_key=True),
    Column("code_hash", LargeBinary(32), nullable=True),
    Column("code_expires_at", BigInteger, nullable=True),
    Column("password_hash", String(200), nullable=True),
    # When the code or password last changed: sessions signed in before it end.
    Column("changed_at", BigInteger, nullable=False),
)

standard_documents = Table(
    "standard_documents",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(40), nullable=False),
    Column("uploaded_at", BigInteger, nullable=False),
)

# A learner's consent to be enrolled (migration 0014): SHA-256 of a one-time enrolment code
# the learner made on their page and gives a school; spent by the enrolment it allows.
enrolment_codes = Table(
    "enrolment_codes",
    metadata,
    Column("code_hash", LargeBinary(32), primary_key=True),
    Column("account", String(12), nullable=False, index=True),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
)


#: The console tables that live beside the ledger (all but ``learner_access``).
CONSOLE_BESIDE_TABLES = frozenset({"learner_credentials", "standard_documents"}) | {
    "enrolment_codes"
}
