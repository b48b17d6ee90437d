"""Certificates and learners as the ledger left them, and the personal-data store beside them.

The projection rows change only inside the append of the entries they mirror. The
personal-data tables (``learner_identities``, ``holder_secrets``) are written in the same
transaction as the entries that need them, so a crash leaves either both or neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, select, update

from ledger.core.errors import Conflict, NotFound
from ledger.domain.certificates import (
    CERTIFICATE_ISSUED,
    CERTIFICATE_KINDS,
    CERTIFICATE_REVOKED,
    LEARNER_ERASED,
    LEARNER_OPENED,
    china_date,
)
from ledger.storage.engine import scrub
from ledger.storage.store import StoredEntry
from ledger.storage.tables import (
    certificate_batches,
    certificates,
    holder_secrets,
    learner_identities,
    learners,
    orgs,
    standards,
)

#: IN lists are sent in chunks of this many values (SQLite allows 32,766 parameters).
_CHUNK = 500

#: Signs the record of one ``certificate.issued`` entry given its payload.
RecordMaker = Callable[[StoredEntry, Mapping[str, Any]], str]


@dataclass(frozen=True, slots=True)
class NewIdentity:
    """The personal data of a learner whose account an append opens."""

    id_number: str
    name: str


@dataclass(frozen=True, slots=True)
class HolderSecret:
    """The full name and commitment salt of one certificate's holder."""

    name: str
    salt: bytes


@dataclass
class IssuePrivate:
    """What an issuing append keeps beside the ledger: never in an entry."""

    identities: dict[str, NewIdentity]
    secrets: dict[str, HolderSecret]
    make_record: RecordMaker | None = None
    batch: tuple[str, str, bytes] | None = None  # org, batch id, digest


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """A certificate as the projection holds it, with its standard's title and issuer's name."""

    number: str
    account: str
    standard: str
    standard_title: str
    level: str
    org: str
    org_name: str
    issued_on: str
    batch: str | None
    issued_index: int
    record: str
    revoked_index: int | None
    revoked_on: str | None
    revocation_reason: str | None

    @property
    def revoked(self) -> bool:
        """True once a ``certificate.revoked`` entry names it."""
        return self.revoked_index is not None


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# -- reads inside the append (under the write lock) -----------------------------------


def accounts_of(connection: Connection, id_numbers: Sequence[str]) -> dict[str, str]:
    """Account number by ID number, for the learners the personal-data store holds."""
    found: dict[str, str] = {}
    for chunk in _chunks(id_numbers):
        rows = connection.execute(
            select(learner_identities.c.id_number, learner_identities.c.account).where(
                learner_identities.c.id_number.in_(chunk)
            )
        )
        found.update({row.id_number: row.account for row in rows})
    return found


def taken_numbers(connection: Connection, numbers: Sequence[str]) -> set[str]:
    """Which of ``numbers`` already name a certificate."""
    taken: set[str] = set()
    for chunk in _chunks(numbers):
        rows = connection.execute(
            select(certificates.c.number).where(certificates.c.number.in_(chunk))
        )
        taken.update(row.number for row in rows)
    return taken


def taken_accounts(connection: Connection, accounts: Sequence[str]) -> set[str]:
    """Which of ``accounts`` already name a learning account."""
    taken: set[str] = set()
    for chunk in _chunks(accounts):
        rows = connection.execute(select(learners.c.account).where(learners.c.account.in_(chunk)))
        taken.update(row.account for row in rows)
    return taken


def batch_digest(connection: Connection, org: str, batch: str) -> bytes | None:
    """The digest of batch ``batch`` of ``org`` if it was issued, else None."""
    row = connection.execute(
        select(certificate_batches.c.digest).where(
            certificate_batches.c.org == org, certificate_batches.c.batch == batch
        )
    ).first()
    return None if row is None else bytes(row.digest)


# -- projecting ---------------------------------------------------------------------


def project_certificates(
    connection: Connection,
    appended: Sequence[StoredEntry],
    private: IssuePrivate | None = None,
    payloads: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Mirror learner.* and certificate.* entries into their tables.

    ``private`` holds the personal data and the record signer of an issuing append;
    ``payloads`` the entries' payloads if the caller has them.
    Raises NotFound or Conflict for a revocation or erasure the state does not allow;
    the append then writes nothing.
    """
    learner_rows: list[dict[str, Any]] = []
    identity_rows: list[dict[str, Any]] = []
    certificate_rows: list[dict[str, Any]] = []
    secret_rows: list[dict[str, Any]] = []
    first_issued: int | None = None
    for position, entry in enumerate(appended):
        kind = entry.kind
        if kind not in CERTIFICATE_KINDS:
            continue
        payload = payloads[position] if payloads is not None else entry.payload()
        if kind == CERTIFICATE_ISSUED:
            number = payload["certificate"]
            if private is None or private.make_record is None:
                raise ValueError("issuing a certificate needs its private part and signer")
            certificate_rows.append(
                {
                    "number": number,
                    "account": payload["account"],
                    "standard": payload["standard"],
                    "level": payload["level"],
                    "org": payload["org"],
                    "issued_on": payload["issued_on"],
                    "batch": payload.get("batch"),
                    "issued_index": entry.index,
                    "record": private.make_record(entry, payload),
                }
            )
            secret = private.secrets[number]
            secret_rows.append(
                {
                    "certificate": number,
                    "account": payload["account"],
                    "name": secret.name,
                    "salt": secret.salt,
                }
            )
            first_issued = entry.index if first_issued is None else first_issued
        elif kind == LEARNER_OPENED:
            account = payload["account"]
            learner_rows.append({"account": account, "opened_index": entry.index})
            identity = None if private is None else private.identities.get(account)
            if identity is not None:
                identity_rows.append(
                    {"account": account, "id_number": identity.id_number, "name": identity.name}
                )
        elif kind == CERTIFICATE_REVOKED:
            _revoke(connection, entry, payload)
        elif kind == LEARNER_ERASED:
            _erase(connection, payload["account"], entry.index)
    for table, rows in (
        (learners, learner_rows),
        (learner_identities, identity_rows),
        (certificates, certificate_rows),
        (holder_secrets, secret_rows),
    ):
        if rows:
            connection.execute(table.insert(), rows)
    if private is not None and private.batch is not None and first_issued is not None:
        org, batch, digest = private.batch
        connection.execute(
            certificate_batches.insert(),
            {
                "org": org,
                "batch": batch,
                "digest": digest,
                "size": len(certificate_rows),
                "first_index": first_issued,
            },
        )


def _revoke(connection: Connection, entry: StoredEntry, payload: Mapping[str, Any]) -> None:
    number = payload["certificate"]
    row = connection.execute(
        select(certificates.c.revoked_index).where(certificates.c.number == number)
    ).first()
    if row is None:
        raise NotFound(f"there is no certificate {number}")
    if row.revoked_index is not None:
        raise Conflict(f"certificate {number} is revoked already")
    connection.execute(
        update(certificates)
        .where(certificates.c.number == number)
        .values(
            revoked_index=entry.index,
            revoked_on=china_date(entry.timestamp),
            revocation_reason=payload["reason"],
        )
    )


def _erase(connection: Connection, account: str, index: int) -> None:
    row = connection.execute(
        select(learners.c.erased_index).where(learners.c.account == account)
    ).first()
    if row is None:
        raise NotFound(f"there is no learning account {account}")
    if row.erased_index is not None:
        raise Conflict(f"the personal data of account {account} is erased already")
    connection.execute(
        update(learners).where(learners.c.account == account).values(erased_index=index)
    )
    connection.execute(
        update(learner_identities)
        .where(learner_identities.c.account == account)
        .values(id_number=None, name=None)
    )
    connection.execute(
        update(holder_secrets)
        .where(holder_secrets.c.account == account)
        .values(name=None, salt=None)
    )


# -- reading ------------------------------------------------------------------------

_CERTIFICATE_COLUMNS = (
    *certificates.c,
    standards.c.title.label("standard_title"),
    orgs.c.name.label("org_name"),
)


def _certificate_query() -> Any:
    return (
        select(*_CERTIFICATE_COLUMNS)
        .join(standards, standards.c.code == certificates.c.standard)
        .join(orgs, orgs.c.id == certificates.c.org)
    )


def _certificate(row: Row[Any]) -> CertificateRecord:
    return CertificateRecord(
        number=row.number,
        account=row.account,
        standard=row.standard,
        standard_title=row.standard_title,
        level=row.level,
        org=row.org,
        org_name=row.org_name,
        issued_on=row.issued_on,
        batch=row.batch,
        issued_index=row.issued_index,
        record=row.record,
        revoked_index=row.revoked_index,
        revoked_on=row.revoked_on,
        revocation_reason=row.revocation_reason,
    )


def _first_certificate(connection: Connection, number: str) -> CertificateRecord | None:
    row = connection.execute(_certificate_query().where(certificates.c.number == number)).first()
    return None if row is None else _certificate(row)


class CertificateRepository:
    """Read certificates, batches and the personal-data store outside any append."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def certificate(self, number: str) -> CertificateRecord | None:
        """The certificate ``number``, or None."""
        with self.engine.connect() as connection:
            return _first_certificate(connection, number)

    def batch(self, org: str, batch: str) -> list[CertificateRecord]:
        """The certificates batch ``batch`` of ``org`` issued, in ledger order."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                _certificate_query()
                .where(certificates.c.org == org, certificates.c.batch == batch)
                .order_by(certificates.c.issued_index)
            )
            return [_certificate(row) for row in rows]

    def batch_digest(self, org: str, batch: str) -> bytes | None:
        """The digest of the rows of batch ``batch`` of ``org``, or None if never issued."""
        with self.engine.connect() as connection:
            return batch_digest(connection, org, batch)

    def holder_secrets(self, numbers: Sequence[str]) -> dict[str, HolderSecret]:
        """Name and salt of the holders of ``numbers`` that are not erased."""
        found: dict[str, HolderSecret] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(numbers):
                rows = connection.execute(
                    select(holder_secrets).where(
                        holder_secrets.c.certificate.in_(chunk), holder_secrets.c.salt.is_not(None)
                    )
                )
                found.update(
                    {row.certificate: HolderSecret(row.name, bytes(row.salt)) for row in rows}
                )
        return found

    def scrub_personal_data(self) -> None:
        """Overwrite what erasures left in the database files (storage.engine.scrub)."""
        scrub(self.engine, ("learner_identities", "holder_secrets"))
