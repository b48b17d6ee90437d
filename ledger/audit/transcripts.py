"""Checking a signed transcript (``GET /learners/{account}/transcript``) with no service,
and each of its items against the log's entries when the verifier has them.

Pure: the caller supplies the JWKS and, to check items, a function that returns the
bytes of entry I proven to be in a checkpoint the JWKS signed (the CLI fetches them from
the public API and proves them there). Verdicts: ``valid`` (signed, and every item is its
entry), ``signed`` (signed; items not checked against the log), ``forged``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.audit.records import load_jwks
from ledger.core.errors import LedgerError
from ledger.core.jws import MalformedRecord, verify_compact
from ledger.domain.transcripts import TRANSCRIPT_TYPE
from ledger.kinds import Kind

__all__ = ["TranscriptItem", "TranscriptReport", "is_transcript", "verify_transcript"]

_ACCOUNT = re.compile(r"urn:certledger:account:(L\d{11})")
_CERTIFICATE = re.compile(r"urn:certledger:certificate:(X\d{15})")


@dataclass(frozen=True, slots=True)
class TranscriptItem:
    """One outcome or conversion, and what checking it against its entry found."""

    kind: str  # certificate, course or conversion
    code: str
    title: str
    credits: object
    index: int
    outcome: str  # ok, failed, not checked


@dataclass(frozen=True)
class TranscriptReport:
    """The verdict, why, the account and its items."""

    verdict: str
    detail: str
    account: str | None = None
    items: tuple[TranscriptItem, ...] = ()


def is_transcript(text: str) -> bool:
    """Whether ``text`` is a compact JWS whose header names the transcript type."""
    try:
        header = json.loads(_b64(text.strip().split(".")[0]))
    except (ValueError, IndexError):
        return False
    return isinstance(header, dict) and header.get("typ") == TRANSCRIPT_TYPE


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _expected(
    item: Mapping[str, Any], account: str, conversion: bool
) -> tuple[str, dict[str, Any]]:
    if conversion:
        match = _CERTIFICATE.fullmatch(str(item.get("sourceId")))
        return Kind.CONVERSION_RECORDED, {
            "conversion": item.get("conversion"),
            "account": account,
            "certificate": match[1] if match else None,
            "rule": item.get("rule"),
            "version": item.get("ruleVersion"),
            "credits": item.get("credits"),
        }
    if item.get("achievementType") == "Certificate":
        return Kind.CERTIFICATE_ISSUED, {"certificate": item.get("humanCode"), "account": account}
    return Kind.CREDIT_DEPOSITED, {
        "course": item.get("humanCode"),
        "account": account,
        "credits": item.get("creditsAvailable"),
    }


def verify_transcript(
    token: str,
    jwks: Mapping[str, Any],
    entry: Callable[[int], bytes] | None = None,
) -> TranscriptReport:
    """Check the transcript's signature under the JWKS and, given ``entry`` (index to the
    canonical bytes of that entry, proven in the log), each item against its entry."""
    keys = load_jwks(jwks)
    try:
        parsed = verify_compact(token.strip(), keys, TRANSCRIPT_TYPE)
        payload = json.loads(parsed.payload)
        subject = payload["credentialSubject"]
        match = _ACCOUNT.fullmatch(str(subject["id"]))
        if match is None:
            raise MalformedRecord("the subject is not a learning account")
        account = match[1]
        listed = [(a, False) for a in subject["achievement"]] + [
            (a, True) for a in subject["association"]
        ]
    except (LedgerError, ValueError, KeyError, TypeError) as exc:
        return TranscriptReport("forged", f"not a transcript signed by this ledger: {exc}")
    items: list[TranscriptItem] = []
    for item, conversion in listed:
        kind_name, expected = _expected(item, account, conversion)
        outcome = "not checked"
        if entry is not None:
            decoded = json.loads(entry(int(item["ledgerIndex"])))
            payload_of = decoded.get("payload", {})
            fine = decoded.get("kind") == kind_name and all(
                payload_of.get(name) == value for name, value in expected.items()
            )
            outcome = "ok" if fine else "failed"
        items.append(
            TranscriptItem(
                kind="conversion" if conversion else str(item.get("achievementType")).lower(),
                code=str(item.get("conversion") if conversion else item.get("humanCode")),
                title=str(item.get("targetId") if conversion else item.get("name")),
                credits=item.get("credits") if conversion else item.get("creditsAvailable"),
                index=int(item["ledgerIndex"]),
                outcome=outcome,
            )
        )
    if any(i.outcome == "failed" for i in items):
        return TranscriptReport(
            "forged", "an item differs from its entry in the log", account, tuple(items)
        )
    if entry is None:
        return TranscriptReport(
            "signed", "signed by a key of the JWKS; items not checked (give --url)", account,
            tuple(items),
        )  # fmt: skip
    return TranscriptReport(
        "valid", "signed, and every item is its entry in the log", account, tuple(items)
    )
