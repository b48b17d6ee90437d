"""The public pages: ``GET /verify`` (verification), ``GET /learner`` (a learner's account),
``GET /reports/bulletin`` (the office's bulletin of a period) and their static assets under
``/static``.

Register ``*PAGE_HANDLERS`` in the app after the controller that answers ``POST /verify``.
"""

from __future__ import annotations

from api.pages.controller import (
    CONTENT_SECURITY_POLICY,
    PAGE_HANDLERS,
    SCRIPT_MODULES,
    STYLE_SHEETS,
    PagesController,
    bulletin_page,
    learner_page,
    verify_page,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "PAGE_HANDLERS",
    "SCRIPT_MODULES",
    "STYLE_SHEETS",
    "PagesController",
    "bulletin_page",
    "learner_page",
    "verify_page",
]
