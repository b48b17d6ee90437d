"""The credit bank projection: enrolments, learning outcomes, conversion rules, conversions
and balances, with the effect of certificates (deposited when issued, reversed when revoked).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ledger.core.canonical import canonical_json
from ledger.core.errors import NotFound
from ledger.domain.certificates import china_date
from ledger.kinds import CREDIT_BANK, Kind
from ledger.payloads import (
    CertificateIssued,
    CertificateRevoked,
    ConversionRecorded,
    ConversionReversed,
    CreditDeposited,
    LearnerEnrolled,
    LearnerOpened,
    RulePublished,
)
from ledger.storage.projection import Projection, ProjectionWriter
from ledger.storage.store import StoredEntry
from ledger.storage.tables import balances, conversions, enrolments, outcomes, rules, standards


def _opened(writer: ProjectionWriter, _entry: StoredEntry, p: LearnerOpened, _b: object) -> None:
    writer.insert(balances, {"account": p.account, "deposited": 0, "converted": 0})


def _standard(writer: ProjectionWriter, code: str) -> tuple[str, dict[str, int | None]]:
    key = ("standard", code)
    found = writer.memo.get(key)
    if found is None:
        row = writer.execute(select(standards).where(standards.c.code == code)).first()
        if row is None:
            raise NotFound(f"there is no standard {code}")
        credits = {
            level: getattr(row, f"{level}_credits")
            for level in ("junior", "intermediate", "senior")
        }
        found = writer.memo[key] = (row.title, credits)
    standard: tuple[str, dict[str, int | None]] = found
    return standard


def _outcome(index: int, account: str, **values: Any) -> dict[str, Any]:
    return {
        "idx": index,
        "account": account,
        "school": None,
        "term": None,
        "grade": None,
        "reversed_index": None,
        **values,
    }


def _issued(writer: ProjectionWriter, entry: StoredEntry, p: CertificateIssued, _b: object) -> None:
    title, credits_of = _standard(writer, p.standard)
    credits = credits_of[p.level]
    assert credits is not None, f"{p.standard} offers no {p.level} level"
    writer.insert(
        outcomes,
        _outcome(
            entry.index,
            p.account,
            kind="certificate",
            source=p.certificate,
            title=title,
            credits=credits,
            earned_on=p.issued_on,
        ),
    )
    writer.add(balances, "account", p.account, deposited=credits)


def _deposited(
    writer: ProjectionWriter, entry: StoredEntry, p: CreditDeposited, _b: object
) -> None:
    writer.insert(
        outcomes,
        _outcome(
            entry.index,
            p.account,
            kind="course",
            source=p.course,
            title=p.title,
            school=p.school,
            credits=p.credits,
            earned_on=china_date(entry.timestamp),
            term=p.term,
            grade=p.grade,
        ),
    )
    writer.add(balances, "account", p.account, deposited=p.credits)


def _revoked(
    writer: ProjectionWriter, entry: StoredEntry, p: CertificateRevoked, _b: object
) -> None:
    row = writer.execute(
        select(outcomes.c.idx, outcomes.c.account, outcomes.c.credits).where(
            outcomes.c.kind == "certificate", outcomes.c.source == p.certificate
        )
    ).one()
    writer.execute(
        update(outcomes).where(outcomes.c.idx == row.idx).values(reversed_index=entry.index)
    )
    writer.add(balances, "account", row.account, deposited=-row.credits)


def _enrolled(writer: ProjectionWriter, entry: StoredEntry, p: LearnerEnrolled, _b: object) -> None:
    writer.insert(
        enrolments, {"account": p.account, "school": p.school, "enrolled_index": entry.index}
    )


def _rule(writer: ProjectionWriter, entry: StoredEntry, p: RulePublished, _b: object) -> None:
    courses = [{"code": c.code, "title": c.title, "credits": c.credits} for c in p.courses]
    writer.insert(
        rules,
        {
            "rule": p.rule,
            "version": p.version,
            "school": p.school,
            "programme": p.programme,
            "standard": p.standard,
            "min_level": p.min_level,
            "courses": canonical_json(courses).decode("utf-8"),
            "credits": sum(c.credits for c in p.courses),
            "valid_from": p.valid_from,
            "valid_to": p.valid_to,
            "published_index": entry.index,
        },
    )


def _converted(
    writer: ProjectionWriter, entry: StoredEntry, p: ConversionRecorded, _b: object
) -> None:
    writer.insert(
        conversions,
        {
            "conversion": p.conversion,
            "account": p.account,
            "certificate": p.certificate,
            "rule": p.rule,
            "version": p.version,
            "school": p.school,
            "programme": p.programme,
            "credits": p.credits,
            "recorded_index": entry.index,
            "recorded_on": china_date(entry.timestamp),
            "batch": p.batch,
        },
    )
    writer.add(balances, "account", p.account, converted=p.credits)


def _reversed(
    writer: ProjectionWriter, entry: StoredEntry, p: ConversionReversed, _b: object
) -> None:
    row = writer.execute(
        select(conversions.c.account, conversions.c.credits).where(
            conversions.c.conversion == p.conversion
        )
    ).one()
    writer.execute(
        update(conversions)
        .where(conversions.c.conversion == p.conversion)
        .values(reversed_index=entry.index, reversal_reason=p.reason)
    )
    writer.add(balances, "account", row.account, converted=-row.credits)


PROJECTION = Projection(
    CREDIT_BANK,
    (enrolments, outcomes, rules, conversions, balances),
    {
        Kind.LEARNER_OPENED: _opened,
        Kind.CERTIFICATE_ISSUED: _issued,
        Kind.CERTIFICATE_REVOKED: _revoked,
        Kind.CREDIT_DEPOSITED: _deposited,
        Kind.LEARNER_ENROLLED: _enrolled,
        Kind.RULE_PUBLISHED: _rule,
        Kind.CONVERSION_RECORDED: _converted,
        Kind.CONVERSION_REVERSED: _reversed,
    },
)
