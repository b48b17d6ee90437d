"""Enrolment codes beside the ledger (``enrolment_codes``): kept by the learner's request,
spent inside the unit of work of the enrolment they allow, so a code enrols once."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select, update

from ledger.storage.console_tables import enrolment_codes
from ledger.storage.tables import learner_identities


def keep_code(engine: Engine, code_hash: bytes, account: str, expires_at: int) -> None:
    """Keep a new code of ``account`` (its hash only)."""
    with engine.begin() as connection:
        connection.execute(
            enrolment_codes.insert(),
            {"code_hash": code_hash, "account": account, "expires_at": expires_at},
        )


def spend_code(connection: Connection, code_hash: bytes, now: int) -> str | None:
    """Mark the unused, unexpired code ``code_hash`` used in the caller's transaction; the
    account it belongs to, or None. Only one transaction can spend a code."""
    row = connection.execute(
        select(enrolment_codes.c.account).where(
            enrolment_codes.c.code_hash == code_hash,
            enrolment_codes.c.used_at.is_(None),
            enrolment_codes.c.expires_at > now,
        )
    ).first()
    if row is None:
        return None
    spent = connection.execute(
        update(enrolment_codes)
        .where(enrolment_codes.c.code_hash == code_hash, enrolment_codes.c.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    return str(row.account) if spent == 1 else None


def registered_identity(connection: Connection, id_number: str) -> tuple[str, str | None] | None:
    """The account and registered name of the learner with ``id_number``, or None."""
    row = connection.execute(
        select(learner_identities.c.account, learner_identities.c.name).where(
            learner_identities.c.id_number == id_number
        )
    ).first()
    return None if row is None else (str(row.account), row.name)
