"""The credit bank's use cases: enrol, deposit course credits, publish rules, convert, read.

Who may do what is decided here; every state check runs under the write lock, in the
unit of work that appends the entries it allows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ledger.core.canonical import format_timestamp, rows_digest
from ledger.core.errors import Conflict, Forbidden, NotFound
from ledger.core.jws import RecordSigner
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import (
    InvalidRows,
    RowProblem,
    check_account_number,
    check_certificate_number,
    check_token,
)
from ledger.domain.credit_bank import (
    ConversionRefused,
    ConversionRows,
    Converted,
    CourseCredit,
    Rule,
    RuleVersion,
    check_conversion,
    check_rule_id,
    conversion_payload,
    new_conversion_id,
    new_rule_id,
)
from ledger.domain.registry import InvalidField, check_school_code
from ledger.domain.transcripts import TRANSCRIPT_TYPE, transcript_payload
from ledger.kinds import Kind
from ledger.services.enrolment import Enrolled, enrol_in, enrolment
from ledger.services.log import LogService
from ledger.storage.credit_bank import (
    certificate_facts,
    converted_for,
    is_enrolled,
    latest_rule,
    school_standing,
)
from ledger.storage.credit_bank_reads import CreditBankRepository, LearnerRecord
from ledger.storage.registry import ensure_active_school
from ledger.storage.unit_of_work import Draft

__all__ = [
    "MAX_CONVERSION_ROWS",
    "ConversionRows",
    "Converted",
    "CreditBankService",
    "Enrolled",
    "LearnerRecord",
]

#: The fields of one conversion row, as a client sends them.
_CONVERSION_FIELDS = ("account", "certificate", "rule", "programme")
#: The most rows one conversion batch may hold.
MAX_CONVERSION_ROWS = 10_000
#: Who reads any learner's account, besides the learner and their schools.
_READERS = frozenset({Role.OFFICE, Role.AUDITOR})


def _school_of(actor: Principal, school: str, doing: str) -> str:
    if actor.role is not Role.SCHOOL or actor.id != school:
        raise Forbidden(f"only school {school} may {doing}; {actor} may not")
    return school


class CreditBankService:
    """Learning accounts, outcomes, conversion rules and conversions."""

    def __init__(self, log: LogService, repository: CreditBankRepository) -> None:
        self.log = log
        self.repository = repository

    # -- enrolment and course credits -----------------------------------------------

    def enrol(
        self,
        actor: Principal,
        school: str,
        *,
        account: str | None = None,
        name: str | None = None,
        id_number: str | None = None,
        enrolment_code: str | None = None,
    ) -> Enrolled:
        """Enrol a student with their consent: their enrolment code (and optionally the
        account it must be of), or name and ID number (opening an account for a learner
        the ledger does not know yet). NotFound without consent (services/enrolment.py),
        Conflict when enrolled already."""
        request = {
            "account": account,
            "name": name,
            "id_number": id_number,
            "enrolment_code": enrolment_code,
        }
        [enrolled] = self.enrol_many(actor, school, [request])
        return enrolled

    def enrol_many(
        self, actor: Principal, school: str, requests: Sequence[Mapping[str, str | None]]
    ) -> list[Enrolled]:
        """Enrol every student of ``requests`` (each ``enrolment_code`` with or without
        ``account``, or ``name`` and ``id_number``) in one unit of work: all or none, as
        ``enrol`` refuses each."""
        _school_of(actor, check_school_code(school), "enrol its students")
        wanted = [
            enrolment(r.get("account"), r.get("name"), r.get("id_number"), r.get("enrolment_code"))
            for r in requests
        ]
        principal = str(actor)
        with self.log.unit_of_work() as uow:
            ensure_active_school(uow.connection, school)
            enrolled = [enrol_in(uow, principal, school, each) for each in wanted]
            uow.commit()
        return enrolled

    def deposit(self, actor: Principal, account: str, credit: CourseCredit) -> int:
        """Deposit course credits for one of the calling school's students; the index."""
        [index] = self.deposit_many(actor, [(account, credit)])
        return index

    def deposit_many(
        self, actor: Principal, credits: Sequence[tuple[str, CourseCredit]]
    ) -> list[int]:
        """Deposit each (account, course credit) for the calling school's students in one
        unit of work: all or none; the ledger indexes."""
        if actor.role is not Role.SCHOOL or actor.id is None:
            raise Forbidden(f"only schools deposit course credits; {actor} may not")
        school = actor.id
        drafts = [
            Draft(
                Kind.CREDIT_DEPOSITED,
                str(actor),
                credit.entry_payload(check_account_number(account), school),
            )
            for account, credit in credits
        ]
        with self.log.unit_of_work() as uow:
            ensure_active_school(uow.connection, school)
            for account, _credit in credits:
                if not is_enrolled(uow.connection, account, school):
                    raise Forbidden(f"account {account} is not a student of school {school}")
            appended = uow.append(*drafts)
            uow.commit()
        return [entry.index for entry in appended]

    # -- conversion rules -----------------------------------------------------------

    def publish_rule(
        self, actor: Principal, school: str, rule: Rule, replaces: str | None = None
    ) -> RuleVersion:
        """Publish a new rule, or a new version of ``replaces`` (one of the school's)."""
        _school_of(actor, check_school_code(school), "publish its conversion rules")
        if replaces is not None:
            check_rule_id(replaces)
        if self.repository.standard_exists(rule.standard) is False:
            raise InvalidField("standard", f"{rule.standard} is not a published standard")
        with self.log.unit_of_work() as uow:
            connection = uow.connection
            ensure_active_school(connection, school)
            if replaces is None:
                rule_id, version = new_rule_id(), 1
                while latest_rule(connection, rule_id) is not None:
                    rule_id = new_rule_id()
            else:
                latest = latest_rule(connection, replaces)
                if latest is None:
                    raise NotFound(f"there is no conversion rule {replaces}")
                if latest.school != school:
                    raise Forbidden(f"rule {replaces} belongs to school {latest.school}")
                rule_id, version = replaces, latest.version + 1
            payload = rule.entry_payload(rule_id, version, school)
            uow.append(Draft(Kind.RULE_PUBLISHED, str(actor), payload))
            uow.commit()
        return RuleVersion(rule_id, version, school, rule)

    def rule_versions(self, rule: str) -> list[tuple[RuleVersion, int]]:
        """Every version of ``rule``, oldest first, with its ledger index; NotFound."""
        versions = self.repository.rule_versions(check_rule_id(rule))
        if not versions:
            raise NotFound(f"there is no conversion rule {rule}")
        return versions

    def school_rules(self, school: str) -> list[tuple[RuleVersion, int]]:
        """The latest version of each rule of ``school``."""
        return self.repository.school_rules(check_school_code(school))

    # -- conversions ----------------------------------------------------------------

    def convert(
        self, actor: Principal, *, account: str, certificate: str, rule: str, programme: str
    ) -> Converted:
        """Record one conversion; ConversionRefused (with its code) when a rule forbids it."""
        [converted] = self._convert(actor, [_row(account, certificate, rule, programme)], None)
        return converted

    def convert_batch(
        self, actor: Principal, batch: str, rows: Sequence[Mapping[str, Any]]
    ) -> tuple[list[Converted], bool]:
        """Record every row or none; a batch id used before returns what it recorded (True)."""
        check_token("batch_id", batch)
        if not 1 <= len(rows) <= MAX_CONVERSION_ROWS:
            raise InvalidField(
                "rows", f"must hold 1 to {MAX_CONVERSION_ROWS} rows, not {len(rows)}"
            )
        school = self._acting_school(actor)
        stored = self.repository.batch_conversions(school, batch)
        if stored:
            if rows_digest(_request_rows(stored), _CONVERSION_FIELDS) != rows_digest(
                rows, _CONVERSION_FIELDS
            ):
                raise Conflict(f"batch id {batch} was used for other rows")
            return stored, True
        return self._convert(actor, rows, batch), False

    @staticmethod
    def _acting_school(actor: Principal) -> str:
        if actor.role is not Role.SCHOOL or actor.id is None:
            raise Forbidden(f"only schools record conversions; {actor} may not")
        return actor.id

    def _convert(
        self, actor: Principal, rows: Sequence[Mapping[str, Any]], batch: str | None
    ) -> list[Converted]:
        school = self._acting_school(actor)
        problems: list[RowProblem] = []
        for position, row in enumerate(rows, start=1):
            try:
                check_account_number(row.get("account"), "account")  # type: ignore[arg-type]
                check_certificate_number(row.get("certificate"), "certificate")  # type: ignore[arg-type]
                check_rule_id(row.get("rule"), "rule")  # type: ignore[arg-type]
                check_token("programme", row.get("programme"))  # type: ignore[arg-type]
            except InvalidField as problem:
                problems.append(RowProblem(position, problem.field, problem.problem))
        if problems:
            raise InvalidRows(problems, len(rows))
        principal = str(actor)
        results: list[Converted] = []
        with self.log.unit_of_work() as uow:
            connection = uow.connection
            standing = school_standing(connection, school)
            refusals: list[tuple[int, str, str]] = []
            drafts: list[Draft] = []
            planned: set[tuple[str, str]] = set()
            rules_seen: dict[str, RuleVersion | None] = {}
            for position, row in enumerate(rows, start=1):
                account, number = row["account"], row["certificate"]
                rule_id, programme = row["rule"], row["programme"]
                if rule_id not in rules_seen:
                    rules_seen[rule_id] = latest_rule(connection, rule_id)
                rule = rules_seen[rule_id]
                try:
                    check_conversion(
                        school=school,
                        school_standing=standing,
                        enrolled=is_enrolled(connection, account, school),
                        account=account,
                        certificate=certificate_facts(connection, number),
                        number=number,
                        rule=rule,
                        rule_id=rule_id,
                        programme=programme,
                        converted_for_programme=(number, programme) in planned
                        or converted_for(connection, number, programme),
                    )
                except ConversionRefused as refused:
                    if len(rows) == 1:
                        raise
                    refusals.append((position, refused.code.value, str(refused)))
                    continue
                assert rule is not None
                planned.add((number, programme))
                conversion = new_conversion_id()
                payload = conversion_payload(
                    conversion=conversion,
                    account=account,
                    certificate=number,
                    rule=rule,
                    school=school,
                    batch=batch,
                )
                drafts.append(Draft(Kind.CONVERSION_RECORDED, principal, payload))
                results.append(
                    Converted(
                        conversion, account, number, rule.rule, rule.version, school, programme,
                        rule.body.credits, -1,
                    )
                )  # fmt: skip
            if refusals:
                raise ConversionRows(refusals, len(rows))
            appended = uow.append(*drafts)
            uow.commit()
        return [
            dataclasses.replace(result, index=entry.index)
            for result, entry in zip(results, appended, strict=True)
        ]

    # -- reading, rebuilding, auditing ----------------------------------------------

    def learner(self, viewer: Principal, account: str) -> LearnerRecord:
        """A learner's account: for the learner, the schools they are enrolled at, the office
        and auditors. Forbidden for anyone else; NotFound when there is no such account."""
        check_account_number(account)
        record = self.repository.learner(account)
        allowed = (
            viewer.role in _READERS
            or (viewer.role is Role.LEARNER and viewer.id == account)
            or (
                viewer.role is Role.SCHOOL
                and record is not None
                and viewer.id in {e.school for e in record.enrolments}
            )
        )
        if not allowed:
            raise Forbidden(
                f"only the learner, their schools, the office and auditors read account "
                f"{account}; {viewer} may not"
            )
        if record is None:
            raise NotFound(f"there is no learning account {account}")
        return record

    def transcript(self, viewer: Principal, account: str, public_url: str) -> str:
        """The learner's transcript as a signed JWS (domain/transcripts.py); same readers.

        Its tree size is read before the account, so the account it shows reflects at
        least that many entries of the log.
        """
        tree_size = self.log.store.size()
        record = self.learner(viewer, account)
        counting = [o for o in record.outcomes if o.reversed_index is None]
        payload = transcript_payload(
            issuer=public_url,
            account=account,
            issued_at=format_timestamp(datetime.now(UTC)),
            tree_size=tree_size,
            outcomes=[dataclasses.asdict(outcome) for outcome in counting],
            conversions=[
                {**dataclasses.asdict(c), "index": c.index}
                for c in record.conversions
                if c.reversed_index is None
            ],
            deposited=record.deposited,
            converted=record.converted,
        )
        return RecordSigner(self.log.signing_key(), TRANSCRIPT_TYPE).sign(payload)


def _row(account: str, certificate: str, rule: str, programme: str) -> dict[str, str]:
    return {"account": account, "certificate": certificate, "rule": rule, "programme": programme}


def _request_rows(stored: Sequence[Converted]) -> list[dict[str, str]]:
    """The request rows a stored batch answered."""
    return [_row(c.account, c.certificate, c.rule, c.programme) for c in stored]
