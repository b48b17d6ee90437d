"""The hash chain: each entry carries the link of the one before it.

link(i) = SHA-256(0x02 || link(i-1) || leaf_hash(i)), with link(-1) = 32 zero bytes.
"""

from __future__ import annotations

from hashlib import sha256

#: Domain separation: 0x00 and 0x01 are the RFC 9162 leaf and node prefixes.
CHAIN_LINK_PREFIX = b"\x02"

#: The link before the first entry.
GENESIS_LINK = bytes(32)


def chain_link(prev: bytes, leaf: bytes) -> bytes:
    """Return the link of an entry from its predecessor's link and its own leaf hash."""
    return sha256(CHAIN_LINK_PREFIX + prev + leaf).digest()
