"""Spreadsheets as uploaded: an .xlsx workbook becomes the CSV text of its first sheet, so
that every upload (the API's ``batch.csv`` and the consoles' sheets) takes both.

A workbook is recognised by its content (a ZIP archive), not by a name or a header.
Exports go the other way: rows to .xlsx (openpyxl) or to CSV in UTF-8 with a BOM, which
Excel opens with Chinese intact.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ledger.domain.registry import InvalidField

#: The media type of an .xlsx workbook.
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The most rows an uploaded workbook may hold.
MAX_SHEET_ROWS = 10_000


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_workbook(data: bytes) -> bool:
    """True when ``data`` looks like an .xlsx workbook (a ZIP archive)."""
    return data[:4] == b"PK\x03\x04"


def sheet_as_csv(data: bytes) -> bytes:
    """``data`` itself when it is CSV text; the first sheet of an .xlsx workbook as UTF-8
    CSV otherwise. InvalidField when the workbook cannot be read or is too long."""
    if not is_workbook(data):
        return data
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidField("file", "is not a readable .xlsx workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for count, row in enumerate(sheet.iter_rows(values_only=True)):
            if count > MAX_SHEET_ROWS:
                raise InvalidField("file", f"holds more than {MAX_SHEET_ROWS} rows")
            cells = [_cell(value) for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            writer.writerow(cells)
    finally:
        workbook.close()
    return out.getvalue().encode()


def to_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A workbook of one sheet named ``title``: the header row, then ``rows``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV text in UTF-8 with a byte order mark (Excel reads the Chinese right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + out.getvalue()).encode()
