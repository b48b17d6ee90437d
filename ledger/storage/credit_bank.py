"""The credit bank's projection: accounts, enrolments, outcomes, rules, conversions, balances.

``project_credit_bank`` keeps the tables in step inside each append. ``rebuild`` recreates
them from the entries alone (with the pure BankReplay), and ``differences`` compares them
with a replay, for the audit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from ledger.core.canonical import canonical_json
from ledger.core.errors import NotFound
from ledger.domain.certificates import (
    CERTIFICATE_ISSUED,
    CERTIFICATE_KINDS,
    CERTIFICATE_REVOKED,
    LEARNER_OPENED,
    china_date,
)
from ledger.domain.credit_bank import (
    CONVERSION_RECORDED,
    CONVERSION_REVERSED,
    CREDIT_BANK_KINDS,
    CREDIT_DEPOSITED,
    LEARNER_ENROLLED,
    RULE_PUBLISHED,
    CertificateFacts,
    Course,
    Rule,
    RuleVersion,
)
from ledger.domain.credit_bank_replay import TABLES, BankReplay
from ledger.domain.registry import STANDARD_PUBLISHED, Level, SchoolStatus
from ledger.storage.registry import StandardRecord, standard_in
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
)

#: Rows inserted per statement when rebuilding.
_INSERT_BATCH = 5_000


#: Adds to one account's balance: executed once per append for every account it touched.
_ADD_TO_BALANCE = (
    update(balances)
    .where(balances.c.account == bindparam("a"))
    .values(
        deposited=balances.c.deposited + bindparam("d"),
        converted=balances.c.converted + bindparam("c"),
    )
)


class _Pending:
    """Rows and balance changes of one append, written in a few statements."""

    def __init__(self) -> None:
        self.outcomes: list[dict[str, Any]] = []
        self.balances: list[dict[str, Any]] = []
        self.conversions: list[dict[str, Any]] = []
        self.deltas: dict[str, list[int]] = {}

    def add(self, account: str, deposited: int = 0, converted: int = 0) -> None:
        delta = self.deltas.setdefault(account, [0, 0])
        delta[0] += deposited
        delta[1] += converted

    def flush(self, connection: Connection) -> None:
        for table, rows in (
            (balances, self.balances),
            (outcomes, self.outcomes),
            (conversions, self.conversions),
        ):
            if rows:
                connection.execute(table.insert(), rows)
                rows.clear()
        changes = [{"a": a, "d": d, "c": c} for a, (d, c) in self.deltas.items() if d or c]
        if changes:
            connection.execute(_ADD_TO_BALANCE, changes)
        self.deltas.clear()


def project_credit_bank(
    connection: Connection,
    appended: Sequence[StoredEntry],
    payloads: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Mirror the credit bank's entries (and certificates' effect on it) into its tables.

    Runs inside the append, after the certificates' own projection (which inserts the
    ``learners`` rows). ``payloads`` are the entries' payloads if the caller has them.
    """
    pending = _Pending()
    standard_of: dict[str, StandardRecord] = {}
    for position, entry in enumerate(appended):
        kind = entry.kind
        if kind not in _READ_KINDS:
            continue
        p = payloads[position] if payloads is not None else entry.payload()
        if kind == CERTIFICATE_ISSUED:
            code = p["standard"]
            if code not in standard_of:
                found = standard_in(connection, code)
                if found is None:
                    raise NotFound(f"there is no standard {code}")
                standard_of[code] = found
            standard = standard_of[code]
            credits = standard.credits[Level(p["level"])]
            pending.outcomes.append(
                _outcome(entry.index, p, "certificate", p["certificate"], standard.title, credits)
            )
            pending.add(p["account"], deposited=credits)
        elif kind == CREDIT_DEPOSITED:
            pending.outcomes.append(
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
            pending.add(p["account"], deposited=p["credits"])
        elif kind == CERTIFICATE_REVOKED:
            pending.flush(connection)
            _revoke_outcome(connection, pending, p["certificate"], entry.index)
        elif kind == LEARNER_OPENED:
            pending.balances.append({"account": p["account"], "deposited": 0, "converted": 0})
        elif kind == LEARNER_ENROLLED:
            connection.execute(
                enrolments.insert(),
                {"account": p["account"], "school": p["school"], "enrolled_index": entry.index},
            )
        elif kind == RULE_PUBLISHED:
            _insert_rule(connection, p, entry.index)
        elif kind == CONVERSION_RECORDED:
            pending.conversions.append(
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
                }
            )
            pending.add(p["account"], converted=p["credits"])
        elif kind == CONVERSION_REVERSED:
            pending.flush(connection)
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
            pending.add(row.account, converted=-row.credits)
    pending.flush(connection)


def _outcome(
    index: int, p: Mapping[str, Any], kind: str, source: str, title: str, credits: int
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


def _revoke_outcome(connection: Connection, pending: _Pending, number: str, index: int) -> None:
    row = connection.execute(
        select(outcomes.c.idx, outcomes.c.account, outcomes.c.credits).where(
            outcomes.c.kind == "certificate", outcomes.c.source == number
        )
    ).one()
    connection.execute(
        update(outcomes).where(outcomes.c.idx == row.idx).values(reversed_index=index)
    )
    pending.add(row.account, deposited=-row.credits)


def _insert_rule(connection: Connection, p: Mapping[str, Any], index: int) -> None:
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
            bank.apply(entry.index, entry.kind, entry.timestamp, entry.payload())
        if progress is not None and count % 10_000 == 0:
            progress(count)
    return bank


#: What the credit bank reads: its own kinds, the certificates' and the standards' credits.
_READ_KINDS = CREDIT_BANK_KINDS | CERTIFICATE_KINDS | {STANDARD_PUBLISHED}


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
