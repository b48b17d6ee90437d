"""Reads of the credit bank (projections/credit_bank.py writes it) that the rules need, made
inside a unit of work so that no other writer changes them before the append.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from ledger.domain.credit_bank import CertificateFacts, Course, Rule, RuleVersion
from ledger.domain.registry import Level, SchoolStatus
from ledger.storage.tables import certificates, conversions, enrolments, learners, rules, schools

# -- reads under the write lock -----------------------------------------------------


def latest_rule(connection: Connection, rule: str) -> RuleVersion | None:
    """The latest version of ``rule``, or None."""
    row = connection.execute(
        select(rules).where(rules.c.rule == rule).order_by(rules.c.version.desc()).limit(1)
    ).first()
    return None if row is None else rule_version_of(row)


def rule_version_of(row: Any) -> RuleVersion:
    courses = tuple(Course(c["code"], c["title"], c["credits"]) for c in json.loads(row.courses))
    body = Rule(
        programme=row.programme,
        standard=row.standard,
        min_level=Level(row.min_level),
        courses=courses,
        valid_from=date.fromisoformat(row.valid_from),
        valid_to=None if row.valid_to is None else date.fromisoformat(row.valid_to),
    )
    return RuleVersion(row.rule, row.version, row.school, body)


def school_standing(connection: Connection, school: str) -> str | None:
    """None when ``school`` is an admitted pilot school; else why it is not (its status and
    the reason, or that the registry does not hold it)."""
    row = connection.execute(
        select(schools.c.status, schools.c.reason).where(schools.c.id == school)
    ).first()
    if row is None:
        return "not admitted to the pilot"
    if row.status != SchoolStatus.ADMITTED.value:
        return f"{row.status}: {row.reason}"
    return None


def is_enrolled(connection: Connection, account: str, school: str) -> bool:
    """True when ``account`` is enrolled at ``school``."""
    found = connection.execute(
        select(enrolments.c.account).where(
            enrolments.c.account == account, enrolments.c.school == school
        )
    ).first()
    return found is not None


def learner_opened(connection: Connection, account: str) -> bool:
    """True when the learning account ``account`` exists."""
    found = connection.execute(select(learners.c.account).where(learners.c.account == account))
    return found.first() is not None


def certificate_facts(connection: Connection, number: str) -> CertificateFacts | None:
    """What a conversion needs to know of certificate ``number``, or None."""
    row = connection.execute(
        select(
            certificates.c.account,
            certificates.c.standard,
            certificates.c.level,
            certificates.c.issued_on,
            certificates.c.revoked_index,
        ).where(certificates.c.number == number)
    ).first()
    if row is None:
        return None
    return CertificateFacts(
        number,
        row.account,
        row.standard,
        row.level,
        date.fromisoformat(row.issued_on),
        row.revoked_index is not None,
    )


def converted_for(connection: Connection, number: str, programme: str) -> bool:
    """True when certificate ``number`` has a conversion (not reversed) for ``programme``."""
    found = connection.execute(
        select(conversions.c.conversion).where(
            conversions.c.certificate == number,
            conversions.c.programme == programme,
            conversions.c.reversed_index.is_(None),
        )
    ).first()
    return found is not None


def active_conversions(connection: Connection, number: str) -> list[str]:
    """The conversions (not reversed) made from certificate ``number``, oldest first."""
    rows = connection.execute(
        select(conversions.c.conversion)
        .where(conversions.c.certificate == number, conversions.c.reversed_index.is_(None))
        .order_by(conversions.c.recorded_index)
    )
    return [row.conversion for row in rows]
