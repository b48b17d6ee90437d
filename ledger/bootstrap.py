"""The composition root: settings -> engine -> store -> services, with keys.

Nothing is built at import time; callers ask for a Ledger and dispose of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from keys.folder import KeyFolder
from keys.published import PublishedCheckpoint
from ledger.core.errors import InvalidInput
from ledger.services.certificates import CertificateService
from ledger.services.credit_bank import CreditBankService
from ledger.services.issue_sheets import IssueSheets
from ledger.services.learner_access import LearnerAccessService
from ledger.services.log import LogService
from ledger.services.pilot import PilotService
from ledger.services.registry import RegistryService
from ledger.services.reports import ReportService
from ledger.services.request_gate import STANDING_KINDS, RequestGate
from ledger.services.results_sheets import ResultsSheets
from ledger.services.staff import StaffService
from ledger.services.standard_documents import StandardDocuments
from ledger.services.statistics import StatisticsService
from ledger.services.tokens import TokenService
from ledger.services.uploads import SheetService
from ledger.settings import RateLimit, Settings
from ledger.storage import migrate
from ledger.storage.certificates import CertificateRepository
from ledger.storage.change_watch import ChangeWatch
from ledger.storage.credit_bank_reads import CreditBankRepository
from ledger.storage.engine import create_ledger_engine, is_sqlite, sqlite_file_exists
from ledger.storage.learner_access import LearnerAccessRepository
from ledger.storage.org_lists import OrgLists
from ledger.storage.pilot import PilotRepository
from ledger.storage.pilot_reads import PilotReads
from ledger.storage.principals import PrincipalStore
from ledger.storage.projections.identity import identities
from ledger.storage.rate_counters import SharedRateLimiter
from ledger.storage.registry import RegistryRepository
from ledger.storage.reports import ReportRepository
from ledger.storage.school_lists import SchoolLists
from ledger.storage.sessions import FailureCounters
from ledger.storage.staff import StaffRepository
from ledger.storage.statistics import StatisticsRepository
from ledger.storage.store import LedgerStore
from ledger.storage.uploads import Uploads

logger = logging.getLogger(__name__)


@dataclass
class Ledger:
    """One opened ledger: its settings, engine, store and services."""

    settings: Settings
    engine: Engine
    store: LedgerStore
    log: LogService
    tokens: TokenService
    registry: RegistryService
    certificates: CertificateService
    credit_bank: CreditBankService
    pilot: PilotService
    statistics: StatisticsService
    staff: StaffService
    school_lists: SchoolLists
    sheets: SheetService
    reports: ReportService
    learner_access: LearnerAccessService
    documents: LearnerAccessRepository
    org_lists: OrgLists
    results_sheets: ResultsSheets
    standard_documents: StandardDocuments
    issue_sheets: IssueSheets
    #: Tokens and principals' standing as the request path checks them, cached.
    gate: RequestGate

    def adopt_identity(self) -> int | None:
        """Record the configured public URL as the ledger's identity when it has none yet
        (a new ledger, or one older than identities); the entry's index, or None."""
        if self.log.identities():
            return None
        return self.log.record_identity(self.settings.public_url)

    def shared_limiter(self, limit: RateLimit, what: str, scope: str) -> SharedRateLimiter:
        """A rate limiter counting in this ledger's database (shared by every process)."""
        return SharedRateLimiter(self.engine, limit, what, scope)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def _stored_identity(settings: Settings, engine: Engine) -> Settings:
    """``settings`` with the public URL the ledger recorded, which wins over the
    environment's: a warning says so when they differ."""
    stored = identities(engine)
    if not stored or stored[-1].public_url == settings.public_url:
        return settings
    current = stored[-1]
    logger.warning(
        "LEDGER_PUBLIC_URL is %s, but this ledger's identity is %s (entry %d): using the "
        "ledger's; `certledger identity set URL` changes it",
        settings.public_url,
        current.public_url,
        current.index,
    )
    return replace(settings, public_url=current.public_url)


def open_ledger(settings: Settings, *, first_run: bool = True) -> Ledger:
    """Open the ledger the settings point at.

    With ``first_run`` (the default) the data folder, database schema and first
    signing key, and the service key that signs bearer tokens, are created when
    missing; without it the schema must be current and nothing is created.
    """
    if first_run and is_sqlite(settings.database_url):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not first_run and not sqlite_file_exists(settings.database_url):
        raise InvalidInput(f"there is no ledger database at {settings.database_url}")
    engine = create_ledger_engine(settings.database_url)
    if first_run:
        migrate.upgrade(engine)
    elif not migrate.is_current(engine):
        engine.dispose()
        raise InvalidInput(f"{settings.database_url} does not hold a current ledger schema")
    settings = _stored_identity(settings, engine)
    store = LedgerStore(engine)
    published = PublishedCheckpoint(settings.data_dir)
    log = LogService(
        store, KeyFolder(settings.keys_dir), settings.origin, settings.public_url, published
    )
    tokens = TokenService(
        log, PrincipalStore(engine), KeyFolder(settings.token_keys_dir), settings.public_url
    )
    if first_run:
        log.ensure_signing_key()
        tokens.ensure_key()
    registry_repository = RegistryRepository(engine)
    registry = RegistryService(log, registry_repository)
    certificate_repository = CertificateRepository(engine)
    certificates = CertificateService(
        log, certificate_repository, registry_repository, settings.public_url
    )
    credit_bank = CreditBankService(log, CreditBankRepository(engine))
    pilot = PilotService(log, PilotRepository(engine), certificates, PilotReads(engine))
    statistics = StatisticsService(StatisticsRepository(engine))
    staff_repository = StaffRepository(engine)
    staff = StaffService(
        log,
        staff_repository,
        registry_repository,
        PrincipalStore(engine),
        FailureCounters(engine),
    )
    lists = SchoolLists(engine)
    access = LearnerAccessRepository(engine)
    org_lists = OrgLists(engine)
    return Ledger(
        settings,
        engine,
        store,
        log,
        tokens,
        registry,
        certificates,
        credit_bank,
        pilot,
        statistics,
        staff,
        lists,
        SheetService(credit_bank, Uploads(engine)),
        ReportService(log, ReportRepository(engine), certificate_repository, staff_repository),
        LearnerAccessService(log, access, lists, FailureCounters(engine)),
        access,
        org_lists,
        ResultsSheets(pilot, org_lists, Uploads(engine)),
        StandardDocuments(registry, access),
        IssueSheets(certificates, Uploads(engine)),
        RequestGate(tokens, registry, ChangeWatch(engine, STANDING_KINDS)),
    )
