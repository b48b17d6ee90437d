"""QR codes of verification URLs, as PNG and SVG, with error correction level M.

The URL carries the whole record, so codes are large (version 20 or so); each module is
drawn at least 4 pixels wide in the PNG, with the four-module quiet zone the standard asks.
"""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

__all__ = ["qr_png", "qr_svg"]

#: The PNG is about this many pixels wide, and never below 4 pixels a module.
_PNG_WIDTH = 720
_QUIET_ZONE = 4


def _code(text: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=_QUIET_ZONE)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return code


def qr_png(text: str) -> bytes:
    """A PNG of the QR code of ``text``."""
    modules = _code(text).modules_count + 2 * _QUIET_ZONE
    code = _code(text, box_size=max(4, _PNG_WIDTH // modules))
    image = code.make_image(image_factory=PilImage)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(text: str) -> bytes:
    """An SVG of the QR code of ``text`` (one path, scalable to any size)."""
    image = _code(text).make_image(image_factory=SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
