"""Reads of learners' access (the projection ledger/storage/projections/learner_access.py
writes), and reads and writes of what lives beside the ledger for the consoles: learners'
credentials and the documents of standards (tables in console_tables.py).

Codes and password hashes are written in their own short transactions, never derived from
entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from ledger.storage.console_tables import learner_access, learner_credentials, standard_documents


@dataclass(frozen=True, slots=True)
class LearnerCredentials:
    """A learner's current code (hash and end) or password hash, and the last change."""

    account: str
    code_hash: bytes | None
    code_expires_at: int | None
    password_hash: str | None
    changed_at: int


@dataclass(frozen=True, slots=True)
class StandardDocument:
    """A standard's document as uploaded."""

    sha256: str
    filename: str
    media_type: str
    content: bytes


class LearnerAccessRepository:
    """Reads and writes of learners' access and credentials, and of standards' documents."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def access(self, account: str) -> dict[str, Any] | None:
        """The projected access row of ``account``."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(learner_access).where(learner_access.c.account == account)
            ).first()
        return None if row is None else dict(row._mapping)

    def credentials(self, account: str) -> LearnerCredentials | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(learner_credentials).where(learner_credentials.c.account == account)
            ).first()
        if row is None:
            return None
        return LearnerCredentials(
            row.account, row.code_hash, row.code_expires_at, row.password_hash, row.changed_at
        )

    def set_code(self, account: str, code_hash: bytes, expires_at: int, now: int) -> None:
        """Replace the learner's code and forget their password."""
        values = {
            "code_hash": code_hash,
            "code_expires_at": expires_at,
            "password_hash": None,
            "changed_at": now,
        }
        with self.engine.begin() as connection:
            changed = connection.execute(
                learner_credentials.update()
                .where(learner_credentials.c.account == account)
                .values(**values)
            ).rowcount
            if not changed:
                connection.execute(learner_credentials.insert(), {"account": account, **values})

    def set_codes_unless_activated(
        self, codes: dict[str, bytes], expires_at: int, now: int
    ) -> list[str]:
        """Give each account of ``codes`` its code hash, in one transaction, except those
        that hold a password (activated): the accounts given a code, in ``codes``' order."""
        if not codes:
            return []
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(learner_credentials.c.account, learner_credentials.c.password_hash).where(
                    learner_credentials.c.account.in_(list(codes))
                )
            ).all()
            activated = {row.account for row in rows if row.password_hash is not None}
            known = {row.account for row in rows}
            given = [account for account in codes if account not in activated]
            for account in given:
                values = {
                    "code_hash": codes[account],
                    "code_expires_at": expires_at,
                    "password_hash": None,
                    "changed_at": now,
                }
                if account in known:
                    connection.execute(
                        learner_credentials.update()
                        .where(
                            learner_credentials.c.account == account,
                            learner_credentials.c.password_hash.is_(None),
                        )
                        .values(**values)
                    )
                else:
                    connection.execute(learner_credentials.insert(), {"account": account, **values})
        return given

    def use_code(self, account: str, code_hash: bytes, password_hash: str, now: int) -> bool:
        """Set the password when ``code_hash`` is the account's unexpired code, and use the
        code up; False otherwise. One UPDATE, so a code is used once."""
        with self.engine.begin() as connection:
            changed = connection.execute(
                learner_credentials.update()
                .where(
                    learner_credentials.c.account == account,
                    learner_credentials.c.code_hash == code_hash,
                    learner_credentials.c.code_expires_at > now,
                )
                .values(
                    code_hash=None,
                    code_expires_at=None,
                    password_hash=password_hash,
                    changed_at=now,
                )
            ).rowcount
        return bool(changed)

    def set_password_hash(self, account: str, password_hash: str) -> None:
        """Store a rehashed password (same password, new parameters)."""
        with self.engine.begin() as connection:
            connection.execute(
                learner_credentials.update()
                .where(learner_credentials.c.account == account)
                .values(password_hash=password_hash)
            )

    # -- standards' documents ----------------------------------------------------

    def add_document(
        self, sha256: str, filename: str, media_type: str, content: bytes, by: str, now: int
    ) -> None:
        """Keep a document; the same content twice is kept once."""
        with self.engine.begin() as connection:
            found = connection.execute(
                select(standard_documents.c.sha256).where(standard_documents.c.sha256 == sha256)
            ).first()
            if found is None:
                connection.execute(
                    standard_documents.insert(),
                    {
                        "sha256": sha256,
                        "filename": filename,
                        "media_type": media_type,
                        "content": content,
                        "uploaded_by": by,
                        "uploaded_at": now,
                    },
                )

    def document(self, sha256: str) -> StandardDocument | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(standard_documents).where(standard_documents.c.sha256 == sha256)
            ).first()
        if row is None:
            return None
        return StandardDocument(row.sha256, row.filename, row.media_type, row.content)
