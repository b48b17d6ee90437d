"""The Litestar application factory: one Ledger in, one app out.

``create_app`` serves a Ledger its caller owns; ``create_app_from_env`` is the
``uvicorn --factory`` entry point that opens (and on shutdown closes) its own.
"""

from __future__ import annotations

import threading
from importlib.metadata import PackageNotFoundError, version
from typing import cast

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components
from litestar.types import ASGIApp

from api.assessments import AssessmentController
from api.auth import AUTH_DEPENDENCIES, BEARER_SECURITY_SCHEMES, TOKEN_EXCHANGE_LIMIT, RateLimits
from api.certificates import CertificateController
from api.consent import EnrolmentCodeController
from api.console import console_router, console_state, console_stores, template_config
from api.console.learner import learner_router
from api.conversions import ConversionController
from api.credit_bank import RuleController, SchoolCreditController
from api.documents import CertificateDocumentController, LearnerDocumentController
from api.errors import EXCEPTION_HANDLERS, MAX_REQUEST_BODY_SIZE
from api.holder_reports import HolderReportController
from api.learner_accounts import LearnerAccountController, LearnerController
from api.litestar_workarounds import no_sniffing
from api.log import LogController
from api.openapi_rules import allow_every_method, describe_rules
from api.oversight import OversightController
from api.pages import PAGE_HANDLERS
from api.pilot import PilotSchoolController, PlanController
from api.registry import OrgController
from api.reports import ReportsController
from api.request_log import RequestIdMiddleware
from api.schools import SchoolController
from api.standards import StandardController
from api.tokens import TokenController
from api.verification import VerificationController
from ledger.bootstrap import Ledger, open_ledger
from ledger.services.checkpoint_schedule import CheckpointSchedule
from ledger.settings import Settings

__all__ = [
    "MAX_REQUEST_BODY_SIZE",
    "create_app",
    "create_app_from_env",
    "create_served_app_from_env",
]

_DESCRIPTION = """\
The certificate ledger of the 1+X vocational certificate pilot: an append-only log
that is an RFC 9162 Merkle tree with C2SP signed checkpoints.

Everything under /log and /.well-known is public and needs no authentication, so that
anyone can check the log with their own code: fetch a checkpoint and verify it with the
vkey, fetch entries and recompute their leaf hashes, and check inclusion and consistency
proofs with any RFC 6962 verifier. Bytes are standard base64 with padding. Errors are
{"status_code": ..., "detail": "..."}; bad parameters are 400 with a detail naming them.

Every write needs Authorization: Bearer <token>, an EdDSA JWT of this service: operators
get one from `certledger token ROLE [ID]`, machine clients exchange an API key at
POST /auth/token. Refused tokens get 401 saying why; over the rate limit, 429 with
Retry-After.
"""


def _package_version() -> str:
    try:
        return version("certledger")
    except PackageNotFoundError:
        return "0.0.0"


def _provide_ledger(state: State) -> Ledger:
    return cast(Ledger, state.ledger)


def _swagger_ui() -> SwaggerRenderPlugin:
    # The UI's files come from the pinned swagger-ui-py package, served by this app
    # (api/pages/front.py): the documentation works with no internet.
    assets = "/static/swagger-ui"
    return SwaggerRenderPlugin(
        js_url=f"{assets}/swagger-ui-bundle.js",
        css_url=f"{assets}/swagger-ui.css",
        standalone_preset_js_url=f"{assets}/swagger-ui-standalone-preset.js",
        favicon='<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">',
    )


def create_app(ledger: Ledger) -> Litestar:
    """Build the app serving ``ledger``; the caller keeps ownership and closes it."""
    consoles = console_state(ledger)
    app = Litestar(
        route_handlers=[
            LogController,
            TokenController,
            OrgController,
            SchoolController,
            StandardController,
            CertificateController,
            CertificateDocumentController,
            VerificationController,
            LearnerController,
            SchoolCreditController,
            RuleController,
            ConversionController,
            LearnerAccountController,
            LearnerDocumentController,
            PilotSchoolController,
            PlanController,
            AssessmentController,
            OversightController,
            ReportsController,
            HolderReportController,
            EnrolmentCodeController,
            # After VerificationController: GET /verify shares its path with POST /verify.
            *PAGE_HANDLERS,
            console_router(ledger, consoles["console_secret"]),
            learner_router(ledger, consoles["console_secret"]),
        ],
        dependencies={
            "ledger": Provide(_provide_ledger, sync_to_thread=False),
            **AUTH_DEPENDENCIES,
        },
        state=State(
            {
                "ledger": ledger,
                "rate_limits": RateLimits.create(
                    ledger.settings.rate_limit, TOKEN_EXCHANGE_LIMIT, ledger=ledger
                ),
                **consoles,
            }
        ),
        stores=console_stores(ledger),
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[no_sniffing, allow_every_method],
        request_max_body_size=MAX_REQUEST_BODY_SIZE,
        # Logging is configured by the server (api/request_log.py), not by Litestar.
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="Certificate ledger",
            version=_package_version(),
            description=_DESCRIPTION,
            render_plugins=[_swagger_ui()],
            components=Components(security_schemes=BEARER_SECURITY_SCHEMES),
        ),
    )
    describe_rules(app)
    return app


def create_served_app_from_env() -> ASGIApp:
    """The app of create_app_from_env inside RequestIdMiddleware: what ``certledger serve``
    runs, so that every log line (uvicorn's access lines too) names its request."""
    return RequestIdMiddleware(create_app_from_env())


def create_app_from_env() -> Litestar:
    """Open the ledger the LEDGER_* environment names and serve it; close it on shutdown.

    Workers never create anything: the first start (``first_run``) is the serve
    command's job. Each signs checkpoints on a schedule (ledger.services.checkpoint_schedule)
    while it runs. Raises SettingsError for a bad variable.
    """
    ledger = open_ledger(Settings.from_env(), first_run=False)
    app = create_app(ledger)
    # A checkpoint follows the log within a second of its growing, asked for or not.
    schedule = CheckpointSchedule(ledger.log)
    stop = threading.Event()
    app.on_startup.append(lambda: schedule.start(stop))
    app.on_shutdown.extend([stop.set, ledger.close])
    return app
