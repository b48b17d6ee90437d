"""``certledger verify``: a verification record checked offline, with only a JWKS and
optionally a checkpoint and an inclusion proof.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ledger.core.errors import LedgerError

__all__ = ["VERIFY_EPILOG", "verify_command"]


VERIFY_EPILOG = """\
verdicts (and exit status):
  valid     (0)  signed by a key of the JWKS, and the proof shows its entry in the
                 checkpoint's tree, which a key of the JWKS signed
  signed    (0)  signed by a key of the JWKS; inclusion not checked (no --checkpoint
                 and --proof given)
  unproven  (1)  signed by a key of the JWKS, but the checkpoint or the proof given do
                 not prove its inclusion (not signed by the JWKS, another entry's proof,
                 a proof for another tree size, a checkpoint older than the record)
  forged    (1)  the record does not parse, its key is not in the JWKS, its signature
                 or its payload fails, a URL leads elsewhere than the ledger that signed
                 it, or the log holds another entry at its index
  exit status 2: a usage error (a missing or unreadable file, an unusable JWKS, no QR
  code in the image).
Revocation cannot be checked offline: a record says nothing about it. Ask
GET <public URL>/certificates/<number>/status.
"""


def verify_command(args: argparse.Namespace) -> int:
    """Run ``certledger verify``: 0 for valid or signed, 1 otherwise (VERIFY_EPILOG)."""
    from rich.table import Table

    from ledger.audit.records import Outcome, Verdict, verify_record_offline
    from ledger.core.errors import InvalidInput

    if args.proof is not None and args.checkpoint is None:
        raise InvalidInput("--proof needs --checkpoint: the proof leads to the checkpoint's root")
    try:
        text = _record_text(args.file)
        jwks = _json_file(args.jwks, "--jwks")
        from ledger.audit.transcripts import is_transcript

        if is_transcript(text):
            return _verify_transcript(text, jwks, args.url)
        _refuse_short_link(text)
        note = _text_file(args.checkpoint, "--checkpoint") if args.checkpoint else None
        proof = _json_file(args.proof, "--proof") if args.proof else None
        report = verify_record_offline(text, jwks, note, proof, args.origin)
    except LedgerError as exc:
        raise InvalidInput(str(exc)) from None

    out = Console(highlight=False)
    styles = {Outcome.OK: "green", Outcome.FAILED: "red", Outcome.NOT_CHECKED: "yellow"}
    table = Table(title=f"verification record: {escape(str(args.file))}")
    for column in ("check", "outcome", "detail"):
        table.add_column(column)
    for check in report.checks:
        style = styles[check.outcome]
        table.add_row(check.name, f"[{style}]{check.outcome}[/{style}]", escape(check.detail))
    out.print(table)
    if report.claims is not None:
        claims = report.claims
        out.print(
            escape(
                f"certificate {claims['certificate']}: {claims['standard']} "
                f"{claims['standard_title']}, {claims['level']}, holder {claims['holder']}, "
                f"issued on {claims['issued_on']} by {claims['org_name']} ({claims['org']}); "
                f"entry {claims['index']} of {claims['iss']}"
            )
        )
    meaning = {
        Verdict.VALID: "signed by a key of the JWKS and included in the signed checkpoint",
        Verdict.SIGNED: "signed by a key of the JWKS; inclusion not checked "
        "(give --checkpoint and --proof)",
        Verdict.UNPROVEN: "signed by a key of the JWKS, but the checkpoint or proof given "
        "do not prove its inclusion",
        Verdict.FORGED: "the record fails a check",
    }[report.verdict]
    style = "green" if report.verdict in (Verdict.VALID, Verdict.SIGNED) else "red"
    out.print(f"verdict: [bold {style}]{report.verdict}[/bold {style}]: {escape(meaning)}")
    for note_text in report.notes:
        out.print(escape(note_text))
    return 0 if report.verdict in (Verdict.VALID, Verdict.SIGNED) else 1


def _file_bytes(path: Path, option: str) -> bytes:
    from ledger.core.errors import InvalidInput

    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{option} {path}: {exc.strerror or exc}") from None


def _text_file(path: Path, option: str) -> str:
    from ledger.core.errors import InvalidInput

    try:
        return _file_bytes(path, option).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{option} {path} is not UTF-8 text") from None


def _json_file(path: Path, option: str) -> Any:
    import json

    from ledger.core.errors import InvalidInput

    try:
        return json.loads(_text_file(path, option))
    except ValueError as exc:
        raise InvalidInput(f"{option} {path} is not JSON: {exc}") from None


def _record_text(path: Path) -> str:
    """The text of FILE, or the text of the one QR code in it if it is an image."""
    import io

    from PIL import Image, UnidentifiedImageError

    from ledger.core.errors import InvalidInput

    data = _file_bytes(path, "FILE")
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:  # not an image: a record or a URL
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{path} is neither an image nor UTF-8 text") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"{path}: cannot read the image: {exc}") from None
    import zxingcpp

    try:
        codes = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"{path}: cannot read the image: {exc}") from None
    texts = sorted({code.text for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode})
    if not texts:
        raise InvalidInput(f"{path}: no QR code found in the image")
    if len(texts) > 1:
        raise InvalidInput(f"{path}: the image holds {len(texts)} different QR codes; crop it")
    return texts[0]


def _refuse_short_link(text: str) -> None:
    from ledger.core.errors import InvalidInput
    from ledger.domain.links import certificate_in_short_url

    short = certificate_in_short_url(text)
    if short is not None:
        base, number = short
        raise InvalidInput(
            f"{text.strip()} is a short verification link: it names certificate {number} but "
            f"carries no record; save {base}/certificates/{number}/record and verify that file"
        )


def _verify_transcript(token: str, jwks: Any, url: str | None) -> int:
    from rich.table import Table

    from ledger.audit.transcripts import verify_transcript

    entry = None if url is None else _proven_entries(url.rstrip("/"), jwks)
    report = verify_transcript(token, jwks, entry)
    out = Console(highlight=False)
    table = Table(title=f"transcript of learning account {report.account or '?'}")
    for column in ("entry", "kind", "code", "what", "credits", "against the log"):
        table.add_column(column)
    styles = {"ok": "green", "failed": "red", "not checked": "yellow"}
    for item in report.items:
        style = styles[item.outcome]
        table.add_row(
            str(item.index), item.kind, escape(item.code), escape(item.title),
            escape(str(item.credits)), f"[{style}]{item.outcome}[/{style}]",
        )  # fmt: skip
    out.print(table)
    style = "green" if report.verdict in ("valid", "signed") else "red"
    out.print(f"verdict: [bold {style}]{report.verdict}[/bold {style}]: {escape(report.detail)}")
    return 0 if report.verdict in ("valid", "signed") else 1


def _proven_entries(url: str, jwks: Any) -> Callable[[int], bytes]:
    """Entry I's bytes from ``url``'s public API, each proven in its signed checkpoint."""
    import base64

    import httpx

    from ledger.audit.records import load_jwks
    from ledger.core.checkpoint import NoteVerifier, open_checkpoint, origin_from_url
    from ledger.core.errors import InvalidInput
    from ledger.core.merkle import leaf_hash, verify_inclusion

    keys = load_jwks(jwks)
    origin = origin_from_url(url)
    with httpx.Client(base_url=url, timeout=30) as client:
        note = client.get("/log/checkpoint").text
    checkpoint = open_checkpoint(
        note, [NoteVerifier.from_key(origin, key) for key in keys.values()], origin
    )

    def entry(index: int) -> bytes:
        with httpx.Client(base_url=url, timeout=30) as client:
            page = client.get("/log/entries", params={"start": index, "end": index + 1}).json()
            proof = client.get(
                "/log/proof/inclusion", params={"index": index, "size": checkpoint.size}
            ).json()
        data = base64.b64decode(page["entries"][0]["data"], validate=True)
        hashes = [base64.b64decode(h, validate=True) for h in proof["hashes"]]
        try:
            verify_inclusion(leaf_hash(data), index, checkpoint.size, hashes, checkpoint.root)
        except LedgerError as exc:
            raise InvalidInput(f"entry {index} is not proven in the log: {exc}") from exc
        return data

    return entry
