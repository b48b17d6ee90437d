"""Checkpoints, signed notes and vkeys: exact formats, every parse error, every tamper.

Cross-checked against golang.org/x/mod/sumdb/note and real sum.golang.org checkpoints.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.checkpoint import (
    Checkpoint,
    NoteSignature,
    NoteVerifier,
    SignedNote,
    add_signature,
    key_hash,
    open_checkpoint,
    origin_from_url,
    sign_note,
    vkey,
)
from ledger.core.errors import BadSignature, InvalidInput, MalformedNote
from ledger.core.signing import SigningKey, VerifyingKey


def key_from_seed(seed: bytes) -> SigningKey:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    return SigningKey.from_pem(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def independent_key_hash(name: str, public_key: bytes) -> bytes:
    """c2sp.org/signed-note: SHA-256(key name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\x0a" + b"\x01" + public_key).digest()[:4]


# --- fixed keys and the golden note --------------------------------------------------

# RFC 8032 section 7.1 TEST 1 and TEST 2 secret keys.
LOG_KEY = key_from_seed(
    bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
)
WITNESS_KEY = key_from_seed(
    bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
)
LOG_NAME = "ledger.example.edu.cn"
WITNESS_NAME = "witness.example.org"
LOG = NoteVerifier.from_key(LOG_NAME, LOG_KEY.public)
WITNESS = NoteVerifier.from_key(WITNESS_NAME, WITNESS_KEY.public)

EMPTY_SHA256 = hashlib.sha256(b"").digest()
GOLDEN_CHECKPOINT = Checkpoint(LOG_NAME, 7, EMPTY_SHA256)
GOLDEN_BODY = "ledger.example.edu.cn\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
GOLDEN_VKEY = "ledger.example.edu.cn+cd200ec0+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
GOLDEN_SIGNATURE_LINE = (
    "— ledger.example.edu.cn "
    "zSAOwEP0m+yuEEFM6+wg3WenJuWgG6ExKll/i8xq57nNvW6qdiqkJsO/NGoWqAQYLgOsURoOdUNhsS0zzQX5syYoYww=\n"
)
GOLDEN_NOTE = GOLDEN_BODY + "\n" + GOLDEN_SIGNATURE_LINE
WITNESS_SIGNATURE_LINE = (
    "— witness.example.org "
    "Lh4tA/B5UOAeGdqmkcds5aYRTgj8fx22rbWbgW0VOi0KWj7+J2J+MO6JRnqMKJwZULCaZCy745ANoojj13QHXgq6ZgU=\n"
)
COSIGNED_NOTE = GOLDEN_NOTE + WITNESS_SIGNATURE_LINE

# golang.org/x/mod/sumdb/note, note_test.go (TestSign, TestOpen, TestNewVerifier).
PETER_SEED_KEY = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 || seed
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIGNATURE_LINE = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIGNATURE_LINE = (
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)

# The go command's pinned key for sum.golang.org (cmd/go/internal/modfetch/key.go),
# and checkpoints it signed, as published in public repositories. A real
# signature verifying is itself the proof that the text is exact.
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_ORIGIN = "go.sum database tree"
SUMDB_CHECKPOINTS = [
    (
        "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n"
        "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4n"
        "PRYfvimWEPWL+o3GeoWwOoAw=\n",
        6476701,
        "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=",
    ),
    (
        # Cosigned by a witness this test does not know: its line is ignored.
        "go.sum database tree\n15067302\ngJyioq6dwR9n+NjEWORfYmH+ubeYm3kH42BBQ0bTpYI=\n\n"
        "— sum.golang.org Az3grp1rvWOs5NKlr/xR4GLN/CDyzzakmt1o61uSxYKpK1SerqOP2ClbX/peKUZjYny"
        "omH5Xz7GZG3TpB7OeKn4E2ww=\n"
        "— test.example.com qTGhC/xIPQ0AXKHK6Y+9ypRfuvMZWPjRXM8NiOg5M1WREn07VQXyuIXM3NRNav3ieV"
        "FLUqDRK77PWDmL6w8w84UqeAw=\n",
        15067302,
        "gJyioq6dwR9n+NjEWORfYmH+ubeYm3kH42BBQ0bTpYI=",
    ),
]


# --- Checkpoint body -----------------------------------------------------------------


def test_checkpoint_to_text_exact() -> None:
    assert GOLDEN_CHECKPOINT.to_text() == GOLDEN_BODY


def test_checkpoint_from_text_exact() -> None:
    assert Checkpoint.from_text(GOLDEN_BODY) == GOLDEN_CHECKPOINT


def test_checkpoint_empty_tree() -> None:
    checkpoint = Checkpoint("o", 0, bytes(32))
    assert checkpoint.to_text() == "o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    assert Checkpoint.from_text(checkpoint.to_text()) == checkpoint


def test_checkpoint_extension_lines_are_ignored() -> None:
    text = GOLDEN_BODY + "extension one\nextension two\n"
    assert Checkpoint.from_text(text) == GOLDEN_CHECKPOINT


def test_checkpoint_largest_size() -> None:
    checkpoint = Checkpoint("o", 2**64 - 1, bytes(32))
    assert Checkpoint.from_text(checkpoint.to_text()).size == 2**64 - 1


ROOT_LINE = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def _replace_line(index: int, line: str) -> str:
    lines = GOLDEN_BODY.split("\n")
    lines[index] = line
    return "\n".join(lines)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


BODY_MUTATIONS: dict[str, str] = {
    "empty": "",
    "missing-final-newline": GOLDEN_BODY[:-1],
    "only-newline": "\n",
    "two-lines": f"{LOG_NAME}\n7\n",
    "empty-origin": _replace_line(0, ""),
    "origin-control-character": _replace_line(0, "ledger\x01example"),
    "origin-lone-surrogate": _replace_line(0, "ledger\ud800"),
    "crlf-line-endings": GOLDEN_BODY.replace("\n", "\r\n"),
    "empty-size": _replace_line(1, ""),
    "size-leading-zero": _replace_line(1, "07"),
    "size-zero-zero": _replace_line(1, "00"),
    "size-plus-sign": _replace_line(1, "+7"),
    "size-negative": _replace_line(1, "-7"),
    "size-hex": _replace_line(1, "0x7"),
    "size-leading-space": _replace_line(1, " 7"),
    "size-trailing-space": _replace_line(1, "7 "),
    "size-underscore": _replace_line(1, "1_000"),
    "size-arabic-indic-digit": _replace_line(1, "\u0667"),
    "size-fullwidth-digit": _replace_line(1, "\uff17"),
    "size-over-uint64": _replace_line(1, str(2**64)),
    "empty-root": _replace_line(2, ""),
    "root-31-bytes": _replace_line(2, _b64(bytes(31))),
    "root-33-bytes": _replace_line(2, _b64(bytes(33))),
    "root-64-bytes": _replace_line(2, _b64(bytes(64))),
    "root-unpadded": _replace_line(2, ROOT_LINE.rstrip("=")),
    "root-urlsafe-alphabet": _replace_line(2, ROOT_LINE.replace("+", "-").replace("/", "_")),
    "root-non-canonical-trailing-bits": _replace_line(2, ROOT_LINE[:-2] + "V="),
    "root-hex": _replace_line(2, EMPTY_SHA256.hex()),
    "root-trailing-space": _replace_line(2, ROOT_LINE + " "),
    "root-inner-newline-split": _replace_line(2, ROOT_LINE[:20] + "\n" + ROOT_LINE[20:]),
    "empty-extension-line": GOLDEN_BODY + "\n",
    "empty-line-between-extensions": GOLDEN_BODY + "a\n\nb\n",
}


@pytest.mark.parametrize("text", BODY_MUTATIONS.values(), ids=BODY_MUTATIONS.keys())
def test_checkpoint_from_text_rejects(text: str) -> None:
    with pytest.raises(MalformedNote):
        Checkpoint.from_text(text)


def test_root_non_canonical_mutation_decodes_leniently() -> None:
    # The mutation above is meaningful: lenient base64 would read it as the same root.
    assert base64.b64decode(ROOT_LINE[:-2] + "V=") == EMPTY_SHA256


@pytest.mark.parametrize(
    ("origin", "size", "root"),
    [
        ("", 1, bytes(32)),
        ("a\nb", 1, bytes(32)),
        ("a\x00", 1, bytes(32)),
        ("o", -1, bytes(32)),
        ("o", 2**64, bytes(32)),
        ("o", True, bytes(32)),
        ("o", 1.0, bytes(32)),
        ("o", 1, bytes(31)),
        ("o", 1, "0" * 32),
    ],
    ids=[
        "empty-origin",
        "origin-newline",
        "origin-nul",
        "size-negative",
        "size-over-uint64",
        "size-bool",
        "size-float",
        "root-31-bytes",
        "root-str",
    ],
)
def test_checkpoint_constructor_rejects(origin: object, size: object, root: object) -> None:
    with pytest.raises(InvalidInput):
        Checkpoint(origin, size, root)  # type: ignore[arg-type]


# --- origin_from_url -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://ledger.example.edu.cn/", "ledger.example.edu.cn"),
        ("https://ledger.example.edu.cn", "ledger.example.edu.cn"),
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("http://127.0.0.1:8000/", "127.0.0.1:8000"),
        ("https://x.cn/ledger", "x.cn/ledger"),
        ("https://x.cn/ledger/", "x.cn/ledger"),
        ("https://x.cn/a/b//", "x.cn/a/b"),
        ("HTTPS://Ledger.Example.EDU.cn/Path", "ledger.example.edu.cn/Path"),
        ("https://x.cn:443/", "x.cn"),
        ("http://x.cn:80/", "x.cn"),
        ("https://x.cn:80/", "x.cn:80"),
        ("https://x.cn:8443/log", "x.cn:8443/log"),
        ("http://[::1]:8000/", "[::1]:8000"),
    ],
)
def test_origin_from_url(url: str, origin: str) -> None:
    assert origin_from_url(url) == origin


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ledger.example.edu.cn",
        "//ledger.example.edu.cn/",
        "ftp://ledger.example.edu.cn/",
        "https://",
        "https:///path",
        "https://user:password@x.cn/",
        "https://user@x.cn/",
        "https://x.cn/?page=1",
        "https://x.cn/?",
        "https://x.cn/#top",
        "https://x.cn/a b",
        "https://x.cn/a+b",
        " https://x.cn/",
        "https://x.cn/\n",
        "https://x.cn:99999/",
        "https://x.cn:port/",
        "not a url at all",
    ],
    ids=[
        "empty",
        "no-scheme",
        "scheme-relative",
        "ftp-scheme",
        "no-host",
        "no-host-with-path",
        "user-and-password",
        "user",
        "query",
        "empty-query",
        "fragment",
        "space-in-path",
        "plus-in-path",
        "leading-space",
        "trailing-newline",
        "port-out-of-range",
        "port-not-a-number",
        "garbage",
    ],
)
def test_origin_from_url_rejects(url: str) -> None:
    with pytest.raises(InvalidInput):
        origin_from_url(url)


# --- key hash and vkey ---------------------------------------------------------------


def test_key_hash_matches_independent_computation() -> None:
    expected = independent_key_hash(LOG_NAME, LOG_KEY.public.raw)
    assert key_hash(LOG_NAME, LOG_KEY.public) == expected
    assert expected.hex() == "cd200ec0"


def test_vkey_exact() -> None:
    assert vkey(LOG_NAME, LOG_KEY.public) == GOLDEN_VKEY
    name, hash_hex, key_text = GOLDEN_VKEY.split("+", 2)
    assert name == LOG_NAME
    assert bytes.fromhex(hash_hex) == independent_key_hash(LOG_NAME, LOG_KEY.public.raw)
    assert base64.b64decode(key_text) == b"\x01" + LOG_KEY.public.raw


def test_vkey_round_trip() -> None:
    verifier = NoteVerifier.from_vkey(GOLDEN_VKEY)
    assert verifier == LOG
    assert verifier.vkey() == GOLDEN_VKEY


def test_go_vkey_vector() -> None:
    seed = base64.b64decode(PETER_SEED_KEY)[1:]
    public = key_from_seed(seed).public
    assert vkey("PeterNeumann", public) == PETER_VKEY
    assert key_hash("PeterNeumann", public).hex() == "c74f20a3"
    assert NoteVerifier.from_vkey(PETER_VKEY).key == public


def test_sumdb_vkey_with_plus_in_key_data() -> None:
    verifier = NoteVerifier.from_vkey(SUMDB_VKEY)
    assert verifier.name == "sum.golang.org"
    assert verifier.key_hash.hex() == "033de0ae"
    assert verifier.vkey() == SUMDB_VKEY


def test_vkey_accepts_upper_case_hash_like_go() -> None:
    upper = GOLDEN_VKEY.replace("cd200ec0", "CD200EC0")
    assert NoteVerifier.from_vkey(upper) == LOG


def _vkey_with_recomputed_hash(name: str, typed_key: bytes) -> str:
    hash_hex = hashlib.sha256(name.encode() + b"\n" + typed_key).digest()[:4].hex()
    return f"{name}+{hash_hex}+{_b64(typed_key)}"


VKEY_MUTATIONS: dict[str, str] = {
    "empty": "",
    "one-field": LOG_NAME,
    "two-fields": f"{LOG_NAME}+cd200ec0",
    "empty-name": "+" + GOLDEN_VKEY.split("+", 1)[1],
    "name-with-space": _vkey_with_recomputed_hash("a b", b"\x01" + LOG_KEY.public.raw),
    "name-changed": GOLDEN_VKEY.replace(LOG_NAME, "ledger.example.edu.cm"),
    "hash-7-hex": GOLDEN_VKEY.replace("+cd200ec0+", "+cd200ec+"),
    "hash-9-hex": GOLDEN_VKEY.replace("+cd200ec0+", "+cd200ec00+"),
    "hash-not-hex": GOLDEN_VKEY.replace("+cd200ec0+", "+cd200ecg+"),
    "hash-with-0x": GOLDEN_VKEY.replace("+cd200ec0+", "+0xcd200ec0+"),
    "hash-mismatch": GOLDEN_VKEY.replace("+cd200ec0+", "+cd200ec1+"),
    "key-empty": f"{LOG_NAME}+cd200ec0+",
    "key-not-base64": f"{LOG_NAME}+cd200ec0+!!!!",
    "key-truncated": _vkey_with_recomputed_hash(LOG_NAME, b"\x01" + bytes(32))[:-1],
    "key-changed": GOLDEN_VKEY[:-2] + "Eb",
    "trailing-newline": GOLDEN_VKEY + "\n",
    "trailing-space": GOLDEN_VKEY + " ",
    "type-byte-02": _vkey_with_recomputed_hash(LOG_NAME, b"\x02" + LOG_KEY.public.raw),
    "type-byte-missing": _vkey_with_recomputed_hash(LOG_NAME, LOG_KEY.public.raw[:32]),
    "key-31-bytes": _vkey_with_recomputed_hash(LOG_NAME, b"\x01" + LOG_KEY.public.raw[:31]),
    "key-33-bytes": _vkey_with_recomputed_hash(LOG_NAME, b"\x01" + LOG_KEY.public.raw + b"\x00"),
    "type-byte-only": _vkey_with_recomputed_hash(LOG_NAME, b"\x01"),
    # golang.org/x/mod/sumdb/note TestNewVerifier, with adjusted key hashes.
    "go-wrong-length-key": (
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
    ),
    "go-unknown-algorithm": "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
}


@pytest.mark.parametrize("text", VKEY_MUTATIONS.values(), ids=VKEY_MUTATIONS.keys())
def test_from_vkey_rejects(text: str) -> None:
    with pytest.raises(MalformedNote):
        NoteVerifier.from_vkey(text)


def test_from_vkey_rejects_every_substring_and_every_incremented_character() -> None:
    # As golang.org/x/mod/sumdb/note TestNewVerifier does.
    for start in range(len(PETER_VKEY)):
        for end in range(start + 1, len(PETER_VKEY) + 1):
            if (start, end) != (0, len(PETER_VKEY)):
                with pytest.raises(MalformedNote):
                    NoteVerifier.from_vkey(PETER_VKEY[start:end])
    for index in range(len(PETER_VKEY)):
        mangled = PETER_VKEY[:index] + chr(ord(PETER_VKEY[index]) + 1) + PETER_VKEY[index + 1 :]
        with pytest.raises(MalformedNote):
            NoteVerifier.from_vkey(mangled)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\tb", "a\u00a0b", "a\u3000b", "a\x01"])
def test_invalid_key_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        key_hash(name, LOG_KEY.public)
    with pytest.raises(InvalidInput):
        vkey(name, LOG_KEY.public)
    with pytest.raises(InvalidInput):
        sign_note(GOLDEN_BODY, name, LOG_KEY)


def test_note_verifier_refuses_inconsistent_hash() -> None:
    with pytest.raises(InvalidInput):
        NoteVerifier(LOG_NAME, b"\x00\x00\x00\x00", LOG_KEY.public)
    with pytest.raises(InvalidInput):
        NoteVerifier(WITNESS_NAME, LOG.key_hash, LOG_KEY.public)


# --- signing notes -------------------------------------------------------------------


def test_golden_note_exact() -> None:
    assert sign_note(GOLDEN_BODY, LOG_NAME, LOG_KEY) == GOLDEN_NOTE


def test_golden_note_signature_is_ed25519_over_the_body() -> None:
    encoded = GOLDEN_SIGNATURE_LINE.split(" ")[2].rstrip("\n")
    raw = base64.b64decode(encoded)
    assert raw[:4] == independent_key_hash(LOG_NAME, LOG_KEY.public.raw)
    public = ed25519.Ed25519PublicKey.from_public_bytes(LOG_KEY.public.raw)
    public.verify(raw[4:], GOLDEN_BODY.encode())


def test_go_signed_note_vector() -> None:
    key = key_from_seed(base64.b64decode(PETER_SEED_KEY)[1:])
    assert sign_note(GO_TEXT, "PeterNeumann", key) == GO_TEXT + "\n" + PETER_SIGNATURE_LINE


def test_cosigned_golden_note_exact() -> None:
    assert add_signature(GOLDEN_NOTE, WITNESS_NAME, WITNESS_KEY) == COSIGNED_NOTE


def test_add_signature_replaces_own_signature() -> None:
    assert add_signature(GOLDEN_NOTE, LOG_NAME, LOG_KEY) == GOLDEN_NOTE
    assert add_signature(COSIGNED_NOTE, LOG_NAME, LOG_KEY) == (
        GOLDEN_BODY + "\n" + WITNESS_SIGNATURE_LINE + GOLDEN_SIGNATURE_LINE
    )


def test_add_signature_rejects_unsigned_text() -> None:
    with pytest.raises(MalformedNote):
        add_signature(GOLDEN_BODY, WITNESS_NAME, WITNESS_KEY)


@pytest.mark.parametrize(
    "text",
    ["", "no final newline", "carriage\r\n", "nul\x00\n", "escape\x1b\n", "surrogate\ud800\n"],
    ids=[
        "empty",
        "missing-final-newline",
        "carriage-return",
        "nul",
        "escape",
        "lone-surrogate",
    ],
)
def test_sign_note_rejects_bad_text(text: str) -> None:
    with pytest.raises(InvalidInput):
        sign_note(text, LOG_NAME, LOG_KEY)


@pytest.mark.parametrize(
    "text", ["\n", "a\n\nb\n", "trailing blank line\n\n", "del \x7f and ünïcödé 中文\n"]
)
def test_sign_note_round_trips_any_valid_text(text: str) -> None:
    note = sign_note(text, LOG_NAME, LOG_KEY)
    parsed = SignedNote.from_text(note)
    assert parsed.text == text
    assert parsed.to_text() == note
    assert parsed.verify([LOG]) == LOG


# --- parsing signed notes ------------------------------------------------------------


def test_signed_note_from_text() -> None:
    parsed = SignedNote.from_text(COSIGNED_NOTE)
    assert parsed.text == GOLDEN_BODY
    assert [(s.name, s.key_hash) for s in parsed.signatures] == [
        (LOG_NAME, LOG.key_hash),
        (WITNESS_NAME, WITNESS.key_hash),
    ]
    assert all(len(s.signature) == 64 for s in parsed.signatures)
    name, hash_bytes, signature = parsed.signatures[0]  # still a (name, hash, signature) triple
    assert (name, hash_bytes, len(signature)) == (LOG_NAME, LOG.key_hash, 64)
    assert isinstance(parsed.signatures[0], NoteSignature)
    assert parsed.to_text() == COSIGNED_NOTE


def _signature_line(name: str, raw: bytes) -> str:
    return f"— {name} {_b64(raw)}\n"


_SIGNATURE_B64 = GOLDEN_SIGNATURE_LINE.split(" ")[2].rstrip("\n")

NOTE_MUTATIONS: dict[str, str] = {
    "empty": "",
    "body-only": GOLDEN_BODY,
    "no-blank-line": GOLDEN_BODY + GOLDEN_SIGNATURE_LINE,
    "no-signature-lines": GOLDEN_BODY + "\n",
    "missing-final-newline": GOLDEN_NOTE[:-1],
    "trailing-blank-line": GOLDEN_NOTE + "\n",
    "trailing-garbage-line": GOLDEN_NOTE + "Unexpected line.\n",
    "sig-line-no-dash": GOLDEN_BODY + "\n" + GOLDEN_SIGNATURE_LINE[2:],
    "sig-line-hyphen-not-em-dash": GOLDEN_BODY + "\n-" + GOLDEN_SIGNATURE_LINE[1:],
    "sig-line-en-dash": GOLDEN_BODY + "\n\u2013" + GOLDEN_SIGNATURE_LINE[1:],
    "sig-line-no-space-after-dash": GOLDEN_BODY + "\n—" + GOLDEN_SIGNATURE_LINE[2:],
    "sig-line-two-spaces-after-dash": GOLDEN_BODY + "\n— " + GOLDEN_SIGNATURE_LINE[1:],
    "sig-line-leading-space": GOLDEN_BODY + "\n " + GOLDEN_SIGNATURE_LINE,
    "sig-line-tab-separator": GOLDEN_BODY + "\n" + GOLDEN_SIGNATURE_LINE.replace(" ", "\t"),
    "sig-line-no-signature": GOLDEN_BODY + f"\n— {LOG_NAME}\n",
    "sig-line-empty-signature": GOLDEN_BODY + f"\n— {LOG_NAME} \n",
    "sig-line-empty-name": GOLDEN_BODY + f"\n—  {_SIGNATURE_B64}\n",
    "sig-line-name-with-plus": GOLDEN_BODY + f"\n— a+b {_SIGNATURE_B64}\n",
    "sig-line-name-with-nbsp": GOLDEN_BODY + f"\n— a\u00a0b {_SIGNATURE_B64}\n",
    "sig-line-extra-field": GOLDEN_BODY + f"\n— {LOG_NAME} {_SIGNATURE_B64} extra\n",
    "sig-line-trailing-space": GOLDEN_BODY + f"\n— {LOG_NAME} {_SIGNATURE_B64} \n",
    "sig-line-bad-base64": GOLDEN_BODY + f"\n— {LOG_NAME} !!!!\n",
    "sig-line-unpadded-base64": GOLDEN_BODY + f"\n— {LOG_NAME} {_SIGNATURE_B64.rstrip('=')}\n",
    "sig-line-urlsafe-base64": GOLDEN_BODY
    + f"\n— {LOG_NAME} {_SIGNATURE_B64.replace('+', '-').replace('/', '_')}\n",
    "sig-line-non-canonical-base64": GOLDEN_BODY + f"\n— {LOG_NAME} {_SIGNATURE_B64[:-2]}x=\n",
    "sig-3-bytes": GOLDEN_BODY + "\n" + _signature_line(LOG_NAME, b"\x01\x02\x03"),
    "sig-4-bytes-key-hash-only": GOLDEN_BODY + "\n" + _signature_line(LOG_NAME, LOG.key_hash),
    "control-character-in-body": "\x01" + GOLDEN_NOTE,
    "nul-in-body": GOLDEN_NOTE.replace("\n7\n", "\n7\x00\n"),
    "crlf-line-endings": GOLDEN_NOTE.replace("\n", "\r\n"),
    "lone-surrogate": "\ud800" + GOLDEN_NOTE,
    "too-many-signatures": GOLDEN_BODY + "\n" + GOLDEN_SIGNATURE_LINE * 101,
}


@pytest.mark.parametrize("note", NOTE_MUTATIONS.values(), ids=NOTE_MUTATIONS.keys())
def test_signed_note_from_text_rejects(note: str) -> None:
    with pytest.raises(MalformedNote):
        SignedNote.from_text(note)
    with pytest.raises(MalformedNote):
        open_checkpoint(note, [LOG])


def test_non_canonical_signature_mutation_decodes_leniently() -> None:
    # The mutation above is meaningful: lenient base64 would accept it.
    assert len(base64.b64decode(_SIGNATURE_B64[:-2] + "x=")) == 68


def test_hundred_signatures_are_accepted() -> None:
    note = GOLDEN_BODY + "\n" + GOLDEN_SIGNATURE_LINE * 100
    assert SignedNote.from_text(note).verify([LOG]) == LOG


def test_a_blank_line_between_signature_lines_makes_the_first_part_of_the_text() -> None:
    parsed = SignedNote.from_text(GOLDEN_NOTE + "\n" + WITNESS_SIGNATURE_LINE)
    assert parsed.text == GOLDEN_NOTE
    with pytest.raises(BadSignature):
        parsed.verify([WITNESS])  # the witness signed GOLDEN_BODY, not this text


def test_text_is_split_at_the_last_blank_line() -> None:
    text = "first\n\n— not a signature line\n"
    note = sign_note(text, LOG_NAME, LOG_KEY)
    parsed = SignedNote.from_text(note)
    assert parsed.text == text
    assert parsed.verify([LOG]) == LOG


# --- verifying signed notes ----------------------------------------------------------


def test_golden_note_opens() -> None:
    assert open_checkpoint(GOLDEN_NOTE, [LOG]) == GOLDEN_CHECKPOINT
    assert open_checkpoint(GOLDEN_NOTE, [LOG], origin=LOG_NAME) == GOLDEN_CHECKPOINT
    assert open_checkpoint(GOLDEN_NOTE, [NoteVerifier.from_vkey(GOLDEN_VKEY)]) == GOLDEN_CHECKPOINT


def test_origin_mismatch() -> None:
    with pytest.raises(MalformedNote):
        open_checkpoint(GOLDEN_NOTE, [LOG], origin="other.example")


def test_verified_note_with_bad_body_is_malformed() -> None:
    note = sign_note("origin\n07\n" + ROOT_LINE + "\n", LOG_NAME, LOG_KEY)
    assert SignedNote.from_text(note).verify([LOG]) == LOG
    with pytest.raises(MalformedNote):
        open_checkpoint(note, [LOG])


def test_signed_extension_lines_are_ignored() -> None:
    note = sign_note(GOLDEN_BODY + "extension\n", LOG_NAME, LOG_KEY)
    assert open_checkpoint(note, [LOG]) == GOLDEN_CHECKPOINT


@pytest.mark.parametrize("index", range(len(GOLDEN_BODY) - 1))
def test_tampering_with_any_body_character_breaks_the_signature(index: int) -> None:
    replacement = "x" if GOLDEN_BODY[index] != "x" else "y"
    tampered = GOLDEN_NOTE[:index] + replacement + GOLDEN_NOTE[index + 1 :]
    with pytest.raises(BadSignature):
        SignedNote.from_text(tampered).verify([LOG])
    with pytest.raises(BadSignature):
        open_checkpoint(tampered, [LOG])


def test_tampering_with_the_final_body_newline_is_malformed() -> None:
    index = len(GOLDEN_BODY) - 1
    tampered = GOLDEN_NOTE[:index] + "x" + GOLDEN_NOTE[index + 1 :]
    with pytest.raises(MalformedNote):
        open_checkpoint(tampered, [LOG])


@pytest.mark.parametrize("index", range(64))
def test_tampering_with_any_signature_byte_breaks_it(index: int) -> None:
    raw = bytearray(base64.b64decode(_SIGNATURE_B64))
    raw[4 + index] ^= 0x01
    tampered = GOLDEN_BODY + "\n" + _signature_line(LOG_NAME, bytes(raw))
    with pytest.raises(BadSignature):
        open_checkpoint(tampered, [LOG])


def test_signature_of_wrong_length_by_known_key_is_bad() -> None:
    tampered = GOLDEN_BODY + "\n" + _signature_line(LOG_NAME, LOG.key_hash + b"\x00" * 10)
    with pytest.raises(BadSignature):
        open_checkpoint(tampered, [LOG])


def test_note_signed_by_two_keys_verifies_with_either() -> None:
    assert SignedNote.from_text(COSIGNED_NOTE).verify([LOG]) == LOG
    assert SignedNote.from_text(COSIGNED_NOTE).verify([WITNESS]) == WITNESS
    assert SignedNote.from_text(COSIGNED_NOTE).verify([WITNESS, LOG]) == LOG
    assert open_checkpoint(COSIGNED_NOTE, [WITNESS]) == GOLDEN_CHECKPOINT


def test_unknown_signer_only_is_bad() -> None:
    with pytest.raises(BadSignature):
        open_checkpoint(GOLDEN_NOTE, [WITNESS])
    with pytest.raises(BadSignature):
        open_checkpoint(GOLDEN_NOTE, [])


def test_same_name_other_key_is_ignored() -> None:
    other = NoteVerifier.from_key(LOG_NAME, SigningKey.generate().public)
    assert other.key_hash != LOG.key_hash
    with pytest.raises(BadSignature):
        open_checkpoint(GOLDEN_NOTE, [other])
    assert open_checkpoint(GOLDEN_NOTE, [other, LOG]) == GOLDEN_CHECKPOINT


def test_same_hash_other_name_is_ignored() -> None:
    impostor_line = _signature_line("impostor.example", base64.b64decode(_SIGNATURE_B64))
    note = GOLDEN_BODY + "\n" + impostor_line + GOLDEN_SIGNATURE_LINE
    assert SignedNote.from_text(note).verify([LOG]) == LOG
    with pytest.raises(BadSignature):
        SignedNote.from_text(GOLDEN_BODY + "\n" + impostor_line).verify([LOG])


def test_a_failing_known_signature_rejects_the_note() -> None:
    raw = bytearray(base64.b64decode(WITNESS_SIGNATURE_LINE.split(" ")[2]))
    raw[10] ^= 0x01
    note = GOLDEN_NOTE + _signature_line(WITNESS_NAME, bytes(raw))
    assert SignedNote.from_text(note).verify([LOG]) == LOG  # witness unknown: ignored
    with pytest.raises(BadSignature):
        SignedNote.from_text(note).verify([LOG, WITNESS])


def test_repeated_verifier_is_not_ambiguous() -> None:
    verifiers = [LOG, LOG, NoteVerifier.from_vkey(GOLDEN_VKEY)]
    assert SignedNote.from_text(GOLDEN_NOTE).verify(verifiers) == LOG


def test_two_different_verifiers_for_one_name_and_hash_are_refused() -> None:
    # Only a 32-bit hash collision can produce this; forge one past the checks.
    colliding = NoteVerifier.from_key(LOG_NAME, LOG_KEY.public)
    object.__setattr__(colliding, "key", WITNESS_KEY.public)
    with pytest.raises(InvalidInput):
        SignedNote.from_text(GOLDEN_NOTE).verify([LOG, colliding])


def test_go_note_vectors_verify() -> None:
    peter = NoteVerifier.from_vkey(PETER_VKEY)
    enoch = NoteVerifier.from_vkey(ENOCH_VKEY)
    note = GO_TEXT + "\n" + PETER_SIGNATURE_LINE + ENOCH_SIGNATURE_LINE
    parsed = SignedNote.from_text(note)
    assert parsed.text == GO_TEXT
    assert parsed.verify([peter]) == peter
    assert parsed.verify([enoch]) == enoch
    assert parsed.verify([enoch, peter]) == peter
    with pytest.raises(BadSignature):
        parsed.verify([])


def test_go_note_with_inserted_signature_bytes_is_bad() -> None:
    # golang.org/x/mod/sumdb/note TestOpen, "Invalid signature".
    peter = NoteVerifier.from_vkey(PETER_VKEY)
    mangled = PETER_SIGNATURE_LINE[:60] + "ABCD" + PETER_SIGNATURE_LINE[60:]
    with pytest.raises(BadSignature):
        SignedNote.from_text(GO_TEXT + "\n" + mangled).verify([peter])


@pytest.mark.parametrize(("note", "size", "root"), SUMDB_CHECKPOINTS, ids=["plain", "cosigned"])
def test_sum_golang_org_checkpoints_open(note: str, size: int, root: str) -> None:
    verifier = NoteVerifier.from_vkey(SUMDB_VKEY)
    checkpoint = open_checkpoint(note, [verifier], origin=SUMDB_ORIGIN)
    assert checkpoint == Checkpoint(SUMDB_ORIGIN, size, base64.b64decode(root))
    assert checkpoint.to_text() == SignedNote.from_text(note).text


# --- properties ----------------------------------------------------------------------

origins = st.text(alphabet=st.characters(exclude_categories=["Cs"], min_codepoint=0x20), min_size=1)
sizes = st.integers(min_value=0, max_value=2**64 - 1)
roots = st.binary(min_size=32, max_size=32)
key_names = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Zs", "Zl", "Zp", "Cc"]), min_size=1
).filter(lambda name: "+" not in name and not any(c.isspace() for c in name))


@settings(max_examples=200)
@given(origin=origins, size=sizes, root=roots)
def test_any_checkpoint_round_trips_and_verifies(origin: str, size: int, root: bytes) -> None:
    checkpoint = Checkpoint(origin, size, root)
    text = checkpoint.to_text()
    assert Checkpoint.from_text(text) == checkpoint
    note = sign_note(text, LOG_NAME, LOG_KEY)
    assert SignedNote.from_text(note).to_text() == note
    assert open_checkpoint(note, [LOG], origin=origin) == checkpoint


@settings(max_examples=100)
@given(name=key_names, seed=st.binary(min_size=32, max_size=32))
def test_any_vkey_round_trips(name: str, seed: bytes) -> None:
    public: VerifyingKey = key_from_seed(seed).public
    text = vkey(name, public)
    verifier = NoteVerifier.from_vkey(text)
    assert verifier == NoteVerifier.from_key(name, public)
    assert verifier.key_hash == independent_key_hash(name, public.raw)
    assert verifier.vkey() == text


@settings(max_examples=100)
@given(name=key_names)
def test_any_key_name_signs_and_verifies(name: str) -> None:
    note = sign_note(GOLDEN_BODY, name, LOG_KEY)
    verifier = NoteVerifier.from_key(name, LOG_KEY.public)
    assert open_checkpoint(note, [verifier]) == GOLDEN_CHECKPOINT
