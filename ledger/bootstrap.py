"""The composition root: settings -> engine -> store -> services, with keys.

Nothing is built at import time; callers ask for a Ledger and dispose of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from keys.folder import KeyFolder
from ledger.core.errors import InvalidInput
from ledger.services.certificates import CertificateService
from ledger.services.credit_bank import CreditBankService
from ledger.services.learner_access import LearnerAccessService
from ledger.services.log import LogService
from ledger.services.pilot import PilotService
from ledger.services.registry import RegistryService
from ledger.services.reports import ReportService
from ledger.services.request_gate import STANDING_KINDS, RequestGate
from ledger.services.results_sheets import ResultsSheets
from ledger.services.staff import StaffService
from ledger.services.statistics import StatisticsService
from ledger.services.tokens import TokenService
from ledger.services.uploads import SheetService
from ledger.settings import Settings
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
from ledger.storage.registry import RegistryRepository
from ledger.storage.reports import ReportRepository
from ledger.storage.school_lists import SchoolLists
from ledger.storage.sessions import FailureCounters
from ledger.storage.staff import StaffRepository
from ledger.storage.statistics import StatisticsRepository
from ledger.storage.store import LedgerStore
from ledger.storage.uploads import Uploads


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
    #: Tokens and principals' standing as the request path checks them, cached.
    gate: RequestGate

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


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
    store = LedgerStore(engine)
    log = LogService(store, KeyFolder(settings.keys_dir), settings.origin, settings.public_url)
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
        RequestGate(tokens, registry, ChangeWatch(engine, STANDING_KINDS)),
    )
