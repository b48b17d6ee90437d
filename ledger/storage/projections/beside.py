"""What lives beside the ledger, written in the same transaction as the entries it belongs to:
the personal-data store (learners' names and ID numbers, holders' commitment salts,
organizations' contacts), documents by their SHA-256, the hashes of API key secrets and the
codes of verification reports.

None of it is in an entry, so none of it is rebuilt from the ledger; erasing personal data
leaves the entries and their commitments as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from ledger.kinds import DOCUMENTS, PERSONAL_DATA, SECRETS, Kind
from ledger.payloads import (
    ApiKeyIssued,
    CertificateIssued,
    LearnerErased,
    LearnerOpened,
    OrgRegistered,
    ReportCreated,
    SelfEvaluationSubmitted,
)
from ledger.storage.projection import Projection, ProjectionWriter
from ledger.storage.report_tables import report_codes
from ledger.storage.store import StoredEntry
from ledger.storage.tables import (
    api_key_secrets,
    documents,
    holder_secrets,
    learner_identities,
    org_contacts,
)


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


@dataclass(frozen=True, slots=True)
class PrivateContact:
    """An organization's contact and the salt of its commitment: never in the ledger."""

    contact: str
    salt: bytes


def _identity(
    writer: ProjectionWriter, _entry: StoredEntry, p: LearnerOpened, beside: object
) -> None:
    if isinstance(beside, NewIdentity):
        writer.insert(
            learner_identities,
            {"account": p.account, "id_number": beside.id_number, "name": beside.name},
        )


def _holder(
    writer: ProjectionWriter, _entry: StoredEntry, p: CertificateIssued, beside: object
) -> None:
    if isinstance(beside, HolderSecret):
        writer.insert(
            holder_secrets,
            {
                "certificate": p.certificate,
                "account": p.account,
                "name": beside.name,
                "salt": beside.salt,
            },
        )


def _erase(writer: ProjectionWriter, _entry: StoredEntry, p: LearnerErased, _b: object) -> None:
    writer.execute(
        update(learner_identities)
        .where(learner_identities.c.account == p.account)
        .values(id_number=None, name=None)
    )
    writer.execute(
        update(holder_secrets)
        .where(holder_secrets.c.account == p.account)
        .values(name=None, salt=None)
    )


def _contact(
    writer: ProjectionWriter, _entry: StoredEntry, p: OrgRegistered, beside: object
) -> None:
    if isinstance(beside, PrivateContact):
        writer.insert(org_contacts, {"org": p.org, "contact": beside.contact, "salt": beside.salt})


def _document(
    writer: ProjectionWriter, _entry: StoredEntry, p: SelfEvaluationSubmitted, beside: object
) -> None:
    if isinstance(beside, str):
        held = writer.execute(select(documents.c.digest).where(documents.c.digest == p.digest))
        if held.first() is None and ("document", p.digest) not in writer.memo:
            writer.memo["document", p.digest] = True
            writer.insert(documents, {"digest": p.digest, "text": beside})


def _secret(writer: ProjectionWriter, _entry: StoredEntry, p: ApiKeyIssued, beside: object) -> None:
    if isinstance(beside, bytes):
        writer.insert(api_key_secrets, {"key_id": p.key_id, "secret_hash": beside})


def _report_code(
    writer: ProjectionWriter, _entry: StoredEntry, p: ReportCreated, beside: object
) -> None:
    if isinstance(beside, str):
        writer.insert(report_codes, {"report": p.report, "code": beside})


PERSONAL = Projection(
    PERSONAL_DATA,
    (learner_identities, holder_secrets, org_contacts),
    {
        Kind.LEARNER_OPENED: _identity,
        Kind.CERTIFICATE_ISSUED: _holder,
        Kind.LEARNER_ERASED: _erase,
        Kind.ORG_REGISTERED: _contact,
    },
    beside=True,
)
DOCUMENT_STORE = Projection(
    DOCUMENTS, (documents,), {Kind.SELF_EVALUATION_SUBMITTED: _document}, beside=True
)
KEY_SECRETS = Projection(
    SECRETS,
    (api_key_secrets, report_codes),
    {Kind.API_KEY_ISSUED: _secret, Kind.REPORT_CREATED: _report_code},
    beside=True,
)
