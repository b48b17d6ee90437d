"""Signed notes (c2sp.org/signed-note) and their verifier keys (vkey): parsing, signing and
checking the signatures of a note whatever its text; Ed25519 (signature type 0x01) only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ledger.core.errors import BadSignature, InvalidInput, MalformedNote
from ledger.core.signing import PUBLIC_KEY_SIZE, SigningKey, VerifyingKey

__all__ = [
    "ED25519_SIGNATURE_TYPE",
    "KEY_HASH_SIZE",
    "MAX_NOTE_SIGNATURES",
    "NoteSignature",
    "NoteVerifier",
    "SignedNote",
    "add_signature",
    "b64_decode",
    "b64_encode",
    "has_control_characters",
    "is_utf8",
    "is_valid_key_name",
    "is_valid_note_text",
    "key_hash",
    "sign_note",
    "vkey",
]

# c2sp.org/signed-note, "Signature types": the identifier byte for Ed25519.
ED25519_SIGNATURE_TYPE = 0x01
# c2sp.org/signed-note: verifiers SHOULD cap the signatures and MUST accept
# at least 16; golang.org/x/mod/sumdb/note caps at 100, so do we.
MAX_NOTE_SIGNATURES = 100

KEY_HASH_SIZE = 4

_SIGNATURE_PREFIX = "\N{EM DASH} "
_KEY_HASH_HEX = re.compile(r"[0-9a-fA-F]{8}")


def b64_encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def b64_decode(text: str) -> bytes:
    """Decode canonical padded standard base64 (RFC 4648 section 4); ValueError otherwise."""
    raw = base64.b64decode(text, validate=True)
    # Re-encoding rejects non-zero padding bits, so each value has one spelling
    # and a parsed note re-serializes to the same bytes.
    if b64_encode(raw) != text:
        raise ValueError("not canonical base64")
    return raw


def has_control_characters(text: str) -> bool:
    """Whether text has an ASCII control character other than newline (signed-note, Format)."""
    return any(ord(character) < 0x20 and character != "\n" for character in text)


def is_utf8(text: str) -> bool:
    """Whether text encodes as UTF-8 (it has no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def is_valid_key_name(name: str) -> bool:
    """A signed-note key name: non-empty, no Unicode space, no plus, no control character."""
    return (
        isinstance(name, str)
        and name != ""
        and is_utf8(name)
        and "+" not in name
        and not any(character.isspace() for character in name)
        and not has_control_characters(name)
    )


def is_valid_note_text(text: str) -> bool:
    """Note text: valid UTF-8, ending in newline, no control character but newline."""
    return (
        isinstance(text, str)
        and text.endswith("\n")
        and is_utf8(text)
        and not has_control_characters(text)
    )


# --- verifier keys (vkey) ----------------------------------------------------


def key_hash(name: str, key: VerifyingKey) -> bytes:
    """The 4-byte signed-note key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4].

    Raises InvalidInput if name is not a valid key name (empty, or has a space,
    plus or control character).
    """
    if not is_valid_key_name(name):
        raise InvalidInput(f"{name!r} is not a valid note key name")
    return _key_hash(name, bytes([ED25519_SIGNATURE_TYPE]) + key.raw)


def _key_hash(name: str, typed_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + typed_key).digest()[:KEY_HASH_SIZE]


def vkey(name: str, key: VerifyingKey) -> str:
    """The verifier key text "name+<8 hex key hash>+<base64(0x01 || public key)>".

    Raises InvalidInput if name is not a valid key name.
    """
    typed_key = bytes([ED25519_SIGNATURE_TYPE]) + key.raw
    return f"{name}+{key_hash(name, key).hex()}+{b64_encode(typed_key)}"


@dataclass(frozen=True)
class NoteVerifier:
    """A known signer of notes: key name, key hash and Ed25519 public key.

    Raises InvalidInput if name is not a valid key name or key_hash is not
    key_hash(name, key).
    """

    name: str
    key_hash: bytes
    key: VerifyingKey

    def __post_init__(self) -> None:
        if not isinstance(self.key, VerifyingKey):
            raise InvalidInput("a note verifier needs a VerifyingKey")
        if key_hash(self.name, self.key) != self.key_hash:
            raise InvalidInput(f"key hash does not match name {self.name!r} and key")

    @classmethod
    def from_key(cls, name: str, key: VerifyingKey) -> NoteVerifier:
        """The verifier for key under name; raises InvalidInput on an invalid name."""
        return cls(name, key_hash(name, key), key)

    @classmethod
    def from_vkey(cls, text: str) -> NoteVerifier:
        """Parse a verifier key "name+hash+base64(0x01 || public key)".

        Raises MalformedNote for fewer than three "+"-separated fields, an invalid
        name, a hash that is not 8 hex digits or not the key hash of name and key,
        key data that is not canonical base64, a type byte other than 0x01, or a
        public key that is not 32 bytes.
        """
        if not isinstance(text, str):
            raise MalformedNote("a verifier key is text")
        # The base64 key data may itself contain "+", so split twice only.
        fields = text.split("+", 2)
        if len(fields) != 3:
            raise MalformedNote("verifier key needs name+hash+key")
        name, hash_hex, key_text = fields
        if not is_valid_key_name(name):
            raise MalformedNote(f"verifier key name {name!r} is not valid")
        if not _KEY_HASH_HEX.fullmatch(hash_hex):
            raise MalformedNote(f"verifier key hash {hash_hex!r} is not 8 hex digits")
        try:
            typed_key = b64_decode(key_text)
        except ValueError as exc:
            raise MalformedNote("verifier key data is not base64") from exc
        if not typed_key:
            raise MalformedNote("verifier key data is empty")
        if _key_hash(name, typed_key) != bytes.fromhex(hash_hex):
            raise MalformedNote("verifier key hash does not match its name and key")
        if typed_key[0] != ED25519_SIGNATURE_TYPE:
            raise MalformedNote(f"verifier key type 0x{typed_key[0]:02x} is not Ed25519 (0x01)")
        if len(typed_key) != 1 + PUBLIC_KEY_SIZE:
            raise MalformedNote(f"Ed25519 verifier key is {len(typed_key) - 1} bytes, not 32")
        key = VerifyingKey(typed_key[1:])
        return cls(name, bytes.fromhex(hash_hex), key)

    def vkey(self) -> str:
        """This verifier as vkey text (lower-case hex hash)."""
        return vkey(self.name, self.key)


# --- signed notes (c2sp.org/signed-note) -------------------------------------


class NoteSignature(NamedTuple):
    """One signature line of a note: key name, 4-byte key hash, signature bytes."""

    name: str
    key_hash: bytes
    signature: bytes

    def to_line(self) -> str:
        """The signature line, em dash and space first, newline last."""
        encoded = b64_encode(self.key_hash + self.signature)
        return f"{_SIGNATURE_PREFIX}{self.name} {encoded}\n"


def _signature_line(text: str, name: str, key: SigningKey) -> NoteSignature:
    if not is_valid_key_name(name):
        raise InvalidInput(f"{name!r} is not a valid note key name")
    return NoteSignature(name, key_hash(name, key.public), key.sign(text.encode("utf-8")))


def sign_note(text: str, name: str, key: SigningKey) -> str:
    """Sign note text with key under name: text, a blank line, one signature line.

    Raises InvalidInput if text does not end in newline, is not valid UTF-8 or
    has a control character other than newline, or if name is not a valid key
    name (empty, or has a space, plus or control character).
    """
    if not is_valid_note_text(text):
        raise InvalidInput("note text must be UTF-8 ending in newline, without control characters")
    return text + "\n" + _signature_line(text, name, key).to_line()


def add_signature(note: str, name: str, key: SigningKey) -> str:
    """Add key's signature under name to an already signed note.

    A signature already there by the same name and key hash is replaced; the
    others are kept, unverified, in their order. Raises MalformedNote if note
    does not parse and InvalidInput if name is not a valid key name.
    """
    parsed = SignedNote.from_text(note)
    new = _signature_line(parsed.text, name, key)
    kept = tuple(
        signature
        for signature in parsed.signatures
        if (signature.name, signature.key_hash) != (new.name, new.key_hash)
    )
    if len(kept) + 1 > MAX_NOTE_SIGNATURES:
        raise InvalidInput(f"a note carries at most {MAX_NOTE_SIGNATURES} signatures")
    return SignedNote(parsed.text, (*kept, new)).to_text()


@dataclass(frozen=True)
class SignedNote:
    """A parsed, not yet verified, signed note: its text and its signature lines."""

    text: str
    signatures: tuple[NoteSignature, ...]

    @classmethod
    def from_text(cls, note: str) -> SignedNote:
        """Split a signed note into text and signatures, verifying nothing.

        The text ends at the last blank line. Raises MalformedNote if the note is
        not valid UTF-8, has a control character other than newline, has no blank
        line, no signature line or more than MAX_NOTE_SIGNATURES, does not end in
        newline, or has a signature line that is not "— name base64" with a valid
        key name and canonical base64 of at least 5 bytes (key hash + signature).
        """
        if not isinstance(note, str) or not is_utf8(note):
            raise MalformedNote("a signed note is UTF-8 text")
        if has_control_characters(note):
            raise MalformedNote("signed note has a control character other than newline")
        split = note.rfind("\n\n")
        if split < 0:
            raise MalformedNote("signed note has no blank line before its signatures")
        text, block = note[: split + 1], note[split + 2 :]
        if not block:
            raise MalformedNote("signed note has no signature lines")
        if not block.endswith("\n"):
            raise MalformedNote("signed note does not end in newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_NOTE_SIGNATURES:
            raise MalformedNote(f"signed note has more than {MAX_NOTE_SIGNATURES} signatures")
        return cls(text, tuple(_parse_signature_line(line) for line in lines))

    def to_text(self) -> str:
        """The note as text: from_text(note).to_text() == note."""
        return self.text + "\n" + "".join(signature.to_line() for signature in self.signatures)

    def verify(self, verifiers: Iterable[NoteVerifier]) -> NoteVerifier:
        """Check the signatures by known keys; return the first verifier that validated.

        A signature counts as known when its name and key hash both match a
        verifier; others are ignored. Raises BadSignature if any known signature
        fails to verify, or if no known signature is present. Raises InvalidInput
        if two different verifiers share a name and key hash and one is needed.
        """
        known: dict[tuple[str, bytes], list[NoteVerifier]] = {}
        for verifier in verifiers:
            same = known.setdefault((verifier.name, verifier.key_hash), [])
            if verifier not in same:
                same.append(verifier)
        message = self.text.encode("utf-8")
        validated: NoteVerifier | None = None
        for signature in self.signatures:
            candidates = known.get((signature.name, signature.key_hash), [])
            if not candidates:
                continue
            label = f"{signature.name}+{signature.key_hash.hex()}"
            if len(candidates) > 1:
                raise InvalidInput(f"two different verifiers for key {label}")
            try:
                candidates[0].key.verify(signature.signature, message)
            except BadSignature as exc:
                raise BadSignature(f"note signature by {label} does not verify") from exc
            if validated is None:
                validated = candidates[0]
        if validated is None:
            raise BadSignature("note has no signature by a known key")
        return validated


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise MalformedNote("signature line does not start with an em dash and a space")
    name, space, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise MalformedNote("signature line needs a key name and a signature")
    if not is_valid_key_name(name):
        raise MalformedNote(f"signature key name {name!r} is not valid")
    try:
        raw = b64_decode(encoded)
    except ValueError as exc:
        raise MalformedNote(f"signature by {name} is not base64") from exc
    if len(raw) <= KEY_HASH_SIZE:
        raise MalformedNote(f"signature by {name} is shorter than a key hash and a signature")
    return NoteSignature(name, raw[:KEY_HASH_SIZE], raw[KEY_HASH_SIZE:])
