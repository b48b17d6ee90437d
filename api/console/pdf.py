"""Printable PDFs: a certificate on A4 (Chinese text, its QR code, its verification URL), a
batch of them in one file, and a learner's readable transcript.

Drawn with reportlab; Chinese text uses the Adobe CID font STSong-Light that every PDF
reader carries (registered by api.pdf, the public certificate, whose level names this shares),
so no font file is embedded. The QR code is the PNG of api.qr, drawn at least 50 mm wide so
that a phone reads the large code of the record.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from api.pdf import CHINESE_FONT as FONT
from api.pdf import LEVEL_NAMES
from api.qr import qr_png

__all__ = ["CertificateFace", "TranscriptFace", "certificate_pdf", "certificates_pdf"]

LEVELS = {level: f"{zh} {en}" for level, (zh, en) in LEVEL_NAMES.items()}


@dataclass(frozen=True, slots=True)
class CertificateFace:
    """What a printed certificate shows: never the full name or the ID number."""

    number: str
    holder: str  # masked, as in the verification record
    standard: str
    standard_title: str
    level: str
    org_name: str
    issued_on: str
    verify_url: str
    revoked_on: str | None = None
    revocation_reason: str | None = None


@dataclass(frozen=True, slots=True)
class TranscriptFace:
    """What a learner's readable transcript shows."""

    account: str
    issued_at: str
    certificates: list[dict[str, str]] = field(default_factory=list)
    credits: list[dict[str, str]] = field(default_factory=list)
    conversions: list[dict[str, str]] = field(default_factory=list)
    deposited: int = 0
    converted: int = 0


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def _draw_certificate(canvas: Canvas, face: CertificateFace) -> None:
    width, height = A4
    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setFont(FONT, 26)
    canvas.drawCentredString(width / 2, height - 45 * mm, "职业技能等级证书")
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(width / 2, height - 54 * mm, "1+X Vocational Skills Level Certificate")
    rows = [
        ("证书编号 Number", face.number),
        ("持证人 Holder", face.holder),
        ("证书标准 Standard", f"{face.standard}  {face.standard_title}"),
        ("等级 Level", LEVELS.get(face.level, face.level)),
        ("培训评价组织 Issuer", face.org_name),
        ("发证日期 Issued on", face.issued_on),
    ]
    y = height - 80 * mm
    for label, value in rows:
        canvas.setFont(FONT, 11)
        canvas.drawString(30 * mm, y, label)
        canvas.setFont(FONT, 14)
        for line in _wrap(value, 30):
            canvas.drawString(80 * mm, y, line)
            y -= 7 * mm
        y -= 4 * mm
    if face.revoked_on:
        canvas.setFillColorRGB(0.7, 0, 0)
        canvas.setFont(FONT, 16)
        canvas.drawString(
            30 * mm, y, f"已撤销 Revoked {face.revoked_on}: {face.revocation_reason or ''}"
        )
        canvas.setFillColorRGB(0, 0, 0)
    side = 70 * mm
    canvas.drawImage(
        ImageReader(io.BytesIO(qr_png(face.verify_url))),
        (width - side) / 2,
        52 * mm,
        side,
        side,
    )
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(
        width / 2, 46 * mm, "扫码或打开下列网址核验 Scan or open the URL below to verify"
    )
    canvas.setFont("Courier", 5.5)
    y = 40 * mm
    for line in _wrap(face.verify_url, 110):
        canvas.drawString(20 * mm, y, line)
        y -= 2.6 * mm


def certificates_pdf(faces: Sequence[CertificateFace]) -> bytes:
    """One A4 page for each certificate, in the order given."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle("1+X 职业技能等级证书 Certificates")
    for face in faces:
        _draw_certificate(canvas, face)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def certificate_pdf(face: CertificateFace) -> bytes:
    """A printable A4 PDF of one certificate."""
    return certificates_pdf([face])


class _Writer:
    """Lines down A4 pages, a new page when one is full."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = A4[1] - 25 * mm

    def line(self, text: str, size: int = 11, indent: float = 0) -> None:
        for part in _wrap(text, 48 if size <= 11 else 30):
            if self.y < 20 * mm:
                self.canvas.showPage()
                self.y = A4[1] - 25 * mm
            self.canvas.setFont(FONT, size)
            self.canvas.drawString(20 * mm + indent, self.y, part)
            self.y -= size * 0.55 * mm + 2 * mm

    def gap(self) -> None:
        self.y -= 4 * mm


def transcript_pdf(face: TranscriptFace) -> bytes:
    """A learner's readable transcript: certificates, course credits, conversions with the
    courses each counted for. The signed transcript (JWS) is the one to verify."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"学分成绩单 Transcript {face.account}")
    w = _Writer(canvas)
    w.line("学分银行成绩单 Credit bank transcript", 18)
    w.line(f"学习账号 Account: {face.account}    生成时间 Made at: {face.issued_at}")
    w.line(f"存入学分 Deposited: {face.deposited}    已转换 Converted: {face.converted}")
    w.gap()
    w.line("证书 Certificates", 14)
    for c in face.certificates or [{"text": "无 None"}]:
        w.line(c.get("text", ""), indent=4 * mm)
    w.gap()
    w.line("课程学分 Course credits", 14)
    for c in face.credits or [{"text": "无 None"}]:
        w.line(c.get("text", ""), indent=4 * mm)
    w.gap()
    w.line("学分转换 Conversions", 14)
    for c in face.conversions or [{"text": "无 None"}]:
        w.line(c.get("text", ""), indent=4 * mm)
        for course in c.get("courses", "").split("\n"):
            if course:
                w.line(course, 10, indent=10 * mm)
    w.gap()
    w.line("此为便于阅读的副本；可核验的是签名成绩单（.jws）。", 9)
    w.line("A readable copy: the signed transcript (.jws) is the one to verify.", 9)
    canvas.save()
    return out.getvalue()
