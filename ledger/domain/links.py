"""The addresses a certificate's QR code, printed certificate and credentials point to.

Pure: the short verification URL (format section 9.4) and the older one carrying the record.
"""

from __future__ import annotations

import re

__all__ = [
    "SHORT_VERIFY_PATH",
    "certificate_in_short_url",
    "record_verify_url",
    "short_verify_url",
]

#: The verification page of one certificate: ``<public URL>/verify/<number>``.
SHORT_VERIFY_PATH = "/verify/"
_SHORT = re.compile(r"(?P<base>.+)/verify/(?P<number>[^/?#\s]*)/?(?:[?#].*)?")


def short_verify_url(public_url: str, number: str) -> str:
    """What a QR code holds: the page that fetches the record of ``number`` and checks it.

    About 50 characters for a typical public URL, so the code stays at QR version 4 or 5
    at error correction M, which a phone reads from a small, blurred photo.
    """
    return f"{public_url}{SHORT_VERIFY_PATH}{number}"


def record_verify_url(public_url: str, record: str) -> str:
    """The older verification URL that carries the whole record in its fragment."""
    return f"{public_url}/verify#r={record}"


def certificate_in_short_url(text: str) -> tuple[str, str] | None:
    """``(public URL, what follows /verify/)`` if ``text`` is a short verification URL."""
    match = _SHORT.fullmatch(text.strip())
    if match is None or "#r=" in text:
        return None
    return match["base"], match["number"]
