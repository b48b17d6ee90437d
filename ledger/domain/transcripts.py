"""A learner's transcript as the payload of a signed JWS, shaped after 1EdTech CLR 2.0.

Pure. The payload is a ``ClrCredential`` whose subject is the learning account (never a
name or an ID number) and whose achievements are the outcomes that count: certificates
not revoked and course credits; conversions not reversed are listed as CLR
``associations`` between a certificate and the courses it counts for. It is signed like
a verification record (format section 9.3), with ``typ`` ``certledger-transcript+jws``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger.core.canonical import canonical_json

TRANSCRIPT_TYPE = "certledger-transcript+jws"
CLR_CONTEXT = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
)


def transcript_payload(
    *,
    issuer: str,
    account: str,
    issued_at: str,
    tree_size: int,
    outcomes: Sequence[Mapping[str, Any]],
    conversions: Sequence[Mapping[str, Any]],
    deposited: int,
    converted: int,
) -> bytes:
    """The canonical JSON payload of a transcript.

    ``outcomes`` hold index, kind, source, title, credits, earned_on and, for
    certificates, level and org; only the ones that count are passed in.
    ``conversions`` hold conversion, certificate, rule, version, school, programme,
    credits and index. ``tree_size`` is a size of the log the account reflects at least.
    """
    achievements = [
        {
            "id": f"urn:certledger:{outcome['kind']}:{outcome['source']}",
            "type": ["Achievement"],
            "achievementType": "Certificate" if outcome["kind"] == "certificate" else "Course",
            "name": outcome["title"],
            "creditsAvailable": outcome["credits"],
            "humanCode": outcome["source"],
            "awardedDate": outcome["earned_on"],
            "ledgerIndex": outcome["index"],
            **({"level": outcome["level"]} if outcome.get("level") else {}),
            **({"creator": {"id": outcome["org"]}} if outcome.get("org") else {}),
            **({"school": outcome["school"]} if outcome.get("school") else {}),
        }
        for outcome in outcomes
    ]
    associations = [
        {
            "type": "Association",
            "associationType": "exactMatchOf",
            "sourceId": f"urn:certledger:certificate:{conversion['certificate']}",
            "targetId": (
                f"urn:certledger:programme:{conversion['school']}:{conversion['programme']}"
            ),
            "conversion": conversion["conversion"],
            "rule": conversion["rule"],
            "ruleVersion": conversion["version"],
            "credits": conversion["credits"],
            "ledgerIndex": conversion["index"],
        }
        for conversion in conversions
    ]
    payload = {
        "@context": list(CLR_CONTEXT),
        "type": ["VerifiableCredential", "ClrCredential"],
        "id": f"urn:certledger:transcript:{account}:{tree_size}",
        "name": f"Learning account {account}",
        "issuer": {"id": issuer, "type": ["Profile"]},
        "validFrom": issued_at,
        "iss": issuer,
        "treeSize": tree_size,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": f"urn:certledger:account:{account}",
            "achievement": achievements,
            "association": associations,
            "creditsDeposited": deposited,
            "creditsConverted": converted,
        },
    }
    return canonical_json(payload)
