"""Issuance rows from a CSV file, as a clerk saves one from a spreadsheet.

The first line names the columns, in English or in Chinese, in any order:

    name,id_number,standard,level,issued_on,assessment,score
    姓名,身份证号,证书标准,等级,发证日期,考核,成绩

UTF-8 (with or without the byte order mark Excel writes) or GB 18030 (what Excel saves
on a Chinese Windows); levels may be written 初级, 中级, 高级. Empty cells of the
optional columns (issued_on, assessment, score) are left out. Rows count from 1, the
first line after the header.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ledger.domain.certificates import InvalidRows, RowProblem
from ledger.domain.registry import InvalidField

#: Column names by the field they fill.
COLUMNS = {
    "name": ("name", "姓名"),
    "id_number": ("id_number", "身份证号", "身份证号码"),
    "standard": ("standard", "证书标准", "标准代码"),
    "level": ("level", "等级", "级别"),
    "issued_on": ("issued_on", "发证日期"),
    "assessment": ("assessment", "考核"),
    "score": ("score", "成绩"),
}
REQUIRED = ("name", "id_number", "standard", "level")
CHINESE_LEVELS = {"初级": "junior", "中级": "intermediate", "高级": "senior"}
_FIELD_OF_COLUMN = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}


def decode_csv(data: bytes) -> str:
    """The text of a CSV upload: UTF-8 (a leading BOM dropped), else GB 18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidField("body", "must be CSV text in UTF-8 or GB 18030") from None


def parse_rows(data: bytes) -> list[dict[str, Any]]:
    """The issuance rows of a CSV upload; InvalidField for a bad header, InvalidRows for
    rows with the wrong number of cells or a score that is not a number."""
    reader = csv.reader(io.StringIO(decode_csv(data), newline=""))
    header = next(reader, None)
    if header is None:
        raise InvalidField("body", "is empty: the first line must name the columns")
    fields: list[str] = []
    for column in header:
        field = _FIELD_OF_COLUMN.get(column.strip())
        if field is None:
            raise InvalidField("header", f"names an unknown column {column.strip()[:40]!r}")
        if field in fields:
            raise InvalidField("header", f"names the column {field} twice")
        fields.append(field)
    missing = [field for field in REQUIRED if field not in fields]
    if missing:
        raise InvalidField("header", f"lacks the columns {', '.join(missing)}")
    rows: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    for position, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end
        if len(cells) != len(fields):
            problems.append(
                RowProblem(position, "row", f"has {len(cells)} cells, the header {len(fields)}")
            )
            continue
        row: dict[str, Any] = {}
        for field, cell in zip(fields, cells, strict=True):
            value = cell.strip()
            if value or field in REQUIRED:
                row[field] = value
        row["level"] = CHINESE_LEVELS.get(row["level"], row["level"])
        if "score" in row:
            score = row["score"]
            row["score"] = int(score) if score.isascii() and score.isdigit() else score
        rows.append(row)
    if problems:
        raise InvalidRows(problems, len(rows) + len(problems))
    return rows
