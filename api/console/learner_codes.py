"""Activation codes the school gives its students, in the school's console and the API:
``POST /console/students/{account}/activation`` shows a new code once, to print;
``POST /console/exports/activation-codes`` gives every student who has not activated yet
a new code, as the student list (.xlsx, CSV) or a printout of slips to cut;
``POST /learners/{account}/activation`` answers it as JSON to the school's systems."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from api.console.base import PAGE_HEADERS, StaffSession, log_access, not_found, page
from api.console.texts import describe_error
from api.sheets import XLSX_TYPE, to_csv, to_xlsx
from ledger.bootstrap import Ledger
from ledger.core.errors import LedgerError
from ledger.services.learner_access import MAX_SHEET_CODES

LEARNER_SIGN_IN = "/learner/sign-in"
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
CODE_COLUMNS = ["学习账号 account", "姓名 name", "激活码 activation_code", "登录网址 sign_in"]
ACTIVATED = "已激活，未重置 activated (not reset)"


class ActivationController(Controller):
    """A new activation code for one of the school's students."""

    path = "/students"
    include_in_schema = False

    @post("/{account:str}/activation", sync_to_thread=True, status_code=200)
    def activation(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        account: FromPath[str],
    ) -> Template:
        """Give ``account`` a new code (any password before stops working); shown once."""
        school = staff.school
        if ledger.school_lists.identity(school, account[:20]) is None:
            raise not_found("这名学生 / this student")
        code = ledger.learner_access.issue_code(staff.principal, account[:20])
        return page(
            "activation.html",
            staff,
            account=account[:20],
            code=code,
            url=ledger.settings.public_url + LEARNER_SIGN_IN,
        )


class CodeSheetController(Controller):
    """The student list with activation codes, for every student not yet activated."""

    path = "/exports"
    include_in_schema = False

    @post("/activation-codes", sync_to_thread=True, status_code=200)
    def code_sheet(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        data: Form,
    ) -> Response[bytes] | Template:
        """New codes for the school's students who have not activated (an activated
        learner keeps their password), as ``format`` xlsx, csv or print; shown once."""
        school = staff.school
        kind = str(data.get("format", ""))
        if kind not in ("xlsx", "csv", "print"):
            raise not_found("这种格式 / this format")
        found = ledger.school_lists.students(
            school, with_identity=True, limit=MAX_SHEET_CODES, most=MAX_SHEET_CODES
        )
        accounts = [row["account"] for row in found.items]
        try:
            codes = ledger.learner_access.issue_codes_for_sheet(staff.principal, accounts)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能生成激活码 / No codes",
                text=describe_error(exc),
                back_to="/console/exports",
                status_code=400,
            )
        log_access(
            ledger, staff, [r["account"] for r in found.items if r.get("name")], request, "name"
        )
        url = ledger.settings.public_url + LEARNER_SIGN_IN
        rows = [
            [r["account"], r.get("name") or "", codes.get(r["account"], ACTIVATED), url]
            for r in found.items
        ]
        if kind == "print":
            slips = [row for row in rows if row[0] in codes]
            return page(
                "activation_sheet.html",
                staff,
                slips=slips,
                url=url,
                activated=len(rows) - len(slips),
            )
        filename = f"{school}-activation-codes.{kind}"
        if kind == "xlsx":
            body, media_type = to_xlsx("activation codes", CODE_COLUMNS, rows), XLSX_TYPE
        else:
            body, media_type = to_csv(CODE_COLUMNS, rows), "text/csv; charset=utf-8"
        return Response(
            body,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
                **PAGE_HEADERS,
            },
        )
