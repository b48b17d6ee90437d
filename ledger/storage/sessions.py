"""Console sessions and sign-in throttling counters, kept in the database so that every
server process (``--workers N``) shares them. Not projections: nothing here is in the log.

Session rows are keyed by the SHA-256 of the session id, so a reader of the database
cannot take over a session from what it reads.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError

from ledger.storage.engine import begin_writing
from ledger.storage.staff_tables import console_sessions, sign_in_failures


def session_key(session_id: str) -> str:
    """The stored key of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionRows:
    """Get, set and delete session data with an expiry (Unix seconds; None: never)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str, now: int, renew_until: int | None) -> bytes | None:
        """The value under ``key`` unless expired (then it is deleted); with
        ``renew_until``, the expiry moves there."""
        with begin_writing(self.engine) as connection:
            row = connection.execute(
                select(console_sessions.c.value, console_sessions.c.expires_at).where(
                    console_sessions.c.key == key
                )
            ).first()
            if row is None:
                return None
            if row.expires_at is not None and row.expires_at <= now:
                connection.execute(delete(console_sessions).where(console_sessions.c.key == key))
                return None
            if renew_until is not None:
                connection.execute(
                    console_sessions.update()
                    .where(console_sessions.c.key == key)
                    .values(expires_at=renew_until)
                )
            return bytes(row.value)

    def set(self, key: str, value: bytes, expires_at: int | None) -> None:
        """Store ``value`` under ``key``, replacing what was there."""
        with self.engine.begin() as connection:
            updated = connection.execute(
                console_sessions.update()
                .where(console_sessions.c.key == key)
                .values(value=value, expires_at=expires_at)
            )
            if updated.rowcount == 0:
                try:
                    with connection.begin_nested():
                        connection.execute(
                            console_sessions.insert(),
                            {"key": key, "value": value, "expires_at": expires_at},
                        )
                except IntegrityError:
                    # Another request of the same session stored it first: ours wins.
                    connection.execute(
                        console_sessions.update()
                        .where(console_sessions.c.key == key)
                        .values(value=value, expires_at=expires_at)
                    )

    def delete(self, key: str) -> None:
        """Forget ``key``; nothing happens when it is absent."""
        with self.engine.begin() as connection:
            connection.execute(delete(console_sessions).where(console_sessions.c.key == key))

    def delete_all(self) -> None:
        """Forget every session."""
        with self.engine.begin() as connection:
            connection.execute(delete(console_sessions))

    def expires_at(self, key: str) -> int | None:
        """When ``key`` expires; None when it never does or is absent."""
        with self.engine.connect() as connection:
            value = connection.execute(
                select(console_sessions.c.expires_at).where(console_sessions.c.key == key)
            ).scalar()
        return None if value is None else int(value)

    def purge_expired(self, now: int) -> None:
        """Delete every expired session."""
        with self.engine.begin() as connection:
            connection.execute(delete(console_sessions).where(console_sessions.c.expires_at <= now))


class FailureCounters:
    """Failed sign-ins counted per key (an account's username, an address) in a window."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def failures(self, key: str, now: int, window: int) -> int:
        """Failures of ``key`` in the window that contains ``now``."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(sign_in_failures).where(sign_in_failures.c.key == key)
            ).first()
        if row is None or row.window_start + window <= now:
            return 0
        return int(row.failures)

    def record_failure(self, key: str, now: int, window: int) -> None:
        """Count one failure of ``key``; a window that has passed starts anew."""
        with begin_writing(self.engine) as connection:
            row = connection.execute(
                select(sign_in_failures).where(sign_in_failures.c.key == key)
            ).first()
            if row is None:
                try:
                    with connection.begin_nested():
                        connection.execute(
                            sign_in_failures.insert(),
                            {"key": key, "failures": 1, "window_start": now},
                        )
                    return
                except IntegrityError:
                    row = connection.execute(
                        select(sign_in_failures).where(sign_in_failures.c.key == key)
                    ).first()
                    assert row is not None
            values: dict[str, Any]
            if row.window_start + window <= now:
                values = {"failures": 1, "window_start": now}
            else:
                values = {"failures": sign_in_failures.c.failures + 1}
            connection.execute(
                sign_in_failures.update().where(sign_in_failures.c.key == key).values(**values)
            )

    def clear(self, key: str) -> None:
        """Forget the failures of ``key`` (after a right password)."""
        with self.engine.begin() as connection:
            connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))
