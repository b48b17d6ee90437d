"""QR codes of verification URLs, as PNG and SVG, with error correction level M.

The URL carries the whole record, so codes are large (version 20 or so); each module is
drawn at least 4 pixels wide in the PNG, with the four-module quiet zone the standard asks.
"""

from __future__ import annotations

import io
from typing import TypeVar

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.base import BaseImage
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

__all__ = ["qr_png", "qr_svg"]

#: The PNG is about this many pixels wide, and never below 4 pixels a module.
_PNG_WIDTH = 720
_QUIET_ZONE = 4

Image = TypeVar("Image", bound=BaseImage)


def _code(text: str, image: type[Image], box_size: int = 10) -> qrcode.QRCode[Image]:
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        box_size=box_size,
        border=_QUIET_ZONE,
        image_factory=image,
    )
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return code


def qr_png(text: str) -> bytes:
    """A PNG of the QR code of ``text``."""
    modules = _code(text, PilImage).modules_count + 2 * _QUIET_ZONE
    image = _code(text, PilImage, box_size=max(4, _PNG_WIDTH // modules)).make_image()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(text: str) -> bytes:
    """An SVG of the QR code of ``text`` (one path, scalable to any size)."""
    image = _code(text, SvgPathImage).make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
