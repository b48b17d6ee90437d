"""Canonical entries: RFC 8785 examples, every refusal, and properties against a slow reference.

The reference encoder below is written from RFC 8785 and docs/format.md section 2.2,
not from ledger.core.canonical: UTF-16 order computed by arithmetic, strings by json.dumps.
"""

from __future__ import annotations

import json
import math
import string
import types
from collections import OrderedDict
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.canonical import (
    MAX_SAFE_INTEGER,
    EntryDraft,
    canonical_json,
    decode_entry,
    encode_entry,
    format_timestamp,
    parse_timestamp,
)
from ledger.core.errors import EncodingError

# --- an independent, slow reference encoder -----------------------------------------------


def utf16_units(text: str) -> list[int]:
    """The UTF-16 code units of text, computed without Python's codecs."""
    units: list[int] = []
    for character in text:
        point = ord(character)
        if point < 0x10000:
            units.append(point)
        else:
            point -= 0x10000
            units.extend((0xD800 + (point >> 10), 0xDC00 + (point & 0x3FF)))
    return units


def reference_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(reference_text(item) for item in value) + "]"
    if isinstance(value, dict):
        names = sorted(value, key=utf16_units)
        return (
            "{"
            + ",".join(
                f"{json.dumps(n, ensure_ascii=False)}:{reference_text(value[n])}" for n in names
            )
            + "}"
        )
    raise TypeError(type(value))


def reference(value: Any) -> bytes:
    return reference_text(value).encode("utf-8")


def as_mapping_proxies(value: Any) -> Any:
    """The same value with every dict a read-only Mapping, which takes the exact path."""
    if isinstance(value, dict):
        return types.MappingProxyType({k: as_mapping_proxies(v) for k, v in value.items()})
    if isinstance(value, list):
        return [as_mapping_proxies(item) for item in value]
    return value


# --- strategies ---------------------------------------------------------------------------

# Valid Unicode text: everything but surrogates, supplementary characters included.
unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# Names where UTF-16 order and code point order disagree, and ASCII edge cases.
tricky_names = st.text(
    st.sampled_from(
        [
            *("a", "b", "A", "1", "\x00", "\r", "\x7f", "\x80", "é", "€", "\ue000", "\uffff"),
            *("\U00010000", "\U0001f600", "\U0010ffff", "\ufb33", "\uff08", '"', "\\"),
        ]
    ),
    max_size=4,
)
ascii_names = st.text(st.characters(max_codepoint=0x7F), max_size=8)
safe_integers = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
scalars = st.none() | st.booleans() | safe_integers | unicode_text | tricky_names


def json_values(names: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(names, children, max_size=5)
        ),
        max_leaves=20,
    )


any_values = json_values(unicode_text | tricky_names)
ascii_keyed_values = json_values(ascii_names)
payloads = st.dictionaries(unicode_text | tricky_names, any_values, max_size=5)

segment = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(string.ascii_lowercase),
    st.text(st.sampled_from(string.ascii_lowercase + string.digits + "_"), max_size=6),
)
kinds = st.lists(segment, min_size=2, max_size=3).map(".".join)
principals = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200)
moments = st.datetimes(
    min_value=datetime(1000, 1, 2),
    max_value=datetime(9998, 12, 30),
    timezones=st.just(UTC)
    | st.builds(timezone, st.timedeltas(timedelta(hours=-23), timedelta(hours=23))),
)
timestamps = moments.map(format_timestamp)
links = st.binary(min_size=32, max_size=32)


# --- RFC 8785 examples --------------------------------------------------------------------


def test_rfc8785_section_3_2_3_sorts_names_by_utf16_code_units() -> None:
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    # The code units: 000D < 0031 < 0080 < 00F6 < 20AC < D83D DE00 < FB33.
    units = {name: utf16_units(name) for name in value}
    assert units["\U0001f600"] == [0xD83D, 0xDE00]
    order = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert [units[name] for name in order] == sorted(units.values())
    # The order of values RFC 8785 section 3.2.3 prints.
    assert [value[name] for name in order] == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert canonical_json(value) == expected.encode("utf-8")
    # Code point order would put the emoji last: the UTF-16 rule is what makes it differ.
    assert sorted(value) != order


def test_rfc8785_section_3_2_2_strings_and_literals() -> None:
    parsed = json.loads(
        r'{"string": "\u20ac$\u000F\u000aA' + "'" + r'\u0042\u0022\u005c\\\"\/",'
        r' "literals": [null, true, false]}'
    )
    expected = '{"literals":[null,true,false],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    assert canonical_json(parsed) == expected.encode("utf-8")


def test_rfc8785_hex_of_the_euro_sign_example() -> None:
    # RFC 8785 section 3.2.4: the output is UTF-8; the euro sign is e2 82 ac.
    assert canonical_json("\u20ac$") == bytes.fromhex("22e282ac2422")


# --- strings ------------------------------------------------------------------------------

SHORT_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}


@pytest.mark.parametrize("code", range(0x20))
def test_control_characters_are_escaped_as_rfc8785_says(code: int) -> None:
    escape = SHORT_ESCAPES.get(code, f"\\u{code:04x}")
    assert canonical_json(chr(code)) == f'"{escape}"'.encode("ascii")


def test_quote_and_backslash_are_the_only_other_escapes() -> None:
    assert canonical_json('a"b\\c') == b'"a\\"b\\\\c"'
    for unescaped in ["/", "\x7f", "\x80", "\x9f", "\u2028", "\u2029", "\ufeff", "'", "<"]:
        assert canonical_json(unescaped) == ('"' + unescaped + '"').encode("utf-8")


def test_escapes_use_lowercase_hex() -> None:
    assert canonical_json("\x1f\x1b") == b'"\\u001f\\u001b"'


def test_non_ascii_text_is_kept_as_utf8() -> None:
    value = {"standard_title": "建筑信息模型(BIM)", "name": "Zoë 😀"}
    expected = '{"name":"Zoë 😀","standard_title":"建筑信息模型(BIM)"}'.encode()
    assert canonical_json(value) == expected
    assert b"\\u" not in canonical_json(value)


# --- numbers, literals, containers --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, b"0"),
        (-1, b"-1"),
        (10, b"10"),
        (MAX_SAFE_INTEGER, b"9007199254740991"),
        (-MAX_SAFE_INTEGER, b"-9007199254740991"),
        (True, b"true"),
        (False, b"false"),
        (None, b"null"),
        ([], b"[]"),
        ({}, b"{}"),
        ((1, "a", None), b'[1,"a",null]'),
        ([[], {}, [{}]], b"[[],{},[{}]]"),
        ({"b": 1, "a": {"d": [], "c": True}}, b'{"a":{"c":true,"d":[]},"b":1}'),
    ],
)
def test_plain_values(value: object, text: bytes) -> None:
    assert canonical_json(value) == text


def test_integer_subclasses_are_written_as_integers() -> None:
    class Level(int):
        pass

    assert canonical_json({"level": Level(3)}) == b'{"level":3}'


def test_other_mappings_encode_like_dicts() -> None:
    value = {"b": [1], "é": {"z": 1, "a": 2}, "a": None}
    expected = canonical_json(value)
    assert canonical_json(OrderedDict(reversed(list(value.items())))) == expected
    assert canonical_json(as_mapping_proxies(value)) == expected


# --- refusals -----------------------------------------------------------------------------


class Opaque:
    def __repr__(self) -> str:
        return "Opaque()"


def stable_id(value: object) -> str:
    """A test id that is the same in every process (parallel workers compare them)."""
    if isinstance(value, set | frozenset):
        return f"{type(value).__name__}({sorted(value)!r})"
    return repr(value)


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        0.5,
        -0.0,
        math.nan,
        math.inf,
        -math.inf,
        MAX_SAFE_INTEGER + 1,
        -MAX_SAFE_INTEGER - 1,
        2**64,
        Decimal("1"),
        b"bytes",
        bytearray(b"x"),
        {"a", "b"},
        frozenset(),
        Opaque(),
        datetime(2026, 1, 1, tzinfo=UTC),
        "\ud800",
        "\udfff",
        "a\udc00b",
        "\udbff\udfff",  # a surrogate pair as two code points is not a character
    ],
    ids=stable_id,
)
@pytest.mark.parametrize(
    "wrap",
    [
        lambda v: v,
        lambda v: [v],
        lambda v: {"a": v},
        lambda v: {"é": [{"z": v}]},  # under a non-ASCII name: the exact path
        lambda v: OrderedDict(a=[v]),
    ],
    ids=["bare", "in-list", "in-ascii-object", "in-non-ascii-object", "in-ordered-dict"],
)
def test_values_without_canonical_encoding_are_refused(value: object, wrap: Any) -> None:
    with pytest.raises(EncodingError):
        canonical_json(wrap(value))


@pytest.mark.parametrize("key", [1, None, True, 1.5, b"a", ("a",)], ids=repr)
@pytest.mark.parametrize("wrap", [dict, OrderedDict, types.MappingProxyType])
def test_non_string_keys_are_refused(key: object, wrap: Any) -> None:
    with pytest.raises(EncodingError):
        canonical_json(wrap({key: 1}))
    with pytest.raises(EncodingError):
        canonical_json({"é": wrap({"a": 1, key: 2})})


@pytest.mark.parametrize("key", ["\ud800", "a\udfff", "\udc00é"])
def test_lone_surrogate_names_are_refused(key: str) -> None:
    with pytest.raises(EncodingError):
        canonical_json({key: 1})


# --- properties against the reference -----------------------------------------------------


@settings(max_examples=400)
@given(any_values)
def test_canonical_json_equals_the_reference_and_round_trips(value: Any) -> None:
    encoded = canonical_json(value)
    assert encoded == reference(value)
    assert json.loads(encoded) == value


@settings(max_examples=300)
@given(ascii_keyed_values)
def test_fast_path_and_exact_path_agree(value: Any) -> None:
    # Dicts with ASCII names take the standard library's encoder; Mapping proxies do not.
    assert canonical_json(value) == canonical_json(as_mapping_proxies(value))
    assert canonical_json(value) == reference(value)


@settings(max_examples=200)
@given(any_values)
def test_exact_path_equals_the_reference(value: Any) -> None:
    assert canonical_json(as_mapping_proxies(value)) == reference(value)


@settings(max_examples=100)
@given(st.lists(tricky_names, unique=True, max_size=8))
def test_names_sort_by_utf16_code_units(names: list[str]) -> None:
    decoded = json.loads(canonical_json(dict.fromkeys(names, 0)))
    assert list(decoded) == sorted(names, key=utf16_units)


# --- entries ------------------------------------------------------------------------------

VALID_PREV = bytes(range(32))


def entry_dict(index: int, draft: EntryDraft, timestamp: str, prev: bytes) -> dict[str, Any]:
    return {
        "index": index,
        "kind": draft.kind,
        "payload": draft.payload,
        "prev": prev.hex(),
        "principal": draft.principal,
        "timestamp": timestamp,
    }


@settings(max_examples=300)
@given(
    st.integers(0, MAX_SAFE_INTEGER),
    kinds,
    principals,
    payloads,
    timestamps,
    links,
)
def test_encode_entry_is_canonical_json_of_the_entry_and_decodes_back(
    index: int, kind: str, principal: str, payload: dict[str, Any], timestamp: str, prev: bytes
) -> None:
    draft = EntryDraft(kind, principal, payload)
    data = encode_entry(index, draft, timestamp, prev)
    fields = entry_dict(index, draft, timestamp, prev)
    assert data == canonical_json(fields)
    assert data == reference(fields)
    entry = decode_entry(data)
    assert (entry.index, entry.kind, entry.principal, entry.timestamp) == (
        index,
        kind,
        principal,
        timestamp,
    )
    assert entry.payload == payload
    assert entry.prev == prev
    assert entry.data == data


def sample_entry() -> bytes:
    draft = EntryDraft(
        "certificate.issued",
        "org:示例",
        {
            "level": "junior",
            "number": "X-1",
            "score": 87,
            "title": "老年照护",
            "😀": 1,
            "\ufb33": 2,
        },
    )
    return encode_entry(5, draft, "2026-03-02T09:30:15.250Z", VALID_PREV)


def test_sample_entry_is_valid() -> None:
    data = sample_entry()
    assert data.startswith(b'{"index":5,"kind":"certificate.issued","payload":{')
    assert decode_entry(data).payload["\U0001f600"] == 1


def mutated(old: str, new: str) -> bytes:
    """The sample entry with the first occurrence of old replaced by new."""
    text = sample_entry().decode()
    assert old in text, old
    return text.replace(old, new, 1).encode()


PREV_HEX = VALID_PREV.hex()

NON_CANONICAL = {
    "space after colon": mutated('"index":5', '"index": 5'),
    "space after comma": mutated(',"kind"', ', "kind"'),
    "leading space": b" " + sample_entry(),
    "trailing newline": sample_entry() + b"\n",
    "byte order mark": b"\xef\xbb\xbf" + sample_entry(),
    "reordered members": mutated(
        '"index":5,"kind":"certificate.issued"', '"kind":"certificate.issued","index":5'
    ),
    "reordered payload names": mutated(
        '"level":"junior","number":"X-1"', '"number":"X-1","level":"junior"'
    ),
    "code point order instead of utf-16": mutated('"😀":1,"\ufb33":2', '"\ufb33":2,"😀":1'),
    "duplicate member": mutated('"index":5,', '"index":5,"index":5,'),
    "duplicate payload name": mutated('"score":87,', '"score":87,"score":87,'),
    "extra member": mutated('"index":5,', '"extra":1,"index":5,'),
    "missing member": mutated(',"principal":"org:示例"', ""),
    "float index": mutated('"index":5', '"index":5.0'),
    "exponent index": mutated('"index":5', '"index":5e0'),
    "float in payload": mutated('"score":87', '"score":87.5'),
    "exponent in payload": mutated('"score":87', '"score":1e3'),
    "nan in payload": mutated('"score":87', '"score":NaN'),
    "infinity in payload": mutated('"score":87', '"score":Infinity'),
    "negative zero": mutated('"score":87', '"score":-0'),
    "unsafe integer": mutated('"score":87', '"score":9007199254740992'),
    "escaped non-ascii": mutated("老年照护", "\\u8001年照护"),
    "escaped solidus": mutated('"X-1"', '"X\\/1"'),
    "escaped ascii letter": mutated('"X-1"', '"\\u0058-1"'),
    "upper-case hex escape": mutated('"X-1"', '"X\\u001F1"'),
    "lone surrogate": mutated('"X-1"', '"\\ud800"'),
    "negative index": mutated('"index":5', '"index":-5'),
    "boolean index": mutated('"index":5', '"index":true'),
    "string index": mutated('"index":5', '"index":"5"'),
    "uppercase prev": mutated(PREV_HEX, PREV_HEX.upper()),
    "short prev": mutated(PREV_HEX, PREV_HEX[:-2]),
    "bad kind": mutated('"certificate.issued"', '"Certificate.Issued"'),
    "bad timestamp": mutated('"2026-03-02T09:30:15.250Z"', '"2026-03-02T09:30:15Z"'),
    "payload not an object": mutated('"payload":{', '"payload":[{').replace(
        b',"prev"', b'],"prev"', 1
    ),
    "not an object": b"[]",
    "not json": b'{"index":5',
    "not utf-8": sample_entry().replace(b"X-1", b"X-\xff"),
}


def test_every_mutation_changes_the_bytes() -> None:
    assert all(data != sample_entry() for data in NON_CANONICAL.values())


@pytest.mark.parametrize("data", NON_CANONICAL.values(), ids=NON_CANONICAL.keys())
def test_decode_entry_refuses_non_canonical_bytes(data: bytes) -> None:
    with pytest.raises(EncodingError):
        decode_entry(data)


@pytest.mark.parametrize(
    ("index", "prev", "timestamp"),
    [
        (-1, VALID_PREV, "2026-03-02T09:30:15.250Z"),
        (True, VALID_PREV, "2026-03-02T09:30:15.250Z"),
        (0, bytes(31), "2026-03-02T09:30:15.250Z"),
        (0, bytes(33), "2026-03-02T09:30:15.250Z"),
        (0, VALID_PREV, "2026-03-02T09:30:15Z"),
        (0, VALID_PREV, "2026-03-02T09:30:15.250+00:00"),
    ],
)
def test_encode_entry_refuses_bad_sequencing(index: int, prev: bytes, timestamp: str) -> None:
    with pytest.raises(EncodingError):
        encode_entry(index, EntryDraft("a.b", "p", {}), timestamp, prev)


@pytest.mark.parametrize("payload", [{"score": 1.5}, {"n": 2**53}, {1: "a"}, {"s": "\ud800"}])
def test_encode_entry_refuses_payloads_without_encoding(payload: dict[Any, Any]) -> None:
    with pytest.raises(EncodingError):
        encode_entry(0, EntryDraft("a.b", "p", payload), "2026-03-02T09:30:15.250Z", VALID_PREV)


def test_encode_entry_refuses_a_principal_with_a_lone_surrogate() -> None:
    with pytest.raises(EncodingError):
        encode_entry(0, EntryDraft("a.b", "\ud800", {}), "2026-03-02T09:30:15.250Z", VALID_PREV)


# --- drafts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    ["certificate.issued", "key.added", "key.retired", "a.b", "a.b.c", "a_1.b2", "x9.y_"],
)
def test_draft_accepts_dotted_lowercase_kinds(kind: str) -> None:
    assert EntryDraft(kind, "system", {}).kind == kind


@pytest.mark.parametrize(
    "kind",
    [
        "Certificate.Issued",
        "certificate.Issued",
        "x",
        "a.b\n",
        "",
        ".a",
        "a.",
        "a..b",
        "1a.b",
        "a.1b",
        "_a.b",
        "a-b.c",
        "a.b ",
        " a.b",
        "ä.b",
        "a.b.",
    ],
    ids=repr,
)
def test_draft_refuses_other_kinds(kind: str) -> None:
    with pytest.raises(EncodingError):
        EntryDraft(kind, "system", {})


def test_draft_principal_is_1_to_200_characters() -> None:
    assert EntryDraft("a.b", "p" * 200, {}).principal == "p" * 200
    assert EntryDraft("a.b", "证" * 200, {}).principal == "证" * 200
    for principal in ["", "p" * 201]:
        with pytest.raises(EncodingError):
            EntryDraft("a.b", principal, {})


@pytest.mark.parametrize("payload", [[], "x", None, 1])
def test_draft_payload_must_be_an_object(payload: Any) -> None:
    with pytest.raises(EncodingError):
        EntryDraft("a.b", "p", payload)


# --- timestamps ---------------------------------------------------------------------------


@settings(max_examples=300)
@given(moments)
def test_timestamps_round_trip_to_the_millisecond(moment: datetime) -> None:
    text = format_timestamp(moment)
    assert len(text) == 24
    assert text.endswith("Z")
    parsed = parse_timestamp(text)
    assert parsed.tzinfo is not None
    utc = moment.astimezone(UTC)
    assert parsed == utc.replace(microsecond=utc.microsecond // 1000 * 1000)
    assert format_timestamp(parsed) == text


def test_format_timestamp_converts_to_utc_and_truncates() -> None:
    moment = datetime(2026, 3, 2, 17, 30, 15, 250999, tzinfo=timezone(timedelta(hours=8)))
    assert format_timestamp(moment) == "2026-03-02T09:30:15.250Z"
    assert format_timestamp(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000Z"


def test_timestamp_order_is_string_order() -> None:
    earlier = datetime(2026, 3, 2, 9, 30, 15, 250000, tzinfo=UTC)
    later = earlier + timedelta(milliseconds=1)
    assert format_timestamp(earlier) < format_timestamp(later)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(EncodingError):
        format_timestamp(datetime(2026, 3, 2, 9, 30))


def test_years_below_1000_keep_four_digits() -> None:
    assert format_timestamp(datetime(999, 1, 2, tzinfo=UTC)) == "0999-01-02T00:00:00.000Z"
    assert parse_timestamp("0999-01-02T00:00:00.000Z") == datetime(999, 1, 2, tzinfo=UTC)


def test_moments_without_a_utc_timestamp_are_refused() -> None:
    far = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(EncodingError):
        format_timestamp(far)


@pytest.mark.parametrize("principal", ["", "x" * 201, 7, None])
def test_drafts_and_entries_refuse_bad_principals(principal: object) -> None:
    with pytest.raises(EncodingError):
        EntryDraft("sample.recorded", principal, {})  # type: ignore[arg-type]
    data = (
        b'{"index":0,"kind":"sample.recorded","payload":{},"prev":"'
        + b"0" * 64
        + b'","principal":'
        + json.dumps(principal).encode()
        + b',"timestamp":"2026-03-02T09:30:15.250Z"}'
    )
    with pytest.raises(EncodingError):
        decode_entry(data)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02T09:30:15.25Z",
        "2026-03-02T09:30:15.2500Z",
        "2026-03-02T09:30:15Z",
        "2026-03-02 09:30:15.250Z",
        "2026-03-02t09:30:15.250z",
        "2026-03-02T09:30:15.250",
        "2026-03-02T09:30:15.250+00:00",
        "2026-03-02T09:30:15.250Z\n",
        " 2026-03-02T09:30:15.250Z",
        "26-03-02T09:30:15.250Z",
        "2026-3-02T09:30:15.250Z",
        "\u0662\u0660\u0662\u0666-03-02T09:30:15.250Z",
        "2026-13-02T09:30:15.250Z",
        "2026-02-30T09:30:15.250Z",
        "2026-03-02T24:00:00.000Z",
        "2026-03-02T23:59:60.000Z",
        "",
    ],
    ids=repr,
)
def test_parse_timestamp_refuses_other_shapes(text: str) -> None:
    with pytest.raises(EncodingError):
        parse_timestamp(text)
