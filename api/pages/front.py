"""The front door (``GET /``), the short verification link (``GET /verify/{number}``), the
page for unknown addresses, and the API documentation's assets served from a package.

The Swagger UI files come from the pinned PyPI package ``swagger-ui-py`` (its licence is
served beside them at ``/static/swagger-ui/LICENSE``), so the documentation works on a
closed network. The pages are fixed files: nothing from the request is written into them.
"""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.status_codes import HTTP_404_NOT_FOUND
from litestar.types import ControllerRouterHandler

from api.pages.controller import CONTENT_SECURITY_POLICY

__all__ = [
    "FRONT_HANDLERS",
    "SWAGGER_ASSETS",
    "front_page",
    "not_found_page",
    "short_verify_page",
    "swagger_asset",
    "wants_html",
]

_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Referrer-Policy": "no-referrer"}
_NO_CACHE = CacheControlHeader(no_cache=True)


def _template(name: str) -> bytes:
    return resources.files(__package__).joinpath("templates", name).read_bytes()


_HOME = _template("home.html")
_NOT_FOUND = _template("not-found.html")
_VERIFY = _template("verify.html")

#: The Swagger UI files the documentation page loads, with their content types.
SWAGGER_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "LICENSE": "text/plain",
}
SWAGGER_PACKAGE = "swagger-ui-py"


def _swagger_folder() -> Path:
    # Located through the distribution's metadata, so the package (which would import
    # Jinja2 and PyYAML for frameworks we do not use) is never imported.
    located = metadata.distribution(SWAGGER_PACKAGE).locate_file("swagger_ui/static")
    return Path(str(located))


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Whether the client asked for a web page (a browser) rather than JSON."""
    return "text/html" in request.headers.get("accept", "")


def not_found_page() -> Response[bytes]:
    """The page a browser gets for an address that does not exist (404)."""
    return Response(
        _NOT_FOUND,
        status_code=HTTP_404_NOT_FOUND,
        media_type="text/html",
        headers={**_HEADERS, "Cache-Control": "no-store"},
    )


@get("/", cache_control=_NO_CACHE, sync_to_thread=False, include_in_schema=False)
def front_page() -> Response[bytes]:
    """What the service is, and the way to each of its parts."""
    return Response(_HOME, media_type="text/html", headers=_HEADERS)


@get(
    "/verify/{number:str}",
    cache_control=_NO_CACHE,
    sync_to_thread=False,
    include_in_schema=False,
)
def short_verify_page(number: FromPath[str]) -> Response[bytes]:
    """The verification page for the short link a QR code holds; its script reads the
    number from the path, fetches the record and checks it (even a malformed number gets
    the page, which says the link is damaged)."""
    del number  # the script reads it from the address
    return Response(_VERIFY, media_type="text/html", headers=_HEADERS)


@get(
    "/static/swagger-ui/{name:str}",
    cache_control=CacheControlHeader(max_age=3600),
    sync_to_thread=True,
    include_in_schema=False,
)
def swagger_asset(name: FromPath[str]) -> Response[bytes]:
    """One file of the Swagger UI distribution (allow-listed), or 404."""
    kind = SWAGGER_ASSETS.get(name)
    if kind is None:
        raise NotFoundException("no such documentation asset")
    body = (_swagger_folder() / name).read_bytes()
    return Response(body, media_type=kind)


FRONT_HANDLERS: list[ControllerRouterHandler] = [front_page, short_verify_page, swagger_asset]
