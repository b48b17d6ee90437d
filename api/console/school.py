"""The school's console, its credit bank work: students, course credits, conversion rules
and conversions. Every write goes through the credit bank's service with the staff
member's principal (``school:<code>/<account>``); every object outside the school is 404.

Learners' names are shown to the school's own staff and every display is written to the
access log; ID numbers are masked unless the clerk asks to see one (logged as well).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, log_access, mask_id_number, not_found, page, paging
from api.console.texts import describe_error, refusal_text
from ledger.bootstrap import Ledger
from ledger.core.errors import LedgerError
from ledger.domain.credit_bank import ConversionRefused, CourseCredit, rule_from_request
from ledger.domain.registry import InvalidField

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PAGE_SIZE = 20
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000)]


def _text(data: dict[str, Any], name: str, most: int = 200) -> str:
    value = data.get(name, "")
    return (value[-1] if isinstance(value, list) else str(value)).strip()[:most]


class StudentsController(Controller):
    """The school's students: list and search, one student's page, enrol one."""

    path = "/students"
    include_in_schema = False

    def _list(
        self,
        request: Request[Any, Any, Any],
        ledger: Ledger,
        staff: StaffSession,
        q: str,
        offset: int,
        done: str | None,
    ) -> Template:
        school = staff.school
        found = ledger.school_lists.students(
            school,
            search=q.strip()[:50] or None,
            with_identity=True,
            limit=PAGE_SIZE,
            offset=offset,
        )
        shown = [row["account"] for row in found.items if row.get("name")]
        log_access(ledger, staff, shown, request, "name")
        for row in found.items:
            row["masked_id"] = mask_id_number(row.get("id_number"))
            row.pop("id_number", None)
        return page(
            "students.html",
            staff,
            students=found.items,
            q=q,
            paged=paging(offset, PAGE_SIZE, found.total),
            notice=done,
        )

    @get("/", sync_to_thread=True)
    def students(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        offset: Offset = 0,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Students in enrolment order, 20 a page."""
        return self._list(request, ledger, staff, "", offset, done)

    @post("/search", sync_to_thread=True, status_code=200)
    def search(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        data: Form,
    ) -> Template:
        """Students whose account starts with, or whose name holds, the search text. A
        POST, so that a name never travels in a URL (nor into an access log line)."""
        offset_text = _text(data, "offset", 9)
        offset = int(offset_text) if offset_text.isdigit() else 0
        return self._list(request, ledger, staff, _text(data, "q", 50), offset, None)

    @get("/{account:str}", sync_to_thread=True)
    def student(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        account: FromPath[str],
        reveal: FromQuery[bool] = False,
    ) -> Template:
        """One student: name, ID number (masked unless revealed), certificates, credits and
        conversions. 404 for a learner who is not the school's student."""
        school = staff.school
        identity = ledger.school_lists.identity(school, account[:20])
        if identity is None:
            raise not_found("这名学生 / this student")
        record = ledger.credit_bank.learner(staff.principal, identity["account"])
        log_access(ledger, staff, [identity["account"]], request, "name")
        if reveal:
            log_access(ledger, staff, [identity["account"]], request, "id_number")
        id_shown = identity["id_number"] if reveal else mask_id_number(identity["id_number"])
        return page(
            "student.html",
            staff,
            student=identity,
            id_shown=id_shown,
            revealed=reveal,
            record=record,
            certificates=ledger.school_lists.certificates_of(identity["account"]),
        )

    @post("/", sync_to_thread=True, status_code=303)
    def enrol(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Enrol one student with their consent: their enrolment code (and account), or
        name and ID number."""
        school = staff.school
        account = _text(data, "account", 20) or None
        name = _text(data, "name", 100) or None
        id_number = _text(data, "id_number", 30) or None
        code = _text(data, "enrolment_code", 30) or None
        try:
            enrolled = ledger.credit_bank.enrol(
                staff.principal,
                school,
                account=account,
                name=name,
                id_number=id_number,
                enrolment_code=code,
            )
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能登记 / Not enrolled",
                text=describe_error(exc),
                back_to="/console/students",
                status_code=400,
            )
        return back("/console/students", f"已登记 {enrolled.account} / enrolled")


class CreditsController(Controller):
    """Course credits the school deposited: the list, and deposit one."""

    path = "/credits"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def credits(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        offset: Offset = 0,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Course credits, newest first."""
        found = ledger.school_lists.credits(staff.school, limit=PAGE_SIZE, offset=offset)
        return page(
            "credits.html",
            staff,
            credits=found.items,
            paged=paging(offset, PAGE_SIZE, found.total),
            notice=done,
        )

    @post("/", sync_to_thread=True, status_code=303)
    def deposit(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Deposit one course result for a student of the school."""
        staff.school  # noqa: B018 - 403 for staff of any other party
        try:
            credits_text = _text(data, "credits", 5)
            if not credits_text.isdigit():
                raise InvalidField("credits", "must be a whole number 1 to 100")
            credit = CourseCredit(
                _text(data, "course", 32),
                _text(data, "title"),
                int(credits_text),
                _text(data, "term", 8),
                _text(data, "grade", 8),
            )
            ledger.credit_bank.deposit(staff.principal, _text(data, "account", 20), credit)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能存入 / Not deposited",
                text=describe_error(exc),
                back_to="/console/credits",
                status_code=400,
            )
        return back("/console/credits", "已存入学分 / credits deposited")


class RulesController(Controller):
    """Conversion rules: the latest versions, every version of one, publish."""

    path = "/rules"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def rules(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """The school's rules (latest versions) and the form to publish one."""
        rules = ledger.credit_bank.school_rules(staff.school)
        standards = ledger.registry.standards(limit=100).items
        return page("rules.html", staff, rules=rules, standards=standards, notice=done)

    @get("/{rule:str}", sync_to_thread=True)
    def rule(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        rule: FromPath[str],
    ) -> Template:
        """Every version of one of the school's rules; 404 for another school's."""
        try:
            versions = ledger.credit_bank.rule_versions(rule[:20])
        except LedgerError:
            raise not_found("这条规则 / this rule") from None
        if versions[-1][0].school != staff.school:
            raise not_found("这条规则 / this rule")
        standards = ledger.registry.standards(limit=100).items
        return page(
            "rule.html", staff, versions=versions, latest=versions[-1][0], standards=standards
        )

    @post("/", sync_to_thread=True, status_code=303)
    def publish(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Publish a rule, or (with ``rule``) a new version of one of the school's."""
        school = staff.school
        replaces = _text(data, "rule", 20) or None
        courses = []
        for line in _text(data, "courses", 2000).splitlines():
            parts = [part.strip() for part in line.replace("，", ",").split(",")]
            if len(parts) == 3 and parts[2].isdigit():
                courses.append({"code": parts[0], "title": parts[1], "credits": int(parts[2])})
            elif line.strip():
                courses.append({"code": line.strip()[:40], "title": "", "credits": -1})
        try:
            body = rule_from_request(
                programme=_text(data, "programme", 32),
                standard=_text(data, "standard", 32),
                min_level=_text(data, "min_level", 16),
                courses=courses,
                valid_from=_text(data, "valid_from", 10),
                valid_to=_text(data, "valid_to", 10) or None,
            )
            published = ledger.credit_bank.publish_rule(staff.principal, school, body, replaces)
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="未能发布 / Not published",
                text=describe_error(exc),
                back_to="/console/rules",
                status_code=400,
            )
        return back(
            f"/console/rules/{published.rule}",
            f"已发布第 {published.version} 版 / version {published.version} published",
        )


class ConversionsController(Controller):
    """Conversions: the list with reversals, and recording one step by step."""

    path = "/conversions"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def conversions(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        offset: Offset = 0,
        done: FromQuery[str | None] = None,
    ) -> Template:
        """The school's conversions, newest first, reversals shown."""
        found = ledger.school_lists.conversions(school=staff.school, limit=PAGE_SIZE, offset=offset)
        return page(
            "conversions.html",
            staff,
            conversions=found.items,
            paged=paging(offset, PAGE_SIZE, found.total),
            notice=done,
        )

    @get("/new", sync_to_thread=True)
    def new(
        self,
        request: Request[Any, Any, Any],
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        account: FromQuery[str] = "",
        certificate: FromQuery[str] = "",
    ) -> Template:
        """Pick a student, then one of their certificates, then a rule that fits it."""
        school = staff.school
        student = ledger.school_lists.identity(school, account[:20]) if account else None
        if account and student is None:
            raise not_found("这名学生 / this student")
        certificates: list[dict[str, Any]] = []
        chosen = None
        fitting: list[Any] = []
        if student is not None:
            log_access(ledger, staff, [student["account"]], request, "name")
            certificates = ledger.school_lists.certificates_of(student["account"])
            chosen = next((c for c in certificates if c["number"] == certificate), None)
            if certificate and chosen is None:
                raise not_found("这张证书 / this certificate")
        if chosen is not None:
            fitting = [
                v
                for v, _i in ledger.credit_bank.school_rules(school)
                if v.body.standard == chosen["standard"]
            ]
        return page(
            "conversion_new.html",
            staff,
            student=student,
            certificates=certificates,
            chosen=chosen,
            rules=fitting,
        )

    @post("/", sync_to_thread=True, status_code=303)
    def record(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Record one conversion; a refusal is shown in Chinese and English."""
        staff.school  # noqa: B018 - 403 for staff of any other party
        rule, _, programme = _text(data, "rule_programme", 60).partition("|")
        try:
            converted = ledger.credit_bank.convert(
                staff.principal,
                account=_text(data, "account", 20),
                certificate=_text(data, "certificate", 20),
                rule=rule,
                programme=programme,
            )
        except ConversionRefused as refused:
            return page(
                "message.html",
                staff,
                title="不能转换 / Conversion refused",
                text=refusal_text(refused.code.value, str(refused)),
                back_to="/console/conversions/new",
                status_code=422,
            )
        except LedgerError as exc:
            return page(
                "message.html",
                staff,
                title="不能转换 / Conversion refused",
                text=describe_error(exc),
                back_to="/console/conversions/new",
                status_code=400,
            )
        return back(
            "/console/conversions", f"已记录转换 {converted.conversion} / conversion recorded"
        )
