"""The Litestar application factory: one Ledger in, one app out.

``create_app`` serves a Ledger its caller owns; ``create_app_from_env`` is the
``uvicorn --factory`` entry point that opens (and on shutdown closes) its own.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any, cast

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components
from litestar.types import Message, Scope

from api.auth import AUTH_DEPENDENCIES, BEARER_SECURITY_SCHEMES, TOKEN_EXCHANGE_LIMIT, RateLimits
from api.certificates import CertificateController, LearnerController, VerificationController
from api.console import console_router, console_state, console_stores, template_config
from api.console.learner import learner_router
from api.credit_bank import (
    ConversionController,
    LearnerAccountController,
    RuleController,
    SchoolCreditController,
)
from api.errors import EXCEPTION_HANDLERS, MAX_REQUEST_BODY_SIZE
from api.log import LogController
from api.oversight import OversightController
from api.pages import PAGE_HANDLERS
from api.pilot import AssessmentController, PilotSchoolController, PlanController
from api.registry import OrgController, SchoolController, StandardController
from api.reports import ReportsController
from api.tokens import TokenController
from ledger.bootstrap import Ledger, open_ledger
from ledger.settings import Settings

__all__ = ["MAX_REQUEST_BODY_SIZE", "create_app", "create_app_from_env"]

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


async def _no_sniffing(message: Message, _scope: Scope) -> None:
    # before_send sees every response, 404s and 413s included, unlike response_headers.
    if message["type"] == "http.response.start":
        headers = list(message.get("headers", ()))
        headers.append((b"x-content-type-options", b"nosniff"))
        cast(dict[str, Any], message)["headers"] = headers


def create_app(ledger: Ledger) -> Litestar:
    """Build the app serving ``ledger``; the caller keeps ownership and closes it."""
    consoles = console_state(ledger)
    return Litestar(
        route_handlers=[
            LogController,
            TokenController,
            OrgController,
            SchoolController,
            StandardController,
            CertificateController,
            VerificationController,
            LearnerController,
            SchoolCreditController,
            RuleController,
            ConversionController,
            LearnerAccountController,
            PilotSchoolController,
            PlanController,
            AssessmentController,
            OversightController,
            ReportsController,
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
                "rate_limits": RateLimits.create(ledger.settings.rate_limit, TOKEN_EXCHANGE_LIMIT),
                **consoles,
            }
        ),
        stores=console_stores(ledger),
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[_no_sniffing],
        request_max_body_size=MAX_REQUEST_BODY_SIZE,
        openapi_config=OpenAPIConfig(
            title="Certificate ledger",
            version=_package_version(),
            description=_DESCRIPTION,
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(security_schemes=BEARER_SECURITY_SCHEMES),
        ),
    )


def create_app_from_env() -> Litestar:
    """Open the ledger the LEDGER_* environment names and serve it; close it on shutdown.

    Workers never create anything: the first start (``first_run``) is the serve
    command's job. Raises SettingsError for a bad variable.
    """
    ledger = open_ledger(Settings.from_env(), first_run=False)
    app = create_app(ledger)
    app.on_shutdown.append(ledger.close)
    return app
