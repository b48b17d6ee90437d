"""Verification reports a holder controls: a learner creates one for a certificate of theirs,
valid 30 to 180 days, and may withdraw it; whoever holds its code sees the certificate with
the holder's full name while it is valid, and each such showing is recorded.

``report.created`` and ``report.withdrawn`` carry the report id, the certificate, the
validity and SHA-256 of the code, never a name; the code itself stays beside the ledger.
The clock is injected, so tests move time rather than wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ledger.core.canonical import format_timestamp
from ledger.core.errors import Conflict, Forbidden, NotFound
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import check_certificate_number
from ledger.domain.reports import (
    check_days,
    check_report_id,
    code_hash,
    new_code,
    new_report_id,
    normal_code,
)
from ledger.kinds import Kind
from ledger.services.log import LogService
from ledger.storage.certificates import CertificateRecord, CertificateRepository
from ledger.storage.certificates import _first_certificate as certificate_in
from ledger.storage.reports import ReportRepository, ReportRow, report_by_id
from ledger.storage.staff import StaffRepository
from ledger.storage.tables import holder_secrets
from ledger.storage.unit_of_work import Draft

__all__ = ["NewReport", "ReportRow", "ReportService", "ShownReport"]

#: How the access log names a report's reader: nobody signed in, only the code was known.
READER = "-"
#: The page the access log names (never the code, which would open the report again).
REPORT_PAGE = "/reports/verify"


@dataclass(frozen=True, slots=True)
class NewReport:
    """A report just created: its id, its code (shown to the holder once, kept beside the
    ledger), its validity and the index of its ``report.created`` entry."""

    report: str
    code: str
    certificate: str
    valid_until: str
    index: int


@dataclass(frozen=True, slots=True)
class ShownReport:
    """What a report code opens: its state (``valid``, ``expired``, ``withdrawn``), the
    report, the certificate, and the holder's name (only when valid; None once erased)."""

    state: str
    report: ReportRow
    certificate: CertificateRecord
    name: str | None


class ReportService:
    """Create, list and withdraw reports for their holders; open one by its code."""

    def __init__(
        self,
        log: LogService,
        repository: ReportRepository,
        certificates: CertificateRepository,
        access: StaffRepository,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.log = log
        self.repository = repository
        self.certificates = certificates
        self.access = access
        self.clock = clock

    def now(self) -> str:
        """The service's clock as an entry timestamp."""
        return format_timestamp(datetime.fromtimestamp(self.clock(), UTC))

    def create(self, principal: Principal, certificate: str, days: object) -> NewReport:
        """A new report of ``certificate`` valid ``days`` days from now.

        Forbidden unless ``principal`` is the learner who holds the certificate; InvalidInput
        for a malformed number or days outside 30..180; NotFound for a number never issued;
        Conflict when the certificate is revoked or its holder's name was erased.
        """
        learner = _learner(principal)
        number = check_certificate_number(certificate)
        valid_days = check_days(days)
        code, report = new_code(), new_report_id()
        moment = datetime.fromtimestamp(self.clock(), UTC)
        valid_until = format_timestamp(moment + timedelta(days=valid_days))
        with self.log.unit_of_work() as uow:
            held = certificate_in(uow.connection, number)
            if held is None:
                raise NotFound(f"there is no certificate {number}")
            if held.account != learner:
                raise Forbidden(f"certificate {number} is not one of yours")
            if held.revoked:
                raise Conflict(f"certificate {number} is revoked: a report cannot show it")
            name = uow.connection.execute(
                holder_secrets.select().where(holder_secrets.c.certificate == number)
            ).first()
            if name is None or name.name is None:
                raise Conflict("your name was erased: a report has no name to show")
            payload = {
                "report": report,
                "certificate": number,
                "days": valid_days,
                "valid_until": valid_until,
                "code_hash": code_hash(code),
            }
            [entry] = uow.append(Draft(Kind.REPORT_CREATED, str(principal.party()), payload, code))
            uow.commit()
        return NewReport(report, code, number, valid_until, entry.index)

    def reports_of(self, principal: Principal) -> list[ReportRow]:
        """The reports of the learner ``principal``, newest first (Forbidden for others)."""
        return self.repository.reports_of(_learner(principal))

    def owned(self, principal: Principal, report: str) -> tuple[ReportRow, str]:
        """The report ``report`` of the learner ``principal`` and its code; NotFound when it
        is not theirs (another's report is not told apart from none)."""
        learner = _learner(principal)
        row = self.repository.report(check_report_id(report))
        code = None if row is None else self.repository.code(row.report)
        if row is None or row.account != learner or code is None:
            raise NotFound(f"you have no report {report}")
        return row, code

    def withdraw(self, principal: Principal, report: str) -> int:
        """Withdraw the report ``report`` of the learner ``principal``: its code stops
        working at once. NotFound when it is not theirs; Conflict when already withdrawn.
        The index of the ``report.withdrawn`` entry."""
        learner = _learner(principal)
        checked = check_report_id(report)
        with self.log.unit_of_work() as uow:
            row = report_by_id(uow.connection, checked)
            if row is None or row.account != learner:
                raise NotFound(f"you have no report {checked}")
            if row.withdrawn_index is not None:
                raise Conflict(f"report {checked} was withdrawn already")
            [entry] = uow.append(
                Draft(Kind.REPORT_WITHDRAWN, str(principal.party()), {"report": checked})
            )
            uow.commit()
        return entry.index

    def open(self, typed: str) -> ShownReport:
        """What the code ``typed`` opens. InvalidInput for a malformed or mistyped code;
        NotFound when no report has it. A valid report carries the holder's name, and the
        showing is written to the personal-data access log before it is returned."""
        row = self.repository.by_code_hash(code_hash(normal_code(typed)))
        if row is None:
            raise NotFound("there is no report with this code")
        certificate = self.certificates.certificate(row.certificate)
        if certificate is None:  # pragma: no cover - a report names an issued certificate
            raise NotFound("there is no report with this code")
        now = self.now()
        state = row.state(now)
        name = None
        if state == "valid":
            name = self.repository.holder_name(row.certificate)
            if name is not None:
                self.access.log_access(
                    int(self.clock()),
                    READER,
                    f"report:{row.report}",
                    [row.account],
                    REPORT_PAGE,
                    "name",
                )
        return ShownReport(state, row, certificate, name)


def _learner(principal: Principal) -> str:
    if principal.role is not Role.LEARNER or principal.id is None:
        raise Forbidden("only a learner creates and withdraws reports of their own certificates")
    return principal.id
