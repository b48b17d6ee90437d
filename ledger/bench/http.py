"""The benchmark's HTTP phase: a served instance under 64 connections, beside its limits.

A fresh SQLite ledger gets a fictitious organization with certificates and several schools
with enrolled students, and real bearer tokens of those schools. Then the service runs under
real uvicorn on a real socket (``--workers`` processes, httptools and uvloop), and so does a
Litestar hello-world app with the same server settings. Round by round, interleaved so that
both see the same load on the shared machine, it measures:

- durable writes: course-credit deposits (``POST /learners/{account}/credits``, one entry
  each, a token of the student's school), against the bare stdlib sqlite3 loop of one row
  per commit (WAL, synchronous=FULL) in a file of the same folder, and against the hello
  world answering the same POSTs;
- anonymous status reads (``GET /certificates/{n}/status``) against the hello world's GET.

The load comes from ``wrk`` (with a Lua script of the requests) when it is installed, else
from ledger/bench/load.py in a process of its own. Every deposit answered 2xx is then
counted in the ledger.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ledger.bench.issuance import _register_issuer, fictitious_holder
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.principals import Principal
from ledger.domain.registry import School, SchoolLevel
from ledger.kinds import Kind
from ledger.settings import Settings

#: The figures and their targets (ratios in the same run).
WRITE_TARGET = 0.5
WRITE_P99_TARGET_MS = 100.0
READ_TARGET = 0.5
PUBLIC_URL = "http://bench.certledger.invalid"
SCHOOLS = 4
STUDENTS_PER_SCHOOL = 40
CERTIFICATES = 200
HELLO_APP = "scripts.bench_hello:app"
_DEPOSIT = {"course": "BENCH01", "title": "基准测试课程", "credits": 2, "term": "2026-1"}


@dataclass
class Load:
    """What one load run measured."""

    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    non_2xx: int = 0
    errors: int = 0

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Totals:
    """Sums over the rounds of one measure, and the worst p99 seen."""

    runs: list[Load] = field(default_factory=list)

    def add(self, load: Load) -> None:
        self.runs.append(load)

    @property
    def per_s(self) -> float:
        seconds = sum(run.seconds for run in self.runs)
        return sum(run.requests for run in self.runs) / seconds if seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return sorted(run.p50_ms for run in self.runs)[len(self.runs) // 2]

    @property
    def p99_ms(self) -> float:
        return max(run.p99_ms for run in self.runs)

    @property
    def failures(self) -> int:
        return sum(run.non_2xx + run.errors for run in self.runs)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _populate(ledger: Ledger) -> tuple[list[list[Any]], list[list[Any]]]:
    """Certificates, schools, students and tokens; the write and read requests."""
    office = Principal.parse("office")
    issuer = _register_issuer(ledger)
    standard = "1X-BENCH"
    numbers = []
    for n in range(CERTIFICATES):
        name, id_number = fictitious_holder(5_000_000 + n)
        row = {"standard": standard, "level": "junior", "name": name, "id_number": id_number}
        numbers.append(ledger.certificates.issue(issuer, row).certificate)
    writes: list[list[Any]] = []
    for s in range(SCHOOLS):
        code = f"41610{s + 1:05d}"
        ledger.registry.admit_school(
            office, School(code, f"基准测试学校{s + 1}(虚构数据)", "xian", SchoolLevel("higher"))
        )
        school = Principal.parse(f"school:{code}")
        holders = [fictitious_holder(6_000_000 + s * 1000 + n) for n in range(STUDENTS_PER_SCHOOL)]
        enrolled = ledger.credit_bank.enrol_many(
            school, code, [{"name": name, "id_number": number} for name, number in holders]
        )
        headers = {
            "Authorization": f"Bearer {ledger.tokens.mint(school, ttl_seconds=6 * 3600)}",
            "Content-Type": "application/json",
        }
        for n, student in enumerate(enrolled):
            body = json.dumps({**_DEPOSIT, "grade": "ABCD"[n % 4]})
            writes.append(["POST", f"/learners/{student.account}/credits", headers, body])
    reads = [["GET", f"/certificates/{number}/status", {}, ""] for number in numbers]
    return writes, reads


def _lua(requests: list[list[Any]]) -> str:
    """A wrk script that sends ``requests`` round robin and prints its figures as JSON."""

    def raw(text: str) -> str:
        return f"[==[{text}]==]"

    rows = []
    for method, path, headers, body in requests:
        header_items = ", ".join(f"[ {raw(k)} ] = {raw(v)}" for k, v in headers.items())
        rows.append(f"  {{{raw(method)}, {raw(path)}, {{{header_items}}}, {raw(body)}}},")
    return "\n".join(
        [
            "local requests = {",
            *rows,
            "}",
            "local counter = 0",
            "function init(args) counter = math.random(#requests) end",
            "function request()",
            "  counter = counter % #requests + 1",
            "  local r = requests[counter]",
            '  return wrk.format(r[1], r[2], r[3], r[4] ~= "" and r[4] or nil)',
            "end",
            "function done(summary, latency, requests)",
            "  local e = summary.errors",
            '  io.write(string.format("WRKJSON {\\"requests\\": %d, \\"seconds\\": %f, '
            '\\"p50_ms\\": %f, \\"p99_ms\\": %f, \\"non_2xx\\": %d, \\"errors\\": %d}\\n",',
            "    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,",
            "    latency:percentile(99) / 1000, e.status,",
            "    e.connect + e.read + e.write + e.timeout))",
            "end",
        ]
    )


@dataclass
class _Target:
    url: str
    requests_file: Path
    lua_file: Path


class HttpBench:
    """The served instance, the hello world, and the loads between them."""

    def __init__(self, workdir: Path, connections: int, use_wrk: bool) -> None:
        self.workdir = workdir
        self.connections = connections
        self.use_wrk = use_wrk

    def target(self, url: str, name: str, requests: list[list[Any]]) -> _Target:
        requests_file = self.workdir / f"{name}.json"
        requests_file.write_text(json.dumps(requests))
        lua_file = self.workdir / f"{name}.lua"
        lua_file.write_text(_lua(requests))
        return _Target(url, requests_file, lua_file)

    def load(self, target: _Target, seconds: float) -> Load:
        """Run the load generator against ``target`` for ``seconds``."""
        if self.use_wrk:
            threads = str(min(2, self.connections))
            # wrk takes whole seconds only (2.5s is a usage error).
            whole = max(1, round(seconds))
            command = [
                "wrk", "-t", threads, "-c", str(self.connections), "-d", f"{whole}s",
                "--timeout", "10s", "-s", str(target.lua_file), target.url,
            ]  # fmt: skip
            ran = subprocess.run(
                command, capture_output=True, text=True, check=False, timeout=seconds + 60
            )
            lines = [line for line in ran.stdout.splitlines() if line.startswith("WRKJSON ")]
            if not lines:
                raise RuntimeError(
                    f"wrk printed no figures: {ran.stdout[-500:]} {ran.stderr[-500:]}"
                )
            found = json.loads(lines[-1].removeprefix("WRKJSON "))
        else:
            command = [
                sys.executable, "-m", "ledger.bench.load", "http", target.url,
                str(target.requests_file), "--connections", str(self.connections),
                "--seconds", f"{seconds:g}",
            ]  # fmt: skip
            output = subprocess.run(
                command, capture_output=True, text=True, check=True, timeout=seconds + 60
            ).stdout
            found = json.loads(output.strip().splitlines()[-1])
        return Load(**{k: found[k] for k in Load.__dataclass_fields__})

    def sqlite_loop(self, seconds: float) -> Load:
        """The bare one-row-per-commit loop in its own process, in the ledger's folder."""
        command = [
            sys.executable, "-m", "ledger.bench.load", "sqlite",
            str(self.workdir / "raw-loop.db"), "--seconds", f"{seconds:g}",
        ]  # fmt: skip
        output = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        ).stdout
        found = json.loads(output)
        return Load(requests=int(found["rows"]), seconds=float(found["seconds"]))


@contextmanager
def served(
    app: str, env: dict[str, str], workers: int, log: Path, health: str, server: tuple[str, str]
) -> Iterator[str]:
    """Run ``app`` under uvicorn (``server``: its http and loop) on a free port; its URL."""
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--http", server[0], "--loop", server[1],
        "--log-level", "info", "--no-proxy-headers",
    ]  # fmt: skip
    if app.endswith("create_app_from_env"):
        command.append("--factory")
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(url + health, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not answer {health} in time")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_http_bench(
    seconds: float = 15.0,
    rounds: int = 3,
    *,
    connections: int = 64,
    workers: int = 1,
    app_dir: Path | None = None,
    server: tuple[str, str] = ("httptools", "uvloop"),
    use_wrk: bool | None = None,
) -> dict[str, Any]:
    """Measure the HTTP phase (module docstring): ``seconds`` of load per measure, split
    into ``rounds`` interleaved rounds; the figures. ``app_dir`` serves the service from
    another checkout (the code before a change), with this checkout's benchmark."""
    if use_wrk is None:
        use_wrk = shutil.which("wrk") is not None
    workdir = Path(tempfile.mkdtemp(prefix="certledger-http-bench-"))
    settings = Settings(workdir, f"sqlite+pysqlite:///{workdir}/ledger.db", "127.0.0.1", 8000,
                        PUBLIC_URL)  # fmt: skip
    try:
        ledger = open_ledger(settings)
        try:
            writes, reads = _populate(ledger)
            deposits_before = _deposits(ledger)
        finally:
            ledger.close()
        env = dict(os.environ)
        here = str(Path(__file__).resolve().parents[2])
        env.update(
            LEDGER_DATA_DIR=str(workdir),
            LEDGER_DATABASE_URL=settings.database_url,
            LEDGER_PUBLIC_URL=PUBLIC_URL,
            LEDGER_RATE_LIMIT="100000000/1",  # out of the way, as in the issue's load test
            PYTHONPATH=str(app_dir) if app_dir else here,
        )
        bench = HttpBench(workdir, connections, use_wrk)
        figures = _rounds(bench, env, workers, server, writes, reads, seconds, rounds, here)
        ledger = open_ledger(settings, first_run=False)
        try:
            figures["deposits_in_ledger"] = _deposits(ledger) - deposits_before
        finally:
            ledger.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures.update(
        connections=connections, workers=workers, seconds=seconds, rounds=rounds,
        tool="wrk" if use_wrk else "python", server=f"{server[0]}+{server[1]}",
        cpus=os.cpu_count(), load_average=os.getloadavg(),
    )  # fmt: skip
    return figures


def _deposits(ledger: Ledger) -> int:
    deposited = Kind.CREDIT_DEPOSITED.value
    return sum(1 for entry in ledger.store.iter_entries() if entry.kind == deposited)


def _rounds(
    bench: HttpBench,
    env: dict[str, str],
    workers: int,
    server: tuple[str, str],
    writes: list[list[Any]],
    reads: list[list[Any]],
    seconds: float,
    rounds: int,
    here: str,
) -> dict[str, Any]:
    hello_env = {**env, "PYTHONPATH": here}
    measures = {name: Totals() for name in ("writes", "loop", "hello_post", "reads", "hello_get")}
    each = seconds / rounds
    log = bench.workdir
    with (
        served("api.app:create_app_from_env", env, workers, log / "ours.log", "/healthz",
               server) as ours,
        served(HELLO_APP, hello_env, workers, log / "hello.log", "/", server) as hello,
    ):  # fmt: skip
        targets = {
            "writes": bench.target(ours, "writes", writes),
            "hello_post": bench.target(hello, "hello-post", [[*w[:3], w[3]] for w in writes]),
            "reads": bench.target(ours, "reads", reads),
            "hello_get": bench.target(hello, "hello-get", [["GET", "/", {}, ""]]),
        }
        # Warm up, untimed: imports, compiled statements, caches.
        warm = {name: bench.load(targets[name], 1.0) for name in ("writes", "reads", "hello_get")}
        for _round in range(rounds):
            measures["writes"].add(bench.load(targets["writes"], each))
            measures["loop"].add(bench.sqlite_loop(each))
            measures["hello_post"].add(bench.load(targets["hello_post"], each))
            measures["reads"].add(bench.load(targets["reads"], each))
            measures["hello_get"].add(bench.load(targets["hello_get"], each))
    # Every deposit answered 2xx, the warm-up's included (the ledger is counted after).
    acknowledged = sum(
        run.requests - run.non_2xx for run in [warm["writes"], *measures["writes"].runs]
    )
    return {"measures": measures, "acknowledged_writes": acknowledged}
