"""``GET /verify``: the page that checks a certificate's verification record in the browser.

The HTML is a fixed file served as it is: nothing from the request is ever written into
it. Everything dynamic happens in ``static/verify.js`` from the URL (the record travels in
the fragment, which never reaches the server), with WebCrypto. The assets are a fixed
allow-list read once at import; every response carries a strict Content-Security-Policy
(no inline script or style, no other origin) and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from litestar import Controller, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

__all__ = ["CONTENT_SECURITY_POLICY", "PAGE_HANDLERS", "PagesController", "verify_page"]

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
_PAGE = _Asset(_read("templates", "verify.html"), "text/html")

#: The only files /static serves: name -> content type.
_STATIC_TYPES = {
    "verify.js": "text/javascript",
    "verify.css": "text/css",
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
    return _respond(_PAGE)


class PagesController(Controller):
    """The page's script, style sheet and icon: a fixed allow-list; 404 for any other name."""

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
#: bring their own OPTIONS handler), so the page is a plain handler, not a controller's.
PAGE_HANDLERS = [PagesController, verify_page]
