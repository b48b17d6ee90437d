"""The printable certificate: one A4 page in Chinese and English with the QR code of its
verification link, drawn with reportlab's built-in CID font (STSong-Light), so no font
file ships with the service.

Only what the public record holds is printed: the masked name, never the full one.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "ACCENT",
    "CHINESE_FONT",
    "LATIN_FONT",
    "LEVELS",
    "LEVEL_NAMES",
    "MUTED",
    "certificate_pdf",
    "draw_pair",
    "draw_qr",
]

CHINESE_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
ACCENT = Color(0.12, 0.31, 0.47)
_REVOKED = Color(0.6, 0.23, 0.0)
MUTED = Color(0.35, 0.39, 0.45)
LEVELS = {"junior": ("初级", "Junior"), "intermediate": ("中级", "Intermediate"),
           "senior": ("高级", "Senior")}  # fmt: skip

#: The same names, as the console's documents (api/console/pdf.py) read them.
LEVEL_NAMES = LEVELS

pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code of ``text`` (error correction M), ``size`` wide with its quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone
    module = size / len(matrix)
    canvas.setFillColor(black)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                canvas.rect(
                    x + column * module, y + size - (row + 1) * module, module, module,
                    stroke=0, fill=1,
                )  # fmt: skip


def draw_pair(canvas: Canvas, x: float, y: float, zh: str, en: str, size: float = 11) -> None:
    canvas.setFont(CHINESE_FONT, size)
    canvas.setFillColor(black)
    canvas.drawString(x, y, zh)
    canvas.setFont(LATIN_FONT, size * 0.72)
    canvas.setFillColor(MUTED)
    canvas.drawString(x, y - size * 0.95, en)


def certificate_pdf(
    claims: Mapping[str, Any],
    verify_url: str,
    revocation: tuple[str, str] | None = None,
) -> bytes:
    """The certificate of the record ``claims`` (format section 9.3) as a PDF.

    ``verify_url`` is what its QR code holds; ``revocation`` (date, reason) prints a
    revocation notice across it.
    """
    out = io.BytesIO()
    width, height = A4
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    number = str(claims["certificate"])
    canvas.setTitle(f"职业技能等级证书 {number}")
    canvas.setAuthor("1+X 职业技能等级证书账本")
    canvas.setSubject("Vocational skill level certificate")

    margin = 18 * mm
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2.2)
    canvas.rect(margin / 2, margin / 2, width - margin, height - margin)
    canvas.setLineWidth(0.6)
    canvas.rect(margin / 2 + 4, margin / 2 + 4, width - margin - 8, height - margin - 8)

    canvas.setFillColor(ACCENT)
    canvas.setFont(CHINESE_FONT, 30)
    canvas.drawCentredString(width / 2, height - 48 * mm, "职业技能等级证书")
    canvas.setFont(LATIN_FONT, 14)
    canvas.drawCentredString(width / 2, height - 57 * mm, "Vocational Skill Level Certificate")
    canvas.setFont(CHINESE_FONT, 11)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(
        width / 2, height - 65 * mm, "1+X 证书制度试点 · 1+X certificate pilot"
    )

    level_zh, level_en = LEVELS.get(str(claims["level"]), (str(claims["level"]),) * 2)
    facts = [
        ("证书编号", "Certificate number", number),
        ("持证人（姓名已遮蔽）", "Holder (name masked)", str(claims["holder"])),
        ("职业技能等级标准", "Standard", f"{claims['standard_title']}（{claims['standard']}）"),
        ("等级", "Level", f"{level_zh} {level_en}"),
        ("发证组织", "Issuing organization", f"{claims['org_name']}（{claims['org']}）"),
        ("发证日期", "Issued on", str(claims["issued_on"])),
    ]
    if "assessment" in claims:
        facts.append(("考核", "Assessment", str(claims["assessment"])))
    if "score" in claims:
        facts.append(("成绩", "Score", str(claims["score"])))
    facts.append(("账本条目", "Ledger entry", str(claims["index"])))

    y = height - 88 * mm
    for zh, en, value in facts:
        draw_pair(canvas, 30 * mm, y, zh, en, 11)
        canvas.setFont(CHINESE_FONT, 13)
        canvas.setFillColor(black)
        canvas.drawString(80 * mm, y - 3, value)
        y -= 14 * mm

    if revocation is not None:
        canvas.saveState()
        canvas.setFillColor(_REVOKED)
        canvas.setFont(CHINESE_FONT, 22)
        canvas.drawCentredString(width / 2, y - 4 * mm, "此证书已被撤销 REVOKED")
        canvas.setFont(CHINESE_FONT, 11)
        canvas.drawCentredString(
            width / 2, y - 12 * mm, f"撤销日期：{revocation[0]}；撤销原因：{revocation[1]}"
        )
        canvas.restoreState()

    qr_size = 46 * mm
    qr_x, qr_y = width - 30 * mm - qr_size, 34 * mm
    draw_qr(canvas, verify_url, qr_x, qr_y, qr_size)
    draw_pair(
        canvas,
        30 * mm,
        qr_y + qr_size - 10 * mm,
        "扫码验证此证书",
        "Scan to verify this certificate",
        13,
    )
    canvas.setFont(LATIN_FONT, 9)
    canvas.setFillColor(black)
    canvas.drawString(30 * mm, qr_y + qr_size - 26 * mm, verify_url)
    canvas.setFont(CHINESE_FONT, 9)
    canvas.setFillColor(MUTED)
    notes = [
        "本证书的真伪与状态以账本记录为准：请扫描二维码或访问上述网址核验。",
        "持证人的完整姓名和身份证号不在账本中，也不印在本证书上。",
    ]
    for offset, line in enumerate(notes):
        canvas.drawString(30 * mm, qr_y + 8 * mm - offset * 5 * mm, line)
    canvas.setFont(LATIN_FONT, 7.5)
    canvas.drawString(
        30 * mm, qr_y - 4 * mm,
        "Authenticity and status are what the ledger records: scan the code or open the address.",
    )  # fmt: skip
    canvas.showPage()
    canvas.save()
    return out.getvalue()
