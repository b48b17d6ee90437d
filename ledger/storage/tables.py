"""The ledger's tables, as SQLAlchemy Core metadata shared by the store and migrations.

``entries``, ``merkle_nodes`` and ``checkpoints`` are append-only (the database refuses
UPDATE and DELETE). Every other table is either a projection of the entries (written only
by the handlers of ledger/storage/projections, recreated by `certledger rebuild`, checked
by `certledger audit`) or lives beside the ledger, as BESIDE_TABLES names them: personal
data, credentials and documents, which the ledger holds only as commitments or hashes.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# On SQLite an INTEGER PRIMARY KEY is the rowid itself: one B-tree instead of two.
Sequence = BigInteger().with_variant(Integer(), "sqlite")

entries = Table(
    "entries",
    metadata,
    Column("idx", Sequence, primary_key=True, autoincrement=False),
    Column("kind", String(64), nullable=False),
    Column("principal", String(200), nullable=False),
    Column("timestamp", String(24), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("link", LargeBinary(32), nullable=False),
)

merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("position", Sequence, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("tree_size", Sequence, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("note", Text, nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("public_key", LargeBinary(32), nullable=False),
    Column("added_index", BigInteger, nullable=False),
    Column("retired_index", BigInteger, nullable=True),
)


# --- principals and tokens (migrations 0002, 0007) ------------------------------------
# Projections of the api_key.* and principal.revoked entries; times are the Unix seconds of
# the entries' timestamps. ``api_key_secrets`` lives beside the ledger (credentials).

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("principal", String(200), nullable=False, index=True),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

api_key_secrets = Table(
    "api_key_secrets",
    metadata,
    Column("key_id", String(32), primary_key=True),
    # SHA-256 of the whole secret; the secret itself is never stored.
    Column("secret_hash", LargeBinary(32), nullable=False),
)

revoked_principals = Table(
    "revoked_principals",
    metadata,
    Column("principal", String(200), primary_key=True),
    # Tokens of this principal issued at or before this time (Unix seconds) are refused.
    Column("revoked_at", BigInteger, nullable=False),
)


# --- registry: organizations, pilot schools, certificate standards (migration 0003) ----
# Projections of the org.*, school.* and standard.published entries. ``org_contacts`` lives
# beside the ledger: an organization's contact is personal data (the entry holds the
# salted commitment), kept apart so that it can be erased.

orgs = Table(
    "orgs",
    metadata,
    Column("id", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reason", String(500), nullable=True),
    Column("registered_index", BigInteger, nullable=False, unique=True),
    Column("status_index", BigInteger, nullable=False),
)

schools = Table(
    "schools",
    metadata,
    Column("id", String(10), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("city", String(32), nullable=False, index=True),
    Column("level", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reason", String(500), nullable=True),
    Column("admitted_index", BigInteger, nullable=False, unique=True),
    Column("status_index", BigInteger, nullable=False),
)

org_contacts = Table(
    "org_contacts",
    metadata,
    Column("org", String(18), primary_key=True),
    Column("contact", String(200), nullable=True),
    Column("salt", LargeBinary(16), nullable=True),
)

standards = Table(
    "standards",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("org", String(18), ForeignKey("orgs.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    # Credits of each level offered; NULL where the level is not offered.
    Column("junior_credits", Integer, nullable=True),
    Column("intermediate_credits", Integer, nullable=True),
    Column("senior_credits", Integer, nullable=True),
    Column("document_hash", String(64), nullable=False),
    Column("published_index", BigInteger, nullable=False, unique=True),
)


# --- certificates and learners (migration 0004) ------------------------------------------
# ``learners``, ``certificates`` and ``certificate_batches`` mirror the learner.* and
# certificate.* entries. ``learner_identities`` and ``holder_secrets`` are the
# personal-data store: full names, national ID numbers and commitment salts, which never
# enter the ledger and are erased on request (their columns set to NULL).

learners = Table(
    "learners",
    metadata,
    Column("account", String(12), primary_key=True),
    Column("opened_index", BigInteger, nullable=False, unique=True),
    Column("erased_index", BigInteger, nullable=True),
)

certificates = Table(
    "certificates",
    metadata,
    Column("number", String(16), primary_key=True),
    Column("account", String(12), nullable=False, index=True),
    Column("standard", String(32), ForeignKey("standards.code"), nullable=False, index=True),
    Column("level", String(16), nullable=False),
    Column("org", String(18), ForeignKey("orgs.id"), nullable=False, index=True),
    Column("issued_on", String(10), nullable=False),
    Column("batch", String(64), nullable=True),
    Column("issued_index", BigInteger, nullable=False, unique=True),
    # The signed verification record of the issuance entry (format section 9.3).
    Column("record", Text, nullable=False),
    Column("revoked_index", BigInteger, nullable=True),
    Column("revoked_on", String(10), nullable=True),
    Column("revocation_reason", String(500), nullable=True),
)

certificate_batches = Table(
    "certificate_batches",
    metadata,
    Column("org", String(18), primary_key=True),
    Column("batch", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("first_index", BigInteger, nullable=False),
)

learner_identities = Table(
    "learner_identities",
    metadata,
    Column("account", String(12), primary_key=True),
    Column("id_number", String(18), nullable=True, unique=True),
    Column("name", String(100), nullable=True),
)

holder_secrets = Table(
    "holder_secrets",
    metadata,
    Column("certificate", String(16), primary_key=True),
    Column("account", String(12), nullable=False, index=True),
    Column("name", String(100), nullable=True),
    Column("salt", LargeBinary(16), nullable=True),
)


# --- the credit bank (migration 0005) ------------------------------------------------------
# Projections of learner.*, credit.*, rule.*, conversion.* and certificate.* entries, which
# `certledger rebuild` recreates from the ledger alone and `certledger audit` checks.
# ``learners`` (above) is one of them: the learning accounts.

enrolments = Table(
    "enrolments",
    metadata,
    Column("account", String(12), primary_key=True),
    Column("school", String(10), primary_key=True),
    Column("enrolled_index", BigInteger, nullable=False),
)

outcomes = Table(
    "outcomes",
    metadata,
    # The ledger index of the entry that deposited the outcome.
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("account", String(12), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # certificate or course
    Column("source", String(32), nullable=False),  # certificate number or course code
    Column("title", String(200), nullable=False),
    Column("school", String(10), nullable=True),
    Column("credits", Integer, nullable=False),
    Column("earned_on", String(10), nullable=False),
    Column("term", String(8), nullable=True),
    Column("grade", String(8), nullable=True),
    Column("reversed_index", BigInteger, nullable=True),
)

rules = Table(
    "rules",
    metadata,
    Column("rule", String(12), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("school", String(10), nullable=False, index=True),
    Column("programme", String(32), nullable=False),
    Column("standard", String(32), nullable=False),
    Column("min_level", String(16), nullable=False),
    # The courses as canonical JSON: [{"code", "title", "credits"}, ...].
    Column("courses", Text, nullable=False),
    Column("credits", Integer, nullable=False),
    Column("valid_from", String(10), nullable=False),
    Column("valid_to", String(10), nullable=True),
    Column("published_index", BigInteger, nullable=False, unique=True),
)

conversions = Table(
    "conversions",
    metadata,
    Column("conversion", String(12), primary_key=True),
    Column("account", String(12), nullable=False, index=True),
    Column("certificate", String(16), nullable=False, index=True),
    Column("rule", String(12), nullable=False),
    Column("version", Integer, nullable=False),
    Column("school", String(10), nullable=False),
    Column("programme", String(32), nullable=False),
    Column("credits", Integer, nullable=False),
    Column("recorded_index", BigInteger, nullable=False, unique=True),
    Column("recorded_on", String(10), nullable=False),
    Column("batch", String(64), nullable=True),
    Column("reversed_index", BigInteger, nullable=True),
    Column("reversal_reason", String(500), nullable=True),
)

balances = Table(
    "balances",
    metadata,
    Column("account", String(12), primary_key=True),
    # Credits of active outcomes (certificates not revoked, course credits).
    Column("deposited", Integer, nullable=False),
    # Credits of conversions not reversed.
    Column("converted", Integer, nullable=False),
)


# --- pilot operations (migration 0006) ----------------------------------------------------
# Projections of plan.*, site.*, fee_guideline.*, assessment.*, candidate.*, result.*,
# monitoring_point.* and self_evaluation.* entries. A self-evaluation's text lives beside
# the ledger in ``documents``, by the SHA-256 the entry holds.

plans = Table(
    "plans",
    metadata,
    Column("plan", String(12), primary_key=True),
    Column("school", String(10), nullable=False, index=True),
    Column("year", Integer, nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("comments", String(500), nullable=True),
    Column("filed_index", BigInteger, nullable=False, unique=True),
    Column("reviewed_index", BigInteger, nullable=True),
    # The returned plan of the same school and year that this one refiles (migration 0009).
    Column("replaces", String(12), nullable=True),
)

plan_items = Table(
    "plan_items",
    metadata,
    Column("plan", String(12), primary_key=True),
    Column("standard", String(32), primary_key=True),
    Column("level", String(16), primary_key=True),
    Column("candidates", Integer, nullable=False),
)

sites = Table(
    "sites",
    metadata,
    Column("site", String(12), primary_key=True),
    Column("org", String(18), nullable=False, index=True),
    Column("city", String(32), nullable=False, index=True),
    Column("address", String(200), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("registered_index", BigInteger, nullable=False, unique=True),
)

site_standards = Table(
    "site_standards",
    metadata,
    Column("site", String(12), primary_key=True),
    Column("standard", String(32), primary_key=True),
)

fee_caps = Table(
    "fee_caps",
    metadata,
    Column("standard", String(32), primary_key=True),
    Column("level", String(16), primary_key=True),
    Column("cap", Integer, nullable=False),
    Column("set_index", BigInteger, nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("assessment", String(12), primary_key=True),
    Column("org", String(18), nullable=False, index=True),
    Column("standard", String(32), nullable=False, index=True),
    Column("level", String(16), nullable=False),
    Column("site", String(12), nullable=False),
    Column("date", String(10), nullable=False),
    Column("fee", Integer, nullable=False),
    Column("scheduled_index", BigInteger, nullable=False, unique=True),
)

candidates = Table(
    "candidates",
    metadata,
    Column("assessment", String(12), primary_key=True),
    Column("account", String(12), primary_key=True),
    Column("school", String(10), nullable=False, index=True),
    Column("enrolled_index", BigInteger, nullable=False),
    Column("score", Integer, nullable=True),
    Column("passed", Integer, nullable=True),  # 1 or 0 once the result is recorded
    Column("result_index", BigInteger, nullable=True),
    Column("certificate", String(16), nullable=True, index=True),
)

monitoring_points = Table(
    "monitoring_points",
    metadata,
    Column("school", String(10), primary_key=True),
    Column("standard", String(32), primary_key=True),
    Column("designated_index", BigInteger, nullable=False),
)

self_evaluations = Table(
    "self_evaluations",
    metadata,
    Column("report", String(12), primary_key=True),
    Column("author", String(200), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("submitted_index", BigInteger, nullable=False, unique=True),
)


# --- beside the ledger (migration 0007) ------------------------------------------------------

documents = Table(
    "documents",
    metadata,
    # Hex SHA-256 of the text, as the entries that cite the document hold it.
    Column("digest", String(64), primary_key=True),
    Column("text", Text, nullable=False),
)

#: Tables that live beside the ledger: never rebuilt from it, never compared with a replay
#: (staff_tables and console_tables add theirs; report_codes, rate_counters have modules).
BESIDE_TABLES = frozenset(
    {"learner_identities", "holder_secrets", "org_contacts", "api_key_secrets", "documents"}
    | {"report_codes", "rate_counters"}
)
