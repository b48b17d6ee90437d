"""The consoles' style sheet and icon under /console/static: a fixed allow-list read once."""

from __future__ import annotations

from importlib import resources

from litestar import Controller, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

_FILES = {"console.css": "text/css"}
_CONTENT = {
    name: resources.files(__package__).joinpath("static", name).read_bytes() for name in _FILES
}


class ConsoleStaticController(Controller):
    """Static files of the consoles; 404 for any other name."""

    path = "/static"
    include_in_schema = False

    @get(
        "/{name:str}",
        cache_control=CacheControlHeader(no_cache=True),
        sync_to_thread=False,
        opt={"skip_session": True, "exclude_from_csrf": True},
    )
    def asset(self, name: FromPath[str]) -> Response[bytes]:
        """One file of the allow-list."""
        if name not in _FILES:
            raise NotFoundException("no such static file")
        return Response(_CONTENT[name], media_type=_FILES[name])
