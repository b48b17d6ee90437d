"""The tables of staff sign-in (migration 0008), on the metadata of ledger.storage.tables.

``staff_accounts`` is a projection of the ``staff.*`` entries (projections/staff.py).
Everything else lives beside the ledger and is never derived from it:

- credentials: ``staff_invitations`` (SHA-256 of each one-time invitation secret),
  ``staff_credentials`` (username, Argon2id password hash, TOTP secret);
- personal data: ``staff_people`` (a staff member's name and phone, erasable) and
  ``personal_data_access`` (who saw which learner's name or ID number, when, on which
  page: read by the office and auditors);
- sessions: ``console_sessions`` (server-side sessions of the consoles, keyed by the
  SHA-256 of the session id) and ``sign_in_failures`` (throttling counters);
- ``upload_previews``: a checked sheet waiting for the clerk's confirmation.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, String, Table, Text

from ledger.storage.tables import metadata

staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("account", String(12), primary_key=True),
    Column("principal", String(40), nullable=False, index=True),
    Column("role", String(8), nullable=False),
    Column("status", String(10), nullable=False),
    Column("invited_index", BigInteger, nullable=False, unique=True),
    Column("invited_by", String(200), nullable=False),
    Column("activated_index", BigInteger, nullable=True),
    Column("disabled_index", BigInteger, nullable=True),
    Column("second_factor_reset_index", BigInteger, nullable=True),
)

staff_invitations = Table(
    "staff_invitations",
    metadata,
    Column("secret_hash", LargeBinary(32), primary_key=True),
    Column("account", String(12), nullable=False, unique=True),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
)

staff_credentials = Table(
    "staff_credentials",
    metadata,
    Column("account", String(12), primary_key=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("totp_secret", String(64), nullable=True),
    # The last TOTP time step accepted, so that one code never signs in twice.
    Column("totp_last_step", BigInteger, nullable=True),
)

staff_people = Table(
    "staff_people",
    metadata,
    Column("account", String(12), primary_key=True),
    Column("name", String(100), nullable=True),
    Column("phone", String(32), nullable=True),
)

personal_data_access = Table(
    "personal_data_access",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("at", BigInteger, nullable=False, index=True),
    Column("staff_account", String(12), nullable=False, index=True),
    Column("principal", String(40), nullable=False),
    Column("learner", String(12), nullable=False, index=True),
    Column("page", String(200), nullable=False),
    Column("shown", String(32), nullable=False),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("value", LargeBinary, nullable=False),
    Column("expires_at", BigInteger, nullable=True, index=True),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", BigInteger, nullable=False),
)

upload_previews = Table(
    "upload_previews",
    metadata,
    Column("upload", String(32), primary_key=True),
    Column("principal", String(40), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("rows", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("confirmed_at", BigInteger, nullable=True),
    Column("result", Text, nullable=True),
)


#: The staff tables that live beside the ledger (all but ``staff_accounts``).
STAFF_BESIDE_TABLES = frozenset(
    {
        "staff_invitations",
        "staff_credentials",
        "staff_people",
        "personal_data_access",
        "console_sessions",
        "sign_in_failures",
        "upload_previews",
    }
)
