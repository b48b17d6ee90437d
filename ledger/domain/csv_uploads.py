"""Rows from a CSV file, as a clerk saves one from a spreadsheet: issuances and conversions.

The first line names the columns, in any order. Issuance rows take English or Chinese
names:

    name,id_number,standard,level,issued_on,assessment,score
    姓名,身份证号,证书标准,等级,发证日期,考核,成绩

and levels may be written 初级, 中级, 高级; empty cells of the optional columns
(issued_on, assessment, score) are left out. Conversion rows take
account,certificate,rule,programme or 学习账号,证书编号,转换规则,专业. Files are UTF-8
(with or without the byte order mark Excel writes) or GB 18030 (what Excel saves on a
Chinese Windows). Rows count from 1, the first line after the header; blank lines are
skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
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
#: The columns of a conversion upload.
CONVERSION_COLUMNS = {
    "account": ("account", "学习账号", "学习账户"),
    "certificate": ("certificate", "证书编号"),
    "rule": ("rule", "转换规则", "规则编号"),
    "programme": ("programme", "专业", "专业代码"),
}


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


#: Digits a score cell may have and still be read as a number.
_SCORE_DIGITS = 9


def read_rows(
    data: bytes, columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> list[dict[str, str]]:
    """The rows of a CSV upload by field. ``columns`` gives the names each field's column
    may have; a row leaves out an empty optional cell. InvalidField for an empty file or a
    bad header, InvalidRows naming each row whose number of cells is not the header's."""
    field_of = {alias: field for field, aliases in columns.items() for alias in aliases}
    reader = csv.reader(io.StringIO(decode_csv(data), newline=""))
    try:
        return _read_rows(reader, field_of, required)
    except csv.Error as exc:
        # The csv module refuses a cell longer than its field limit (131,072 characters)
        # and malformed quoting; either is bad input, named with its line.
        raise InvalidField(
            "body", f"cannot be read as CSV at line {reader.line_num}: {exc}"
        ) from None


def _read_rows(
    reader: Iterator[list[str]], field_of: Mapping[str, str], required: Sequence[str]
) -> list[dict[str, str]]:
    header = next(reader, None)
    if header is None:
        raise InvalidField("body", "is empty: the first line must name the columns")
    fields: list[str] = []
    for column in header:
        field = field_of.get(column.strip())
        if field is None:
            raise InvalidField("header", f"names an unknown column {column.strip()[:40]!r}")
        if field in fields:
            raise InvalidField("header", f"names the column {field} twice")
        fields.append(field)
    missing = [field for field in required if field not in fields]
    if missing:
        raise InvalidField("header", f"lacks the columns {', '.join(missing)}")
    rows: list[dict[str, str]] = []
    problems: list[RowProblem] = []
    for position, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end
        if len(cells) != len(fields):
            problems.append(
                RowProblem(position, "row", f"has {len(cells)} cells, the header {len(fields)}")
            )
            continue
        rows.append(
            {
                field: cell.strip()
                for field, cell in zip(fields, cells, strict=True)
                if cell.strip() or field in required
            }
        )
    if problems:
        raise InvalidRows(problems, len(rows) + len(problems))
    return rows


def parse_rows(data: bytes) -> list[dict[str, Any]]:
    """The issuance rows of a CSV upload (read_rows), levels in English and scores as
    integers where they are numbers (the issuance checks name what else is wrong)."""
    rows: list[dict[str, Any]] = list(read_rows(data, COLUMNS, REQUIRED))
    for row in rows:
        row["level"] = CHINESE_LEVELS.get(row["level"], row["level"])
        if "score" in row:
            score = row["score"]
            # Only short digit strings become integers: int() of thousands of digits is slow
            # and refused by Python itself; a long one stays text and the check names it.
            is_number = score.isascii() and score.isdigit() and len(score) <= _SCORE_DIGITS
            row["score"] = int(score) if is_number else score
    return rows


def parse_conversion_rows(data: bytes) -> list[dict[str, str]]:
    """The conversion rows of a CSV upload (read_rows); every column is required."""
    return read_rows(data, CONVERSION_COLUMNS, tuple(CONVERSION_COLUMNS))
