"""Chinese text uses full-width punctuation: no ASCII comma, colon, semicolon, question or
exclamation mark or parenthesis next to a Chinese character, in the pages, their scripts,
the PDF certificate, the credentials and the Chinese error texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CJK = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(rf"{CJK}\s*[,:;!?()]|[,:;!?(]\s*{CJK}")
#: Names in test data, such as the standard 建筑信息模型(BIM), are data, not our prose.
FILES = sorted(
    [
        *(ROOT / "api/pages/static").glob("*.js"),
        *(ROOT / "api/pages/templates").glob("*.html"),
        ROOT / "api/messages_zh.py",
        ROOT / "api/pdf.py",
        ROOT / "api/console/pdf.py",
        ROOT / "ledger/domain/credentials.py",
    ]
)


def test_the_checker_sees_half_width_punctuation() -> None:
    assert HALF_WIDTH_NEXT_TO_CHINESE.search("原因:签名无效")
    assert HALF_WIDTH_NEXT_TO_CHINESE.search("签名有效,记录在账本中")
    assert not HALF_WIDTH_NEXT_TO_CHINESE.search("原因：签名无效，记录（条目 3）")


@pytest.mark.parametrize("path", [p for p in FILES if "noble" not in p.name], ids=lambda p: p.name)
def test_chinese_text_uses_full_width_punctuation(path: Path) -> None:
    found = [
        f"{path.name}:{number}: {line.strip()[:100]}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HALF_WIDTH_NEXT_TO_CHINESE.search(line)
    ]
    assert found == []
