"""Offline verification of a verification record (format section 9.3), with no service.

The verifier holds a record (or the URL of a QR code, which carries the record in its
fragment), the ledger's JWKS, and optionally a signed checkpoint and the inclusion proof
of the record's entry in it. From these alone it checks, in order:

1. the record parses as a compact JWS of this ledger's shape (alg EdDSA, a kid, typ
   ``certledger-record+jws``); a URL must lead to ``<iss>/verify``;
2. its kid names a key of the JWKS, and the signature verifies under that key;
3. the payload has every member of section 9.3 with its type;
4. with a checkpoint: its signature verifies under a JWKS key (key name: the origin of
   the record's ``iss``, section 5.1);
5. with a proof (the body of ``GET /log/proof/inclusion?index=I&size=N``): it is the
   proof of the record's index in the checkpoint's tree, it leads to the checkpoint's
   root (RFC 9162 section 2.1.3.2), and the leaf it proves is the record's ``leaf_hash``.

The verdict is ``valid`` when all of this holds, ``signed`` when the record checks out
but no checkpoint and proof were given (inclusion not checked), ``unproven`` when the
record checks out but the checkpoint or proof given do not prove its inclusion (a
checkpoint the JWKS did not sign, a proof of another entry or tree), and ``forged``
when the record itself fails (see section 9.4). Revocation is never checked: a record
says nothing about it, only ``GET /certificates/{certificate}/status`` does.

Pure: no web or database imports.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ledger.core.checkpoint import Checkpoint, NoteVerifier, open_checkpoint, origin_from_url
from ledger.core.errors import InvalidInput, LedgerError, SigningKeyError
from ledger.core.jws import RECORD_TYPE, MalformedRecord, ParsedJws, parse_compact
from ledger.core.merkle import HASH_SIZE, verify_inclusion
from ledger.core.signing import VerifyingKey
from ledger.domain.certificates import check_record_claims

__all__ = [
    "REVOCATION_NOTE",
    "BadJwks",
    "Check",
    "OfflineReport",
    "Outcome",
    "Verdict",
    "load_jwks",
    "record_from_text",
    "verify_record_offline",
]

#: Said with every report: no offline check can tell whether a certificate was revoked.
REVOCATION_NOTE = (
    "revocation not checked: a record says nothing about revocation; "
    "ask GET {iss}/certificates/{certificate}/status"
)
#: The record in the fragment of a verification URL (section 9.4).
_FRAGMENT_RECORD = re.compile(r"#(?:.*&)?r=([^&\s]*)")


class BadJwks(InvalidInput):
    """A JWKS that cannot be used as the verifier's trust anchor; the message says why."""


class Verdict(StrEnum):
    """The verdict on a record checked offline."""

    VALID = "valid"  #: signature and inclusion in a checkpoint signed by the JWKS
    SIGNED = "signed"  #: signature only: no checkpoint and proof were given
    UNPROVEN = "unproven"  #: the record is well signed, the inclusion evidence fails
    FORGED = "forged"  #: the record itself fails a check


class Outcome(StrEnum):
    """The outcome of one check."""

    OK = "ok"
    FAILED = "failed"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True, slots=True)
class Check:
    """One check: its name, its outcome and what was found."""

    name: str
    outcome: Outcome
    detail: str


@dataclass(frozen=True)
class OfflineReport:
    """Every check made on a record, in order, the verdict, and what cannot be checked."""

    verdict: Verdict
    checks: tuple[Check, ...]
    claims: Mapping[str, Any] | None = None
    kid: str | None = None
    checkpoint: Checkpoint | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def inclusion_checked(self) -> bool:
        """Whether the record's inclusion in a checkpoint was proven."""
        return self.verdict is Verdict.VALID

    @property
    def failures(self) -> list[Check]:
        """The checks that failed."""
        return [check for check in self.checks if check.outcome is Outcome.FAILED]


def load_jwks(jwks: Mapping[str, Any]) -> dict[str, VerifyingKey]:
    """The keys of a JWKS (``{"keys": [JWK, ...]}``) by kid.

    Every key must be an Ed25519 public JWK (VerifyingKey.from_jwk) whose kid is its
    RFC 7638 thumbprint (section 6.1). BadJwks names the first key that is not, or says
    the JWKS holds no key: the JWKS is the verifier's trust anchor, so none is skipped.
    """
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise BadJwks('a JWKS is a JSON object {"keys": [...]}')
    if not keys:
        raise BadJwks("the JWKS holds no key")
    found: dict[str, VerifyingKey] = {}
    for position, jwk in enumerate(keys, start=1):
        try:
            key = VerifyingKey.from_jwk(jwk)
        except SigningKeyError as exc:
            raise BadJwks(f"JWKS key {position}: {exc}") from exc
        kid = jwk.get("kid")
        if kid != key.thumbprint():
            raise BadJwks(
                f"JWKS key {position}: kid {kid!r} is not the key's thumbprint {key.thumbprint()}"
            )
        found[kid] = key
    return found


def record_from_text(text: str) -> tuple[str, str | None]:
    """The record in ``text`` and the URL it came in (None for a bare record).

    ``text`` is a compact JWS or a verification URL ``<public URL>/verify#r=<record>``
    (section 9.4); surrounding whitespace is ignored.
    """
    stripped = text.strip()
    if "#" not in stripped:
        return stripped, None
    match = _FRAGMENT_RECORD.search(stripped)
    if match is None:
        raise MalformedRecord("the URL carries no record: its fragment has no r=")
    return match[1], stripped


def verify_record_offline(
    text: str,
    jwks: Mapping[str, Any],
    checkpoint_note: str | None = None,
    proof: Mapping[str, Any] | None = None,
    origin: str | None = None,
) -> OfflineReport:
    """Check a record (or a verification URL) against a JWKS, a checkpoint and a proof.

    ``origin`` is the log's checkpoint origin if the verifier knows it; by default it is
    the origin of the record's ``iss``, and a record naming another ledger than
    ``origin`` is forged. A proof needs the checkpoint it leads to. Raises BadJwks for a
    JWKS that cannot be used, and InvalidInput for a proof without a checkpoint or an
    ``origin`` that is not one; every other problem is a failed check in the report.
    """
    keys = load_jwks(jwks)
    if origin is not None and not _is_origin(origin):
        raise InvalidInput(
            f"{origin!r} is not a log origin: the public URL without its scheme, "
            "such as ledger.example.edu.cn"
        )
    if proof is not None and checkpoint_note is None:
        raise InvalidInput("an inclusion proof needs the checkpoint whose root it leads to")
    run = _Run()
    record = run.record(text, keys, origin)
    if record is None:
        return run.report(Verdict.FORGED)
    parsed, claims, leaf = record
    iss = claims["iss"]
    notes = (REVOCATION_NOTE.format(iss=iss, certificate=claims["certificate"]),)
    if checkpoint_note is None:
        run.skip("checkpoint", "no checkpoint given: inclusion not checked")
        run.skip("inclusion", "no checkpoint and proof given: inclusion not checked")
        return run.report(Verdict.SIGNED, claims, parsed.kid, None, notes)
    checkpoint = run.checkpoint(checkpoint_note, keys, origin or origin_from_url(iss))
    if checkpoint is None:
        run.skip("inclusion", "no verified checkpoint to check the proof against")
        return run.report(Verdict.UNPROVEN, claims, parsed.kid, None, notes)
    if proof is None:
        run.skip("inclusion", "no proof given: inclusion not checked")
        return run.report(Verdict.SIGNED, claims, parsed.kid, checkpoint, notes)
    verdict = run.inclusion(proof, claims["index"], leaf, checkpoint)
    return run.report(verdict, claims, parsed.kid, checkpoint, notes)


class _Run:
    """The checks of one verification, in the order they were made."""

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def ok(self, name: str, detail: str) -> None:
        self.checks.append(Check(name, Outcome.OK, detail))

    def fail(self, name: str, detail: str) -> None:
        self.checks.append(Check(name, Outcome.FAILED, detail))

    def skip(self, name: str, detail: str) -> None:
        self.checks.append(Check(name, Outcome.NOT_CHECKED, detail))

    def report(
        self,
        verdict: Verdict,
        claims: Mapping[str, Any] | None = None,
        kid: str | None = None,
        checkpoint: Checkpoint | None = None,
        notes: tuple[str, ...] = (),
    ) -> OfflineReport:
        return OfflineReport(verdict, tuple(self.checks), claims, kid, checkpoint, notes)

    def record(
        self, text: str, keys: Mapping[str, VerifyingKey], origin: str | None
    ) -> tuple[ParsedJws, dict[str, Any], bytes] | None:
        """Steps 1 to 3: the record, its key, signature and claims; None if one fails."""
        try:
            token, url = record_from_text(text)
            parsed = parse_compact(token)
        except MalformedRecord as exc:
            self.fail("record", f"not a record of this ledger: {exc}")
            return None
        if parsed.header.get("typ") != RECORD_TYPE:
            self.fail(
                "record", f"the header's typ is {parsed.header.get('typ')!r}, not {RECORD_TYPE}"
            )
            return None
        self.ok("record", "a compact JWS with alg EdDSA and typ " + RECORD_TYPE)
        key = keys.get(parsed.kid)
        if key is None:
            self.fail("key", f"the record names key {parsed.kid}, which is not in the JWKS")
            return None
        self.ok("key", f"key {parsed.kid} is in the JWKS")
        try:
            key.verify(parsed.signature, parsed.signing_input)
        except LedgerError:
            self.fail("signature", f"the signature does not verify under key {parsed.kid}")
            return None
        self.ok("signature", f"Ed25519 signature verifies under key {parsed.kid}")
        try:
            claims = check_record_claims(json.loads(parsed.payload))
            leaf = _b64_hash(claims["leaf_hash"], "payload.leaf_hash")
            if claims["index"] < 0:
                raise InvalidInput("payload.index is negative")
            issuer_origin = origin_from_url(claims["iss"])
        except (InvalidInput, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            self.fail("claims", f"the payload is not a record's: {exc}")
            return None
        if origin is not None and issuer_origin != origin:
            self.fail("claims", f"the record names another ledger: {claims['iss']}")
            return None
        self.ok("claims", f"certificate {claims['certificate']}, entry {claims['index']}")
        if url is not None:
            expected = claims["iss"] + "/verify"
            if url.split("#", 1)[0] != expected:
                self.fail(
                    "url",
                    f"the URL leads to {url.split('#', 1)[0]}, not to {expected}, "
                    "the page of the ledger that signed the record",
                )
                return None
            self.ok("url", f"the URL leads to {expected}")
        return parsed, claims, leaf

    def checkpoint(
        self, note: str, keys: Mapping[str, VerifyingKey], origin: str
    ) -> Checkpoint | None:
        """Step 4: the checkpoint's signature under a JWKS key, named by ``origin``."""
        try:
            verifiers = [NoteVerifier.from_key(origin, key) for key in keys.values()]
            checkpoint = open_checkpoint(note, verifiers, origin)
        except LedgerError as exc:
            self.fail("checkpoint", f"not a checkpoint signed by a JWKS key for {origin}: {exc}")
            return None
        self.ok(
            "checkpoint",
            f"tree of {checkpoint.size} entries, signed by a JWKS key for {origin}",
        )
        return checkpoint

    def inclusion(
        self, proof: Mapping[str, Any], index: int, leaf: bytes, checkpoint: Checkpoint
    ) -> Verdict:
        """Step 5: the proof of the record's entry in the checkpoint's tree."""
        try:
            proof_index, proof_size, proof_leaf, hashes = _read_proof(proof)
        except InvalidInput as exc:
            self.fail("inclusion", f"not an inclusion proof: {exc}")
            return Verdict.UNPROVEN
        if index >= checkpoint.size:
            self.fail(
                "inclusion",
                f"the record's entry {index} is not in the checkpoint's tree of "
                f"{checkpoint.size} entries: use a newer checkpoint",
            )
            return Verdict.UNPROVEN
        if proof_index != index:
            self.fail("inclusion", f"the proof is of entry {proof_index}, the record's is {index}")
            return Verdict.UNPROVEN
        if proof_size != checkpoint.size:
            self.fail(
                "inclusion",
                f"the proof is for a tree of {proof_size} entries, the checkpoint's has "
                f"{checkpoint.size}: ask /log/proof/inclusion?index={index}&size={checkpoint.size}",
            )
            return Verdict.UNPROVEN
        try:
            verify_inclusion(proof_leaf, index, checkpoint.size, hashes, checkpoint.root)
        except LedgerError as exc:
            self.fail("inclusion", f"the proof does not lead to the checkpoint's root: {exc}")
            return Verdict.UNPROVEN
        if proof_leaf != leaf:
            # The proof holds: the signed tree has another entry at the record's index.
            self.fail(
                "inclusion",
                f"the log's entry {index} has leaf hash {_b64(proof_leaf)}, "
                f"the record names {_b64(leaf)}: the record is not that entry's",
            )
            return Verdict.FORGED
        self.ok(
            "inclusion",
            f"entry {index} is in the checkpoint's tree of {checkpoint.size} entries",
        )
        return Verdict.VALID


def _is_origin(text: str) -> bool:
    """Whether ``text`` is the origin of an http or https public URL (section 5.1)."""
    for scheme in ("https", "http"):
        try:
            if origin_from_url(f"{scheme}://{text}") == text:
                return True
        except InvalidInput:
            pass
    return False


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64_hash(text: object, field: str) -> bytes:
    """A 32-byte hash from canonical standard base64; InvalidInput naming ``field``."""
    if not isinstance(text, str):
        raise InvalidInput(f"{field} must be a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{field} is not base64") from exc
    if _b64(raw) != text:
        raise InvalidInput(f"{field} is not canonical base64")
    if len(raw) != HASH_SIZE:
        raise InvalidInput(f"{field} is {len(raw)} bytes, not {HASH_SIZE}")
    return raw


def _read_proof(proof: Mapping[str, Any]) -> tuple[int, int, bytes, Sequence[bytes]]:
    """index, tree_size, leaf_hash and hashes of an inclusion proof's JSON body."""
    if not isinstance(proof, Mapping):
        raise InvalidInput('a proof is {"index", "tree_size", "leaf_hash", "hashes"}')
    for member in ("index", "tree_size"):
        if type(proof.get(member)) is not int:
            raise InvalidInput(f"{member} must be an integer")
    hashes = proof.get("hashes")
    if not isinstance(hashes, list):
        raise InvalidInput("hashes must be a list")
    return (
        proof["index"],
        proof["tree_size"],
        _b64_hash(proof.get("leaf_hash"), "leaf_hash"),
        [_b64_hash(value, f"hashes[{n}]") for n, value in enumerate(hashes)],
    )
