"""Canonical encoding of ledger entries: one exact byte string per entry.

The encoding is RFC 8785 (JSON Canonicalization Scheme) restricted to values that
need no number formatting: no floats. docs/format.md states the rule in full.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.core.errors import EncodingError

#: Integers outside this range cannot round-trip through an IEEE double, which RFC 8785
#: (and every JavaScript verifier) uses for numbers.
MAX_SAFE_INTEGER = 2**53 - 1

#: Entry kinds are dotted lowercase names such as ``certificate.issued``.
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")

#: Principals are names such as ``org:91610000MA6TG12349``; the column holds 200.
MAX_PRINCIPAL_LENGTH = 200

#: Timestamps are UTC with millisecond precision, always in this exact shape.
TIMESTAMP_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", re.ASCII)

_encode_string = json.JSONEncoder(ensure_ascii=False).encode
# For values whose object keys are all ASCII, code point order is UTF-16 order and the
# standard library's C encoder produces exactly the RFC 8785 bytes.
_encode_plain = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
).encode


def canonical_json(value: object) -> bytes:
    """Encode ``value`` as RFC 8785 canonical JSON in UTF-8.

    Accepts dicts with string keys, lists and tuples, strings, booleans, None and
    integers within +-(2**53 - 1). Raises EncodingError for anything else (floats
    included, so that no number formatting rule is ever needed) and for strings that
    are not valid Unicode (lone surrogates).
    """
    return _utf8(_canonical_text(value))


def rows_digest(rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> bytes:
    """SHA-256 of the canonical JSON of ``rows`` as lists of their ``fields`` (absent: null).

    Binds a client's batch id to the rows it was first used for.
    """
    return hashlib.sha256(canonical_json([[row.get(f) for f in fields] for row in rows])).digest()


def _canonical_text(value: object) -> str:
    if _is_plain(value):
        return _encode_plain(value)
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EncodingError("string is not valid Unicode (lone surrogate)") from exc


def _is_plain(value: object) -> bool:
    """Check ``value`` (EncodingError if it has no encoding); True if the fast path is exact."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:  # type: ignore[operator]
            raise EncodingError(f"integer {value} is outside the range JSON numbers hold exactly")
        return True
    if kind is dict:
        plain = True
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                if not isinstance(key, str):
                    raise EncodingError(f"object key {key!r} is not a string")
                plain = False  # a str subclass: the exact path writes it as a str
            elif not key.isascii():
                plain = False
            else:
                # Scalars inline: this loop runs for every member of every payload.
                member = type(item)
                if member is str or member is bool or item is None:
                    continue
                if member is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                    continue
                if not _is_plain(item):
                    plain = False
        return plain
    if kind is list or kind is tuple:
        plain = True
        for item in value:  # type: ignore[attr-defined]
            if not _is_plain(item):
                plain = False
        return plain
    if isinstance(value, float):
        raise EncodingError("float has no canonical encoding; use str or int")
    # Subclasses and other mappings take the exact, slower path, which checks them.
    return False


def _utf16_key(key: str) -> bytes:
    # RFC 8785 sorts member names by their UTF-16 code units, not by code points.
    return key.encode("utf-16-be", "surrogatepass")


def _write(value: object, parts: list[str]) -> None:
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, str):
        parts.append(_encode_string(value))
    elif isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise EncodingError(f"integer {value} is outside the range JSON numbers hold exactly")
        parts.append(str(int(value)))
    elif isinstance(value, Mapping):
        keys = list(value)
        for key in keys:
            if not isinstance(key, str):
                raise EncodingError(f"object key {key!r} is not a string")
        parts.append("{")
        for position, key in enumerate(sorted(keys, key=_utf16_key)):
            if position:
                parts.append(",")
            parts.append(_encode_string(key))
            parts.append(":")
            _write(value[key], parts)
        parts.append("}")
    elif isinstance(value, list | tuple):
        parts.append("[")
        for position, item in enumerate(value):
            if position:
                parts.append(",")
            _write(item, parts)
        parts.append("]")
    else:
        raise EncodingError(f"{type(value).__name__} has no canonical encoding; use str or int")


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as the entry timestamp: UTC, milliseconds, ``Z``."""
    if moment.tzinfo is None:
        raise EncodingError("timestamp must be timezone-aware")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError as exc:
        raise EncodingError(f"{moment.isoformat()} has no UTC timestamp") from exc
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def parse_timestamp(text: str) -> datetime:
    """Parse an entry timestamp; EncodingError unless it has the exact canonical shape."""
    if not TIMESTAMP_PATTERN.fullmatch(text):
        raise EncodingError(f"timestamp {text!r} is not YYYY-MM-DDTHH:MM:SS.mmmZ")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise EncodingError(f"timestamp {text!r} is not a real date and time") from exc


def _valid_principal(principal: object) -> bool:
    return isinstance(principal, str) and 0 < len(principal) <= MAX_PRINCIPAL_LENGTH


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What a writer asks to append: the log gives it an index, a time and a link."""

    kind: str
    principal: str
    payload: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not KIND_PATTERN.fullmatch(self.kind):
            raise EncodingError(f"entry kind {self.kind!r} is not a dotted lowercase name")
        if not _valid_principal(self.principal):
            raise EncodingError("principal must be a string of 1 to 200 characters")
        if not isinstance(self.payload, Mapping):
            raise EncodingError("payload must be a JSON object")


@dataclass(frozen=True, slots=True)
class Entry:
    """A sequenced entry: its fields and the exact bytes they encode to."""

    index: int
    kind: str
    principal: str
    timestamp: str
    payload: Mapping[str, Any]
    prev: bytes
    data: bytes


def encode_entry(index: int, draft: EntryDraft, timestamp: str, prev: bytes) -> bytes:
    """Return the canonical bytes of entry ``index``.

    ``prev`` is the chain link of entry ``index - 1`` (32 zero bytes for entry 0).
    Raises EncodingError when the payload has no canonical encoding.
    """
    if type(index) is not int or index < 0:
        raise EncodingError("entry index must be an integer >= 0")
    if len(prev) != 32:
        raise EncodingError("prev link must be 32 bytes")
    if not TIMESTAMP_PATTERN.fullmatch(timestamp):
        raise EncodingError(f"timestamp {timestamp!r} is not YYYY-MM-DDTHH:MM:SS.mmmZ")
    # The members in RFC 8785 order; kind and timestamp match patterns that need no
    # escaping, so this is canonical_json of the whole entry, written out for speed.
    return _utf8(
        f'{{"index":{index:d},"kind":"{draft.kind}",'
        f'"payload":{_canonical_text(draft.payload)},"prev":"{prev.hex()}",'
        f'"principal":{_encode_string(draft.principal)},"timestamp":"{timestamp}"}}'
    )


_ENTRY_FIELDS = frozenset({"index", "kind", "payload", "prev", "principal", "timestamp"})
_PREV_PATTERN = re.compile(r"[0-9a-f]{64}")
# Four-byte UTF-8 sequences: characters outside the BMP, the only ones whose UTF-16
# order can differ from code point order.
_SUPPLEMENTARY = re.compile(rb"[\xf0-\xf4]")


def _refuse_number(text: str) -> object:
    raise EncodingError(f"number {text} has no canonical encoding; entries hold only integers")


def _bounded_int(text: str) -> int:
    value = int(text)
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise EncodingError(f"integer {text} is outside the range JSON numbers hold exactly")
    return value


_decode_json = json.JSONDecoder(
    parse_float=_refuse_number, parse_constant=_refuse_number, parse_int=_bounded_int
).decode


@dataclass(frozen=True, slots=True)
class JsonCodec:
    """A faster JSON parser and sorted-key encoder a caller may lend decode_entry.

    ``decode`` must parse JSON bytes, raising ValueError on bad input and on any number
    with a fraction or exponent; ``encode`` must write members sorted by code point with
    RFC 8785 string escaping. decode_entry lends them only entries for which that is the
    canonical form (no characters outside the BMP, no integer of 16 or more digits).
    """

    decode: Callable[[bytes], object]
    encode: Callable[[object], bytes]


# Outside the codec's reach: characters outside the BMP (key order may differ) and runs
# of 16 or more digits (an integer beyond 2**53 - 1 may hide there). One translate and
# two substring searches find both faster than a regular expression.
_SHAPE = bytes(
    ord("0") if chr(b).isdigit() and b < 128 else ord("U") if 0xF0 <= b <= 0xF4 else ord(" ")
    for b in range(256)
)
_SIXTEEN_DIGITS = b"0" * 16


def _needs_exact_path(data: bytes) -> bool:
    shape = data.translate(_SHAPE)
    return b"U" in shape or _SIXTEEN_DIGITS in shape


def decode_entry(data: bytes, codec: JsonCodec | None = None) -> Entry:
    """Parse entry bytes and check that they are exactly canonical.

    Raises EncodingError when the bytes are not JSON, miss or add a field, or are not
    the canonical encoding of what they contain. With ``codec``, plain entries are
    parsed and re-encoded by it; the verdict is the same as without it.
    """
    if codec is not None and not _needs_exact_path(data):
        try:
            fields = codec.decode(data)
            entry = _entry_from_fields(fields, data)
        except (ValueError, EncodingError):
            return decode_entry(data)  # the exact path finds and words the fault
        if codec.encode(fields) != data:
            return decode_entry(data)
        return entry
    try:
        fields = _decode_json(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise EncodingError(f"entry is not JSON: {exc}") from exc
    entry = _entry_from_fields(fields, data)
    # Without characters outside the BMP, the C encoder's order is RFC 8785 order, and
    # the parser has already refused floats and unsafe integers.
    exact = canonical_json(fields) if _SUPPLEMENTARY.search(data) else _utf8(_encode_plain(fields))
    if exact != data:
        raise EncodingError("entry bytes are not in canonical form")
    return entry


def _entry_from_fields(fields: object, data: bytes) -> Entry:
    if type(fields) is not dict or fields.keys() != _ENTRY_FIELDS:
        raise EncodingError(
            "entry must be an object with exactly the fields " + ", ".join(sorted(_ENTRY_FIELDS))
        )
    index, kind, prev_hex = fields["index"], fields["kind"], fields["prev"]
    principal, timestamp = fields["principal"], fields["timestamp"]
    if type(index) is not int or index < 0:
        raise EncodingError("entry index is not an integer >= 0")
    if type(prev_hex) is not str or not _PREV_PATTERN.fullmatch(prev_hex):
        raise EncodingError("entry prev is not 64 lowercase hex digits")
    if type(fields["payload"]) is not dict:
        raise EncodingError("entry payload is not an object")
    if type(kind) is not str or not KIND_PATTERN.fullmatch(kind):
        raise EncodingError("entry kind is not a dotted lowercase name")
    if not _valid_principal(principal):
        raise EncodingError("entry principal is not a string of 1 to 200 characters")
    if type(timestamp) is not str or not TIMESTAMP_PATTERN.fullmatch(timestamp):
        raise EncodingError("entry timestamp is not YYYY-MM-DDTHH:MM:SS.mmmZ")
    return Entry(
        index, kind, principal, timestamp, fields["payload"], bytes.fromhex(prev_hex), data
    )
