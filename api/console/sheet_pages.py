"""Sheets in the school's console: upload (.xlsx or CSV) and preview, confirm once, and the
exports of students, course credits and conversions as .xlsx and CSV."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, log_access, mask_id_number, not_found, page
from api.console.texts import describe_error, field_name, problem_text
from api.sheets import XLSX_TYPE, sheet_as_csv, to_csv, to_xlsx
from ledger.bootstrap import Ledger
from ledger.core.errors import LedgerError
from ledger.domain.credit_bank import ConversionRows
from ledger.domain.registry import InvalidField
from ledger.services.school_lists import MAX_EXPORT_ROWS
from ledger.services.uploads import SHEET_COLUMNS

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
KINDS = {
    "students": "学生 Students",
    "credits": "课程学分 Course credits",
    "conversions": "学分转换 Conversions",
}
_BACK = {
    "students": "/console/students",
    "credits": "/console/credits",
    "conversions": "/console/conversions",
}


class UploadsController(Controller):
    """Upload a sheet, see its preview, confirm it."""

    path = "/uploads"
    include_in_schema = False

    @get("/new", sync_to_thread=False)
    def form(
        self, staff: NamedDependency[StaffSession], kind: FromQuery[str] = "conversions"
    ) -> Template:
        """The upload form of one kind of sheet, with its columns."""
        staff.school  # noqa: B018 - 403 for staff of any other party
        if kind not in KINDS:
            raise not_found("这种表格 / this kind of sheet")
        columns = [(field, aliases) for field, aliases in SHEET_COLUMNS[kind].items()]
        return page("upload.html", staff, kind=kind, kind_name=KINDS[kind], columns=columns)

    @post("/", sync_to_thread=True, status_code=200, request_max_body_size=8 * 1_048_576)
    def upload(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        data: Multipart,
    ) -> Template | Redirect:
        """Check the sheet; show every bad row, or keep it for confirmation."""
        staff.school  # noqa: B018 - 403 for staff of any other party
        kind = str(data.get("kind", ""))
        file = data.get("file")
        if kind not in KINDS:
            raise not_found("这种表格 / this kind of sheet")
        if not isinstance(file, UploadFile):
            return page(
                "message.html",
                staff,
                title="没有文件 / No file",
                text="请选择一个 .xlsx 或 CSV 文件。/ Choose an .xlsx or CSV file.",
                back_to=f"/console/uploads/new?kind={kind}",
                status_code=400,
            )
        try:
            content = sheet_as_csv(file.file.read())
            preview = ledger.sheets.preview(staff.principal, kind, content)
        except InvalidField as exc:
            return page(
                "message.html",
                staff,
                title="无法读取 / Cannot read the file",
                text=problem_text(exc.field, exc.problem),
                back_to=f"/console/uploads/new?kind={kind}",
                status_code=400,
            )
        if preview.upload is not None:
            return back(f"/console/uploads/{preview.upload}")
        problems = [
            {
                "row": p.row,
                "column": field_name(p.column),
                "text": problem_text(p.column, p.problem, p.code),
            }
            for p in preview.problems
        ]
        return page(
            "upload_preview.html",
            staff,
            kind=kind,
            kind_name=KINDS[kind],
            rows=preview.rows,
            problems=problems,
            upload=None,
            status_code=200,
        )

    @get("/{upload:str}", sync_to_thread=True)
    def preview(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        upload: FromPath[str],
    ) -> Template:
        """A sheet without problems, waiting to be confirmed (or its result)."""
        stored = ledger.sheets.get(staff.principal, upload[:40])
        if stored is None:
            raise not_found("这份表格 / this upload")
        return page(
            "upload_preview.html",
            staff,
            kind=stored.kind,
            kind_name=KINDS[stored.kind],
            rows=len(stored.rows),
            problems=[],
            upload=stored,
        )

    @post("/{upload:str}/confirm", sync_to_thread=True, status_code=303)
    def confirm(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        upload: FromPath[str],
    ) -> Template | Redirect:
        """Write the sheet, once: a second confirmation records nothing."""
        stored = ledger.sheets.get(staff.principal, upload[:40])
        if stored is None:
            raise not_found("这份表格 / this upload")
        try:
            result = ledger.sheets.confirm(staff.principal, stored.upload)
        except ConversionRows as exc:
            problems = [
                {"row": row, "column": "", "text": problem_text("row", text, code)}
                for row, code, text in exc.problems
            ]
            return page(
                "upload_preview.html",
                staff,
                kind=stored.kind,
                kind_name=KINDS[stored.kind],
                rows=len(stored.rows),
                problems=problems,
                upload=None,
                status_code=200,
            )
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能写入 / Not recorded",
                text=describe_error(exc),
                back_to=_BACK[stored.kind],
                status_code=400,
            )
        if result["replayed"]:
            return back(
                _BACK[stored.kind],
                "这份表格已确认过，未重复记录 / confirmed before: nothing recorded twice",
            )
        return back(
            _BACK[stored.kind],
            f"已记录 {result['recorded']} 行 / {result['recorded']} rows recorded",
        )


_EXPORTS = {
    "students": [
        "学习账号 account",
        "姓名 name",
        "身份证号 id_number (masked)",
        "登记索引 enrolled_index",
    ],
    "credits": [
        "学习账号 account",
        "课程代码 course",
        "课程名称 title",
        "学分 credits",
        "学期 term",
        "成绩 grade",
        "存入日期 earned_on",
        "账本索引 index",
    ],
    "conversions": [
        "转换编号 conversion",
        "学习账号 account",
        "证书编号 certificate",
        "规则 rule",
        "版本 version",
        "专业 programme",
        "学分 credits",
        "记录日期 recorded_on",
        "账本索引 index",
        "撤销索引 reversed_index",
        "撤销原因 reversal_reason",
    ],
}


def _export_rows(
    ledger: Ledger, staff: StaffSession, what: str, request: Request[Any, Any, Any]
) -> list[list[Any]]:
    school = staff.school
    lists = ledger.school_lists
    if what == "students":
        found = lists.students(
            school, with_identity=True, limit=MAX_EXPORT_ROWS, most=MAX_EXPORT_ROWS
        )
        log_access(
            ledger, staff, [r["account"] for r in found.items if r.get("name")], request, "name"
        )
        return [
            [
                r["account"],
                r.get("name") or "",
                mask_id_number(r.get("id_number")),
                r["enrolled_index"],
            ]
            for r in found.items
        ]
    if what == "credits":
        found = lists.credits(school, limit=MAX_EXPORT_ROWS, most=MAX_EXPORT_ROWS)
        return [
            [
                r["account"],
                r["course"],
                r["title"],
                r["credits"],
                r["term"],
                r["grade"],
                r["earned_on"],
                r["index"],
            ]
            for r in found.items
        ]
    found = lists.conversions(school=school, limit=MAX_EXPORT_ROWS, most=MAX_EXPORT_ROWS)
    return [
        [
            r["conversion"],
            r["account"],
            r["certificate"],
            r["rule"],
            r["version"],
            r["programme"],
            r["credits"],
            r["recorded_on"],
            r["recorded_index"],
            r["reversed_index"],
            r["reversal_reason"],
        ]
        for r in found.items
    ]


class ExportsController(Controller):
    """Exports of the school's lists."""

    path = "/exports"
    include_in_schema = False

    @get("/", sync_to_thread=False)
    def exports(self, staff: NamedDependency[StaffSession]) -> Template:
        """The exports page."""
        staff.school  # noqa: B018 - 403 for staff of any other party
        return page("exports.html", staff, kinds=KINDS)

    @get("/{name:str}", sync_to_thread=True)
    def export(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        name: FromPath[str],
    ) -> Response[bytes]:
        """``students.xlsx``, ``credits.csv``, ... of the school."""
        what, _, extension = name.partition(".")
        if what not in _EXPORTS or extension not in ("xlsx", "csv"):
            raise not_found("这个导出 / this export")
        rows = _export_rows(ledger, staff, what, request)
        filename = f"{staff.school}-{what}.{extension}"
        if extension == "xlsx":
            body, media_type = to_xlsx(what, _EXPORTS[what], rows), XLSX_TYPE
        else:
            body, media_type = to_csv(_EXPORTS[what], rows), "text/csv; charset=utf-8"
        return Response(
            body,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
