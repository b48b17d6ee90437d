"""A certificate as an Open Badges 3.0 ``OpenBadgeCredential`` and a learning account as a
CLR 2.0 ``ClrCredential``, W3C VC 2.0 documents secured with JOSE (vc-jose-cose).

Pure. The ledger is the issuer (its key signs); the organization that issued the
certificate is the achievement's creator. No personal data: the subject is identified by
the holder's salted commitment (format section 9.2) or the learning account, never a name.
The compact JWS has the header ``{"alg": "EdDSA", "kid", "typ": "vc+jwt", "cty": "vc"}``
and the credential itself as its payload (docs/format.md section 9.6).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ledger.core.jws import ALGORITHM, b64url
from ledger.core.signing import SigningKey

__all__ = [
    "CLR_SCHEMA",
    "OB3_SCHEMA",
    "VC_JWT_TYPE",
    "clr_credential",
    "open_badge_credential",
    "secure_with_jose",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB3_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
#: vc-jose-cose: the media type of a VC secured with JOSE is application/vc+jwt.
VC_JWT_TYPE = "vc+jwt"
_VALIDATOR = "1EdTechJsonSchemaValidator2019"
_LEVELS = {"junior": "初级", "intermediate": "中级", "senior": "高级"}
_CHINA = "+08:00"


def _issuer(public_url: str) -> dict[str, Any]:
    return {
        "id": public_url,
        "type": ["Profile"],
        "name": "1+X 职业技能等级证书账本 1+X vocational certificate ledger",
        "url": public_url,
    }


def _certificate_achievement(public_url: str, certificate: Mapping[str, Any]) -> dict[str, Any]:
    level = str(certificate["level"])
    title = f"{certificate['standard_title']}（{_LEVELS.get(level, level)}）"
    return {
        "id": f"{public_url}/standards/{certificate['standard']}#{level}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": (
            f"1+X 职业技能等级证书：{title}，证书标准 {certificate['standard']}。"
            f" 1+X vocational skill certificate, standard {certificate['standard']}, {level} level."
        ),
        "criteria": {
            "narrative": (
                f"通过 {certificate['org_name']} 按证书标准 {certificate['standard']} 组织的"
                f"{_LEVELS.get(level, level)}考核。 Passed the {level} assessment of standard "
                f"{certificate['standard']} run by the issuing organization."
            )
        },
        "humanCode": certificate["standard"],
        "creator": {
            "id": f"{public_url}/orgs/{certificate['org']}",
            "type": ["Profile"],
            "name": certificate["org_name"],
        },
    }


def open_badge_credential(public_url: str, certificate: Mapping[str, Any]) -> dict[str, Any]:
    """The OB 3.0 credential of one certificate.

    ``certificate`` holds the members of its verification record (format section 9.3):
    certificate, standard, standard_title, level, org, org_name, issued_on,
    holder_commitment, index; the ``verify_url`` is where a person checks it.
    """
    number = certificate["certificate"]
    return {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": f"{public_url}/certificates/{number}/credential",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate['standard_title']} {number}",
        "issuer": _issuer(public_url),
        "validFrom": f"{certificate['issued_on']}T00:00:00{_CHINA}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    # SHA-256 over the salt, the ID number and the name (format 9.2):
                    # whoever holds the salt can show it is theirs; nobody else learns a thing.
                    "identityHash": certificate["holder_commitment"],
                    "identityType": "ext:certledgerHolderCommitment",
                }
            ],
            "achievement": _certificate_achievement(public_url, certificate),
        },
        "evidence": [
            {
                "id": f"{public_url}/verify/{number}",
                "type": ["Evidence"],
                "name": "账本验证 Ledger verification",
                "description": (
                    f"账本条目 {certificate['index']}：可在此网址核验签名、包含证明和撤销状态。"
                    f" Ledger entry {certificate['index']}: check its signature, inclusion "
                    "and revocation status here."
                ),
            }
        ],
        "credentialSchema": [{"id": OB3_SCHEMA, "type": _VALIDATOR}],
    }


def clr_credential(
    public_url: str,
    account: str,
    issued_at: str,
    certificates: Sequence[Mapping[str, Any]],
    courses: Sequence[Mapping[str, Any]],
    conversions: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The CLR 2.0 credential of a learning account.

    ``certificates`` are record members as for ``open_badge_credential`` (those still
    counting); ``courses`` hold course, title, school, credits, term, earned_on and index;
    ``conversions`` hold conversion, certificate, standard, level, school, programme,
    rule, version, credits and index. ``issued_at`` is an RFC 3339 timestamp.
    """
    subject = f"urn:certledger:account:{account}"
    credentials = [open_badge_credential(public_url, c) for c in certificates]
    for credential in credentials:
        credential["credentialSubject"]["id"] = subject
    for course in courses:
        credentials.append(
            {
                "@context": [VC_CONTEXT, OB3_CONTEXT],
                "id": f"urn:certledger:entry:{course['index']}",
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "name": str(course["title"]),
                "issuer": {
                    "id": f"{public_url}/schools/{course['school']}",
                    "type": ["Profile"],
                },
                "validFrom": f"{course['earned_on']}T00:00:00{_CHINA}",
                "credentialSubject": {
                    "id": subject,
                    "type": ["AchievementSubject"],
                    "creditsEarned": course["credits"],
                    "term": course["term"],
                    "achievement": _course_achievement(public_url, course),
                },
            }
        )
    return {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB3_CONTEXT],
        "id": f"{public_url}/learners/{account}/clr#{issued_at}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"学习账户 {account} 的学习成果 Learning record of account {account}",
        "issuer": _issuer(public_url),
        "validFrom": issued_at,
        "credentialSubject": {
            "id": subject,
            "type": ["ClrSubject"],
            "verifiableCredential": credentials,
            "association": [
                {
                    "type": "Association",
                    "associationType": "exactMatchOf",
                    "sourceId": (
                        f"{public_url}/standards/{conversion['standard']}#{conversion['level']}"
                    ),
                    "targetId": (
                        f"{public_url}/schools/{conversion['school']}/programmes/"
                        f"{conversion['programme']}"
                    ),
                }
                for conversion in conversions
            ],
        },
        "credentialSchema": [{"id": CLR_SCHEMA, "type": _VALIDATOR}],
    }


def _course_achievement(public_url: str, course: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{public_url}/schools/{course['school']}/courses/{course['course']}",
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": str(course["title"]),
        "description": f"课程 {course['course']} Course {course['course']}",
        "criteria": {"narrative": f"{course['school']} 记入的课程学分 Credits recorded by school"},
        "humanCode": course["course"],
        "creditsAvailable": course["credits"],
    }


def secure_with_jose(key: SigningKey, credential: Mapping[str, Any]) -> str:
    """The credential as a compact JWS (vc-jose-cose): the JSON document is the payload."""
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": VC_JWT_TYPE, "cty": "vc"}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode("ascii"))
        + "."
        + b64url(json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode())
    )
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"
