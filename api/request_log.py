"""Structured logs: one JSON object a line, each with the request id of the request it
belongs to (uvicorn's access lines and the service's own), and that id in a response header.

``RequestIdMiddleware`` gives every HTTP request an id (``X-Request-Id``, also sent back),
held in a context variable that log records read; ``uvicorn_log_config`` makes uvicorn and
the service log through ``JsonFormatter``. Lines never carry request bodies or headers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUEST_ID_HEADER", "JsonFormatter", "RequestIdMiddleware", "uvicorn_log_config"]

REQUEST_ID_HEADER = "X-Request-Id"

#: The id of the request being served in this context; "-" outside any request.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

#: Fields of uvicorn's access records (their ``args``), by position.
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, request_id, and the
    traceback (``exception``) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line.update(zip(_ACCESS_FIELDS, record.args, strict=False))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """Give each HTTP request a fresh id, for its log lines and its ``X-Request-Id`` header.

    A pure ASGI middleware outside the app, so that uvicorn's access line (written when
    the response starts) is inside the request's context too. A client's own
    ``X-Request-Id`` is not taken: ids are the server's, so they cannot be forged into logs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI call, inside a context carrying a new request id for HTTP."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        token = request_id.set(secrets.token_hex(8))
        header = (REQUEST_ID_HEADER.lower().encode(), request_id.get().encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    """A logging.config dictionary: uvicorn's loggers and the service's, JSON to stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["json"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["json"], "level": level},
    }
