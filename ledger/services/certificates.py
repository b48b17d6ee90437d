"""Certificates' use cases: issue (one or a batch), revoke, and verify records.

Who may do what is decided here. Issuance makes its drafts under the write lock
(LogService.append_planned), so learner accounts and certificate numbers are chosen
knowing every earlier write, and a retried batch id never issues twice.
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ledger.core.canonical import EntryDraft, rows_digest
from ledger.core.errors import (
    BadSignature,
    Conflict,
    Forbidden,
    InvalidInput,
    LedgerError,
    NotFound,
)
from ledger.core.jws import MalformedRecord, RecordSigner, verify_compact
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import (
    CERTIFICATE_ISSUED,
    CERTIFICATE_REVOKED,
    CHINA_OFFSET,
    HOLDER_SALT_BYTES,
    LEARNER_ERASED,
    LEARNER_OPENED,
    InvalidRows,
    Issuance,
    RowProblem,
    check_account_number,
    check_certificate_number,
    check_record_claims,
    check_token,
    holder_commitment,
    issuance,
    issued_payload,
    name_key,
    new_account_number,
    new_certificate_number,
    normalize_name,
    record_payload,
    revoked_payload,
)
from ledger.domain.credit_bank import CONVERSION_REVERSED, REVOKED_CERTIFICATE
from ledger.domain.registry import InvalidField
from ledger.services.log import LogService
from ledger.storage.certificates import (
    CertificateRecord,
    CertificateRepository,
    HolderSecret,
    IssuePrivate,
    NewIdentity,
    accounts_of,
    batch_digest,
    taken_accounts,
    taken_numbers,
)
from ledger.storage.credit_bank import active_conversions
from ledger.storage.projections import project_learning
from ledger.storage.registry import RegistryRepository, StandardRecord, ensure_active_org
from ledger.storage.store import StoredEntry, Transaction

__all__ = [
    "MAX_BATCH_ROWS",
    "BatchOutcome",
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


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict on a record or a lookup, the reasons, and the certificate's status."""

    verdict: str  # valid, revoked, unknown or forged
    reasons: list[str] = field(default_factory=list)
    certificate: CertificateRecord | None = None
    claims: Mapping[str, Any] | None = None


class _Replayed(LedgerError):
    """Raised under the write lock when the batch was issued meanwhile: nothing is written."""


class CertificateService:
    """Issue, revoke and verify certificates; keep their holders' personal data apart."""

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
        self._signers: dict[str, RecordSigner] = {}

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
        checked, standards = self._check_rows(org, rows)
        digest = rows_digest(rows, ROW_FIELDS) if batch is not None else b""
        if batch is not None:
            stored = self._stored_batch(org, batch, digest)
            if stored is not None:
                return stored
        signer = self._signer()
        org_record = self.registry.org(org)
        if org_record is None:
            raise Forbidden(f"organization {org} is not registered")
        titles = {code: record.title for code, record in standards.items()}
        salts = [secrets.token_bytes(HOLDER_SALT_BYTES) for _ in checked]
        numbers: list[str] = []
        accounts: list[str] = []
        records: dict[str, str] = {}

        def make_record(entry: StoredEntry, payload: Mapping[str, Any]) -> str:
            claims = record_payload(
                payload,
                iss=self.public_url,
                index=entry.index,
                leaf_hash_b64=base64.b64encode(entry.leaf_hash).decode("ascii"),
                standard_title=titles[payload["standard"]],
                org_name=org_record.name,
            )
            records[payload["certificate"]] = token = signer.sign(claims)
            return token

        private = IssuePrivate({}, {}, make_record, None if batch is None else (org, batch, digest))

        def plan(connection: Transaction) -> list[EntryDraft]:
            ensure_active_org(connection, org)
            if batch is not None and batch_digest(connection, org, batch) is not None:
                raise _Replayed(batch)
            ids = sorted({item.holder.id_number for item in checked})
            account_of = accounts_of(connection, ids)
            new_ids = [id_number for id_number in ids if id_number not in account_of]
            opened = fresh_values(connection, taken_accounts, len(new_ids), new_account_number)
            drafts: list[EntryDraft] = []
            principal = str(actor)
            for id_number, account in zip(new_ids, opened, strict=True):
                account_of[id_number] = account
                drafts.append(EntryDraft(LEARNER_OPENED, principal, {"account": account}))
            names: dict[str, str] = {}
            for item in checked:
                names.setdefault(item.holder.id_number, item.holder.name)
            private.identities = {account_of[i]: NewIdentity(i, names[i]) for i in new_ids}
            numbers[:] = _fresh_numbers(connection, [item.issued_on.year for item in checked])
            accounts[:] = [account_of[item.holder.id_number] for item in checked]
            private.secrets = {}
            for item, number, account, salt in zip(checked, numbers, accounts, salts, strict=True):
                commitment = holder_commitment(salt, item.holder.id_number, item.holder.name)
                private.secrets[number] = HolderSecret(item.holder.name, salt)
                payload = issued_payload(
                    certificate=number,
                    account=account,
                    org=org,
                    issuance=item,
                    commitment=commitment,
                    batch=batch,
                )
                drafts.append(EntryDraft(CERTIFICATE_ISSUED, principal, payload))
            return drafts

        def project(connection: Transaction, appended: Sequence[StoredEntry]) -> None:
            project_learning(connection, appended, private)

        try:
            appended = self.log.append_planned(plan, project)
        except _Replayed:
            assert batch is not None
            stored = self._stored_batch(org, batch, digest)
            if stored is None:  # pragma: no cover - the batch row is never deleted
                raise Conflict(f"batch {batch} could not be read back") from None
            return stored
        issued_entries = [entry for entry in appended if entry.kind == CERTIFICATE_ISSUED]
        issued = [
            Issued(number, account, entry.index, records[number], salt)
            for number, account, entry, salt in zip(
                numbers, accounts, issued_entries, salts, strict=True
            )
        ]
        return BatchOutcome(batch or "", issued, replayed=False)

    def _stored_batch(self, org: str, batch: str, digest: bytes) -> BatchOutcome | None:
        stored = self.repository.batch(org, batch)
        if not stored:
            return None
        if self.repository.batch_digest(org, batch) != digest:
            raise Conflict(
                f"batch id {batch} was used for other rows; a retry must send the same rows"
            )
        secrets_of = self.repository.holder_secrets([c.number for c in stored])
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

    def _signer(self) -> RecordSigner:
        key = self.log.signing_key()
        signer = self._signers.get(key.kid)
        if signer is None:
            signer = self._signers[key.kid] = RecordSigner(key)
        return signer

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

        def plan(connection: Transaction) -> list[EntryDraft]:
            # Every conversion made from the certificate is reversed in the same append.
            reversals = [
                EntryDraft(
                    CONVERSION_REVERSED,
                    principal,
                    {"conversion": conversion, "reason": REVOKED_CERTIFICATE},
                )
                for conversion in active_conversions(connection, number)
            ]
            return [EntryDraft(CERTIFICATE_REVOKED, principal, payload), *reversals]

        [entry, *_reversals] = self.log.append_planned(plan, project_learning)
        revoked = self.repository.certificate(number)
        assert revoked is not None and revoked.revoked_on is not None
        return entry.index, revoked.revoked_on

    def erase(self, actor: Principal, account: str) -> int:
        """Erase a learner's personal data (office only); the ledger index of the erasure."""
        if actor.role is not Role.OFFICE:
            raise Forbidden(f"only the office may erase personal data; {actor} may not")
        check_account_number(account)
        draft = EntryDraft(LEARNER_ERASED, str(actor), {"account": account})
        [entry] = self.log.append([draft], project_learning)
        self.repository.scrub_personal_data()
        return entry.index

    # -- reading and verifying ----------------------------------------------------

    def certificate(self, number: str) -> CertificateRecord:
        """The certificate ``number``; NotFound when there is none."""
        check_certificate_number(number)
        record = self.repository.certificate(number)
        if record is None:
            raise NotFound(f"there is no certificate {number}")
        return record

    def status(self, number: str) -> CertificateRecord | None:
        """The certificate ``number`` or None: public, for status checks."""
        return self.repository.certificate(check_certificate_number(number))

    def verify(self, token: str) -> Verification:
        """Check a record: signature under a JWKS key, its entry in the log, its status."""
        keys = {key.thumbprint(): key for key in self.log.verifying_keys()}
        try:
            parsed = verify_compact(token, keys)
            claims = check_record_claims(json.loads(parsed.payload))
        except (MalformedRecord, BadSignature, InvalidInput, ValueError) as problem:
            return Verification("forged", [str(problem)])
        if claims["iss"] != self.public_url:
            return Verification("forged", [f"the record names another ledger: {claims['iss']}"])
        record = self.repository.certificate(claims["certificate"])
        if record is None:
            return Verification("unknown", ["the ledger holds no such certificate"], None, claims)
        problems = _mismatches(claims, record)
        if not problems:
            size = self.log.store.size()
            in_log = (
                claims["index"] < size
                and base64.b64encode(self.log.store.leaf_hash_at(claims["index"])).decode("ascii")
                == claims["leaf_hash"]
            )
            if not in_log:
                problems.append("the record's leaf hash is not the entry at its index")
        if problems:
            return Verification("forged", problems, None, claims)
        return _status_verdict(record, claims)

    def lookup(self, number: str, name: str) -> Verification:
        """Valid or revoked only when ``name`` is the holder's; unknown otherwise, alike
        for a wrong name, an erased holder and a number never issued."""
        check_certificate_number(number)
        given = name_key(normalize_name(name))
        record = self.repository.certificate(number)
        secret = self.repository.holder_secrets([number]).get(number) if record else None
        stored = name_key(secret.name) if secret is not None else ""
        if record is None or not hmac.compare_digest(stored.encode(), given.encode()):
            return Verification("unknown", ["no certificate with this number and holder"])
        return _status_verdict(record, None)


def _status_verdict(record: CertificateRecord, claims: Mapping[str, Any] | None) -> Verification:
    if record.revoked:
        reason = f"revoked on {record.revoked_on}: {record.revocation_reason}"
        return Verification("revoked", [reason], record, claims)
    return Verification("valid", [], record, claims)


def _mismatches(claims: Mapping[str, Any], record: CertificateRecord) -> list[str]:
    expected = {
        "index": record.issued_index,
        "standard": record.standard,
        "standard_title": record.standard_title,
        "level": record.level,
        "org": record.org,
        "org_name": record.org_name,
        "issued_on": record.issued_on,
    }
    return [
        f"the record's {member} differs from the ledger's"
        for member, value in expected.items()
        if claims[member] != value
    ]


def fresh_values(
    connection: Transaction,
    taken: Callable[[Transaction, Sequence[str]], set[str]],
    count: int,
    make: Callable[[], str],
) -> list[str]:
    """``count`` new distinct values of ``make`` that ``taken`` does not report."""
    chosen: list[str] = []
    seen: set[str] = set()
    while len(chosen) < count:
        candidates = [make() for _ in range(count - len(chosen))]
        candidates = [c for c in candidates if c not in seen]
        free = set(candidates) - taken(connection, candidates)
        for candidate in candidates:
            if candidate in free and candidate not in seen:
                seen.add(candidate)
                chosen.append(candidate)
    return chosen


def _fresh_numbers(connection: Transaction, years: Sequence[int]) -> list[str]:
    """A new certificate number for each year in ``years``, none of them taken."""
    by_year: dict[int, list[int]] = {}
    for position, year in enumerate(years):
        by_year.setdefault(year, []).append(position)
    result: list[str | None] = [None] * len(years)
    for year, positions in by_year.items():
        fresh = fresh_values(
            connection,
            taken_numbers,
            len(positions),
            functools.partial(new_certificate_number, year),
        )
        for position, number in zip(positions, fresh, strict=True):
            result[position] = number
    return [number for number in result if number is not None]
