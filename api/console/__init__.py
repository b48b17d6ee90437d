"""The consoles staff sign in to, under ``/console``: sign-in and invitations for every
party, and the school's console (students, credits, rules, conversions, plans,
assessments, self-evaluations, staff, exports); the office and auditors read the
personal-data access log.

Server-rendered with Jinja2 (Litestar's TemplateConfig), every form a plain HTML form
with Litestar's CSRF token, sessions server-side in the database. ``console_router``
gives the router with its middleware; ``console_app_config`` what the app needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from api.console.base import SignInRequired, provide_staff, sign_in_redirect
from api.console.errors import html_error
from api.console.learner_codes import ActivationController, CodeSheetController
from api.console.office import OfficeController
from api.console.office_access import OfficeAccessController
from api.console.office_pages import OfficePagesController
from api.console.office_registry import RegistryController
from api.console.org import (
    OrgAssessmentsController,
    OrgCertificatesController,
    OrgUploadsController,
)
from api.console.org_issue import OrgIssueController
from api.console.org_registry import (
    OrgScheduleController,
    OrgSitesController,
    OrgStandardsController,
)
from api.console.people import AccessLogController, HomeController, StaffController
from api.console.pilot_pages import (
    AssessmentsController,
    PlansController,
    SelfEvaluationsController,
)
from api.console.school import (
    ConversionsController,
    CreditsController,
    RulesController,
    StudentsController,
)
from api.console.sessions import DatabaseStore, console_secret, session_config
from api.console.sheet_pages import ExportsController, UploadsController
from api.console.signin import SignInController
from api.console.static import ConsoleStaticController
from ledger.bootstrap import Ledger
from ledger.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    LedgerError,
    NotFound,
    RateLimited,
    SigningKeyError,
    Unauthenticated,
)
from ledger.domain.certificates import InvalidRows
from ledger.domain.credit_bank import ConversionRefused, ConversionRows
from ledger.services.sessions import SessionRows

__all__ = ["CSRF_COOKIE", "console_router", "console_state", "console_stores", "template_config"]

TEMPLATES = Path(__file__).with_name("templates")
CSRF_COOKIE = "certledger_csrf"


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 templates of the consoles (autoescaped)."""
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine)


def console_stores(ledger: Ledger) -> dict[str, Any]:
    """The store of console sessions, in the ledger's database."""
    return {"console_sessions": DatabaseStore(SessionRows(ledger.engine))}


def console_state(ledger: Ledger) -> dict[str, Any]:
    """App state the consoles read: the shared secret and whether cookies are Secure."""
    return {
        "console_secret": console_secret(ledger.settings.keys_dir),
        "console_secure": ledger.settings.public_url.startswith("https://"),
    }


def console_router(ledger: Ledger, secret: str) -> Router:
    """Every console route under /console, behind sessions and CSRF protection."""
    secure = ledger.settings.public_url.startswith("https://")
    csrf = CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        cookie_path="/console",
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name="x-csrftoken",
    )
    return Router(
        path="/console",
        route_handlers=[
            SignInController,
            HomeController,
            StudentsController,
            CreditsController,
            RulesController,
            ConversionsController,
            UploadsController,
            ExportsController,
            PlansController,
            AssessmentsController,
            SelfEvaluationsController,
            StaffController,
            AccessLogController,
            OrgAssessmentsController,
            OrgUploadsController,
            OrgCertificatesController,
            OrgStandardsController,
            OrgSitesController,
            OrgScheduleController,
            OrgIssueController,
            OfficeController,
            ActivationController,
            ConsoleStaticController,
            RegistryController,
            OfficePagesController,
            OfficeAccessController,
            CodeSheetController,
        ],
        middleware=[
            session_config(ledger.settings.public_url).middleware,
            DefineMiddleware(CSRFMiddleware, config=csrf),
        ],
        dependencies={"staff": Provide(provide_staff, sync_to_thread=True)},
        # Every class the app maps to JSON, mapped again here: the nearest class in the
        # MRO wins whatever layer declares it.
        exception_handlers={
            SignInRequired: sign_in_redirect,
            **dict.fromkeys(
                (
                    HTTPException,
                    ClientException,
                    NotFoundException,
                    PermissionDeniedException,
                    LedgerError,
                    InvalidInput,
                    Forbidden,
                    NotFound,
                    Conflict,
                    Unauthenticated,
                    RateLimited,
                    SigningKeyError,
                    InvalidRows,
                    ConversionRefused,
                    ConversionRows,
                ),
                html_error,
            ),
        },
        include_in_schema=False,
    )
