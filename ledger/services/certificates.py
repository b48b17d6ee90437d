"""Certificates' use cases: issue (one or a batch), revoke, and verify records.

Who may do what is decided here. Issuance is one unit of work: learner accounts and
certificate numbers are chosen under the write lock, knowing every earlier write, and a
retried batch id never issues twice. The records are signed by the certificates'
projection, inside the append, once each entry's index and leaf hash are known.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ledger.core.errors import Conflict, Forbidden, LedgerError, NotFound
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import (
    CHINA_OFFSET,
    HOLDER_SALT_BYTES,
    InvalidRows,
    Issuance,
    RowProblem,
    check_account_number,
    check_certificate_number,
    check_token,
    holder_commitment,
    issuance,
    issued_payload,
    new_account_number,
    revoked_payload,
)
from ledger.domain.credit_bank import REVOKED_CERTIFICATE
from ledger.domain.registry import InvalidField
from ledger.kinds import Kind
from ledger.services.fresh_values import fresh_numbers, fresh_values
from ledger.services.log import LogService
from ledger.services.verification import CertificateReading, Verification
from ledger.storage.certificates import (
    CertificateRecord,
    CertificateRepository,
    accounts_of,
    batch_issued,
    taken_accounts,
)
from ledger.storage.credit_bank import active_conversions
from ledger.storage.erasure import Erased, id_number_of, redact_uploads
from ledger.storage.projections.beside import HolderSecret, NewIdentity
from ledger.storage.registry import RegistryRepository, StandardRecord, ensure_active_org
from ledger.storage.unit_of_work import Draft

__all__ = [
    "MAX_BATCH_ROWS",
    "BatchOutcome",
    "CertificateRecord",
    "CertificateService",
    "InvalidRows",
    "Issued",
    "RowProblem",
    "Verification",
]

#: The most rows one batch may hold.
MAX_BATCH_ROWS = 10_000
#: The fields of one issuance row, as a client sends them.
ROW_FIELDS = ("standard", "level", "name", "id_number", "issued_on", "assessment", "score")


def china_today() -> date:
    """Today's date in China Standard Time (UTC+8, no daylight saving)."""
    return (datetime.now(UTC) + CHINA_OFFSET).date()


@dataclass(frozen=True, slots=True)
class Issued:
    """One issued certificate: number, account, ledger index, record, and the holder's salt."""

    certificate: str
    account: str
    index: int
    record: str
    holder_salt: bytes | None


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """A batch's certificates in row order; ``replayed`` when an earlier request issued them."""

    batch: str
    certificates: list[Issued]
    replayed: bool


class _Replayed(LedgerError):
    """Raised under the write lock when the batch was issued meanwhile: nothing is written."""


class CertificateService(CertificateReading):
    """Issue, revoke and verify certificates; keep their holders' personal data apart.

    Reading and verifying are in ledger.services.verification.
    """

    def __init__(
        self,
        log: LogService,
        repository: CertificateRepository,
        registry: RegistryRepository,
        public_url: str,
        today: Callable[[], date] = china_today,
    ) -> None:
        self.log = log
        self.repository = repository
        self.registry = registry
        self.public_url = public_url
        self._today = today

    # -- issuing ------------------------------------------------------------------

    def issue(self, actor: Principal, row: Mapping[str, Any]) -> Issued:
        """Issue one certificate; InvalidRows (400) naming the fields that are wrong."""
        return self._issue(actor, [row], batch=None).certificates[0]

    def issue_batch(
        self, actor: Principal, batch: str, rows: Sequence[Mapping[str, Any]]
    ) -> BatchOutcome:
        """Issue every row or none; a batch id already used returns what it issued.

        InvalidRows names every bad row; Conflict when the batch id was used for
        other rows.
        """
        check_token("batch_id", batch)
        if not 1 <= len(rows) <= MAX_BATCH_ROWS:
            raise InvalidField("rows", f"must hold 1 to {MAX_BATCH_ROWS} rows, not {len(rows)}")
        return self._issue(actor, rows, batch)

    def _issue(
        self, actor: Principal, rows: Sequence[Mapping[str, Any]], batch: str | None
    ) -> BatchOutcome:
        org = actor.id
        if actor.role is not Role.ORG or org is None:
            raise Forbidden(f"only organizations issue certificates; {actor} may not")
        checked, _standards = self._check_rows(org, rows)
        if batch is not None:
            stored = self._stored_batch(org, batch, checked)
            if stored is not None:
                return stored
        salts = [secrets.token_bytes(HOLDER_SALT_BYTES) for _ in checked]
        principal = str(actor)
        with self.log.unit_of_work() as uow:
            connection = uow.connection
            ensure_active_org(connection, org)
            if batch is not None and batch_issued(connection, org, batch):
                replayed = True
            else:
                replayed = False
                ids = sorted({item.holder.id_number for item in checked})
                account_of = accounts_of(connection, ids)
                new_ids = [id_number for id_number in ids if id_number not in account_of]
                opened = fresh_values(connection, taken_accounts, len(new_ids), new_account_number)
                names: dict[str, str] = {}
                for item in checked:
                    names.setdefault(item.holder.id_number, item.holder.name)
                drafts: list[Draft] = []
                for id_number, account in zip(new_ids, opened, strict=True):
                    account_of[id_number] = account
                    identity = NewIdentity(id_number, names[id_number])
                    drafts.append(
                        Draft(Kind.LEARNER_OPENED, principal, {"account": account}, identity)
                    )
                numbers = fresh_numbers(connection, [item.issued_on.year for item in checked])
                accounts = [account_of[item.holder.id_number] for item in checked]
                for item, number, account, salt in zip(
                    checked, numbers, accounts, salts, strict=True
                ):
                    commitment = holder_commitment(salt, item.holder.id_number, item.holder.name)
                    payload = issued_payload(
                        certificate=number,
                        account=account,
                        org=org,
                        issuance=item,
                        commitment=commitment,
                        batch=batch,
                    )
                    secret = HolderSecret(item.holder.name, salt)
                    drafts.append(Draft(Kind.CERTIFICATE_ISSUED, principal, payload, secret))
                appended = uow.append(*drafts)
                records = dict(uow.outputs.get("records", {}))
                uow.commit()
        if replayed:
            assert batch is not None
            stored = self._stored_batch(org, batch, checked)
            if stored is None:  # pragma: no cover - a batch's certificates are never deleted
                raise Conflict(f"batch {batch} could not be read back")
            return stored
        issued_entries = [e for e in appended if e.kind == Kind.CERTIFICATE_ISSUED]
        issued = [
            Issued(number, account, entry.index, records[number], salt)
            for number, account, entry, salt in zip(
                numbers, accounts, issued_entries, salts, strict=True
            )
        ]
        return BatchOutcome(batch or "", issued, replayed=False)

    def _stored_batch(
        self, org: str, batch: str, checked: Sequence[Issuance]
    ) -> BatchOutcome | None:
        """What batch ``batch`` of ``org`` issued, if it was; Conflict when its rows differ
        from ``checked`` (compared with the entries, and each holder with the commitment)."""
        stored = self.repository.batch(org, batch)
        if not stored:
            return None
        secrets_of = self.repository.holder_secrets([c.number for c in stored])
        first, last = stored[0].issued_index, stored[-1].issued_index
        payloads = {e.index: e.payload() for e in self.log.store.entries(first, last + 1)}
        differ = Conflict(
            f"batch id {batch} was used for other rows; a retry must send the same rows"
        )
        if len(stored) != len(checked):
            raise differ
        for certificate, item in zip(stored, checked, strict=True):
            payload = payloads[certificate.issued_index]
            secret = secrets_of.get(certificate.number)
            same = (
                payload["standard"] == item.standard
                and payload["level"] == item.level.value
                and payload["issued_on"] == item.issued_on.isoformat()
                and payload.get("assessment") == item.assessment
                and payload.get("score") == item.score
                and secret is not None
                and hmac.compare_digest(
                    payload["holder_commitment"],
                    holder_commitment(secret.salt, item.holder.id_number, item.holder.name),
                )
            )
            if not same:
                raise differ
        return BatchOutcome(
            batch,
            [
                Issued(
                    c.number,
                    c.account,
                    c.issued_index,
                    c.record,
                    secrets_of[c.number].salt if c.number in secrets_of else None,
                )
                for c in stored
            ],
            replayed=True,
        )

    def check_rows(self, actor: Principal, rows: Sequence[Mapping[str, Any]]) -> list[RowProblem]:
        """Every problem issuing ``rows`` as ``actor`` would meet (none: it would issue them);
        reads only. Forbidden for anyone but an organization."""
        if actor.role is not Role.ORG or actor.id is None:
            raise Forbidden(f"only organizations issue certificates; {actor} may not")
        try:
            self._check_rows(actor.id, rows)
        except InvalidRows as exc:
            return list(exc.problems)
        return []

    def _check_rows(
        self, org: str, rows: Sequence[Mapping[str, Any]]
    ) -> tuple[list[Issuance], dict[str, StandardRecord]]:
        today = self._today()
        problems: list[RowProblem] = []
        checked: list[Issuance] = []
        standards: dict[str, StandardRecord | None] = {}
        for position, row in enumerate(rows, start=1):
            try:
                item = issuance(
                    standard=row.get("standard"),  # type: ignore[arg-type]
                    level=row.get("level"),  # type: ignore[arg-type]
                    name=row.get("name"),  # type: ignore[arg-type]
                    id_number=row.get("id_number"),  # type: ignore[arg-type]
                    issued_on=row.get("issued_on"),
                    today=today,
                    assessment=row.get("assessment"),
                    score=row.get("score"),
                )
            except InvalidField as problem:
                problems.append(RowProblem(position, problem.field, problem.problem))
                continue
            if item.standard not in standards:
                standards[item.standard] = self.registry.standard(item.standard)
            standard = standards[item.standard]
            if standard is None:
                problems.append(
                    RowProblem(position, "standard", f"{item.standard} is not published")
                )
            elif standard.org != org:
                problems.append(
                    RowProblem(
                        position,
                        "standard",
                        f"{item.standard} belongs to organization {standard.org}, not {org}",
                    )
                )
            elif item.level not in standard.credits:
                offered = ", ".join(level.value for level in standard.levels)
                problems.append(
                    RowProblem(
                        position,
                        "level",
                        f"{item.level.value} is not a level of {item.standard} "
                        f"(offered: {offered})",
                    )
                )
            checked.append(item)
        if problems:
            raise InvalidRows(problems, len(rows))
        return checked, {code: record for code, record in standards.items() if record is not None}

    # -- revoking and erasing -----------------------------------------------------

    def revoke(self, actor: Principal, number: str, reason: str) -> tuple[int, str]:
        """Revoke a certificate (its issuing organization or the office); (index, date)."""
        check_certificate_number(number)
        record = self.repository.certificate(number)
        if record is None:
            raise NotFound(f"there is no certificate {number}")
        if not (actor.role is Role.OFFICE or (actor.role is Role.ORG and actor.id == record.org)):
            raise Forbidden(
                f"only organization {record.org}, which issued certificate {number}, "
                f"or the office may revoke it; {actor} may not"
            )
        principal = str(actor)
        payload = revoked_payload(number, reason)
        with self.log.unit_of_work() as uow:
            # Every conversion made from the certificate is reversed in the same commit.
            reversals = [
                Draft(
                    Kind.CONVERSION_REVERSED,
                    principal,
                    {"conversion": conversion, "reason": REVOKED_CERTIFICATE},
                )
                for conversion in active_conversions(uow.connection, number)
            ]
            [entry, *_reversals] = uow.append(
                Draft(Kind.CERTIFICATE_REVOKED, principal, payload), *reversals
            )
            uow.commit()
        revoked = self.repository.certificate(number)
        assert revoked is not None and revoked.revoked_on is not None
        return entry.index, revoked.revoked_on

    def erase(self, actor: Principal, account: str) -> Erased:
        """Erase a learner's personal data (office only): the store's rows and their copies in
        uploaded sheets, in one unit of work; then the scrub of the files (Erased says
        whether it finished or goes on in the background while readers hold old pages)."""
        if actor.role is not Role.OFFICE:
            raise Forbidden(f"only the office may erase personal data; {actor} may not")
        check_account_number(account)
        with self.log.unit_of_work() as uow:
            id_number = id_number_of(uow.connection, account)
            [entry] = uow.append(Draft(Kind.LEARNER_ERASED, str(actor), {"account": account}))
            if id_number is not None:
                redact_uploads(uow.connection, id_number)
            uow.commit()
        return Erased(entry.index, self.repository.scrub_personal_data())
