"""The public read API, checked the way an outsider would: with their own code.

Roots are recomputed with an RFC 6962 MTH written here, proofs are checked with the
core verifiers, JWKS keys with joserfc; every bad parameter must be a 400 naming it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import KeySet, OKPKey
from litestar import Litestar, Request, post
from litestar.testing import TestClient

from api.app import MAX_REQUEST_BODY_SIZE, create_app, create_app_from_env
from api.log import MAX_ENTRIES_PER_REQUEST
from ledger.bootstrap import Ledger
from ledger.core.checkpoint import Checkpoint, NoteVerifier, open_checkpoint
from ledger.core.errors import BadSignature, SigningKeyError
from ledger.core.merkle import verify_consistency, verify_inclusion
from schemas.log import LogEntry
from tests.api.conftest import ORIGIN, SAMPLE_ENTRIES, build_ledger, sample_drafts

#: The key entry written at first run, then the sample entries.
LOG_SIZE = SAMPLE_ENTRIES + 1
HUGE = 10**30

PUBLIC_PATHS = {
    "/log/checkpoint",
    "/log/vkey",
    "/log/entries",
    "/log/proof/inclusion",
    "/log/proof/consistency",
    "/.well-known/jwks.json",
    "/healthz",
}

#: (request, the parameter the 400's detail must name)
BAD_REQUESTS = [
    ("/log/entries?start=abc&end=5", "start"),
    ("/log/entries?start=1.5&end=5", "start"),
    ("/log/entries?start=&end=5", "start"),
    ("/log/entries?start=1.0&end=5", "start"),
    ("/log/entries?start=1e3&end=2000", "start"),
    ("/log/entries?start=%201&end=5", "start"),
    ("/log/entries?start=0&start=1&end=5", "start"),
    ("/log/entries?end=5", "start"),
    ("/log/entries?start=0", "end"),
    ("/log/entries?start=0&end=abc", "end"),
    ("/log/entries?start=-1&end=5", "start"),
    ("/log/entries?start=5&end=5", "end"),
    ("/log/entries?start=5&end=3", "end"),
    (f"/log/entries?start=0&end={MAX_ENTRIES_PER_REQUEST + 1}", f"{MAX_ENTRIES_PER_REQUEST}"),
    (f"/log/entries?start={LOG_SIZE}&end={LOG_SIZE + 1}", "start"),
    (f"/log/entries?start={HUGE}&end={HUGE + 1}", "start"),
    (f"/log/entries?start=0&end={HUGE}", "end"),
    (f"/log/entries?start=0&end={'9' * 5000}", "end"),
    ("/log/proof/inclusion", "index"),
    ("/log/proof/inclusion?index=abc", "index"),
    ("/log/proof/inclusion?index=", "index"),
    ("/log/proof/inclusion?index=1.5", "index"),
    ("/log/proof/inclusion?index=-1", "index"),
    (f"/log/proof/inclusion?index={LOG_SIZE}", "index"),
    (f"/log/proof/inclusion?index={HUGE}", "index"),
    ("/log/proof/inclusion?index=5&size=5", "index"),
    ("/log/proof/inclusion?index=0&size=0", "size"),
    ("/log/proof/inclusion?index=0&size=-3", "size"),
    ("/log/proof/inclusion?index=0&size=abc", "size"),
    (f"/log/proof/inclusion?index=0&size={LOG_SIZE + 1}", "size"),
    (f"/log/proof/inclusion?index=0&size={HUGE}", "size"),
    ("/log/proof/consistency", "old"),
    ("/log/proof/consistency?old=abc", "old"),
    ("/log/proof/consistency?old=", "old"),
    ("/log/proof/consistency?old=1.5", "old"),
    ("/log/proof/consistency?old=0", "old"),
    ("/log/proof/consistency?old=5&new=3", "old"),
    (f"/log/proof/consistency?old={LOG_SIZE + 1}", "old"),
    (f"/log/proof/consistency?old={HUGE}", "old"),
    ("/log/proof/consistency?old=1&new=abc", "new"),
    ("/log/proof/consistency?old=1&new=0", "new"),
    (f"/log/proof/consistency?old=1&new={LOG_SIZE + 1}", "new"),
    (f"/log/proof/consistency?old=1&new={HUGE}", "new"),
]


# -- an outsider's toolkit -------------------------------------------------------------


def mth(entries: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 Merkle Tree Hash of a list of entries, as the RFC writes it."""
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    split = 1 << ((len(entries) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(entries[:split]) + mth(entries[split:])).digest()


def strict_b64(text: str) -> bytes:
    """Decode standard base64 with padding; fail on any other spelling."""
    raw = base64.b64decode(text, validate=True)
    assert base64.b64encode(raw).decode("ascii") == text, f"{text!r} is not canonical base64"
    return raw


def strict_hash(text: str) -> bytes:
    """Decode a base64 SHA-256 hash: 44 characters, one ``=`` of padding."""
    assert len(text) == 44 and text.endswith("=") and not text.endswith("=="), text
    raw = strict_b64(text)
    assert len(raw) == 32
    return raw


def get_json(client: TestClient[Litestar], path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def all_entry_bytes(client: TestClient[Litestar]) -> list[bytes]:
    """Every entry's bytes, checking each leaf hash on the way."""
    page = get_json(client, f"/log/entries?start=0&end={MAX_ENTRIES_PER_REQUEST}")
    assert [entry["index"] for entry in page["entries"]] == list(range(page["tree_size"]))
    data = []
    for entry in page["entries"]:
        raw = strict_b64(entry["data"])
        assert strict_hash(entry["leaf_hash"]) == hashlib.sha256(b"\x00" + raw).digest()
        assert json.loads(raw)["index"] == entry["index"]
        data.append(raw)
    return data


def served_verifier(client: TestClient[Litestar]) -> NoteVerifier:
    response = client.get("/log/vkey")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.endswith("\n") and response.text.count("\n") == 1
    return NoteVerifier.from_vkey(response.text.removesuffix("\n"))


def served_checkpoint(client: TestClient[Litestar], verifier: NoteVerifier) -> Checkpoint:
    response = client.get("/log/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    return open_checkpoint(response.text, [verifier], origin=ORIGIN)


def assert_bad_request(client: TestClient[Litestar], path: str, parameter: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, (path, response.status_code, response.text)
    body = response.json()
    assert body["status_code"] == 400
    assert re.search(rf"\b{re.escape(parameter)}\b", body["detail"]), (path, body["detail"])


# -- on each engine ----------------------------------------------------------------------


def test_an_outsider_verifies_the_log_on_each_engine(engine_client: TestClient[Litestar]) -> None:
    checkpoint = served_checkpoint(engine_client, served_verifier(engine_client))
    entries = all_entry_bytes(engine_client)
    assert checkpoint.size == len(entries) == LOG_SIZE
    assert checkpoint.root == mth(entries)

    for index in range(checkpoint.size):
        proof = get_json(engine_client, f"/log/proof/inclusion?index={index}")
        assert (proof["index"], proof["tree_size"]) == (index, checkpoint.size)
        hashes = [strict_hash(value) for value in proof["hashes"]]
        verify_inclusion(
            strict_hash(proof["leaf_hash"]), index, checkpoint.size, hashes, checkpoint.root
        )

    for old, new in [(1, 2), (3, 17), (16, 32), (7, LOG_SIZE), (32, LOG_SIZE), (LOG_SIZE, None)]:
        query = f"old={old}" if new is None else f"old={old}&new={new}"
        proof = get_json(engine_client, f"/log/proof/consistency?{query}")
        new_size = checkpoint.size if new is None else new
        assert (proof["old_size"], proof["new_size"]) == (old, new_size)
        hashes = [strict_hash(value) for value in proof["hashes"]]
        verify_consistency(old, new_size, mth(entries[:old]), mth(entries[:new_size]), hashes)

    jwks = get_json(engine_client, "/.well-known/jwks.json")
    assert [key["kid"] for key in jwks["keys"]] == [OKPKey.import_key(jwks["keys"][0]).thumbprint()]
    assert get_json(engine_client, "/healthz") == {"status": "ok", "tree_size": LOG_SIZE}


def test_bad_input_is_400_naming_the_parameter_on_each_engine(
    engine_client: TestClient[Litestar], subtests: pytest.Subtests
) -> None:
    for path, parameter in BAD_REQUESTS:
        with subtests.test(path=path):
            assert_bad_request(engine_client, path, parameter)


# -- entries -----------------------------------------------------------------------------


def test_entries_end_beyond_the_log_is_clamped(client: TestClient[Litestar]) -> None:
    page = get_json(client, "/log/entries?start=30&end=1000")
    assert page["tree_size"] == LOG_SIZE
    assert [entry["index"] for entry in page["entries"]] == list(range(30, LOG_SIZE))
    last = get_json(client, f"/log/entries?start={LOG_SIZE - 1}&end={LOG_SIZE}")
    assert [entry["index"] for entry in last["entries"]] == [LOG_SIZE - 1]


def test_entries_carry_what_was_appended(client: TestClient[Litestar]) -> None:
    page = get_json(client, "/log/entries?start=1&end=3")
    first = page["entries"][0]
    assert (first["kind"], first["principal"]) == ("sample.certificate_recorded", "system:seed")
    payload = json.loads(strict_b64(first["data"]))["payload"]
    assert payload["certificate_number"].startswith("SAMPLE-") and payload[
        "certificate_number"
    ].endswith("-000000000")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["timestamp"])
    assert set(first) == {"index", "kind", "principal", "timestamp", "data", "leaf_hash"}


def test_entries_cap_is_allowed_exactly(client: TestClient[Litestar]) -> None:
    page = get_json(client, f"/log/entries?start=0&end={MAX_ENTRIES_PER_REQUEST}")
    assert len(page["entries"]) == LOG_SIZE
    response = client.get(f"/log/entries?start=0&end={MAX_ENTRIES_PER_REQUEST + 1}")
    assert response.status_code == 400
    assert f"at most {MAX_ENTRIES_PER_REQUEST} entries" in response.json()["detail"]


def test_bytes_are_standard_base64_with_padding() -> None:
    # 0xfb 0xef 0xff needs both characters that differ between base64 and base64url.
    entry = LogEntry(
        index=0, kind="a.b", principal="p", timestamp="t", data=b"\xfb\xef\xff\x00", leaf_hash=b""
    )
    assert json.loads(msgspec.json.encode(entry))["data"] == "++//AA=="


# -- proofs ------------------------------------------------------------------------------


def test_inclusion_proofs_at_earlier_sizes(client: TestClient[Litestar]) -> None:
    entries = all_entry_bytes(client)
    for size in (1, 2, 7, 16, 33, LOG_SIZE):
        for index in sorted({0, size // 2, size - 1}):
            proof = get_json(client, f"/log/proof/inclusion?index={index}&size={size}")
            assert proof["tree_size"] == size
            hashes = [strict_hash(value) for value in proof["hashes"]]
            leaf = strict_hash(proof["leaf_hash"])
            verify_inclusion(leaf, index, size, hashes, mth(entries[:size]))


def test_consistency_of_equal_sizes_is_empty(client: TestClient[Litestar]) -> None:
    proof = get_json(client, f"/log/proof/consistency?old={LOG_SIZE}&new={LOG_SIZE}")
    assert proof == {"old_size": LOG_SIZE, "new_size": LOG_SIZE, "hashes": []}


# -- checkpoints and keys --------------------------------------------------------------


def test_checkpoint_is_stable_until_the_log_grows(
    client: TestClient[Litestar], ledger: Ledger
) -> None:
    first = client.get("/log/checkpoint").text
    assert client.get("/log/checkpoint").text == first
    ledger.log.append(sample_drafts(1, first=SAMPLE_ENTRIES))
    grown = served_checkpoint(client, served_verifier(client))
    assert grown.size == LOG_SIZE + 1
    assert grown.root == mth(all_entry_bytes(client))


def test_jwks_verifies_a_jws_made_with_the_ledger_key(
    client: TestClient[Litestar], ledger: Ledger
) -> None:
    jwks = get_json(client, "/.well-known/jwks.json")
    (jwk,) = jwks["keys"]
    assert jwk["kid"] == OKPKey.import_key(jwk).thumbprint()
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")

    key = ledger.log.signing_key()
    header = base64.urlsafe_b64encode(json.dumps({"alg": "EdDSA", "kid": key.kid}).encode())
    payload = base64.urlsafe_b64encode(b'{"certificate":"X-0001"}')
    signing_input = header.rstrip(b"=") + b"." + payload.rstrip(b"=")
    signature = base64.urlsafe_b64encode(key.sign(signing_input)).rstrip(b"=")
    token = signing_input + b"." + signature
    # joserfc warns that RFC 9864 deprecates the name "EdDSA"; docs/format.md publishes it.
    with pytest.warns(SecurityWarning):
        verified = jws.deserialize_compact(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])
    assert verified.payload == b'{"certificate":"X-0001"}'
    assert verified.headers()["kid"] == jwk["kid"]


def test_key_rotation_keeps_old_checkpoints_verifying(
    client: TestClient[Litestar], ledger: Ledger
) -> None:
    old_verifier = served_verifier(client)
    old_note = client.get("/log/checkpoint").text

    rotation = ledger.log.rotate_key()
    ledger.log.append(sample_drafts(1, first=SAMPLE_ENTRIES))

    jwks = get_json(client, "/.well-known/jwks.json")
    assert [key["kid"] for key in jwks["keys"]] == [rotation.retired, rotation.added]
    new_verifier = served_verifier(client)
    assert new_verifier.key.thumbprint() == rotation.added
    assert old_verifier.key.thumbprint() == rotation.retired

    new_note = client.get("/log/checkpoint").text
    new = open_checkpoint(new_note, [new_verifier], origin=ORIGIN)
    assert new.size == LOG_SIZE + 3  # key.added, key.retired, one sample entry
    with pytest.raises(BadSignature):
        open_checkpoint(new_note, [old_verifier], origin=ORIGIN)
    old = open_checkpoint(old_note, [old_verifier], origin=ORIGIN)
    assert old.size == LOG_SIZE
    with pytest.raises(BadSignature):
        open_checkpoint(old_note, [new_verifier], origin=ORIGIN)

    proof = get_json(client, f"/log/proof/consistency?old={old.size}&new={new.size}")
    hashes = [strict_hash(value) for value in proof["hashes"]]
    verify_consistency(old.size, new.size, old.root, new.root, hashes)


# -- errors, limits and headers --------------------------------------------------------


def test_a_root_mismatch_refuses_to_sign(
    client: TestClient[Litestar], ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = served_checkpoint(client, served_verifier(client))
    ledger.log.append(sample_drafts(1, first=SAMPLE_ENTRIES))
    true_root = ledger.store.root

    def tampered_root(size: int) -> bytes:
        # Storage now disagrees with the checkpoint signed at the old size.
        return bytes(32) if size == signed.size else true_root(size)

    monkeypatch.setattr(ledger.store, "root", tampered_root)
    response = client.get("/log/checkpoint")
    assert response.status_code == 503
    assert response.json() == {
        "status_code": 503,
        "detail": "the log failed its own integrity check; not signing",
        "detail_zh": "账本暂时无法提供经过校验的答复，请稍后再试或联系账本运营方。",
    }
    latest = ledger.store.latest_checkpoint()
    assert latest is not None and latest.tree_size == signed.size


def test_an_unreadable_signing_key_is_503_without_details(
    client: TestClient[Litestar], ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_key(kid: str) -> None:
        raise SigningKeyError(f"no private key file for key {kid} in keys/")

    monkeypatch.setattr(ledger.log.keys, "load", no_key)
    ledger.log.append(sample_drafts(1, first=SAMPLE_ENTRIES))  # so the checkpoint needs signing
    response = client.get("/log/checkpoint")
    assert response.status_code == 503
    assert response.json() == {
        "status_code": 503,
        "detail": "the log cannot sign: its signing key is unavailable",
        "detail_zh": "账本暂时无法提供经过校验的答复，请稍后再试或联系账本运营方。",
    }
    # Publishing the public key needs no private key.
    assert client.get("/log/vkey").status_code == 200


def test_healthz_is_503_when_the_database_fails(
    client: TestClient[Litestar], ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> int:
        raise ConnectionError("database is down")

    monkeypatch.setattr(ledger.store, "size", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["detail"] == "the database does not answer"


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_an_oversized_body_is_refused_without_a_500(
    client: TestClient[Litestar], method: str
) -> None:
    body = b"x" * (MAX_REQUEST_BODY_SIZE + 1)
    for path in [*sorted(PUBLIC_PATHS), "/no/such/path"]:
        response = client.request(method, path, content=body)
        assert response.status_code in (404, 405, 413), (path, response.status_code)


def test_request_bodies_are_capped_at_one_mebibyte(ledger: Ledger) -> None:
    @post("/test-body-size")
    async def body_size(request: Request[Any, Any, Any]) -> int:
        return len(await request.body())

    app = create_app(ledger)
    app.register(body_size)
    with TestClient(app) as client:
        fits = client.post("/test-body-size", content=b"x" * MAX_REQUEST_BODY_SIZE)
        assert fits.status_code == 201 and fits.json() == 1_048_576
        assert client.post("/test-body-size", content=b"x" * (1_048_576 + 1)).status_code == 413


def test_every_response_says_nosniff(client: TestClient[Litestar]) -> None:
    for method, path, status in [
        ("GET", "/log/checkpoint", 200),
        ("GET", "/log/entries?start=abc&end=1", 400),
        ("GET", "/no/such/path", 404),
        ("DELETE", "/log/entries", 405),
    ]:
        response = client.request(method, path)
        assert response.status_code == status, path
        assert response.headers["x-content-type-options"] == "nosniff", path


def test_openapi_documents_the_public_api(client: TestClient[Litestar]) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    # The authenticated API (tokens, registry, ...) is documented alongside.
    assert set(schema["paths"]) >= PUBLIC_PATHS
    assert schema["info"]["title"] == "Certificate ledger"
    assert schema["info"]["version"] and schema["info"]["description"]
    entries = schema["paths"]["/log/entries"]["get"]
    assert "clamped" in entries["description"]
    assert {parameter["name"] for parameter in entries["parameters"]} == {"start", "end"}


# -- the worker entry point --------------------------------------------------------------


def test_create_app_from_env_serves_and_closes_its_ledger(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_ledger(sqlite_url, tmp_path).close()  # the first run, as the serve command does
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LEDGER_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LEDGER_PUBLIC_URL", f"https://{ORIGIN}")
    closed: list[Ledger] = []
    monkeypatch.setattr(Ledger, "close", lambda self: closed.append(self))

    app = create_app_from_env()
    with TestClient(app) as client:
        assert get_json(client, "/healthz") == {"status": "ok", "tree_size": LOG_SIZE}
        assert served_checkpoint(client, served_verifier(client)).size == LOG_SIZE
        assert closed == []
    assert len(closed) == 1
    closed[0].engine.dispose()


@pytest.mark.parametrize(
    "path",
    [
        "/log/entries?start=0&end=1&limit=5",
        "/log/proof/inclusion?index=0&size=1&tree_size=1",
        "/log/proof/consistency?old=1&new=2&first=1",
        "/log/checkpoint?size=3",
    ],
)
def test_unknown_query_parameters_are_refused_not_ignored(
    client: TestClient[Litestar], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("unknown query parameter")
