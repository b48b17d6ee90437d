"""Sheets a school's clerk uploads: students to enrol, course credits to deposit,
conversions to record. ``preview`` checks every row and keeps the good sheet; ``confirm``
writes it through the credit bank's services, once.

A problem is (row, column, problem): rows count from 1 after the header, the column is
the field's name, and the problem is the English text of the check that refused it (the
console puts the Chinese beside it). Conversions are also checked against the rules, read
only, so the preview names every refusal the write would meet.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core.errors import InvalidInput, LedgerError
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import (
    InvalidRows,
    check_account_number,
    check_certificate_number,
    check_id_number,
    check_token,
    normalize_name,
)
from ledger.domain.credit_bank import (
    ConversionRefused,
    CourseCredit,
    check_conversion,
    check_rule_id,
)
from ledger.domain.csv_uploads import CONVERSION_COLUMNS, read_rows
from ledger.domain.registry import InvalidField
from ledger.services.credit_bank import CreditBankService
from ledger.storage.credit_bank import (
    certificate_facts,
    converted_for,
    is_enrolled,
    latest_rule,
    school_standing,
)
from ledger.storage.uploads import Upload, Uploads

#: Columns of each kind of sheet, by field: English and Chinese names.
SHEET_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "students": {
        "account": ("account", "学习账号", "学习账户"),
        "enrolment_code": ("enrolment_code", "登记码"),
        "name": ("name", "姓名"),
        "id_number": ("id_number", "身份证号", "身份证号码"),
    },
    "credits": {
        "account": ("account", "学习账号", "学习账户"),
        "course": ("course", "课程代码"),
        "title": ("title", "课程名称"),
        "credits": ("credits", "学分"),
        "term": ("term", "学期"),
        "grade": ("grade", "成绩"),
    },
    "conversions": dict(CONVERSION_COLUMNS),
}
_REQUIRED = {
    "students": (),
    "credits": ("account", "course", "title", "credits", "term", "grade"),
    "conversions": tuple(CONVERSION_COLUMNS),
}
MAX_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one row; ``code`` names a conversion refusal, if it is one."""

    row: int
    column: str
    problem: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    """A checked sheet: its id (to confirm), its rows and every problem."""

    upload: str | None
    kind: str
    rows: int
    problems: list[Problem]


def _school(actor: Principal) -> str:
    if actor.role is not Role.SCHOOL or actor.id is None:
        raise InvalidInput("only a school's staff upload these sheets")
    return actor.id


class SheetService:
    """Check sheets, keep them until confirmed, and write them through the services."""

    def __init__(self, credit_bank: CreditBankService, uploads: Uploads) -> None:
        self.credit_bank = credit_bank
        self.uploads = uploads

    def preview(self, actor: Principal, kind: str, data: bytes) -> Preview:
        """Check every row of a CSV sheet (UTF-8 or GB 18030; convert .xlsx first) of
        ``kind``; keep it for confirmation when no row has a problem."""
        school = _school(actor)
        if kind not in SHEET_COLUMNS:
            raise InvalidInput(f"unknown kind of sheet {kind!r}")
        try:
            rows = read_rows(data, SHEET_COLUMNS[kind], _REQUIRED[kind])
        except InvalidRows as exc:
            return Preview(
                None,
                kind,
                exc_total(exc),
                [Problem(p.row, p.field, p.problem) for p in exc.problems],
            )
        except InvalidField as exc:
            return Preview(None, kind, 0, [Problem(0, exc.field, exc.problem)])
        if not rows:
            return Preview(None, kind, 0, [Problem(0, "file", "holds no rows")])
        if len(rows) > MAX_ROWS:
            return Preview(
                None, kind, len(rows), [Problem(0, "file", f"holds more than {MAX_ROWS} rows")]
            )
        checked, problems = self._check(school, kind, rows)
        if problems:
            return Preview(None, kind, len(rows), problems)
        upload = "U" + secrets.token_hex(12)
        self.uploads.add(upload, str(actor.party()), kind, checked, int(time.time()))
        return Preview(upload, kind, len(rows), [])

    def _check(
        self, school: str, kind: str, rows: Sequence[Mapping[str, str]]
    ) -> tuple[list[dict[str, Any]], list[Problem]]:
        """Every row's shape, then (for the rows whose shape is right) what the ledger
        would say: refusals of conversions, students enrolled already, credits for
        someone who is not the school's student. Problems come in row order."""
        checked: list[tuple[int, dict[str, Any]]] = []
        problems: list[Problem] = []
        for position, row in enumerate(rows, start=1):
            try:
                checked.append((position, _check_row(kind, row)))
            except InvalidField as exc:
                problems.append(Problem(position, exc.field, exc.problem))
        if kind == "conversions":
            problems += self._refusals(school, checked)
        elif kind == "students":
            problems += [
                Problem(p, "account", f"{row['account']} is enrolled at this school already")
                for p, row in checked
                if "account" in row and self._enrolled(row["account"], school)
            ]
        else:
            problems += [
                Problem(p, "account", f"{row['account']} is not a student of this school")
                for p, row in checked
                if not self._enrolled(row["account"], school)
            ]
        return [row for _p, row in checked], sorted(problems, key=lambda p: p.row)

    def _enrolled(self, account: str, school: str) -> bool:
        with self.uploads.engine.connect() as connection:
            return is_enrolled(connection, account, school)

    def _refusals(self, school: str, rows: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
        problems: list[Problem] = []
        planned: set[tuple[str, str]] = set()
        with self.uploads.engine.connect() as connection:
            standing = school_standing(connection, school)
            for position, row in rows:
                number, programme = row["certificate"], row["programme"]
                try:
                    check_conversion(
                        school=school,
                        school_standing=standing,
                        enrolled=is_enrolled(connection, row["account"], school),
                        account=row["account"],
                        certificate=certificate_facts(connection, number),
                        number=number,
                        rule=latest_rule(connection, row["rule"]),
                        rule_id=row["rule"],
                        programme=programme,
                        converted_for_programme=(number, programme) in planned
                        or converted_for(connection, number, programme),
                    )
                    planned.add((number, programme))
                except ConversionRefused as refused:
                    problems.append(
                        Problem(
                            position,
                            _REFUSAL_COLUMN.get(refused.code.value, "row"),
                            str(refused),
                            refused.code.value,
                        )
                    )
        return problems

    def get(self, actor: Principal, upload: str) -> Upload | None:
        """The actor's party's upload ``upload``; None for anyone else's."""
        return self.uploads.get(upload, str(actor.party()))

    def confirm(self, actor: Principal, upload: str) -> dict[str, Any]:
        """Write a previewed sheet. A second confirmation returns the first result and
        writes nothing. NotFound-like None handling is the caller's: InvalidInput for an
        upload that is not the actor's."""
        stored = self.get(actor, upload)
        if stored is None:
            raise InvalidInput("there is no such upload")
        if not self.uploads.claim(upload, int(time.time())):
            again = self.get(actor, upload)
            result = dict(again.result or {}) if again is not None else {}
            return {**result, "replayed": True}
        try:
            result = self._write(actor, stored)
        except LedgerError:
            # Every sheet is written all or none, so nothing was: the clerk may try again.
            self.uploads.settle(upload, None)
            raise
        self.uploads.settle(upload, result)
        return {**result, "replayed": False}

    def _write(self, actor: Principal, stored: Upload) -> dict[str, Any]:
        school = _school(actor)
        if stored.kind == "conversions":
            converted, _ = self.credit_bank.convert_batch(actor, stored.upload, stored.rows)
            return {"recorded": len(converted), "kind": stored.kind}
        # All or none, like the conversions: one unit of work for the whole sheet.
        if stored.kind == "students":
            done = len(self.credit_bank.enrol_many(actor, school, stored.rows))
        else:
            credits = [
                (
                    row["account"],
                    CourseCredit(
                        row["course"], row["title"], int(row["credits"]), row["term"], row["grade"]
                    ),
                )
                for row in stored.rows
            ]
            done = len(self.credit_bank.deposit_many(actor, credits))
        return {"recorded": done, "kind": stored.kind}


_REFUSAL_COLUMN = {
    "not_schools_student": "account",
    "unknown_certificate": "certificate",
    "certificate_revoked": "certificate",
    "not_holders_certificate": "certificate",
    "unknown_rule": "rule",
    "not_schools_rule": "rule",
    "programme_mismatch": "programme",
    "standard_mismatch": "rule",
    "below_rule_level": "certificate",
    "outside_rule_validity": "certificate",
    "already_converted": "certificate",
}


def exc_total(exc: InvalidRows) -> int:
    """How many rows an InvalidRows was about (from its message's count)."""
    return max(p.row for p in exc.problems)


def _check_row(kind: str, row: Mapping[str, str]) -> dict[str, Any]:
    if kind == "conversions":
        return {
            "account": check_account_number(row["account"], "account"),
            "certificate": check_certificate_number(row["certificate"], "certificate"),
            "rule": check_rule_id(row["rule"], "rule"),
            "programme": check_token("programme", row["programme"]),
        }
    if kind == "students":
        if row.get("enrolment_code"):
            code = row["enrolment_code"].strip()
            if not 16 <= len(code) <= 24:
                raise InvalidField("enrolment_code", "must be the learner's 16-character code")
            if not row.get("account"):
                return {"enrolment_code": code}
            return {"enrolment_code": code, "account": check_account_number(row["account"])}
        if not row.get("name") or not row.get("id_number"):
            raise InvalidField(
                "enrolment_code", "or both name and id_number must be given (the consent)"
            )
        return {
            "name": normalize_name(row["name"]),
            "id_number": check_id_number(row["id_number"]),
        }
    account = check_account_number(row["account"], "account")
    credits_text = row["credits"]
    if not credits_text.isascii() or not credits_text.isdigit():
        raise InvalidField("credits", "must be a whole number 1 to 100")
    credit = CourseCredit(row["course"], row["title"], int(credits_text), row["term"], row["grade"])
    return {
        "account": account,
        "course": credit.course,
        "title": credit.title,
        "credits": credit.credits,
        "term": credit.term,
        "grade": credit.grade,
    }
