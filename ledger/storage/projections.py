"""The projections of learners: certificates, the personal-data store, the credit bank,
and the assessments certificates come from.

Every append that writes learner, certificate, credit, rule or conversion entries runs
``project_learning``, so no projection of them can be forgotten by one writer.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from ledger.storage.certificates import IssuePrivate, project_certificates
from ledger.storage.credit_bank import project_credit_bank
from ledger.storage.pilot import project_pilot
from ledger.storage.store import StoredEntry


def project_learning(
    connection: Connection, appended: Sequence[StoredEntry], private: IssuePrivate | None = None
) -> None:
    """Certificates (with the personal data in ``private``) first, then the credit bank and
    the pilot's candidates; each entry's bytes are parsed once for all three."""
    payloads = [entry.payload() for entry in appended]
    project_certificates(connection, appended, private, payloads)
    project_credit_bank(connection, appended, payloads)
    project_pilot(connection, appended, None, payloads)
