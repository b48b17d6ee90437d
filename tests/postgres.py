"""A throwaway PostgreSQL server for the tests.

``PostgresServer`` runs ``initdb`` in a fresh temporary directory, starts
``postgres`` on a free port on 127.0.0.1 (its Unix socket in the same
directory, so it never meets a system cluster), and removes everything on
``stop()``.  PostgreSQL refuses to run as root, so when the tests run as root
the server runs as the ``postgres`` system user (through ``runuser``).

Binaries are looked up in ``$LEDGER_PG_BIN`` (exclusively, when set), then
the Debian location of PostgreSQL 15, then ``pg_config --bindir``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

DEBIAN_PG15_BIN = Path("/usr/lib/postgresql/15/bin")
READY_TIMEOUT = 30.0
SERVER_USER = "postgres"
LOG_TAIL_LINES = 40


class PostgresError(RuntimeError):
    """The throwaway server could not be set up, started or used."""


def find_pg_bin() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    env = os.environ.get("LEDGER_PG_BIN")
    if env:
        candidates = [Path(env)]
    else:
        candidates = [DEBIAN_PG15_BIN]
        pg_config = shutil.which("pg_config")
        if pg_config:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                out = subprocess.run(
                    [pg_config, "--bindir"],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=True,
                ).stdout.strip()
                if out:
                    candidates.append(Path(out))
    for bindir in candidates:
        if all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_gone(pid: int, timeout: float = 5.0) -> None:
    """Wait (bounded) until process ``pid`` no longer exists, not even as a zombie."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        time.sleep(0.05)


class PostgresServer:
    """One PostgreSQL server in a temporary directory; call start(), then stop()."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.port = 0
        self.tmpdir: Path | None = None
        self._started = False

    # -- paths -----------------------------------------------------------

    @property
    def datadir(self) -> Path:
        assert self.tmpdir is not None, "server not started"
        return self.tmpdir / "data"

    @property
    def logfile(self) -> Path:
        assert self.tmpdir is not None, "server not started"
        return self.tmpdir / "server.log"

    # -- running commands ------------------------------------------------

    def _command(self, name: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / name), *args]
        if self.as_root:
            return ["runuser", "-u", SERVER_USER, "--", *cmd]
        return cmd

    def _run(self, name: str, *args: str, timeout: float = 60) -> str:
        cmd = self._command(name, *args)
        try:
            proc = subprocess.run(
                cmd,
                cwd=self.tmpdir,  # the server user may not be able to read our cwd
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresError(f"{' '.join(cmd)} failed: {exc}{self.log_tail()}") from exc
        if proc.returncode != 0:
            raise PostgresError(
                f"{' '.join(cmd)} exited with status {proc.returncode}\n"
                f"{proc.stdout}{proc.stderr}{self.log_tail()}"
            )
        return proc.stdout

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The end of the server log, formatted for an error message."""
        if self.tmpdir is None:
            return ""
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return f"\n(no server log at {self.logfile})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"\n--- last {lines} lines of {self.logfile} ---\n{tail}\n--- end of log ---"

    # -- life cycle ------------------------------------------------------

    def start(self) -> None:
        """initdb, start on a free port, and wait until it accepts connections."""
        if self._started:
            return
        self._make_tmpdir()
        try:
            self._run(
                "initdb",
                "-D",
                str(self.datadir),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            )
            self._start_on_free_port()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _make_tmpdir(self) -> None:
        self.tmpdir = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
        self._started = True  # from here on stop() has something to clean up
        atexit.register(self.stop)
        if not self.as_root:
            return
        try:
            user = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresError(
                f"running as root, but there is no {SERVER_USER!r} system user to run "
                f"PostgreSQL as (PostgreSQL refuses to run as root); create it with "
                f"`useradd --system {SERVER_USER}`"
            ) from None
        os.chown(self.tmpdir, user.pw_uid, user.pw_gid)
        probe = subprocess.run(
            ["runuser", "-u", SERVER_USER, "--", "test", "-w", str(self.tmpdir)],
            cwd=self.tmpdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        if probe.returncode != 0:
            raise PostgresError(
                f"user {SERVER_USER!r} cannot write to {self.tmpdir}; "
                f"set TMPDIR to a directory every user can reach"
            )

    def _start_on_free_port(self, attempts: int = 3) -> None:
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} "
                f"-c unix_socket_directories={self.tmpdir} "
                "-c fsync=on -c max_connections=200"
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.datadir),
                    "-l",
                    str(self.logfile),
                    "-w",
                    "-t",
                    str(int(READY_TIMEOUT)),
                    "-o",
                    options,
                    "start",
                    timeout=READY_TIMEOUT + 30,
                )
                return
            except PostgresError:
                # Someone may have taken the port between our probe and the
                # server's bind; try another one.
                if attempt == attempts or "Address already in use" not in self.log_tail():
                    raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                with psycopg.connect(self.conninfo("postgres"), connect_timeout=5) as conn:
                    conn.execute("select 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresError(
                        f"PostgreSQL on 127.0.0.1:{self.port} did not accept connections "
                        f"within {READY_TIMEOUT:.0f} s: {exc}{self.log_tail()}"
                    ) from exc
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server at once (-m immediate) and remove its directory."""
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        tmpdir = self.tmpdir
        try:
            if tmpdir is not None and (self.datadir / "postmaster.pid").exists():
                pid = self._postmaster_pid()
                try:
                    self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
                except PostgresError:
                    if pid is not None:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGQUIT)
                    raise
                if pid is not None:
                    _wait_gone(pid)
        finally:
            if tmpdir is not None:
                shutil.rmtree(tmpdir, ignore_errors=True)
            self.tmpdir = None

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.datadir / "postmaster.pid").read_text().splitlines()[0]
            return int(first)
        except (OSError, IndexError, ValueError):
            return None

    # -- using it --------------------------------------------------------

    def conninfo(self, dbname: str) -> str:
        """A libpq connection string for psycopg."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def url(self, dbname: str) -> str:
        """The SQLAlchemy URL of database ``dbname`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, closing any connections still open to it."""
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _admin(self, statement: sql.Composed) -> None:
        try:
            with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
                conn.execute(statement)
        except psycopg.Error as exc:
            raise PostgresError(f"{statement.as_string()}: {exc}{self.log_tail()}") from exc
