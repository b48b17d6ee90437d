"""ledger.audit.records: a record checked offline against a JWKS, a checkpoint and a proof.

The records come from a real ledger (tests/api/conftest.py ``build_ledger``); every
forgery is made by hand from the record's parts, the way an attacker would.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ledger.audit.records import (
    BadJwks,
    OfflineReport,
    Outcome,
    Verdict,
    load_jwks,
    record_from_text,
    verify_record_offline,
)
from ledger.bootstrap import Ledger
from ledger.core.canonical import canonical_json
from ledger.core.checkpoint import Checkpoint, sign_note
from ledger.core.errors import InvalidInput
from ledger.core.jws import RecordSigner, b64url
from ledger.core.principals import Principal
from ledger.core.signing import SigningKey
from ledger.domain.certificates import verify_url
from ledger.services.certificates import Issued
from tests.api.conftest import ORIGIN, build_ledger
from tests.certificate_helpers import Issuer, holder_name, id_number, make_issuer


@dataclass(frozen=True)
class Evidence:
    """A record and everything a verifier needs to check it offline."""

    record: str
    index: int
    jwks: dict[str, Any]
    checkpoint: str
    proof: dict[str, Any]
    ledger: Ledger

    def verify(self, record: str | None = None, **changes: Any) -> OfflineReport:
        arguments: dict[str, Any] = {
            "jwks": self.jwks,
            "checkpoint_note": self.checkpoint,
            "proof": self.proof,
        }
        arguments.update(changes)
        return verify_record_offline(self.record if record is None else record, **arguments)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def proof_body(ledger: Ledger, index: int, size: int) -> dict[str, Any]:
    """What GET /log/proof/inclusion?index=I&size=N answers."""
    return {
        "index": index,
        "tree_size": size,
        "leaf_hash": b64(ledger.store.leaf_hash_at(index)),
        "hashes": [b64(h) for h in ledger.store.inclusion_proof(index, size)],
    }


def issue(ledger: Ledger, issuer: Issuer, number: int, **extra: Any) -> Issued:
    row = {
        "standard": issuer.standard,
        "level": "junior",
        "name": holder_name(number),
        "id_number": id_number(number),
        "issued_on": "2026-11-20",
        "assessment": None,
        "score": None,
        **extra,
    }
    return ledger.certificates.issue(Principal.parse(issuer.principal), row)


@pytest.fixture
def ledger(sqlite_url: str, tmp_path: Path) -> Iterator[Ledger]:
    opened = build_ledger(sqlite_url, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def evidence(ledger: Ledger) -> Evidence:
    issuer = make_issuer(ledger)
    issued = issue(ledger, issuer, 3, score=88, assessment="A-3")
    issue(ledger, issuer, 4)  # the record's entry is not the last one
    checkpoint = ledger.log.checkpoint()
    return Evidence(
        issued.record,
        issued.index,
        ledger.log.jwks(),
        checkpoint.note,
        proof_body(ledger, issued.index, checkpoint.tree_size),
        ledger,
    )


def parts(record: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = record.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "==")),
        json.loads(base64.urlsafe_b64decode(payload + "==")),
        signature,
    )


def encode(part: dict[str, Any]) -> str:
    return b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode())


def outcomes(report: OfflineReport) -> dict[str, Outcome]:
    return {check.name: check.outcome for check in report.checks}


def failure(report: OfflineReport) -> str:
    [failed] = report.failures
    return f"{failed.name}: {failed.detail}"


# -- a good record --------------------------------------------------------------------


def test_a_good_record_with_its_checkpoint_and_proof_is_valid(evidence: Evidence) -> None:
    report = evidence.verify()
    assert report.verdict is Verdict.VALID and report.inclusion_checked
    assert outcomes(report) == {
        name: Outcome.OK
        for name in ("record", "key", "signature", "claims", "checkpoint", "inclusion")
    }
    assert report.claims is not None and report.claims["index"] == evidence.index
    assert report.claims["holder"] == holder_name(3)[0] + "*" * (len(holder_name(3)) - 1)
    assert report.kid == evidence.ledger.log.signing_key().kid
    assert report.checkpoint is not None and report.checkpoint.origin == ORIGIN
    # Revocation is out of reach offline, and the report says so.
    [note] = report.notes
    assert "revocation not checked" in note
    assert f"https://{ORIGIN}/certificates/{report.claims['certificate']}/status" in note


def test_the_verification_url_of_the_qr_code_carries_the_same_record(evidence: Evidence) -> None:
    url = verify_url(f"https://{ORIGIN}", evidence.record)
    assert record_from_text(f"  {url}\n") == (evidence.record, url)
    report = evidence.verify(url)
    assert report.verdict is Verdict.VALID
    assert outcomes(report)["url"] is Outcome.OK


def test_a_url_that_leads_to_another_site_is_forged(evidence: Evidence) -> None:
    report = evidence.verify(f"https://ledger.example.com/verify#r={evidence.record}")
    assert report.verdict is Verdict.FORGED
    assert "https://ledger.example.com/verify" in failure(report)


def test_without_checkpoint_and_proof_the_record_is_signed_and_inclusion_not_checked(
    evidence: Evidence,
) -> None:
    report = evidence.verify(checkpoint_note=None, proof=None)
    assert report.verdict is Verdict.SIGNED and not report.inclusion_checked
    assert outcomes(report)["checkpoint"] is Outcome.NOT_CHECKED
    assert outcomes(report)["inclusion"] is Outcome.NOT_CHECKED
    assert "inclusion not checked" in report.checks[-1].detail
    assert not report.failures


def test_a_checkpoint_without_a_proof_is_checked_but_proves_nothing(evidence: Evidence) -> None:
    report = evidence.verify(proof=None)
    assert report.verdict is Verdict.SIGNED
    assert outcomes(report)["checkpoint"] is Outcome.OK
    assert outcomes(report)["inclusion"] is Outcome.NOT_CHECKED


def test_a_proof_needs_its_checkpoint(evidence: Evidence) -> None:
    with pytest.raises(InvalidInput, match="needs the checkpoint"):
        evidence.verify(checkpoint_note=None)


def test_a_record_signed_before_a_rotation_stays_valid(evidence: Evidence) -> None:
    ledger = evidence.ledger
    ledger.log.rotate_key()
    checkpoint = ledger.log.checkpoint()
    report = evidence.verify(
        jwks=ledger.log.jwks(),
        checkpoint_note=checkpoint.note,
        proof=proof_body(ledger, evidence.index, checkpoint.tree_size),
    )
    assert report.verdict is Verdict.VALID
    assert report.kid != ledger.log.signing_key().kid


# -- forged records -------------------------------------------------------------------


def test_a_tampered_payload_is_forged(evidence: Evidence) -> None:
    header, claims, signature = parts(evidence.record)
    claims["level"] = "senior"
    report = evidence.verify(f"{encode(header)}.{encode(claims)}.{signature}")
    assert report.verdict is Verdict.FORGED
    assert failure(report).startswith("signature: the signature does not verify")
    assert report.claims is None


def test_a_record_naming_a_kid_outside_the_jwks_is_forged(evidence: Evidence) -> None:
    header, _claims, signature = parts(evidence.record)
    stranger = SigningKey.generate()
    header["kid"] = stranger.kid
    report = evidence.verify(f"{encode(header)}.{evidence.record.split('.')[1]}.{signature}")
    assert report.verdict is Verdict.FORGED
    assert failure(report) == f"key: the record names key {stranger.kid}, which is not in the JWKS"


def test_a_record_signed_by_a_foreign_key_under_the_ledgers_kid_is_forged(
    evidence: Evidence,
) -> None:
    header, _claims, _signature = parts(evidence.record)
    signing_input = evidence.record.rsplit(".", 1)[0]
    forged = SigningKey.generate().sign(signing_input.encode("ascii"))
    report = evidence.verify(f"{signing_input}.{b64url(forged)}")
    assert report.verdict is Verdict.FORGED
    assert failure(report) == f"signature: the signature does not verify under key {header['kid']}"


def test_a_record_signed_by_a_foreign_key_it_names_is_forged(evidence: Evidence) -> None:
    _header, claims, _signature = parts(evidence.record)
    stranger = SigningKey.generate()
    report = evidence.verify(RecordSigner(stranger).sign(canonical_json(claims)))
    assert report.verdict is Verdict.FORGED
    assert outcomes(report) == {"record": Outcome.OK, "key": Outcome.FAILED}


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256", "Ed25519"])
def test_a_header_naming_another_algorithm_is_refused_before_any_key(
    evidence: Evidence, alg: str
) -> None:
    header, _claims, _signature = parts(evidence.record)
    header["alg"] = alg
    payload = evidence.record.split(".")[1]
    # alg none has an empty signature; keep a 64-byte one too, so only alg can fail.
    for signature in ("", evidence.record.split(".")[2]):
        report = evidence.verify(f"{encode(header)}.{payload}.{signature}")
        assert report.verdict is Verdict.FORGED
        assert outcomes(report) == {"record": Outcome.FAILED}
        if signature:
            assert f"alg must be EdDSA, not '{alg}'" in failure(report)


def test_a_jws_of_another_type_is_not_a_record(evidence: Evidence) -> None:
    _header, claims, _signature = parts(evidence.record)
    key = evidence.ledger.log.signing_key()
    token = RecordSigner(key, typ="JWT").sign(canonical_json(claims))
    report = evidence.verify(token)
    assert report.verdict is Verdict.FORGED
    assert "typ is 'JWT'" in failure(report)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "three parts"),
        ("not a record", "three parts"),
        ("a.b.c", "base64url"),
        ("https://ledger.test/verify#x=1", "no r="),
    ],
)
def test_text_that_is_no_record_is_forged(evidence: Evidence, text: str, problem: str) -> None:
    report = evidence.verify(text)
    assert report.verdict is Verdict.FORGED
    assert problem in failure(report)


def test_a_well_signed_payload_that_is_not_a_record_is_forged(evidence: Evidence) -> None:
    _header, claims, _signature = parts(evidence.record)
    del claims["holder_commitment"]
    key = evidence.ledger.log.signing_key()
    report = evidence.verify(RecordSigner(key).sign(canonical_json(claims)))
    assert report.verdict is Verdict.FORGED
    assert (
        failure(report)
        == "claims: the payload is not a record's: payload.holder_commitment must be a str"
    )


def test_a_record_of_another_ledger_is_forged_when_the_origin_is_known(evidence: Evidence) -> None:
    report = evidence.verify(origin="ledger.example.edu.cn")
    assert report.verdict is Verdict.FORGED
    assert "names another ledger: https://ledger.test" in failure(report)


@pytest.mark.parametrize("origin", ["https://ledger.test", "ledger.test/", "Ledger.Test", ""])
def test_an_origin_that_is_not_one_is_a_usage_error(evidence: Evidence, origin: str) -> None:
    with pytest.raises(InvalidInput, match="is not a log origin"):
        evidence.verify(origin=origin)


def test_the_expected_origin_names_the_checkpoints_key(evidence: Evidence) -> None:
    assert evidence.verify(origin=ORIGIN).verdict is Verdict.VALID


# -- inclusion ----------------------------------------------------------------------------


def test_a_checkpoint_signed_by_another_key_proves_nothing(evidence: Evidence) -> None:
    body = Checkpoint.from_text(evidence.checkpoint.split("\n\n")[0] + "\n")
    impostor = sign_note(body.to_text(), ORIGIN, SigningKey.generate())
    report = evidence.verify(checkpoint_note=impostor)
    assert report.verdict is Verdict.UNPROVEN
    assert outcomes(report)["signature"] is Outcome.OK
    assert outcomes(report)["checkpoint"] is Outcome.FAILED
    assert "no signature by a known key" in failure(report)
    assert outcomes(report)["inclusion"] is Outcome.NOT_CHECKED


def test_a_checkpoint_with_a_changed_root_fails_its_signature(evidence: Evidence) -> None:
    lines = evidence.checkpoint.split("\n")
    lines[2] = b64(bytes(32))
    report = evidence.verify(checkpoint_note="\n".join(lines))
    assert report.verdict is Verdict.UNPROVEN
    assert "does not verify" in failure(report)


def test_a_checkpoint_of_another_origin_is_refused(evidence: Evidence) -> None:
    key = evidence.ledger.log.signing_key()
    body = Checkpoint.from_text(evidence.checkpoint.split("\n\n")[0] + "\n")
    other = sign_note(Checkpoint("other.test", body.size, body.root).to_text(), "other.test", key)
    report = evidence.verify(checkpoint_note=other)
    assert report.verdict is Verdict.UNPROVEN
    assert outcomes(report)["checkpoint"] is Outcome.FAILED


def test_a_proof_of_another_entry_proves_nothing(evidence: Evidence) -> None:
    size = evidence.proof["tree_size"]
    other = proof_body(evidence.ledger, evidence.index - 1, size)
    report = evidence.verify(proof=other)
    assert report.verdict is Verdict.UNPROVEN
    assert failure(report) == (
        f"inclusion: the proof is of entry {evidence.index - 1}, the record's is {evidence.index}"
    )


def test_a_proof_for_another_tree_size_names_the_right_request(evidence: Evidence) -> None:
    size = evidence.proof["tree_size"]
    report = evidence.verify(proof=proof_body(evidence.ledger, evidence.index, size - 1))
    assert report.verdict is Verdict.UNPROVEN
    assert f"index={evidence.index}&size={size}" in failure(report)


def test_a_checkpoint_older_than_the_record_cannot_include_it(evidence: Evidence) -> None:
    ledger = evidence.ledger
    older = sign_note(
        Checkpoint(ORIGIN, evidence.index, ledger.store.root(evidence.index)).to_text(),
        ORIGIN,
        ledger.log.signing_key(),
    )
    report = evidence.verify(checkpoint_note=older)
    assert report.verdict is Verdict.UNPROVEN
    assert "use a newer checkpoint" in failure(report)


def test_a_proof_with_a_changed_hash_does_not_reach_the_root(evidence: Evidence) -> None:
    proof = dict(evidence.proof, hashes=[b64(bytes(32)), *evidence.proof["hashes"][1:]])
    report = evidence.verify(proof=proof)
    assert report.verdict is Verdict.UNPROVEN
    assert "does not lead to the checkpoint's root" in failure(report)


def test_a_proof_whose_leaf_hash_is_not_the_records_does_not_reach_the_root(
    evidence: Evidence,
) -> None:
    proof = dict(evidence.proof, leaf_hash=b64(bytes(32)))
    report = evidence.verify(proof=proof)
    assert report.verdict is Verdict.UNPROVEN
    assert "does not lead to the checkpoint's root" in failure(report)


def test_a_signed_record_whose_leaf_hash_is_not_the_logs_entry_is_forged(
    evidence: Evidence,
) -> None:
    # What only a holder of the signing key could make: a well-signed record for an
    # entry the log does not hold. The proof from the log shows the entry it does hold.
    _header, claims, _signature = parts(evidence.record)
    claims["leaf_hash"] = b64(evidence.ledger.store.leaf_hash_at(evidence.index - 1))
    record = RecordSigner(evidence.ledger.log.signing_key()).sign(canonical_json(claims))
    assert evidence.verify(record, checkpoint_note=None, proof=None).verdict is Verdict.SIGNED
    report = evidence.verify(record)
    assert report.verdict is Verdict.FORGED
    assert failure(report).startswith(f"inclusion: the log's entry {evidence.index} has leaf hash")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"index": "7"}, "index must be an integer"),
        ({"hashes": "AAAA"}, "hashes must be a list"),
        ({"leaf_hash": "not base64"}, "leaf_hash is not base64"),
        ({"hashes": ["AAAA"]}, "hashes[0] is 3 bytes, not 32"),
    ],
)
def test_a_proof_that_is_not_a_proof_is_reported(
    evidence: Evidence, change: dict[str, Any], problem: str
) -> None:
    report = evidence.verify(proof=dict(evidence.proof, **change))
    assert report.verdict is Verdict.UNPROVEN
    assert problem in failure(report)


# -- the JWKS ---------------------------------------------------------------------------


def test_the_jwks_keys_are_read_by_kid(evidence: Evidence) -> None:
    assert set(load_jwks(evidence.jwks)) == {evidence.ledger.log.signing_key().kid}


@pytest.mark.parametrize(
    ("jwks", "problem"),
    [
        ([], "a JWKS is a JSON object"),
        ({"keys": []}, "holds no key"),
        ({"keys": [{"kty": "RSA"}]}, "JWKS key 1: not an Ed25519 key"),
        ("wrong kid", "is not the key's thumbprint"),
    ],
)
def test_an_unusable_jwks_is_refused(evidence: Evidence, jwks: Any, problem: str) -> None:
    if jwks == "wrong kid":
        key = dict(evidence.jwks["keys"][0], kid=SigningKey.generate().kid)
        jwks = {"keys": [key]}
    with pytest.raises(BadJwks, match=problem):
        evidence.verify(jwks=jwks)
