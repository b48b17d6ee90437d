"""Checkpoints: the log's tree head as a C2SP tlog-checkpoint inside a C2SP signed note.

Also the note verifier key (vkey) format; Ed25519 (signature type 0x01) only. The signed
note and vkey machinery lives in ledger.core.signed_note and is re-exported here.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from ledger.core.errors import InvalidInput, MalformedNote
from ledger.core.signed_note import (
    ED25519_SIGNATURE_TYPE,
    MAX_NOTE_SIGNATURES,
    NoteSignature,
    NoteVerifier,
    SignedNote,
    add_signature,
    b64_decode,
    b64_encode,
    has_control_characters,
    is_utf8,
    is_valid_key_name,
    is_valid_note_text,
    key_hash,
    sign_note,
    vkey,
)

__all__ = [
    "ED25519_SIGNATURE_TYPE",
    "MAX_NOTE_SIGNATURES",
    "Checkpoint",
    "NoteSignature",
    "NoteVerifier",
    "SignedNote",
    "add_signature",
    "key_hash",
    "open_checkpoint",
    "origin_from_url",
    "sign_note",
    "vkey",
]

HASH_SIZE = 32
MAX_TREE_SIZE = 2**64 - 1

_TREE_SIZE = re.compile(r"0|[1-9][0-9]*")
_DEFAULT_PORTS = {"http": 80, "https": 443}


# --- checkpoint body (c2sp.org/tlog-checkpoint) ------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's origin, its tree size and the RFC 9162 root hash.

    Raises InvalidInput if origin is empty or has a newline or control character,
    size is not an int in 0..2**64-1, or root is not 32 bytes.
    """

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin:
            raise InvalidInput("checkpoint origin must be a non-empty string")
        if "\n" in self.origin or has_control_characters(self.origin):
            raise InvalidInput("checkpoint origin must be one line without control characters")
        if not is_utf8(self.origin):
            raise InvalidInput("checkpoint origin must be valid UTF-8")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise InvalidInput("checkpoint size must be an int")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise InvalidInput(f"checkpoint size {self.size} is outside 0..2**64-1")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise InvalidInput(f"checkpoint root must be {HASH_SIZE} bytes")

    def to_text(self) -> str:
        """The note text: origin, decimal size, base64 root, each ending in newline."""
        return f"{self.origin}\n{self.size}\n{b64_encode(self.root)}\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse checkpoint note text (the body only, no signatures).

        Extension lines after the root are allowed and dropped, so to_text() of
        the result equals text only when it has none. Raises MalformedNote when
        text does not end in newline, has a control character other than newline
        or an empty line, an empty origin, a size that is not decimal without
        leading zeros (or exceeds 2**64-1), or a root that is not the canonical
        standard base64 of 32 bytes.
        """
        if not is_valid_note_text(text):
            raise MalformedNote("checkpoint text must be UTF-8 lines ending in newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedNote("checkpoint needs origin, size and root lines")
        if any(line == "" for line in lines):
            raise MalformedNote("checkpoint lines must be non-empty")
        origin, size_text, root_text = lines[:3]
        if not _TREE_SIZE.fullmatch(size_text):
            raise MalformedNote(f"checkpoint size {size_text!r} is not a decimal number")
        size = int(size_text)
        if size > MAX_TREE_SIZE:
            raise MalformedNote(f"checkpoint size {size_text} exceeds 2**64-1")
        try:
            root = b64_decode(root_text)
        except ValueError as exc:
            raise MalformedNote("checkpoint root is not base64") from exc
        if len(root) != HASH_SIZE:
            raise MalformedNote(f"checkpoint root is {len(root)} bytes, not {HASH_SIZE}")
        return cls(origin, size, root)


def origin_from_url(public_url: str) -> str:
    """The checkpoint origin for a log published at public_url: the URL without scheme.

    "https://ledger.example.edu.cn/" -> "ledger.example.edu.cn";
    "http://127.0.0.1:8000" -> "127.0.0.1:8000"; "https://x.cn/ledger/" -> "x.cn/ledger".
    The host is lower-cased, a default port (80 for http, 443 for https) dropped
    and trailing slashes stripped, so one log keeps one origin. Raises
    InvalidInput unless public_url is an http(s) URL with a host and no user
    info, query or fragment, and the origin is a valid note key name (no
    whitespace, no plus).
    """
    if not isinstance(public_url, str) or not public_url:
        raise InvalidInput("public URL is empty")
    if any(character.isspace() for character in public_url) or has_control_characters(public_url):
        raise InvalidInput(f"public URL {public_url!r} has whitespace or control characters")
    try:
        parts = urllib.parse.urlsplit(public_url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"public URL {public_url!r} does not parse") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidInput(f"public URL {public_url!r} is not http or https")
    if not parts.hostname:
        raise InvalidInput(f"public URL {public_url!r} has no host")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(f"public URL {public_url!r} has user information")
    if parts.query or parts.fragment or "?" in public_url or "#" in public_url:
        raise InvalidInput(f"public URL {public_url!r} has a query or fragment")
    host = parts.hostname  # urlsplit lower-cases it and drops IPv6 brackets
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    origin = host + parts.path.rstrip("/")
    if not is_valid_key_name(origin):
        raise InvalidInput(f"origin {origin!r} is not a valid note key name")
    return origin


def open_checkpoint(
    note: str, verifiers: Iterable[NoteVerifier], origin: str | None = None
) -> Checkpoint:
    """Parse a signed checkpoint, verify it, and return the tree head it carries.

    Raises MalformedNote if the note or its checkpoint body does not parse, or if
    origin is given and differs from the checkpoint's; BadSignature as
    SignedNote.verify does.
    """
    signed = SignedNote.from_text(note)
    signed.verify(verifiers)
    checkpoint = Checkpoint.from_text(signed.text)
    if origin is not None and checkpoint.origin != origin:
        raise MalformedNote(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint
