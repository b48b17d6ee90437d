"""The public pages: ``GET /verify``, ``GET /learner`` and ``GET /reports/bulletin``, and their
assets under ``/static``.

``/verify`` checks a certificate's verification record in the browser; ``/learner`` shows
a learner their learning account and certificates (it reads ``GET /learners/{account}``
with the learner's bearer token, kept in the tab's sessionStorage); ``/reports/bulletin``
draws the office's public statistics of a period (``GET /reports/statistics``) as SVG
charts that print on A4.

The HTML is a fixed file served as it is: nothing from the request is ever written into
it. Everything dynamic happens in the pages' ES modules (``static/verify.js`` from the URL,
where the record travels in the fragment, which never reaches the server, with
WebCrypto; ``static/learner.js`` from the account API; ``static/bulletin.js`` from the
statistics API). The assets are a fixed allow-list
read once at import; every response carries a strict Content-Security-Policy (no inline
script or style, no other origin) and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from litestar import Controller, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "PAGE_HANDLERS",
    "SCRIPT_MODULES",
    "STYLE_SHEETS",
    "VENDORED",
    "PagesController",
    "bulletin_page",
    "learner_page",
    "verify_page",
]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
}

# Revalidate every time: a page and its script must never come from different releases.
_NO_CACHE = CacheControlHeader(no_cache=True)


@dataclass(frozen=True, slots=True)
class _Asset:
    body: bytes
    media_type: str


def _read(folder: str, name: str) -> bytes:
    return resources.files(__package__).joinpath(folder, name).read_bytes()


# Litestar appends "; charset=utf-8" to every text/* type itself.
_VERIFY_PAGE = _Asset(_read("templates", "verify.html"), "text/html")
_LEARNER_PAGE = _Asset(_read("templates", "learner.html"), "text/html")
_BULLETIN_PAGE = _Asset(_read("templates", "bulletin.html"), "text/html")

#: The pages' ES modules. verify.js, learner.js and bulletin.js are the entry points the HTML
#: loads; the rest they import (encoding.js, numbers.js and ui.js serve several pages). The HTML
#: preloads every module it needs, so that a slow network loads them at once, not in turns.
SCRIPT_MODULES = (
    "verify.js",
    "verification.js",
    "render.js",
    "status.js",
    "jws.js",
    "checkpoint.js",
    "merkle.js",
    "entry.js",
    "transcript.js",
    "ed25519.js",
    "fetching.js",
    "errors.js",
    "encoding.js",
    "numbers.js",
    "ui.js",
    "learner.js",
    "learner-view.js",
    "bulletin.js",
    "charts.js",
)

STYLE_SHEETS = ("verify.css", "home.css", "learner.css", "bulletin.css", "report.css")

#: The JavaScript Ed25519 the page falls back on where WebCrypto lacks it: @noble/ed25519,
#: copied unchanged from its npm package, with its licence and a note of its provenance.
VENDORED = {
    "noble-ed25519.js": "text/javascript",
    "noble-ed25519.LICENSE.txt": "text/plain",
    "noble-ed25519.json": "application/json",
}

#: The only files /static serves: name -> content type.
_STATIC_TYPES = {
    **dict.fromkeys(SCRIPT_MODULES, "text/javascript"),
    **dict.fromkeys(STYLE_SHEETS, "text/css"),
    **VENDORED,
    "favicon.svg": "image/svg+xml",
}
_STATIC = {name: _Asset(_read("static", name), kind) for name, kind in _STATIC_TYPES.items()}


def _respond(asset: _Asset) -> Response[bytes]:
    return Response(asset.body, media_type=asset.media_type, headers=_SECURITY_HEADERS)


@get(
    "/verify",
    cache_control=_NO_CACHE,
    sync_to_thread=False,
    include_in_schema=False,
    name="verify_page",
)
def verify_page() -> Response[bytes]:
    """The verification page; it reads ``#r=<record>`` or ``?certificate=<number>``."""
    return _respond(_VERIFY_PAGE)


@get(
    "/learner",
    cache_control=_NO_CACHE,
    sync_to_thread=False,
    include_in_schema=False,
    name="learner_page",
)
def learner_page() -> Response[bytes]:
    """The learner's page: their account and certificates, after they sign in on it."""
    return _respond(_LEARNER_PAGE)


@get(
    "/reports/bulletin",
    cache_control=_NO_CACHE,
    sync_to_thread=False,
    include_in_schema=False,
    name="bulletin_page",
)
def bulletin_page() -> Response[bytes]:
    """The bulletin of a period; its script reads ``?period=`` (``2026-11``, ``2026-H2``,
    ``2026``) and draws ``GET /reports/statistics`` of it."""
    return _respond(_BULLETIN_PAGE)


class PagesController(Controller):
    """The pages' scripts, style sheets and icon: a fixed allow-list; 404 for any other name."""

    path = "/static"
    include_in_schema = False

    @get("/{name:str}", cache_control=_NO_CACHE, sync_to_thread=False)
    def static_asset(self, name: FromPath[str]) -> Response[bytes]:
        """One file of the allow-list."""
        asset = _STATIC.get(name)
        if asset is None:
            raise NotFoundException("no such static file")
        return _respond(asset)


#: What the app registers, after the controller that answers ``POST /verify``: Litestar
#: cannot merge a second controller into a path another controller already serves (both
#: bring their own OPTIONS handler), so the pages are plain handlers, not a controller's.
PAGE_HANDLERS: list[ControllerRouterHandler] = [
    PagesController,
    verify_page,
    learner_page,
    bulletin_page,
]
