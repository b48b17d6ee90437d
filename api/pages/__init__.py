"""The public pages: ``GET /`` (the front door), ``GET /verify`` and ``/verify/{number}``
(verification), ``GET /learner`` (a learner's account), ``GET /reports/bulletin`` (the office's
bulletin of a period), ``GET /reports/verify`` (a holder's verification report, by its
code), their static assets under ``/static`` and the page for unknown
addresses.

Register ``*PAGE_HANDLERS`` in the app after the controller that answers ``POST /verify``.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from api.pages.controller import (
    CONTENT_SECURITY_POLICY,
    SCRIPT_MODULES,
    STYLE_SHEETS,
    PagesController,
    bulletin_page,
    learner_page,
    verify_page,
)
from api.pages.controller import (
    PAGE_HANDLERS as _PAGE_HANDLERS,
)
from api.pages.front import FRONT_HANDLERS, not_found_page, wants_html
from api.pages.report_page import REPORT_HANDLERS

#: Every page handler, for the app to register after the controller of ``POST /verify``.
PAGE_HANDLERS: list[ControllerRouterHandler] = [*_PAGE_HANDLERS, *FRONT_HANDLERS, *REPORT_HANDLERS]

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "PAGE_HANDLERS",
    "SCRIPT_MODULES",
    "STYLE_SHEETS",
    "PagesController",
    "bulletin_page",
    "learner_page",
    "not_found_page",
    "verify_page",
    "wants_html",
]
