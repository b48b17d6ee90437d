"""The certificates projection: learning accounts, certificates with their signed records and
revocations, and the batches they were issued in.

A certificate's record is signed here, inside the append, once its ledger index and leaf
hash are known: by the key the ledger names as active at that point of the log. Ed25519
signatures are deterministic, so a rebuild signs the very same record again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import msgspec
from sqlalchemy import select, update

from ledger.core.errors import Conflict, NotFound
from ledger.domain.certificates import china_date, record_payload
from ledger.kinds import CERTIFICATES, Kind
from ledger.payloads import CertificateIssued, CertificateRevoked, LearnerErased, LearnerOpened
from ledger.storage.projection import SIGNER_MEMO, Projection, ProjectionWriter
from ledger.storage.store import StoredEntry
from ledger.storage.tables import certificate_batches, certificates, learners, orgs, standards

#: What the audit's replay keeps in place of a signed record: the claims it must carry.
CLAIMS_PREFIX = "claims:"


def _opened(writer: ProjectionWriter, entry: StoredEntry, p: LearnerOpened, _b: object) -> None:
    writer.insert(learners, {"account": p.account, "opened_index": entry.index})


def _names(writer: ProjectionWriter, standard: str, org: str) -> tuple[str, str]:
    """The standard's title and the organization's name (the same for the whole append)."""
    key = ("names", standard, org)
    found = writer.memo.get(key)
    if found is None:
        title = writer.execute(select(standards.c.title).where(standards.c.code == standard))
        name = writer.execute(select(orgs.c.name).where(orgs.c.id == org))
        found = writer.memo[key] = (title.scalar_one(), name.scalar_one())
    names: tuple[str, str] = found
    return names


#: Records signed per job of the signing threads: enough that a job's overhead is small
#: beside its signatures, few enough that the threads start while the append still has
#: entries to project.
_SIGN_CHUNK = 32
#: Signs records beside the thread that projects (cryptography releases the GIL while it
#: signs), so a batch's signatures take the second core.
_SIGNERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="record-signer")
_PENDING = ("records to sign",)


def _sign_all(sign: Callable[[bytes], str], claims: list[bytes]) -> list[str]:
    return [sign(item) for item in claims]


class _Signing:
    """The records of one append waiting for their signatures, in chunks on the signing
    threads; each goes into its certificate's row before the rows are written. Ed25519 is
    deterministic, so where a record was signed changes none of its bytes."""

    def __init__(self, writer: ProjectionWriter) -> None:
        self.writer = writer
        self.sign: Callable[[bytes], str] | None = None
        self.claims: list[bytes] = []
        self.rows: list[dict[str, Any]] = []
        self.jobs: list[tuple[Future[list[str]], list[dict[str, Any]]]] = []

    def add(self, sign: Callable[[bytes], str], claims: bytes, row: dict[str, Any]) -> None:
        if sign is not self.sign:  # a new key from here on: the chunk so far keeps its own
            self.submit()
            self.sign = sign
        self.claims.append(claims)
        self.rows.append(row)
        if len(self.claims) >= _SIGN_CHUNK:
            self.submit()

    def submit(self) -> None:
        if self.claims and self.sign is not None:
            self.jobs.append((_SIGNERS.submit(_sign_all, self.sign, self.claims), self.rows))
        self.claims, self.rows = [], []

    def finish(self) -> None:
        """Fill in every record (the last chunk is signed here, rather than waited for)."""
        self.writer.memo.pop(_PENDING, None)
        if self.claims and self.sign is not None:
            self.jobs.append((_done(_sign_all(self.sign, self.claims)), self.rows))
        self.claims, self.rows = [], []
        records = self.writer.outputs.setdefault("records", {})
        for job, rows in self.jobs:
            for row, record in zip(rows, job.result(), strict=True):
                row["record"] = record
                records[row["number"]] = record
        self.jobs.clear()


def _done(value: list[str]) -> Future[list[str]]:
    future: Future[list[str]] = Future()
    future.set_result(value)
    return future


def _claims(writer: ProjectionWriter, entry: StoredEntry, p: CertificateIssued) -> bytes:
    title, org_name = _names(writer, p.standard, p.org)
    return record_payload(
        msgspec.to_builtins(p),
        iss=writer.context.issuer,
        index=entry.index,
        leaf_hash_b64=base64.b64encode(entry.leaf_hash).decode("ascii"),
        standard_title=title,
        org_name=org_name,
    )


def _sign_later(writer: ProjectionWriter, claims: bytes, row: dict[str, Any]) -> None:
    """Have ``row``'s record signed (on the signing threads) before the rows are written."""
    signer_of = writer.context.sign_record
    assert signer_of is not None
    sign = writer.memo.get(SIGNER_MEMO)
    if sign is None:
        writer.flush()  # the signing keys as the log stands here
        sign = writer.memo[SIGNER_MEMO] = signer_of(writer.connection)
    pending = writer.memo.get(_PENDING)
    if pending is None:
        pending = writer.memo[_PENDING] = _Signing(writer)
        writer.before_flush(pending.finish)
    pending.add(sign, claims, row)


def _issued(writer: ProjectionWriter, entry: StoredEntry, p: CertificateIssued, _b: object) -> None:
    claims = _claims(writer, entry, p)
    row = {
        "number": p.certificate,
        "account": p.account,
        "standard": p.standard,
        "level": p.level,
        "org": p.org,
        "issued_on": p.issued_on,
        "batch": p.batch,
        "issued_index": entry.index,
        # What the audit's replay keeps; a signed record replaces it before it is written.
        "record": CLAIMS_PREFIX + claims.decode("utf-8"),
    }
    if writer.context.sign_record is not None:
        _sign_later(writer, claims, row)
    writer.insert(certificates, row)
    if p.batch is not None:
        _count_in_batch(writer, entry, p.org, p.batch)


def _count_in_batch(writer: ProjectionWriter, entry: StoredEntry, org: str, batch: str) -> None:
    key = ("batch", org, batch)
    if key not in writer.memo:
        found = writer.execute(
            select(certificate_batches.c.size).where(
                certificate_batches.c.org == org, certificate_batches.c.batch == batch
            )
        ).first()
        writer.memo[key] = found is not None
        if found is None:
            writer.insert(
                certificate_batches,
                {"org": org, "batch": batch, "size": 1, "first_index": entry.index},
            )
            return
    writer.add(certificate_batches, ("org", "batch"), (org, batch), size=1)


def _revoked(
    writer: ProjectionWriter, entry: StoredEntry, p: CertificateRevoked, _b: object
) -> None:
    row = writer.execute(
        select(certificates.c.revoked_index).where(certificates.c.number == p.certificate)
    ).first()
    if row is None:
        raise NotFound(f"there is no certificate {p.certificate}")
    if row.revoked_index is not None:
        raise Conflict(f"certificate {p.certificate} is revoked already")
    writer.execute(
        update(certificates)
        .where(certificates.c.number == p.certificate)
        .values(
            revoked_index=entry.index,
            revoked_on=china_date(entry.timestamp),
            revocation_reason=p.reason,
        )
    )


def _erased(writer: ProjectionWriter, entry: StoredEntry, p: LearnerErased, _b: object) -> None:
    row = writer.execute(
        select(learners.c.erased_index).where(learners.c.account == p.account)
    ).first()
    if row is None:
        raise NotFound(f"there is no learning account {p.account}")
    if row.erased_index is not None:
        raise Conflict(f"the personal data of account {p.account} is erased already")
    writer.execute(
        update(learners).where(learners.c.account == p.account).values(erased_index=entry.index)
    )


HANDLERS: dict[Kind, Any] = {
    Kind.LEARNER_OPENED: _opened,
    Kind.CERTIFICATE_ISSUED: _issued,
    Kind.CERTIFICATE_REVOKED: _revoked,
    Kind.LEARNER_ERASED: _erased,
}

PROJECTION = Projection(
    CERTIFICATES,
    (learners, certificates, certificate_batches),
    HANDLERS,
    checked_columns={"certificates": "record"},
)
