"""The auditor's msgspec codec gives decode_entry exactly the verdicts of the exact path."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.audit.codec import AUDIT_CODEC
from ledger.core.canonical import EntryDraft, decode_entry, encode_entry
from ledger.core.errors import EncodingError

TIMESTAMP = "2026-11-28T08:00:00.000Z"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def verdict(data: bytes, codec: object) -> object:
    try:
        return decode_entry(data, codec)  # type: ignore[arg-type]
    except EncodingError:
        return "refused"


@settings(max_examples=300)
@given(payload=st.dictionaries(st.text(), json_values, max_size=6), index=st.integers(0, 2**40))
def test_canonical_entries_decode_the_same_with_the_codec(payload: dict, index: int) -> None:
    data = encode_entry(
        index, EntryDraft("sample.recorded", "system", payload), TIMESTAMP, bytes(32)
    )
    assert verdict(data, AUDIT_CODEC) == verdict(data, None) == decode_entry(data)


@settings(max_examples=300)
@given(
    payload=st.dictionaries(st.text(), json_values, max_size=4),
    cut=st.integers(0, 400),
    byte=st.integers(0, 255),
)
def test_damaged_entries_get_the_same_verdict_with_the_codec(
    payload: dict, cut: int, byte: int
) -> None:
    data = encode_entry(3, EntryDraft("sample.recorded", "system", payload), TIMESTAMP, bytes(32))
    position = cut % len(data)
    damaged = data[:position] + bytes([byte]) + data[position + 1 :]
    assert verdict(damaged, AUDIT_CODEC) == verdict(damaged, None)


@pytest.mark.parametrize(
    "payload_text",
    [
        '{"a":1.5}',
        '{"a":1e2}',
        '{"a":9007199254740992}',
        '{"a":-9007199254740992}',
        '{"a":1,"a":1}',
        '{"b":1,"a":2}',
        '{"\\ufb33":2,"\U0001f600":1}',
        '{"a":"\\u00e9"}',
        '{"a":"\\ud800"}',
        '{"a": 1}',
    ],
    ids=[
        "fraction",
        "exponent",
        "above-2^53",
        "below-minus-2^53",
        "duplicate-key",
        "unsorted",
        "utf16-order",
        "needless-escape",
        "lone-surrogate",
        "whitespace",
    ],
)
def test_non_canonical_payloads_are_refused_on_both_paths(payload_text: str) -> None:
    data = (
        '{"index":0,"kind":"sample.recorded","payload":'
        + payload_text
        + ',"prev":"'
        + "0" * 64
        + '","principal":"system","timestamp":"'
        + TIMESTAMP
        + '"}'
    ).encode("utf-8", "surrogatepass")
    assert verdict(data, None) == "refused"
    assert verdict(data, AUDIT_CODEC) == "refused"


def test_the_codec_path_is_taken_for_plain_entries() -> None:
    calls: list[bytes] = []

    class Watching:
        decode = staticmethod(lambda data: (calls.append(data), AUDIT_CODEC.decode(data))[1])
        encode = staticmethod(AUDIT_CODEC.encode)

    # (An all-zero prev is a run of 64 digits: the exact path would take it.)
    data = encode_entry(
        1, EntryDraft("sample.recorded", "system", {"n": 1, "t": "证书"}), TIMESTAMP, b"\xab" * 32
    )
    assert decode_entry(data, Watching()).payload == json.loads(data)["payload"]  # type: ignore[arg-type]
    assert calls == [data]
