"""An independent verifier written from docs/format.md alone, run against a real ledger.

The verifier half of this module imports nothing from the ledger: only the standard
library (hashlib, base64, json, re, datetime) and cryptography's Ed25519. The ledger is
built through its composition root; new drafts are made with dataclasses.replace on a
sample draft, so that not even the draft type is imported from ledger.core. The module
also recomputes every worked example of docs/format.md from the document's own text.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ledger.bootstrap import Ledger, open_ledger
from ledger.services.samples import sample_drafts
from ledger.settings import Settings
from tests.integration.helpers import append_raw

ROOT = Path(__file__).resolve().parents[2]
FORMAT_DOC = ROOT / "docs" / "format.md"
PUBLIC_URL = "https://ledger.test"
ORIGIN = "ledger.test"


class SpecError(Exception):
    """Something the specification says must hold does not."""


# ============================================================================================
# The verifier, from docs/format.md
# ============================================================================================

# --- section 1: conventions ------------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def b64decode(text: str) -> bytes:
    """Canonical standard base64 with padding; SpecError otherwise."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise SpecError(f"not base64: {text!r}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise SpecError(f"not canonical base64: {text!r}")
    return raw


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# --- section 2.2: canonical encoding ---------------------------------------------------------

SAFE_INTEGER = 2**53 - 1
SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def encode_string(text: str) -> str:
    out = ['"']
    for character in text:
        code = ord(character)
        if character in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[character])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            raise SpecError("a lone surrogate is not allowed")
        else:
            out.append(character)
    out.append('"')
    return "".join(out)


def utf16_sort_key(name: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the sequence of 16-bit code units.
    try:
        return name.encode("utf-16-be")
    except UnicodeEncodeError as exc:
        raise SpecError("a lone surrogate is not allowed") from exc


def encode_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        if not -SAFE_INTEGER <= value <= SAFE_INTEGER:
            raise SpecError(f"integer {value} is outside +-(2**53 - 1)")
        return str(value)
    if type(value) is str:
        return encode_string(value)
    if type(value) is list:
        return "[" + ",".join(encode_text(item) for item in value) + "]"
    if type(value) is dict:
        names = sorted(value, key=utf16_sort_key)
        return "{" + ",".join(f"{encode_string(n)}:{encode_text(value[n])}" for n in names) + "}"
    raise SpecError(f"{type(value).__name__} is not an allowed value")


def canonical(value: Any) -> bytes:
    return encode_text(value).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise SpecError("a member name appears twice")
    return dict(pairs)


def _refuse(text: str) -> Any:
    raise SpecError(f"number {text} is not an allowed value")


def _integer(text: str) -> int:
    value = int(text)
    if not -SAFE_INTEGER <= value <= SAFE_INTEGER:
        raise SpecError(f"integer {text} is outside +-(2**53 - 1)")
    return value


def parse_json(data: bytes) -> Any:
    """JSON with duplicates, non-integers and unsafe integers refused."""
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_float=_refuse,
            parse_constant=_refuse,
            parse_int=_integer,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise SpecError(f"not JSON: {exc}") from exc


# --- sections 2.1, 2.3, 2.4: entries ---------------------------------------------------------

ENTRY_MEMBERS = {"index", "kind", "payload", "prev", "principal", "timestamp"}
KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
HEX64 = re.compile(r"[0-9a-f]{64}")


def parse_entry(data: bytes) -> dict[str, Any]:
    """The members of entry bytes, which must be exactly canonical (section 2.2)."""
    entry = parse_json(data)
    if type(entry) is not dict or set(entry) != ENTRY_MEMBERS:
        raise SpecError("an entry is an object with exactly the six members")
    if type(entry["index"]) is not int or entry["index"] < 0:
        raise SpecError("index is not an integer >= 0")
    if type(entry["kind"]) is not str or not KIND.fullmatch(entry["kind"]):
        raise SpecError(f"kind {entry['kind']!r} is not a dotted lowercase name")
    if type(entry["payload"]) is not dict:
        raise SpecError("payload is not an object")
    if type(entry["prev"]) is not str or not HEX64.fullmatch(entry["prev"]):
        raise SpecError("prev is not 64 lowercase hex digits")
    if type(entry["principal"]) is not str or not 1 <= len(entry["principal"]) <= 200:
        raise SpecError("principal is not 1 to 200 characters")
    check_timestamp(entry["timestamp"])
    if canonical(entry) != data:
        raise SpecError("entry bytes are not canonical")
    return entry


def check_timestamp(text: object) -> None:
    if type(text) is not str or not TIMESTAMP.fullmatch(text):
        raise SpecError(f"timestamp {text!r} is not YYYY-MM-DDTHH:MM:SS.mmmZ")
    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError as exc:
        raise SpecError(f"timestamp {text!r} is not a real time") from exc


# --- section 3: the chain; section 4: the tree -----------------------------------------------

GENESIS = bytes(32)


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def chain_link(prev: bytes, leaf: bytes) -> bytes:
    return sha256(b"\x02" + prev + leaf)


def mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 section 2.1.1 over leaf hashes."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def check_hashes(*hashes: bytes) -> None:
    if any(len(value) != 32 for value in hashes):
        raise SpecError("every hash is 32 bytes")


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 section 2.1.3.2."""
    check_hashes(leaf, *proof)
    if not 0 <= index < size:
        raise SpecError(f"index {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise SpecError("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        raise SpecError(f"inclusion proof of {index} in {size} does not give the root")


def verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2, with section 4.2's rules for equal sizes and size 0."""
    check_hashes(*proof)
    if not 0 < first <= second:
        raise SpecError(f"no consistency proof from {first} to {second}")
    if first == second:
        if proof or first_hash != second_hash:
            raise SpecError("equal sizes need an empty proof and equal roots")
        return
    if not proof:
        raise SpecError("empty consistency proof")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise SpecError("consistency proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_hash or sr != second_hash:
        raise SpecError(f"consistency proof from {first} to {second} does not verify")


def node_position(level: int, index: int) -> int:
    """Section 4.4 (informative)."""
    last = ((index + 1) << level) - 1
    return 2 * last - last.bit_count() + level


# --- section 5: checkpoints, notes, vkeys ----------------------------------------------------

SIGNATURE_PREFIX = "\u2014 "


@dataclass(frozen=True)
class NoteKey:
    """A known signer: key name and Ed25519 public key."""

    name: str
    public: bytes

    @property
    def key_hash(self) -> bytes:
        return sha256(self.name.encode("utf-8") + b"\x0a\x01" + self.public)[:4]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    signed_by: NoteKey


def parse_vkey(text: str) -> NoteKey:
    name, hash_hex, key_text = text.split("+", 2)
    if not re.fullmatch(r"[0-9a-f]{8}", hash_hex):
        raise SpecError("vkey hash is not 8 lowercase hex digits")
    typed = b64decode(key_text)
    if len(typed) != 33 or typed[0] != 0x01:
        raise SpecError("vkey data is not 0x01 and a 32-byte key")
    key = NoteKey(name, typed[1:])
    if key.key_hash.hex() != hash_hex:
        raise SpecError("vkey hash does not match its name and key")
    return key


def vkey_text(key: NoteKey) -> str:
    typed = b"\x01" + key.public
    return f"{key.name}+{key.key_hash.hex()}+{base64.b64encode(typed).decode('ascii')}"


def split_note(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """The signed text and its (name, key hash, signature) lines, verifying nothing."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise SpecError("a note is text, a blank line and signature lines")
    text, block = note[: split + 1], note[split + 2 : -1]
    signatures = []
    for line in block.split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise SpecError(f"signature line {line!r} does not start with an em dash")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        raw = b64decode(encoded)
        signatures.append((name, raw[:4], raw[4:]))
    return text, signatures


def verify_note(note: str, known: Sequence[NoteKey]) -> tuple[str, NoteKey]:
    """The signed text and the first known key that signed it (section 5.2)."""
    text, signatures = split_note(note)
    signer: NoteKey | None = None
    for name, key_hash, signature in signatures:
        for key in known:
            if (key.name, key.key_hash) != (name, key_hash):
                continue
            try:
                Ed25519PublicKey.from_public_bytes(key.public).verify(
                    signature, text.encode("utf-8")
                )
            except InvalidSignature as exc:
                raise SpecError(f"signature by {name} does not verify") from exc
            signer = signer or key
    if signer is None:
        raise SpecError("no known key signed the note")
    return text, signer


def open_checkpoint(note: str, known: Sequence[NoteKey]) -> Checkpoint:
    text, signer = verify_note(note, known)
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise SpecError("checkpoint needs origin, decimal size and root")
    root = b64decode(lines[2])
    if len(root) != 32:
        raise SpecError("checkpoint root is not 32 bytes")
    return Checkpoint(lines[0], int(lines[1]), root, signer)


# --- section 6: keys -------------------------------------------------------------------------


def thumbprint(public: bytes) -> str:
    members = f'{{"crv":"Ed25519","kty":"OKP","x":"{b64url(public)}"}}'
    return b64url(sha256(members.encode("utf-8")))


@dataclass
class KeyHistory:
    """What the key entries say: every key, when added, when retired."""

    public: dict[str, bytes] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)

    def record(self, entry: dict[str, Any]) -> None:
        payload = entry["payload"]
        if entry["kind"] == "key.added":
            public = bytes.fromhex(payload["public_key"])
            if payload["algorithm"] != "Ed25519" or len(public) != 32:
                raise SpecError("key.added is not an Ed25519 key")
            if payload["kid"] != thumbprint(public) or payload["kid"] in self.public:
                raise SpecError("key.added kid is not its key's thumbprint, or not new")
            self.public[payload["kid"]] = public
            self.added[payload["kid"]] = entry["index"]
        elif entry["kind"] == "key.retired":
            kid = payload["kid"]
            if kid not in self.public or kid in self.retired:
                raise SpecError(f"key.retired names {kid}, which is not an active key")
            self.retired[kid] = entry["index"]

    def active(self) -> str:
        live = [kid for kid in self.public if kid not in self.retired]
        return max(live, key=self.added.__getitem__)

    def note_keys(self, origin: str) -> list[NoteKey]:
        return [NoteKey(origin, public) for public in self.public.values()]


# --- section 8.1: the full audit -------------------------------------------------------------


@dataclass
class Audit:
    entries: list[dict[str, Any]] = field(default_factory=list)
    leaves: list[bytes] = field(default_factory=list)
    links: list[bytes] = field(default_factory=list)
    keys: KeyHistory = field(default_factory=KeyHistory)


def audit_entries(rows: Iterator[dict[str, Any]]) -> Audit:
    """Steps 3.1 to 3.7 of section 8.1 over rows shaped as GET /log/entries serves them."""
    audit = Audit()
    link, last_time = GENESIS, ""
    for position, row in enumerate(rows):
        data = b64decode(row["data"])
        leaf = leaf_hash(data)
        if b64decode(row["leaf_hash"]) != leaf:
            raise SpecError(f"entry {position}: leaf_hash is not SHA-256(0x00 || data)")
        entry = parse_entry(data)
        if entry["index"] != position or row["index"] != position:
            raise SpecError(f"entry {position}: says it is entry {entry['index']}")
        for member in ("kind", "principal", "timestamp"):
            if row[member] != entry[member]:
                raise SpecError(f"entry {position}: the page's {member} is not the entry's")
        if entry["timestamp"] < last_time:
            raise SpecError(f"entry {position}: timestamp goes backwards")
        if entry["prev"] != link.hex():
            raise SpecError(f"entry {position}: prev is not the link of the entry before")
        link = chain_link(link, leaf)
        audit.keys.record(entry)
        last_time = entry["timestamp"]
        audit.entries.append(entry)
        audit.leaves.append(leaf)
        audit.links.append(link)
    return audit


def audit_log(rows: Iterator[dict[str, Any]], note: str, pinned: Sequence[NoteKey] = ()) -> Audit:
    """Section 8.1: entries, then root, then signature by announced (or pinned) keys."""
    audit = audit_entries(rows)
    text, _ = split_note(note)
    origin = text.split("\n", 1)[0]
    checkpoint = open_checkpoint(note, pinned or audit.keys.note_keys(origin))
    if checkpoint.size > len(audit.leaves):
        raise SpecError("the checkpoint commits to entries the log did not serve")
    if mth(audit.leaves[: checkpoint.size]) != checkpoint.root:
        raise SpecError("the entries do not give the checkpoint's root")
    return audit


# ============================================================================================
# The ledger under test
# ============================================================================================


def draft_like(template: Any, kind: str, principal: str, payload: dict[str, Any]) -> Any:
    return dataclasses.replace(template, kind=kind, principal=principal, payload=payload)


def unusual_payloads() -> list[tuple[str, str, dict[str, Any]]]:
    """Payloads whose encoding is easy to get wrong: order, escapes, non-ASCII, limits."""
    return [
        (
            "certificate.issued",
            "org:陕西示例评价组织",
            {
                "standard_title": "建筑信息模型（BIM）",
                "holder": "张*",
                "\U0001f600": "emoji name sorts before U+FF08 in UTF-16",
                "\uff08": "fullwidth parenthesis",
                "\ufb33": "Hebrew presentation form, never normalized",
                "\u00e9": "precomposed e acute",
                "e\u0301": "e and a combining acute: a different name",
            },
        ),
        (
            "credit.deposited",
            "school:xian-01",
            {
                "note": 'quote " backslash \\ slash / tab \t newline \n nul \x00 unit \x1f',
                "del_and_c1": "\x7f\x80\x9f",
                "separators": "\u2028\u2029",
                "limits": [2**53 - 1, -(2**53 - 1), 0, -1],
                "nested": {"b": [{}, [], None, True, False], "a": {"z": "", "": "empty name"}},
            },
        ),
        ("conversion.recorded", "school:宝鸡-02", {}),
    ]


@dataclass
class Built:
    ledger: Ledger
    early_note: str
    note: str
    vkey: str
    rotation_index: int


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("spec-ledger")
    settings = Settings(
        data_dir=tmp,
        database_url=f"sqlite+pysqlite:///{tmp}/l.db",
        host="127.0.0.1",
        port=8000,
        public_url=PUBLIC_URL,
    )
    ledger = open_ledger(settings)
    try:
        batches = list(sample_drafts(66, 7))
        template = batches[0][0]
        unusual = [draft_like(template, *fields) for fields in unusual_payloads()]
        for batch in batches[:4]:
            ledger.log.append(batch)
        # Payloads no kind of the service has: the log's encoding alone is under test.
        append_raw(ledger, unusual[:2])
        early_note = ledger.log.checkpoint().note
        rotation = ledger.log.rotate_key()
        for batch in batches[4:]:
            ledger.log.append(batch)
        append_raw(ledger, unusual[2:])
        note = ledger.log.checkpoint().note
        yield Built(ledger, early_note, note, ledger.log.vkey(), rotation.index)
    finally:
        ledger.close()


def api_pages(ledger: Ledger, page_size: int = 1000) -> Iterator[dict[str, Any]]:
    """Every entry as GET /log/entries serves it (section 7), through JSON text."""
    start, size = 0, ledger.store.size()
    while start < size:
        page = {
            "tree_size": size,
            "entries": [
                {
                    "index": entry.index,
                    "kind": entry.kind,
                    "principal": entry.principal,
                    "timestamp": entry.timestamp,
                    "data": base64.b64encode(entry.data).decode("ascii"),
                    "leaf_hash": base64.b64encode(entry.leaf_hash).decode("ascii"),
                }
                for entry in ledger.store.entries(start, min(start + page_size, size))
            ],
        }
        rows = json.loads(json.dumps(page))["entries"]
        yield from rows
        start += len(rows)


@pytest.fixture(scope="module")
def audit(built: Built) -> Audit:
    return audit_log(api_pages(built.ledger), built.note)


# ============================================================================================
# The verifier against the ledger
# ============================================================================================


def test_this_module_imports_nothing_from_ledger_core() -> None:
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.startswith("ledger.core")]


def test_the_log_has_the_entries_written(built: Built, audit: Audit) -> None:
    assert len(audit.entries) == built.ledger.store.size() >= 70
    kinds = [entry["kind"] for entry in audit.entries]
    assert kinds[0] == "key.added"
    assert kinds.count("key.added") == 2
    assert kinds.count("key.retired") == 1
    assert {"certificate.issued", "credit.deposited", "conversion.recorded"} <= set(kinds)


def test_every_entry_re_encodes_to_its_stored_bytes(built: Built, audit: Audit) -> None:
    stored = built.ledger.store.entries(0, built.ledger.store.size())
    for entry, row in zip(audit.entries, stored, strict=True):
        assert canonical(entry) == row.data
        assert parse_json(row.data) == entry


def test_unusual_payloads_are_stored_as_written(audit: Audit) -> None:
    written = {principal: payload for _, principal, payload in unusual_payloads()}
    found = {e["principal"]: e["payload"] for e in audit.entries if e["principal"] in written}
    assert found == written
    issued = next(e for e in audit.entries if e["kind"] == "certificate.issued")
    names = list(issued["payload"])
    assert names.index("\U0001f600") < names.index("\ufb33") < names.index("\uff08")


def test_chain_links_match_the_stored_links(built: Built, audit: Audit) -> None:
    stored = built.ledger.store.entries(0, built.ledger.store.size())
    assert audit.links == [row.link for row in stored]
    assert audit.entries[0]["prev"] == "00" * 32


def test_batches_share_a_timestamp_and_time_never_goes_back(built: Built, audit: Audit) -> None:
    times = [entry["timestamp"] for entry in audit.entries]
    assert times == sorted(times)
    # Entries 1 to 7 were the first batch of samples; a rotation is one batch of two.
    assert len(set(times[1:8])) == 1
    assert times[built.rotation_index] == times[built.rotation_index + 1]


def test_merkle_roots_equal_the_checkpoints(built: Built, audit: Audit) -> None:
    for note in (built.early_note, built.note):
        checkpoint = open_checkpoint(note, audit.keys.note_keys(ORIGIN))
        assert checkpoint.origin == ORIGIN
        assert mth(audit.leaves[: checkpoint.size]) == checkpoint.root
    final = open_checkpoint(built.note, audit.keys.note_keys(ORIGIN))
    assert final.size == len(audit.leaves)


def test_stored_merkle_nodes_sit_at_their_post_order_positions(built: Built, audit: Audit) -> None:
    size = len(audit.leaves)
    expected: dict[int, bytes] = {}
    for level in range(size.bit_length()):
        width = 1 << level
        for index in range(size // width):
            leaves = audit.leaves[index * width : (index + 1) * width]
            expected[node_position(level, index)] = mth(leaves)
    assert sorted(expected) == list(range(2 * size - size.bit_count()))
    assert list(built.ledger.store.iter_node_hashes()) == [
        expected[position] for position in sorted(expected)
    ]


def test_checkpoint_verifies_with_the_published_vkey(built: Built, audit: Audit) -> None:
    pinned = parse_vkey(built.vkey)
    assert pinned.name == ORIGIN
    assert vkey_text(pinned) == built.vkey
    checkpoint = open_checkpoint(built.note, [pinned])
    assert checkpoint.size == len(audit.leaves)
    audit_log(api_pages(built.ledger), built.note, pinned=[pinned])


def test_checkpoints_verify_with_the_key_entries_and_old_keys_keep_verifying(
    built: Built, audit: Audit
) -> None:
    keys = audit.keys
    first, second = sorted(keys.public, key=keys.added.__getitem__)
    assert keys.added[first] == 0
    assert keys.added[second] == built.rotation_index
    assert keys.retired == {first: built.rotation_index + 1}
    assert keys.active() == second
    assert parse_vkey(built.vkey).public == keys.public[second]

    old_key, new_key = NoteKey(ORIGIN, keys.public[first]), NoteKey(ORIGIN, keys.public[second])
    early = open_checkpoint(built.early_note, keys.note_keys(ORIGIN))
    assert early.signed_by == old_key
    assert early.size <= built.rotation_index
    assert open_checkpoint(built.note, keys.note_keys(ORIGIN)).signed_by == new_key
    with pytest.raises(SpecError, match="no known key"):
        open_checkpoint(built.early_note, [new_key])
    with pytest.raises(SpecError, match="no known key"):
        open_checkpoint(built.note, [old_key])


def test_jwks_lists_every_key_with_its_thumbprint(built: Built, audit: Audit) -> None:
    jwks = built.ledger.log.jwks()["keys"]
    keys = audit.keys
    assert [jwk["kid"] for jwk in jwks] == sorted(keys.public, key=keys.added.__getitem__)
    for jwk in jwks:
        assert jwk == {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(keys.public[jwk["kid"]]),
            "kid": thumbprint(keys.public[jwk["kid"]]),
            "alg": "EdDSA",
            "use": "sig",
        }


def test_inclusion_proofs_for_every_index(built: Built, audit: Audit) -> None:
    store = built.ledger.store
    final = open_checkpoint(built.note, audit.keys.note_keys(ORIGIN))
    early = open_checkpoint(built.early_note, audit.keys.note_keys(ORIGIN))
    for checkpoint in (final, early):
        for index in range(checkpoint.size):
            proof = store.inclusion_proof(index, checkpoint.size)
            verify_inclusion(audit.leaves[index], index, checkpoint.size, proof, checkpoint.root)
    # Small trees too, against roots computed here.
    for size in range(1, 12):
        for index in range(size):
            proof = store.inclusion_proof(index, size)
            verify_inclusion(audit.leaves[index], index, size, proof, mth(audit.leaves[:size]))


def test_inclusion_verifier_refuses_bad_proofs(built: Built, audit: Audit) -> None:
    size = len(audit.leaves)
    root = mth(audit.leaves)
    proof = built.ledger.store.inclusion_proof(5, size)
    bad_proofs = [
        (audit.leaves[5], 6, proof),
        (audit.leaves[6], 5, proof),
        (audit.leaves[5], 5, proof[:-1]),
        (audit.leaves[5], 5, [*proof, proof[-1]]),
        (audit.leaves[5], 5, [bytes(32), *proof[1:]]),
        (audit.leaves[5], size, proof),
    ]
    for leaf, index, hashes in bad_proofs:
        with pytest.raises(SpecError):
            verify_inclusion(leaf, index, size, hashes, root)


def test_consistency_proofs_between_checkpoints_and_pairs(built: Built, audit: Audit) -> None:
    store = built.ledger.store
    keys = audit.keys.note_keys(ORIGIN)
    early, final = open_checkpoint(built.early_note, keys), open_checkpoint(built.note, keys)
    proof = store.consistency_proof(early.size, final.size)
    verify_consistency(early.size, final.size, early.root, final.root, proof)
    size = len(audit.leaves)
    pairs = [(1, size), (size, size), (2, 3), (7, 8), (8, 9), (31, 64), (32, size), (33, 35)]
    pairs += [(m, n) for n in range(1, 18) for m in range(1, n + 1)]
    for old, new in pairs:
        hashes = store.consistency_proof(old, new)
        verify_consistency(old, new, mth(audit.leaves[:old]), mth(audit.leaves[:new]), hashes)


def test_consistency_verifier_refuses_bad_proofs(built: Built, audit: Audit) -> None:
    store = built.ledger.store
    old_root, new_root = mth(audit.leaves[:6]), mth(audit.leaves[:13])
    proof = store.consistency_proof(6, 13)
    for old, new, hashes, roots in [
        (6, 13, proof[:-1], (old_root, new_root)),
        (6, 13, [*proof, proof[0]], (old_root, new_root)),
        (6, 13, [], (old_root, new_root)),
        (6, 13, proof, (new_root, old_root)),
        (7, 13, proof, (old_root, new_root)),
        (0, 13, proof, (old_root, new_root)),
        (13, 6, proof, (old_root, new_root)),
        (6, 6, [], (old_root, new_root)),
    ]:
        with pytest.raises(SpecError):
            verify_consistency(old, new, *roots, hashes)


def tampered_rows(built: Built, index: int, change: Any) -> Iterator[dict[str, Any]]:
    for row in api_pages(built.ledger):
        yield change(row) if row["index"] == index else row


def with_data(row: dict[str, Any], data: bytes, rehash: bool = True) -> dict[str, Any]:
    leaf = leaf_hash(data) if rehash else b64decode(row["leaf_hash"])
    return {
        **row,
        "data": base64.b64encode(data).decode(),
        "leaf_hash": base64.b64encode(leaf).decode(),
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.replace(b'"score":', b'"score":1', 1), "prev is not the link"),
        (lambda d: d.replace(b'"index":20,', b'"index": 20,'), "not canonical"),
        (lambda d: d.replace(b'"index":20', b'"index":21'), "says it is entry"),
        (lambda d: d[:-1] + b',"extra":1}', "exactly the six members"),
    ],
    ids=["payload changed", "whitespace", "renumbered", "extra member"],
)
def test_the_audit_catches_a_changed_entry(built: Built, change: Any, message: str) -> None:
    rows = tampered_rows(built, 20, lambda row: with_data(row, change(b64decode(row["data"]))))
    with pytest.raises(SpecError, match=message):
        audit_log(rows, built.note)


def test_the_audit_catches_a_changed_entry_whose_successor_is_consistent(built: Built) -> None:
    # Changing the payload of the last entry breaks no later prev: only the root does.
    last = built.ledger.store.size() - 1

    def change(row: dict[str, Any]) -> dict[str, Any]:
        return with_data(row, b64decode(row["data"]).replace(b"{}", b'{"a":1}'))

    with pytest.raises(SpecError, match="root"):
        audit_log(tampered_rows(built, last, change), built.note)


def test_the_audit_catches_a_served_leaf_hash_that_lies(built: Built) -> None:
    def change(row: dict[str, Any]) -> dict[str, Any]:
        data = b64decode(row["data"]).replace(b'"score":', b'"score":1', 1)
        return with_data(row, data, rehash=False)

    with pytest.raises(SpecError, match="leaf_hash"):
        audit_log(tampered_rows(built, 20, change), built.note)


def test_the_audit_catches_reordered_entries(built: Built) -> None:
    rows = list(api_pages(built.ledger))
    rows[10], rows[11] = rows[11], rows[10]
    with pytest.raises(SpecError):
        audit_log(iter(rows), built.note)


def test_a_changed_checkpoint_does_not_verify(built: Built, audit: Audit) -> None:
    keys = audit.keys.note_keys(ORIGIN)
    text, _ = split_note(built.note)
    lines = built.note.split("\n")
    bigger = built.note.replace(f"\n{lines[1]}\n", f"\n{int(lines[1]) + 1}\n", 1)
    with pytest.raises(SpecError, match="does not verify"):
        open_checkpoint(bigger, keys)
    unsigned = (
        text + "\n" + f"{SIGNATURE_PREFIX}someone.else {base64.b64encode(bytes(68)).decode()}\n"
    )
    with pytest.raises(SpecError, match="no known key"):
        open_checkpoint(unsigned, keys)


# ============================================================================================
# The worked examples of docs/format.md
# ============================================================================================

EXAMPLE_BLOCK = re.compile(r"^```\w+ example=([\w-]+)\n(.*?)\n```$", re.MULTILINE | re.DOTALL)
EXAMPLE_ORIGIN = "ledger.example.edu.cn"


@pytest.fixture(scope="module")
def examples() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, body in EXAMPLE_BLOCK.findall(FORMAT_DOC.read_text(encoding="utf-8")):
        assert name not in found, f"two examples named {name}"
        found[name] = body
    return found


def hex_lines(block: str) -> dict[str, bytes]:
    """Lines 'label = hex' of an example block."""
    pairs = (line.split("=") for line in block.splitlines())
    return {label.strip(): bytes.fromhex(value.strip()) for label, value in pairs}


def example_entries(examples: dict[str, str]) -> list[bytes]:
    return [examples[f"entry-{i}"].encode("utf-8") for i in range(3)]


def test_the_doc_has_every_example(examples: dict[str, str]) -> None:
    assert set(examples) == {
        "canonical-input",
        "canonical-output",
        "canonical-output-hex",
        "entry-0",
        "entry-1",
        "entry-2",
        "entry-hashes",
        "merkle",
        "inclusion-proof",
        "consistency-proof",
        "node-positions",
        "example-key-pem",
        "vkey",
        "checkpoint",
        "jwk",
        "entries-page",
    }


def test_example_canonical_json(examples: dict[str, str]) -> None:
    # The input is ordinary JSON: parse it leniently, then encode it canonically.
    value = json.loads(examples["canonical-input"])
    output = examples["canonical-output"].encode("utf-8")
    assert canonical(value) == output
    assert bytes.fromhex(examples["canonical-output-hex"]) == output
    assert parse_json(output) == value


def test_example_entries_chain_and_hashes(examples: dict[str, str]) -> None:
    hashes = hex_lines(examples["entry-hashes"])
    link = GENESIS
    timestamps = []
    for index, data in enumerate(example_entries(examples)):
        entry = parse_entry(data)
        assert entry["index"] == index
        assert entry["prev"] == link.hex()
        leaf = leaf_hash(data)
        link = chain_link(link, leaf)
        assert hashes[f"leaf_hash({index})"] == leaf
        assert hashes[f"link({index})"] == link
        timestamps.append(entry["timestamp"])
    assert len(hashes) == 6
    assert timestamps[1] == timestamps[2] > timestamps[0]


def test_example_merkle_tree_and_proofs(examples: dict[str, str]) -> None:
    leaves = [leaf_hash(data) for data in example_entries(examples)]
    roots = hex_lines(examples["merkle"])
    assert roots == {f"MTH({n})": mth(leaves[:n]) for n in (1, 2, 3)}
    assert roots["MTH(2)"] == node_hash(leaves[0], leaves[1])
    assert roots["MTH(3)"] == node_hash(roots["MTH(2)"], leaves[2])

    inclusion = json.loads(examples["inclusion-proof"])
    assert (inclusion["index"], inclusion["tree_size"]) == (1, 3)
    assert b64decode(inclusion["leaf_hash"]) == leaves[1]
    hashes = [b64decode(h) for h in inclusion["hashes"]]
    assert hashes == [leaves[0], leaves[2]]
    verify_inclusion(leaves[1], 1, 3, hashes, roots["MTH(3)"])

    consistency = json.loads(examples["consistency-proof"])
    assert (consistency["old_size"], consistency["new_size"]) == (1, 3)
    hashes = [b64decode(h) for h in consistency["hashes"]]
    assert hashes == [leaves[1], leaves[2]]
    verify_consistency(1, 3, roots["MTH(1)"], roots["MTH(3)"], hashes)


def test_example_node_positions(examples: dict[str, str]) -> None:
    rows = re.findall(r"^\((\d+), (\d+)\) -> (\d+)$", examples["node-positions"], re.MULTILINE)
    assert len(rows) == 4
    for level, index, position in rows:
        assert node_position(int(level), int(index)) == int(position)


def example_key(examples: dict[str, str]) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(
        examples["example-key-pem"].encode("ascii"), password=None
    )
    assert isinstance(key, Ed25519PrivateKey)
    return key


def test_example_key_is_the_one_entry_0_announces(examples: dict[str, str]) -> None:
    public = example_key(examples).public_key().public_bytes_raw()
    entry = parse_entry(example_entries(examples)[0])
    assert (entry["kind"], entry["principal"]) == ("key.added", "system")
    assert entry["payload"] == {
        "algorithm": "Ed25519",
        "kid": thumbprint(public),
        "public_key": public.hex(),
        "purpose": "checkpoints and verification records",
    }
    history = KeyHistory()
    history.record(entry)
    assert history.active() == thumbprint(public)
    assert json.loads(examples["jwk"]) == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(public),
        "kid": thumbprint(public),
        "alg": "EdDSA",
        "use": "sig",
    }


def test_example_vkey_and_checkpoint(examples: dict[str, str]) -> None:
    private = example_key(examples)
    public = private.public_key().public_bytes_raw()
    key = parse_vkey(examples["vkey"])
    assert key == NoteKey(EXAMPLE_ORIGIN, public)
    assert vkey_text(key) == examples["vkey"]

    note = examples["checkpoint"] + "\n"
    checkpoint = open_checkpoint(note, [key])
    leaves = [leaf_hash(data) for data in example_entries(examples)]
    assert checkpoint == Checkpoint(EXAMPLE_ORIGIN, 3, mth(leaves), key)
    # Ed25519 is deterministic: signing the body again gives the very same note.
    body = f"{EXAMPLE_ORIGIN}\n3\n{base64.b64encode(mth(leaves)).decode()}\n"
    signature = base64.b64encode(key.key_hash + private.sign(body.encode())).decode()
    assert note == f"{body}\n{SIGNATURE_PREFIX}{EXAMPLE_ORIGIN} {signature}\n"


def test_example_entries_page(examples: dict[str, str]) -> None:
    page = json.loads(examples["entries-page"])
    assert page["tree_size"] == 3
    audit = audit_entries(iter([*_example_rows(examples)[:1], *page["entries"]]))
    assert audit.entries[1] == parse_entry(example_entries(examples)[1])


def _example_rows(examples: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for data in example_entries(examples):
        entry = parse_entry(data)
        rows.append(
            {
                "index": entry["index"],
                "kind": entry["kind"],
                "principal": entry["principal"],
                "timestamp": entry["timestamp"],
                "data": base64.b64encode(data).decode(),
                "leaf_hash": base64.b64encode(leaf_hash(data)).decode(),
            }
        )
    return rows


def test_example_log_passes_the_full_audit(examples: dict[str, str]) -> None:
    rows = _example_rows(examples)
    audit = audit_log(iter(rows), examples["checkpoint"] + "\n")
    assert len(audit.entries) == 3


# ============================================================================================
# The re-written RFC 9162 verifiers against the RFC 6962 vectors
# ============================================================================================


def test_rewritten_verifiers_agree_with_the_rfc6962_vectors() -> None:
    vectors = Path(__file__).resolve().parents[1] / "vectors" / "rfc6962"
    checked = 0
    for kind in ("inclusion", "consistency"):
        for path in sorted((vectors / kind).rglob("*.json")):
            vector = json.loads(path.read_text(encoding="utf-8"))
            proof = [base64.b64decode(h) for h in vector["proof"] or []]
            try:
                if kind == "inclusion":
                    verify_inclusion(
                        base64.b64decode(vector["leafHash"] or ""),
                        vector["leafIdx"],
                        vector["treeSize"],
                        proof,
                        base64.b64decode(vector["root"] or ""),
                    )
                else:
                    verify_consistency(
                        vector["size1"],
                        vector["size2"],
                        base64.b64decode(vector["root1"] or ""),
                        base64.b64decode(vector["root2"] or ""),
                        proof,
                    )
            except SpecError:
                assert vector["wantErr"], path
            else:
                assert not vector["wantErr"], path
            checked += 1
    assert checked > 100
