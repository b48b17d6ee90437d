"""Fixtures of the browser tests: one Chromium per session, the real app under real uvicorn.

Chromium is the system's (``LEDGER_CHROMIUM`` or ``chromium`` on PATH); nothing is ever
downloaded. Without it the tests are skipped, except under ``CI=true``, where they fail.

``served`` is one SQLite ledger per module, served on a free 127.0.0.1 port whose URL is
also the ledger's public URL, so the page's fetches are same-origin. ``browsing`` is a
fresh page per test that records every console error, page error and failed request;
the test fails if any was recorded.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    sync_playwright,
)

from api.app import create_app
from api.auth import TOKEN_EXCHANGE_LIMIT, RateLimits
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.principals import Principal
from ledger.settings import RateLimit, Settings
from tests.api.conftest import sample_drafts
from tests.conftest import running_under_ci

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
#: Sample entries appended before any certificate, so proofs have several levels.
SAMPLE_ENTRIES = 12
START_TIMEOUT = 15.0
#: How long a test waits for the page's verdict, in milliseconds.
VERDICT_TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    """The Chromium to drive: ``LEDGER_CHROMIUM``, else ``chromium`` on PATH."""
    configured = os.environ.get("LEDGER_CHROMIUM", "").strip()
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    path = chromium_path()
    if path is None:
        message = "Chromium not found (set LEDGER_CHROMIUM or put chromium on PATH)"
        if running_under_ci():
            pytest.fail(f"{message}; under CI=true the browser tests must run", pytrace=False)
        pytest.skip(f"{message}; browser tests skipped")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


# -- the served ledger ------------------------------------------------------------------


@dataclass
class Served:
    """The real app serving ``ledger`` at ``url`` (also the ledger's public URL)."""

    url: str
    ledger: Ledger
    _tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, principal: str) -> dict[str, str]:
        """Authorization headers with a token of ``principal`` (minted once)."""
        if principal not in self._tokens:
            self._tokens[principal] = self.ledger.tokens.mint(Principal.parse(principal))
        return {"Authorization": f"Bearer {self._tokens[principal]}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, body: Any, principal: str | None = None) -> httpx.Response:
        headers = self.auth(principal) if principal is not None else {}
        return httpx.post(self.url + path, json=body, headers=headers, timeout=10)


@contextmanager
def serve_ledger(data_dir: Path, lookup_limit: RateLimit | None = None) -> Iterator[Served]:
    """A fresh SQLite ledger in ``data_dir`` served by uvicorn in a background thread.

    ``lookup_limit`` replaces the app's limit of POST /lookup per address.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite+pysqlite:///{data_dir}/ledger.db",
        host="127.0.0.1",
        port=port,
        public_url=url,
    )
    ledger = open_ledger(settings)
    try:
        ledger.log.append(sample_drafts(SAMPLE_ENTRIES))
        app = create_app(ledger)
        if lookup_limit is not None:
            app.state.rate_limits = RateLimits.create(
                settings.rate_limit, TOKEN_EXCHANGE_LIMIT, lookup_limit
            )
        config = uvicorn.Config(
            app,
            lifespan="on",
            ws="none",
            log_level="warning",
            access_log=False,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name=f"uvicorn-{port}", daemon=True
        )
        thread.start()
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    pytest.fail(f"uvicorn did not start serving {url}")
                time.sleep(0.02)
            page = httpx.get(f"{url}/verify", timeout=10)
            if page.status_code != 200:
                pytest.fail(
                    f"GET /verify answers {page.status_code}: the app does not serve the page "
                    "(register *api.pages.PAGE_HANDLERS in create_app)",
                    pytrace=False,
                )
            yield Served(url, ledger)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    finally:
        listener.close()
        ledger.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One served ledger for the module; tests make certificates with fresh numbers."""
    with serve_ledger(tmp_path_factory.mktemp("served")) as serving:
        yield serving


@pytest.fixture
def strict_served(tmp_path: Path) -> Iterator[Served]:
    """A served ledger of this test alone that allows one lookup an hour per address."""
    with serve_ledger(tmp_path / "served", RateLimit(1, 3600)) as serving:
        yield serving


# -- pages --------------------------------------------------------------------------------


@dataclass
class Browsing:
    """A fresh page of ``browser`` and every problem it reported."""

    page: Page
    problems: list[str] = field(default_factory=list)
    #: Console messages a test expects (exact text); everything else is a problem.
    expected: set[str] = field(default_factory=set)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"} and message.text not in self.expected:
            self.problems.append(f"console {message.type}: {message.text} ({message.location})")

    def on_page_error(self, error: Exception) -> None:
        self.problems.append(f"page error: {error}")

    def on_request_failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def assert_clean(self) -> None:
        """No console error or warning, page error or failed request so far."""
        assert self.problems == [], "\n".join(self.problems)

    def verdict(self, path: str) -> str:
        """Load ``path`` afresh and return the verdict the page settles on."""
        # A new fragment alone would be an in-page navigation, racing the old verdict.
        self.page.goto("about:blank")
        self.page.goto(path)
        return self.wait_for_verdict()

    def wait_for_verdict(self) -> str:
        """The page's verdict once it is no longer checking."""
        self.page.wait_for_selector(
            "#verdict:not([hidden]):not([data-verdict='']):not([data-verdict='checking'])",
            state="attached",
            timeout=VERDICT_TIMEOUT_MS,
        )
        verdict = self.page.get_attribute("#verdict", "data-verdict")
        assert verdict is not None
        return verdict

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)


def watch(browser: Browser, serving: Served) -> tuple[BrowserContext, Browsing]:
    """A fresh context and page on ``serving``, its problems recorded."""
    context = browser.new_context(base_url=serving.url, locale="zh-CN")
    page = context.new_page()
    watched = Browsing(page)
    page.on("console", watched.on_console)
    page.on("pageerror", watched.on_page_error)
    page.on("requestfailed", watched.on_request_failed)
    return context, watched


@pytest.fixture
def browsing(browser: Browser, served: Served) -> Iterator[Browsing]:
    """A fresh page whose relative URLs are ``served``'s; fails the test on any problem."""
    context, watched = watch(browser, served)
    try:
        yield watched
    finally:
        context.close()
    watched.assert_clean()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[Served], Browsing]]:
    """Pages on another served ledger (``strict_served``); each must stay clean."""
    opened: list[tuple[BrowserContext, Browsing]] = []

    def open_for(serving: Served) -> Browsing:
        opened.append(watch(browser, serving))
        return opened[-1][1]

    yield open_for
    for context, _ in opened:
        context.close()
    for _, watched in opened:
        watched.assert_clean()


@pytest.fixture
def artifacts_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``LEDGER_ARTIFACTS`` if set, else this test's tmp_path."""
    configured = os.environ.get("LEDGER_ARTIFACTS", "").strip()
    folder = Path(configured) if configured else tmp_path / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
