"""The credit bank replayed from ledger entries alone, in memory.

Pure, and written apart from the SQL projection on purpose: `certledger rebuild` writes
its rows into empty tables, and `certledger audit` compares them with the tables the
service keeps, so a projection row changed by hand (or a bug in either) shows up.

``rows(table)`` gives each table's rows as tuples in the column order of the tables
(ledger/storage/tables.py), sorted by primary key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.core.canonical import canonical_json
from ledger.domain.certificates import (
    CERTIFICATE_ISSUED,
    CERTIFICATE_REVOKED,
    LEARNER_ERASED,
    LEARNER_OPENED,
    china_date,
)
from ledger.domain.credit_bank import (
    CONVERSION_RECORDED,
    CONVERSION_REVERSED,
    CREDIT_DEPOSITED,
    LEARNER_ENROLLED,
    RULE_PUBLISHED,
)
from ledger.domain.registry import STANDARD_PUBLISHED

#: The tables the replay fills, in the order rebuild writes them.
TABLES = ("learners", "enrolments", "outcomes", "rules", "conversions", "balances")


@dataclass
class BankReplay:
    """Apply entries in index order; read the projection rows they lead to."""

    standards: dict[str, tuple[str, Mapping[str, int]]] = field(default_factory=dict)
    learners: dict[str, list[Any]] = field(default_factory=dict)
    certificate_outcome: dict[str, int] = field(default_factory=dict)
    enrolments: dict[tuple[str, str], int] = field(default_factory=dict)
    outcomes: dict[int, list[Any]] = field(default_factory=dict)
    rules: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    conversions: dict[str, list[Any]] = field(default_factory=dict)
    balances: dict[str, list[int]] = field(default_factory=dict)

    def apply(self, index: int, kind: str, timestamp: str, payload: Mapping[str, Any]) -> None:
        """Apply one entry; kinds the credit bank does not read are skipped."""
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, index, timestamp, payload)

    def _balance(self, account: str) -> list[int]:
        return self.balances.setdefault(account, [0, 0])

    def _standard(self, index: int, _timestamp: str, p: Mapping[str, Any]) -> None:
        self.standards[p["standard"]] = (p["title"], p["credits"])

    def _opened(self, index: int, _timestamp: str, p: Mapping[str, Any]) -> None:
        self.learners[p["account"]] = [p["account"], index, None]
        self._balance(p["account"])

    def _erased(self, index: int, _timestamp: str, p: Mapping[str, Any]) -> None:
        self.learners[p["account"]][2] = index

    def _enrolled(self, index: int, _timestamp: str, p: Mapping[str, Any]) -> None:
        self.enrolments.setdefault((p["account"], p["school"]), index)

    def _issued(self, index: int, _timestamp: str, p: Mapping[str, Any]) -> None:
        title, credits_by_level = self.standards[p["standard"]]
        credits = credits_by_level[p["level"]]
        self.outcomes[index] = [
            index, p["account"], "certificate", p["certificate"], title, None, credits,
            p["issued_on"], None, None, None,
        ]  # fmt: skip
        self.certificate_outcome[p["certificate"]] = index
        self._balance(p["account"])[0] += credits

    def _revoked(self, index: int, _timestamp: str, p: Mapping[str, Any]) -> None:
        outcome = self.outcomes[self.certificate_outcome[p["certificate"]]]
        outcome[10] = index
        self._balance(outcome[1])[0] -= outcome[6]

    def _deposited(self, index: int, timestamp: str, p: Mapping[str, Any]) -> None:
        self.outcomes[index] = [
            index, p["account"], "course", p["course"], p["title"], p["school"], p["credits"],
            china_date(timestamp), p["term"], p["grade"], None,
        ]  # fmt: skip
        self._balance(p["account"])[0] += p["credits"]

    def _rule(self, index: int, _timestamp: str, p: Mapping[str, Any]) -> None:
        courses = p["courses"]
        self.rules[(p["rule"], p["version"])] = [
            p["rule"], p["version"], p["school"], p["programme"], p["standard"], p["min_level"],
            canonical_json(courses).decode("utf-8"), sum(c["credits"] for c in courses),
            p["valid_from"], p["valid_to"], index,
        ]  # fmt: skip

    def _converted(self, index: int, timestamp: str, p: Mapping[str, Any]) -> None:
        self.conversions[p["conversion"]] = [
            p["conversion"], p["account"], p["certificate"], p["rule"], p["version"], p["school"],
            p["programme"], p["credits"], index, china_date(timestamp), p.get("batch"), None, None,
        ]  # fmt: skip
        self._balance(p["account"])[1] += p["credits"]

    def _reversed(self, index: int, _timestamp: str, p: Mapping[str, Any]) -> None:
        conversion = self.conversions[p["conversion"]]
        conversion[11] = index
        conversion[12] = p["reason"]
        self._balance(conversion[1])[1] -= conversion[7]

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """The rows of ``table`` (one of TABLES), sorted by primary key."""
        source: Mapping[Any, list[Any]]
        if table == "learners":
            source = self.learners
        elif table == "enrolments":
            return sorted((a, s, i) for (a, s), i in self.enrolments.items())
        elif table == "outcomes":
            source = self.outcomes
        elif table == "rules":
            source = self.rules
        elif table == "conversions":
            source = self.conversions
        elif table == "balances":
            return sorted((a, d, c) for a, (d, c) in self.balances.items())
        else:
            raise ValueError(f"the replay fills no table {table!r}")
        return sorted(tuple(row) for row in source.values())


_HANDLERS = {
    STANDARD_PUBLISHED: BankReplay._standard,
    LEARNER_OPENED: BankReplay._opened,
    LEARNER_ERASED: BankReplay._erased,
    LEARNER_ENROLLED: BankReplay._enrolled,
    CERTIFICATE_ISSUED: BankReplay._issued,
    CERTIFICATE_REVOKED: BankReplay._revoked,
    CREDIT_DEPOSITED: BankReplay._deposited,
    RULE_PUBLISHED: BankReplay._rule,
    CONVERSION_RECORDED: BankReplay._converted,
    CONVERSION_REVERSED: BankReplay._reversed,
}
