"""What a learner's page and readable transcript show, read from the credit bank as the
learner themself: certificates (with QR code), course credits, conversions with the
courses each counted for, and revocations with date and reason."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from api.console.pdf import CertificateFace, TranscriptFace
from api.qr import qr_png
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import mask_name, verify_url
from ledger.services.certificates import CertificateRecord


def certificate_face(ledger: Ledger, record: CertificateRecord) -> CertificateFace:
    """The printed face of ``record``, with the holder's masked name."""
    secrets = ledger.certificates.repository.holder_secrets([record.number])
    held = secrets.get(record.number)
    name = held.name if held is not None and held.name else None
    return CertificateFace(
        number=record.number,
        holder=mask_name(name) if name else "（已删除 erased）",
        standard=record.standard,
        standard_title=record.standard_title,
        level=record.level,
        org_name=record.org_name,
        issued_on=record.issued_on,
        verify_url=verify_url(ledger.settings.public_url, record.record),
        revoked_on=record.revoked_on,
        revocation_reason=record.revocation_reason,
    )


def learner_view(ledger: Ledger, account: str) -> dict[str, Any]:
    """Everything the learner's page shows about ``account``, read as the learner."""
    viewer = Principal(Role.LEARNER, account)
    record = ledger.credit_bank.learner(viewer, account)
    certificates = []
    for row in ledger.school_lists.certificates_of(account):
        full = ledger.certificates.certificate(row["number"])
        url = verify_url(ledger.settings.public_url, full.record)
        certificates.append(
            {
                **row,
                "revoked_on": full.revoked_on,
                "reason": full.revocation_reason,
                "qr": base64.b64encode(qr_png(url)).decode(),
            }
        )
    credits = [o for o in record.outcomes if o.kind == "course"]
    conversions = []
    for c in record.conversions:
        versions = dict((v.version, v) for v, _ in ledger.credit_bank.rule_versions(c.rule))
        version = versions.get(c.version)
        courses = list(version.body.courses) if version is not None else []
        conversions.append({"conversion": c, "courses": courses})
    return {
        "account": account,
        "certificates": certificates,
        "credits": credits,
        "conversions": conversions,
        "deposited": record.deposited,
        "converted": record.converted,
    }


def transcript_face(view: dict[str, Any]) -> TranscriptFace:
    """The readable transcript of a learner's view."""
    certificates = [
        {
            "text": f"{c['number']} {c['standard']} {c['title']} {c['level']} {c['issued_on']}"
            + (f" 已撤销 revoked {c['revoked_on']}: {c['reason']}" if c["revoked_on"] else "")
        }
        for c in view["certificates"]
    ]
    credits = [
        {"text": f"{o.source} {o.title} {o.credits} 学分 credits {o.term or ''} {o.grade or ''}"}
        for o in view["credits"]
    ]
    conversions = []
    for item in view["conversions"]:
        c = item["conversion"]
        text = (
            f"{c.conversion} 证书 {c.certificate} → 专业 programme {c.programme} "
            f"{c.credits} 学分 credits {c.recorded_on}"
        )
        if c.reversed_index is not None:
            text += f" 已撤回 reversed: {c.reversal_reason or ''}"
        courses = "\n".join(f"{k.code} {k.title} {k.credits} 学分" for k in item["courses"])
        conversions.append({"text": text, "courses": courses})
    return TranscriptFace(
        account=view["account"],
        issued_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        certificates=certificates,
        credits=credits,
        conversions=conversions,
        deposited=view["deposited"],
        converted=view["converted"],
    )
