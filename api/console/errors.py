"""Errors of console pages as HTML pages (Chinese and English), never JSON or a 500 for
something a visitor did: 403 (no right, or no valid CSRF token), 404, 405, ..."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Template

from api.console.base import page
from api.console.texts import describe_error
from ledger.core.errors import (
    Conflict,
    Forbidden,
    LedgerError,
    NotFound,
    RateLimited,
    SigningKeyError,
    Unauthenticated,
)

logger = logging.getLogger(__name__)

_TITLES = {
    400: "请求不正确 / Bad request",
    401: "需要登录 / Sign in",
    403: "没有权限 / Forbidden",
    404: "没有找到 / Not found",
    405: "不支持这种请求 / Method not allowed",
    413: "文件太大 / Too large",
    429: "请求过多 / Too many requests",
    503: "暂时无法记录 / Service unavailable",
}


def html_error(_request: Request[Any, Any, Any], exc: Exception) -> Response[Any] | Template:
    """The error page of ``exc``; status as the API would answer."""
    if isinstance(exc, HTTPException):
        status, text = exc.status_code, str(exc.detail)
        if status == 403 and "CSRF" in text:
            text = "表单已过期或来源不明，请刷新页面后重试。/ CSRF token verification failed."
        if status >= 500:
            logger.error("console error", exc_info=exc)
            text = "服务器出错 / Internal Server Error"
    elif isinstance(exc, LedgerError):
        status = 400
        if isinstance(exc, Forbidden):
            status = 403
        elif isinstance(exc, NotFound):
            status = 404
        elif isinstance(exc, Unauthenticated):
            status = 401
        elif isinstance(exc, RateLimited):
            status = 429
        elif isinstance(exc, Conflict):
            status = 409
        elif isinstance(exc, SigningKeyError):  # the log cannot sign now (BehindPublished)
            status = 503
        text = describe_error(exc)
    else:  # pragma: no cover - the router maps only the classes above here
        raise exc
    title = _TITLES.get(status, "出错了 / Error")
    return page("message.html", None, title=title, text=text, status_code=status)
