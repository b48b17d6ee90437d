"""Reads of the credit bank outside any append: accounts, rules, conversion batches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from ledger.domain.credit_bank import Converted, RuleVersion
from ledger.storage.credit_bank import rule_version_of
from ledger.storage.tables import (
    balances,
    certificates,
    conversions,
    enrolments,
    learners,
    outcomes,
    rules,
    standards,
)

__all__ = [
    "ConversionRecord",
    "CreditBankRepository",
    "Enrolment",
    "LearnerRecord",
    "OutcomeRecord",
]


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A school the learner is enrolled at, since ledger index ``index``."""

    school: str
    index: int


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """A learning outcome: a certificate or course credits, and whether it still counts."""

    index: int
    kind: str
    source: str
    title: str
    school: str | None
    credits: int
    earned_on: str
    term: str | None
    grade: str | None
    reversed_index: int | None
    level: str | None = None
    org: str | None = None

    @property
    def counts(self) -> bool:
        """True while the outcome counts toward the balance: not reversed by a revocation."""
        return self.reversed_index is None


@dataclass(frozen=True, slots=True)
class ConversionRecord:
    """A conversion, and its reversal if the certificate was revoked."""

    conversion: str
    certificate: str
    rule: str
    version: int
    school: str
    programme: str
    credits: int
    index: int
    recorded_on: str
    reversed_index: int | None
    reversal_reason: str | None


@dataclass(frozen=True, slots=True)
class LearnerRecord:
    """A learning account as the projection holds it."""

    account: str
    opened_index: int
    erased_index: int | None
    enrolments: list[Enrolment]
    outcomes: list[OutcomeRecord]
    conversions: list[ConversionRecord]
    deposited: int
    converted: int

    @property
    def personal_data_erased(self) -> bool:
        """True once a ``learner.erased`` entry names the account."""
        return self.erased_index is not None


def _conversion(row: Any) -> ConversionRecord:
    return ConversionRecord(
        row.conversion,
        row.certificate,
        row.rule,
        row.version,
        row.school,
        row.programme,
        row.credits,
        row.recorded_index,
        row.recorded_on,
        row.reversed_index,
        row.reversal_reason,
    )


class CreditBankRepository:
    """Read learners' accounts, conversion rules and conversions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def standard_exists(self, code: str) -> bool:
        """True when ``code`` names a published standard."""
        with self.engine.connect() as connection:
            found = connection.execute(select(standards.c.code).where(standards.c.code == code))
            return found.first() is not None

    def rule_versions(self, rule: str) -> list[tuple[RuleVersion, int]]:
        """Every version of ``rule``, oldest first, with the index that published it."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(rules).where(rules.c.rule == rule).order_by(rules.c.version)
            )
            return [(rule_version_of(row), row.published_index) for row in rows]

    def school_rules(self, school: str) -> list[tuple[RuleVersion, int]]:
        """The latest version of every rule of ``school``, in order of first publication."""
        with self.engine.connect() as connection:
            rows = list(
                connection.execute(
                    select(rules).where(rules.c.school == school).order_by(rules.c.published_index)
                )
            )
        latest: dict[str, Any] = {}
        first: dict[str, int] = {}
        for row in rows:
            first.setdefault(row.rule, row.published_index)
            latest[row.rule] = row
        ordered = sorted(latest, key=first.__getitem__)
        return [(rule_version_of(latest[r]), latest[r].published_index) for r in ordered]

    def batch_conversions(self, school: str, batch: str) -> list[Converted]:
        """The conversions batch ``batch`` of ``school`` recorded, in ledger order."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(conversions)
                .where(conversions.c.school == school, conversions.c.batch == batch)
                .order_by(conversions.c.recorded_index)
            )
            return [
                Converted(
                    row.conversion, row.account, row.certificate, row.rule, row.version,
                    row.school, row.programme, row.credits, row.recorded_index,
                )
                for row in rows
            ]  # fmt: skip

    def learner(self, account: str) -> LearnerRecord | None:
        """The account ``account`` with its enrolments, outcomes and conversions, or None."""
        with self.engine.connect() as connection:
            learner = connection.execute(
                select(learners).where(learners.c.account == account)
            ).first()
            if learner is None:
                return None
            enrolled = connection.execute(
                select(enrolments)
                .where(enrolments.c.account == account)
                .order_by(enrolments.c.enrolled_index)
            )
            outcome_rows = connection.execute(
                select(outcomes, certificates.c.level, certificates.c.org)
                .outerjoin(
                    certificates,
                    (outcomes.c.kind == "certificate")
                    & (certificates.c.number == outcomes.c.source),
                )
                .where(outcomes.c.account == account)
                .order_by(outcomes.c.idx)
            )
            outcome_list = [
                OutcomeRecord(
                    row.idx, row.kind, row.source, row.title, row.school, row.credits,
                    row.earned_on, row.term, row.grade, row.reversed_index, row.level, row.org,
                )
                for row in outcome_rows
            ]  # fmt: skip
            conversion_rows = connection.execute(
                select(conversions)
                .where(conversions.c.account == account)
                .order_by(conversions.c.recorded_index)
            )
            balance = connection.execute(
                select(balances.c.deposited, balances.c.converted).where(
                    balances.c.account == account
                )
            ).first()
            return LearnerRecord(
                account=account,
                opened_index=learner.opened_index,
                erased_index=learner.erased_index,
                enrolments=[Enrolment(row.school, row.enrolled_index) for row in enrolled],
                outcomes=outcome_list,
                conversions=[_conversion(row) for row in conversion_rows],
                deposited=0 if balance is None else balance.deposited,
                converted=0 if balance is None else balance.converted,
            )
