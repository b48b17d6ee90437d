"""What api/faults.py recognises as a fault of the machine under the service, along an
exception's chain: OSError numbers, SQLite result codes and PostgreSQL SQLSTATEs."""

from __future__ import annotations

import errno
import sqlite3

from api.faults import describe_fault


class _DriverError(Exception):
    """Shaped like psycopg's errors: a ``sqlstate`` attribute."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


class _Wrapped(Exception):
    """Shaped like SQLAlchemy's DBAPIError: the driver's error as ``orig``."""

    def __init__(self, orig: BaseException) -> None:
        super().__init__("wrapped")
        self.orig = orig


def _sqlite_error(code: int) -> sqlite3.Error:
    error = sqlite3.OperationalError("from sqlite")
    error.sqlite_errorcode = code
    return error


def test_a_full_disk_is_named_however_it_arrives() -> None:
    assert "disk is full" in (describe_fault(OSError(errno.ENOSPC, "No space left")) or "")
    assert "disk is full" in (describe_fault(_Wrapped(_sqlite_error(13))) or "")
    assert "disk is full" in (describe_fault(_Wrapped(_DriverError("53100"))) or "")
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise RuntimeError("writing the sheet failed") from exc
    except RuntimeError as chained:
        assert "disk is full" in (describe_fault(chained) or "")


def test_read_only_locked_and_damaged_databases() -> None:
    assert "read-only" in (describe_fault(_Wrapped(_sqlite_error(8))) or "")
    assert "read-only" in (describe_fault(_Wrapped(_DriverError("25006"))) or "")
    # Extended result codes keep their primary code in the low byte (SQLITE_BUSY_SNAPSHOT).
    assert "busy" in (describe_fault(_Wrapped(_sqlite_error(5 | (2 << 8)))) or "")
    assert "damaged" in (describe_fault(_Wrapped(_sqlite_error(11))) or "")
    assert "cannot be reached" in (describe_fault(_Wrapped(_DriverError("08006"))) or "")


def test_a_bug_is_not_a_fault() -> None:
    assert describe_fault(KeyError("x")) is None
    assert describe_fault(_Wrapped(_DriverError("23505"))) is None  # a unique violation
    assert describe_fault(OSError(errno.ENOENT, "missing")) is None
