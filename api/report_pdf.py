"""The printable verification report: one A4 page in Chinese and English with the report
code and the QR code of the report page, drawn like the printed certificate (api/pdf.py).

The full name is not printed: whoever opens the code sees it on the report page, where
each showing is recorded; the PDF carries the masked name of the public record.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from api.pdf import ACCENT, CHINESE_FONT, LATIN_FONT, LEVELS, MUTED, draw_pair, draw_qr
from ledger.domain.reports import beijing_time, format_code

__all__ = ["report_pdf"]


def report_pdf(
    claims: Mapping[str, Any], code: str, url: str, created_at: str, valid_until: str
) -> bytes:
    """The report of the certificate record ``claims`` (format section 9.3) opened by
    ``code`` at ``url`` (what its QR code holds), valid from ``created_at`` until
    ``valid_until`` (entry timestamps), as a PDF."""
    out = io.BytesIO()
    width, height = A4
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"证书验证报告 {claims['certificate']}")
    canvas.setAuthor("1+X 职业技能等级证书账本")
    canvas.setSubject("Certificate verification report")
    margin = 18 * mm
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.4)
    canvas.rect(margin / 2, margin / 2, width - margin, height - margin)

    canvas.setFillColor(ACCENT)
    canvas.setFont(CHINESE_FONT, 26)
    canvas.drawCentredString(width / 2, height - 40 * mm, "职业技能等级证书验证报告")
    canvas.setFont(LATIN_FONT, 13)
    canvas.drawCentredString(width / 2, height - 48 * mm, "Certificate verification report")

    draw_pair(canvas, 30 * mm, height - 66 * mm, "报告验证码", "Report code", 12)
    canvas.setFont("Courier-Bold", 22)
    canvas.setFillColor(black)
    canvas.drawString(80 * mm, height - 68 * mm, format_code(code))

    level_zh, level_en = LEVELS.get(str(claims["level"]), (str(claims["level"]),) * 2)
    facts = [
        ("证书编号", "Certificate number", str(claims["certificate"])),
        ("持证人（姓名已遮蔽）", "Holder (name masked)", str(claims["holder"])),
        ("职业技能等级标准", "Standard", f"{claims['standard_title']}（{claims['standard']}）"),
        ("等级", "Level", f"{level_zh} {level_en}"),
        ("发证组织", "Issuing organization", f"{claims['org_name']}（{claims['org']}）"),
        ("发证日期", "Issued on", str(claims["issued_on"])),
        ("报告生成时间", "Created (Beijing time)", beijing_time(created_at)),
        ("有效期至", "Valid until (Beijing time)", beijing_time(valid_until)),
    ]
    y = height - 86 * mm
    for zh, en, value in facts:
        draw_pair(canvas, 30 * mm, y, zh, en, 11)
        canvas.setFont(CHINESE_FONT, 12)
        canvas.setFillColor(black)
        canvas.drawString(80 * mm, y - 3, value)
        y -= 12 * mm

    qr_size = 46 * mm
    qr_x, qr_y = width - 30 * mm - qr_size, 30 * mm
    draw_qr(canvas, url, qr_x, qr_y, qr_size)
    draw_pair(
        canvas, 30 * mm, qr_y + qr_size - 8 * mm, "扫码查看此报告", "Scan to open this report", 13
    )
    canvas.setFont(LATIN_FONT, 8.5)
    canvas.setFillColor(black)
    canvas.drawString(30 * mm, qr_y + qr_size - 22 * mm, url)
    canvas.setFont(CHINESE_FONT, 9)
    canvas.setFillColor(MUTED)
    notes = [
        "持证人本人创建此报告：在有效期内，输入验证码或扫码即可看到证书及持证人的完整姓名。",
        "持证人可随时撤回此报告；撤回或过期后验证码即失效。每次查看都会被记录。",
    ]
    for offset, line in enumerate(notes):
        canvas.drawString(30 * mm, qr_y + 10 * mm - offset * 5 * mm, line)
    canvas.setFont(LATIN_FONT, 7.5)
    canvas.drawString(
        30 * mm, qr_y - 2 * mm,
        "The holder created this report: until it expires or is withdrawn, its code shows the "
        "certificate with the holder's full name. Every view is recorded.",
    )  # fmt: skip
    canvas.showPage()
    canvas.save()
    return out.getvalue()
