"""The credit bank's projection: accounts, enrolments, outcomes, rules, conversions, balances.

``project_credit_bank`` keeps the tables in step inside each append. ``rebuild`` recreates
them from the entries alone (with the pure BankReplay), and ``differences`` compares them
with a replay, for the audit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select, update

from ledger.core.canonical import canonical_json
from ledger.domain.certificates import (
    CERTIFICATE_ISSUED,
    CERTIFICATE_REVOKED,
    LEARNER_OPENED,
    china_date,
)
from ledger.domain.credit_bank import (
    CONVERSION_RECORDED,
    CONVERSION_REVERSED,
    CREDIT_DEPOSITED,
    LEARNER_ENROLLED,
    RULE_PUBLISHED,
    CertificateFacts,
    Course,
    Rule,
    RuleVersion,
)
from ledger.domain.credit_bank_replay import TABLES, BankReplay
from ledger.domain.registry import Level, SchoolStatus
from ledger.storage.store import StoredEntry
from ledger.storage.tables import (
    balances,
    certificates,
    conversions,
    enrolments,
    learners,
    outcomes,
    rules,
    schools,
    standards,
)

#: Rows inserted per statement when rebuilding.
_INSERT_BATCH = 5_000


def _payload(entry: StoredEntry) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(entry.data)["payload"]
    return payload


def _add_to_balance(connection: Connection, account: str, deposited: int, converted: int) -> None:
    row = connection.execute(
        select(balances.c.deposited, balances.c.converted).where(balances.c.account == account)
    ).first()
    if row is None:
        connection.execute(
            balances.insert(),
            {"account": account, "deposited": deposited, "converted": converted},
        )
    else:
        connection.execute(
            update(balances)
            .where(balances.c.account == account)
            .values(deposited=row.deposited + deposited, converted=row.converted + converted)
        )


def project_credit_bank(connection: Connection, appended: Sequence[StoredEntry]) -> None:
    """Mirror the credit bank's entries (and certificates' effect on it) into its tables.

    Runs inside the append, after the certificates' own projection. Learner accounts
    (``learners``) are inserted by that projection; balances start here.
    """
    outcome_rows: list[dict[str, Any]] = []
    credit_of: dict[tuple[str, str], int] = {}
    deposits: dict[str, int] = {}
    for entry in appended:
        kind = entry.kind
        if kind == CERTIFICATE_ISSUED:
            p = _payload(entry)
            key = (p["standard"], p["level"])
            if key not in credit_of:
                credit_of[key] = _standard_credits(connection, *key)
            title = _standard_title(connection, p["standard"])
            credits = credit_of[key]
            outcome_rows.append(
                _outcome(entry.index, p, "certificate", p["certificate"], title, credits)
            )
            deposits[p["account"]] = deposits.get(p["account"], 0) + credits
        elif kind == CREDIT_DEPOSITED:
            p = _payload(entry)
            outcome_rows.append(
                {
                    "idx": entry.index,
                    "account": p["account"],
                    "kind": "course",
                    "source": p["course"],
                    "title": p["title"],
                    "school": p["school"],
                    "credits": p["credits"],
                    "earned_on": china_date(entry.timestamp),
                    "term": p["term"],
                    "grade": p["grade"],
                    "reversed_index": None,
                }
            )
            deposits[p["account"]] = deposits.get(p["account"], 0) + p["credits"]
        elif kind == CERTIFICATE_REVOKED:
            _flush(connection, outcome_rows, deposits)
            _revoke_outcome(connection, _payload(entry)["certificate"], entry.index)
        elif kind == LEARNER_OPENED:
            account = _payload(entry)["account"]
            connection.execute(
                balances.insert(), {"account": account, "deposited": 0, "converted": 0}
            )
        elif kind == LEARNER_ENROLLED:
            p = _payload(entry)
            connection.execute(
                enrolments.insert(),
                {"account": p["account"], "school": p["school"], "enrolled_index": entry.index},
            )
        elif kind == RULE_PUBLISHED:
            _insert_rule(connection, _payload(entry), entry.index)
        elif kind == CONVERSION_RECORDED:
            p = _payload(entry)
            connection.execute(
                conversions.insert(),
                {
                    "conversion": p["conversion"],
                    "account": p["account"],
                    "certificate": p["certificate"],
                    "rule": p["rule"],
                    "version": p["version"],
                    "school": p["school"],
                    "programme": p["programme"],
                    "credits": p["credits"],
                    "recorded_index": entry.index,
                    "recorded_on": china_date(entry.timestamp),
                    "batch": p.get("batch"),
                },
            )
            _add_to_balance(connection, p["account"], 0, p["credits"])
        elif kind == CONVERSION_REVERSED:
            p = _payload(entry)
            row = connection.execute(
                select(conversions.c.account, conversions.c.credits).where(
                    conversions.c.conversion == p["conversion"]
                )
            ).one()
            connection.execute(
                update(conversions)
                .where(conversions.c.conversion == p["conversion"])
                .values(reversed_index=entry.index, reversal_reason=p["reason"])
            )
            _add_to_balance(connection, row.account, 0, -row.credits)
    _flush(connection, outcome_rows, deposits)


def _outcome(
    index: int, p: dict[str, Any], kind: str, source: str, title: str, credits: int
) -> dict[str, Any]:
    return {
        "idx": index,
        "account": p["account"],
        "kind": kind,
        "source": source,
        "title": title,
        "school": None,
        "credits": credits,
        "earned_on": p["issued_on"],
        "term": None,
        "grade": None,
        "reversed_index": None,
    }


def _flush(connection: Connection, rows: list[dict[str, Any]], deposits: dict[str, int]) -> None:
    if rows:
        connection.execute(outcomes.insert(), rows)
        rows.clear()
    for account, credits in deposits.items():
        _add_to_balance(connection, account, credits, 0)
    deposits.clear()


def _standard_credits(connection: Connection, code: str, level: str) -> int:
    value: int = connection.execute(
        select(standards.c[f"{level}_credits"]).where(standards.c.code == code)
    ).scalar_one()
    return value


def _standard_title(connection: Connection, code: str) -> str:
    title: str = connection.execute(
        select(standards.c.title).where(standards.c.code == code)
    ).scalar_one()
    return title


def _revoke_outcome(connection: Connection, number: str, index: int) -> None:
    row = connection.execute(
        select(outcomes.c.idx, outcomes.c.account, outcomes.c.credits).where(
            outcomes.c.kind == "certificate", outcomes.c.source == number
        )
    ).one()
    connection.execute(
        update(outcomes).where(outcomes.c.idx == row.idx).values(reversed_index=index)
    )
    _add_to_balance(connection, row.account, -row.credits, 0)


def _insert_rule(connection: Connection, p: dict[str, Any], index: int) -> None:
    connection.execute(
        rules.insert(),
        {
            "rule": p["rule"],
            "version": p["version"],
            "school": p["school"],
            "programme": p["programme"],
            "standard": p["standard"],
            "min_level": p["min_level"],
            "courses": canonical_json(p["courses"]).decode("utf-8"),
            "credits": sum(course["credits"] for course in p["courses"]),
            "valid_from": p["valid_from"],
            "valid_to": p["valid_to"],
            "published_index": index,
        },
    )


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


# -- rebuild and audit --------------------------------------------------------------

_TABLE_OF = {
    table.name: table for table in (learners, enrolments, outcomes, rules, conversions, balances)
}


def replay(
    entries: Iterable[StoredEntry], progress: Callable[[int], None] | None = None
) -> BankReplay:
    """The credit bank as the entries alone make it."""
    bank = BankReplay()
    for count, entry in enumerate(entries, start=1):
        if entry.kind in _READ_KINDS:
            bank.apply(entry.index, entry.kind, entry.timestamp, _payload(entry))
        if progress is not None and count % 10_000 == 0:
            progress(count)
    return bank


_READ_KINDS = frozenset(
    {
        "standard.published",
        "learner.opened",
        "learner.erased",
        CERTIFICATE_ISSUED,
        CERTIFICATE_REVOKED,
        LEARNER_ENROLLED,
        CREDIT_DEPOSITED,
        RULE_PUBLISHED,
        CONVERSION_RECORDED,
        CONVERSION_REVERSED,
    }
)


def stored_rows(connection: Connection, table_name: str) -> list[tuple[Any, ...]]:
    """Every row of a credit bank table, in column order, sorted by primary key."""
    table = _TABLE_OF[table_name]
    order = list(table.primary_key.columns)
    return [tuple(row) for row in connection.execute(select(table).order_by(*order))]


def rebuild(connection: Connection, bank: BankReplay) -> dict[str, int]:
    """Replace the rows of every credit bank table with ``bank``'s; rows written by table."""
    written: dict[str, int] = {}
    for name in reversed(TABLES):
        connection.execute(_TABLE_OF[name].delete())
    for name in TABLES:
        table = _TABLE_OF[name]
        columns = [column.name for column in table.columns]
        rows = bank.rows(name)
        for start in range(0, len(rows), _INSERT_BATCH):
            chunk = rows[start : start + _INSERT_BATCH]
            connection.execute(
                table.insert(), [dict(zip(columns, row, strict=True)) for row in chunk]
            )
        written[name] = len(rows)
    return written


@dataclass(frozen=True, slots=True)
class Difference:
    """A projection row that differs from the replay: table, key, what is stored, expected."""

    table: str
    key: Any
    stored: tuple[Any, ...] | None
    expected: tuple[Any, ...] | None

    def __str__(self) -> str:
        if self.stored is None:
            return f"{self.table} {self.key}: missing; the ledger gives {self.expected}"
        if self.expected is None:
            return f"{self.table} {self.key}: {self.stored} is not in the ledger"
        return f"{self.table} {self.key}: stored {self.stored}, the ledger gives {self.expected}"


def differences(connection: Connection, bank: BankReplay, limit: int = 20) -> list[Difference]:
    """Up to ``limit`` rows where the tables and the replay disagree, table by table."""
    found: list[Difference] = []
    for name in TABLES:
        width = len(_TABLE_OF[name].primary_key.columns)
        stored = {row[:width]: row for row in stored_rows(connection, name)}
        expected = {row[:width]: row for row in bank.rows(name)}
        for key in sorted(stored.keys() | expected.keys()):
            if stored.get(key) != expected.get(key):
                found.append(
                    Difference(
                        name, key if width > 1 else key[0], stored.get(key), expected.get(key)
                    )
                )
                if len(found) >= limit:
                    return found
    return found
