"""Faults of the machine under the service (a full disk, a read-only or damaged database,
a database that is away): 503 with a reason, the traceback in the server log.

Any exception no other handler claims reaches ``unexpected_error``: it is logged with its
traceback (and the request id, api/request_log.py) and answers 503 when it is one of these
faults, 500 otherwise (a bug). Nothing here imports the database library: the faults are
recognised by the driver exceptions' own codes (sqlite3 error codes, PostgreSQL SQLSTATEs)
and OSError's errno, found along the exception's chain.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

from litestar import Request, Response
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from api.error_bodies import error_response
from schemas.log import ErrorDetail

__all__ = ["describe_fault", "unexpected_error"]

logger = logging.getLogger("api.faults")

#: SQLite primary result codes (https://sqlite.org/rescode.html) and what they mean here.
_SQLITE_FAULTS = {
    5: "the database is busy (locked by another process); try again",  # SQLITE_BUSY
    6: "the database is busy (locked by another process); try again",  # SQLITE_LOCKED
    8: "the database file is read-only: nothing can be written",  # SQLITE_READONLY
    10: "the database could not read or write its files (I/O error)",  # SQLITE_IOERR
    11: "the database file is damaged",  # SQLITE_CORRUPT
    13: "the disk is full: nothing can be written until space is freed",  # SQLITE_FULL
    14: "the database file cannot be opened",  # SQLITE_CANTOPEN
    26: "the database file is damaged",  # SQLITE_NOTADB
}

#: OSError errnos of the storage under the service.
_OS_FAULTS = {
    errno.ENOSPC: "the disk is full: nothing can be written until space is freed",
    errno.EDQUOT: "the disk quota is used up: nothing can be written until space is freed",
    errno.EFBIG: "a file of the service reached the size limit: nothing more can be written",
    errno.EROFS: "the file system is read-only: nothing can be written",
    errno.EACCES: "the service may not write its files (permission denied)",
    errno.EIO: "the disk reported an I/O error",
}

#: PostgreSQL SQLSTATE classes and codes (Appendix A of its manual).
_PG_FAULTS = {
    "53100": "the database's disk is full: nothing can be written until space is freed",
    "25006": "the database is read-only: nothing can be written",
    "57P01": "the database is shutting down",
    "57P03": "the database is starting up or not accepting connections",
    "40001": "the database could not serialise this write with another; try again",
    "40P01": "the database chose this write to break a deadlock; try again",
    "55P03": "the database is busy (a lock could not be taken); try again",
}
_PG_CLASSES = {
    "08": "the database cannot be reached",
    "53": "the database ran out of a resource (disk, memory or connections)",
    "58": "the database reported a system error",
    "XX": "the database reported internal damage",
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the driver error a database library wraps (``orig``), and their causes."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        pending.extend(
            [
                current.__context__,
                current.__cause__,
                orig if isinstance(orig, BaseException) else None,
            ]
        )


def describe_fault(exc: BaseException) -> str | None:
    """What is wrong with the machine under the service, when ``exc`` says so; else None."""
    for link in _chain(exc):
        if isinstance(link, sqlite3.Error):
            code = getattr(link, "sqlite_errorcode", None)
            if isinstance(code, int) and code & 0xFF in _SQLITE_FAULTS:
                return _SQLITE_FAULTS[code & 0xFF]
        sqlstate = getattr(link, "sqlstate", None)
        if isinstance(sqlstate, str) and len(sqlstate) == 5:
            found = _PG_FAULTS.get(sqlstate) or _PG_CLASSES.get(sqlstate[:2])
            if found:
                return found
        if isinstance(link, OSError) and link.errno in _OS_FAULTS:
            return _OS_FAULTS[link.errno]
        if isinstance(link, MemoryError):
            return "the service ran out of memory"
    return None


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorDetail]:
    """The answer to an exception no other handler claims: its traceback goes to the log;
    a fault of the machine is 503 with the reason (and Retry-After), anything else 500."""
    reason = describe_fault(exc)
    logger.error(
        "%s %s failed: %s",
        request.method,
        request.url.path,
        reason or f"unexpected {type(exc).__name__}",
        exc_info=exc,
    )
    if reason is None:
        return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "internal error; it is logged")
    return error_response(
        HTTP_503_SERVICE_UNAVAILABLE,
        f"the service cannot answer now: {reason}",
        headers={"Retry-After": "60"},
    )
