"""The public verification page: ``GET /verify`` and its static assets under ``/static``.

Register ``*PAGE_HANDLERS`` in the app after the controller that answers ``POST /verify``.
"""

from __future__ import annotations

from api.pages.controller import (
    CONTENT_SECURITY_POLICY,
    PAGE_HANDLERS,
    PagesController,
    verify_page,
)

__all__ = ["CONTENT_SECURITY_POLICY", "PAGE_HANDLERS", "PagesController", "verify_page"]
