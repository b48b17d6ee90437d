"""Strict JSON request bodies: a route that reads a JSON body takes it only when it is sent
as JSON (``Content-Type: application/json`` or ``+json``; else 415) and holds no object with
a key given twice (else 400; msgspec alone keeps the last value, so two readers of one body
could see two different requests).

``check_json_body`` runs before each route of the API (api.params.ApiController).
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.params import BodyKwarg
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

from api.error_bodies import describe_value
from ledger.core.errors import InvalidInput

__all__ = ["check_json_body"]


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def _takes_json(request: Request[Any, Any, Any]) -> bool:
    """True when the route's handler reads its body as JSON (a ``data`` parameter that is
    not a form, a multipart upload or MessagePack)."""
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return False
    kwarg = data.kwarg_definition
    media = kwarg.media_type if isinstance(kwarg, BodyKwarg) else RequestEncodingType.JSON
    return media == RequestEncodingType.JSON


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def check_json_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a JSON route's body sent with another content type (415) or holding a
    duplicate key (400, naming the key). A route sent no body is left to its handler."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not _takes_json(request):
        return
    body = await request.body()
    if not body:
        return
    content_type = request.headers.get("content-type", "")
    if not _is_json(content_type):
        raise ClientException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=(
                f"the request body must be sent as JSON (Content-Type: application/json), "
                f"not {describe_value(content_type or 'without a content type')}"
            ),
        )
    try:
        json.loads(body, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKey as exc:
        raise InvalidInput(
            f"the request body gives the key {describe_value(exc.key)} twice in one object"
        ) from None
    except (ValueError, RecursionError):
        return  # not JSON at all: the handler's decoding says what is wrong
