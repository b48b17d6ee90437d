"""The HTTP benchmark's own processes: a load generator (when ``wrk`` is not installed) and
the bare one-row-per-commit SQLite loop that durable writes are compared with.

    python -m ledger.bench.load http URL REQUESTS_FILE --connections 64 --seconds 15
    python -m ledger.bench.load sqlite DATABASE_FILE --seconds 15

Each prints one line of JSON. REQUESTS_FILE holds one request a line, as JSON
``[method, path, headers, body]``; connections take them round robin. Only the standard
library is used, and HTTP/1.1 keep-alive connections, as wrk does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def _encoded(requests: list[list[Any]], host: str) -> list[bytes]:
    made = []
    for method, path, headers, body in requests:
        data = body.encode("utf-8") if body else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if data or method == "POST":
            lines.append(f"Content-Length: {len(data)}")
        made.append(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
    return made


async def _connection(
    host: str, port: int, requests: list[bytes], first: int, until: float, stats: dict[str, Any]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    latencies: list[float] = stats["latencies"]
    n = first
    try:
        while time.perf_counter() < until:
            began = time.perf_counter()
            writer.write(requests[n % len(requests)])
            n += 1
            status_line = await reader.readline()
            if not status_line:
                stats["errors"] += 1
                return
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            if not status_line.split(b" ", 2)[1].startswith(b"2"):
                stats["non_2xx"] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        stats["errors"] += 1
    finally:
        writer.close()


async def _load(url: str, requests: list[list[Any]], connections: int, seconds: float) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    encoded = _encoded(requests, f"{host}:{port}")
    stats: dict[str, Any] = {"latencies": [], "errors": 0, "non_2xx": 0}
    began = time.perf_counter()
    until = began + seconds
    await asyncio.gather(
        *(_connection(host, port, encoded, i * 7919, until, stats) for i in range(connections))
    )
    elapsed = time.perf_counter() - began
    latencies = sorted(stats["latencies"])

    def percentile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "seconds": elapsed,
                "p50_ms": percentile(0.5) * 1e3,
                "p99_ms": percentile(0.99) * 1e3,
                "non_2xx": stats["non_2xx"],
                "errors": stats["errors"],
                "tool": "python",
            }
        )
    )


def sqlite_loop(database: Path, seconds: float) -> dict[str, float]:
    """Insert one row per commit for ``seconds`` (WAL, synchronous=FULL); rows and time."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS rows (n INTEGER PRIMARY KEY, data BLOB)")
    payload = b"x" * 400  # about a course-credit entry's size
    rows = 0
    began = time.perf_counter()
    until = began + seconds
    while time.perf_counter() < until:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO rows (data) VALUES (?)", (payload,))
        connection.execute("COMMIT")
        rows += 1
    elapsed = time.perf_counter() - began
    connection.close()
    return {"rows": rows, "seconds": elapsed}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledger.bench.load")
    commands = parser.add_subparsers(dest="command", required=True)
    http = commands.add_parser("http")
    http.add_argument("url")
    http.add_argument("requests", type=Path)
    http.add_argument("--connections", type=int, default=64)
    http.add_argument("--seconds", type=float, default=15.0)
    loop = commands.add_parser("sqlite")
    loop.add_argument("database", type=Path)
    loop.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    if args.command == "sqlite":
        print(json.dumps(sqlite_loop(args.database, args.seconds)))
        return 0
    requests = json.loads(args.requests.read_text())
    asyncio.run(_load(args.url, requests, args.connections, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
