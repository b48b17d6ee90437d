"""Reads of certificates and learners (projections/certificates.py writes them), and of the
personal-data store beside them (projections/beside.py), which is written in the same
transaction as the entries that need it, so a crash leaves either both or neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, select

from ledger.storage.engine import scrub_soon
from ledger.storage.projections.beside import HolderSecret
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

    # The names the public status (schemas.certificates.CertificateStatus) gives these facts.

    @property
    def certificate(self) -> str:
        """The certificate number (the status's name for it)."""
        return self.number

    @property
    def status(self) -> str:
        """``valid``, or ``revoked`` once a ``certificate.revoked`` entry names it."""
        return "revoked" if self.revoked else "valid"

    @property
    def index(self) -> int:
        """The ledger index of the ``certificate.issued`` entry."""
        return self.issued_index


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


def batch_issued(connection: Connection, org: str, batch: str) -> bool:
    """True when ``org`` has issued batch ``batch``."""
    row = connection.execute(
        select(certificate_batches.c.size).where(
            certificate_batches.c.org == org, certificate_batches.c.batch == batch
        )
    ).first()
    return row is not None


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


#: Built once: a status read is one of the most frequent requests, and building the joined
#: select costs more than running it.
_BY_NUMBER = _certificate_query().where(certificates.c.number == bindparam("number"))


def _first_certificate(connection: Connection, number: str) -> CertificateRecord | None:
    row = connection.execute(_BY_NUMBER, {"number": number}).first()
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

    def scrub_personal_data(self) -> bool:
        """Overwrite what erasures left in the database files (storage.engine.scrub_soon);
        False when readers delay it and a background thread finishes it."""
        return scrub_soon(self.engine, ("learner_identities", "holder_secrets", "upload_previews"))
