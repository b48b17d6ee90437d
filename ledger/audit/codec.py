"""msgspec as the auditor's JSON codec: the same verdicts as the core, several times faster.

The core's decode_entry lends it only entries whose canonical form it can reproduce;
tests/unit/test_audit_codec.py checks that verdicts agree on arbitrary entries.
"""

from __future__ import annotations

import msgspec

from ledger.core.canonical import JsonCodec


def _refuse_float(text: str) -> object:
    raise ValueError(f"number {text} has no canonical encoding")


AUDIT_CODEC = JsonCodec(
    decode=msgspec.json.Decoder(float_hook=_refuse_float).decode,
    encode=msgspec.json.Encoder(order="sorted").encode,
)
