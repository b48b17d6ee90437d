"""Server-side console sessions: Litestar's ServerSideSessionConfig over a store kept in the
ledger's database (so ``--workers N`` share them), and the id renewed at sign-in.

Idle expiry is the store's: every read moves a session's end 30 minutes ahead. The
absolute end (12 hours after sign-in) is checked by api.console.base against the
sign-in time the session holds.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from anyio.to_thread import run_sync
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Message, ScopeSession

from ledger.services.sessions import SessionRows, session_key

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 3600
COOKIE_NAME = "certledger_console"
#: A scope key: the handler that signs someone in sets it, and the backend then gives the
#: session a new id (and forgets the old one), so an id planted before sign-in is useless.
RENEW_SESSION_ID = "certledger.renew_session_id"


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


class DatabaseStore(Store):
    """Litestar's Store interface over the ``console_sessions`` table; keys are stored as
    the SHA-256 of the session id."""

    def __init__(self, rows: SessionRows) -> None:
        self.rows = rows

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        until = None if seconds is None else int(time.time()) + seconds
        await run_sync(self.rows.set, session_key(key), data, until)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        seconds = _seconds(renew_for)
        now = int(time.time())
        until = None if seconds is None else now + seconds
        return await run_sync(self.rows.get, session_key(key), now, until)

    async def delete(self, key: str) -> None:
        await run_sync(self.rows.delete, session_key(key))

    async def delete_all(self) -> None:
        await run_sync(self.rows.delete_all)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        until = await run_sync(self.rows.expires_at, session_key(key))
        return None if until is None else max(0, until - int(time.time()))


class RenewingBackend(ServerSideSessionBackend):
    """The server-side backend, which also renews the session id when asked to."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        if connection.scope.get(RENEW_SESSION_ID):
            renewed: str | None = connection.scope.get("certledger.new_session_id")  # type: ignore[assignment]
            if renewed is None:
                renewed = self.generate_session_id()
                connection.scope["certledger.new_session_id"] = renewed  # type: ignore[typeddict-unknown-key]
            return renewed
        return super().get_session_id(connection)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        old = connection.cookies.get(self.config.key)
        if connection.scope.get(RENEW_SESSION_ID) and old and old != "null":
            await self.delete(old, self.config.get_store_from_app(connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)


@dataclass
class ConsoleSessionConfig(ServerSideSessionConfig):
    """ServerSideSessionConfig whose backend renews the id at sign-in."""

    _backend_class = RenewingBackend


def session_config(public_url: str) -> ConsoleSessionConfig:
    """The console's session cookie: HttpOnly, SameSite=Lax, Secure behind https, path
    /console; the store entry expires after 30 idle minutes."""
    return ConsoleSessionConfig(
        key=COOKIE_NAME,
        store="console_sessions",
        max_age=IDLE_SECONDS,
        renew_on_access=True,
        path="/console",
        httponly=True,
        samesite="lax",
        secure=public_url.startswith("https://"),
    )


def console_secret(keys_dir: Path) -> str:
    """The secret of the console's CSRF tokens and device cookies, shared by every worker:
    created once (mode 0600) beside the service keys, read afterwards."""
    path = keys_dir / "console.secret"
    keys_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            text = path.read_text().strip()
            if text:
                return text
            time.sleep(0.02)  # another worker is writing it
        raise
    secret = secrets.token_hex(32)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret)
    return secret
