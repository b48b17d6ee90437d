"""The office's pages of the pilot's procedures: fee caps (set one), monitoring points
(designate one, with their assessment activity), every self-evaluation report, and the
statistics with the links to the printable bulletins. Auditors read them all."""

from __future__ import annotations

from datetime import date

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from api.console.base import StaffSession, back, page
from api.console.oversight import Form, may_write, refused, require_office, text
from api.console.pilot_pages import LEVEL_NAMES
from ledger.bootstrap import Ledger
from ledger.core.errors import InvalidInput, LedgerError
from ledger.services.certificates import china_today


def _periods(today: date) -> dict[str, str]:
    """The periods the statistics page offers: this month, last month, this half-year,
    last half-year, this year."""
    last = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    half = 1 if today.month <= 6 else 2
    previous_half = f"{today.year - 1}-H2" if half == 1 else f"{today.year}-H1"
    return {
        f"{today:%Y-%m}": "本月 this month",
        f"{last:%Y-%m}": "上月 last month",
        f"{today.year}-H{half}": "本半年 this half-year",
        previous_half: "前一个半年 the half-year before",
        f"{today.year}": "本年 this year",
    }


class OfficePagesController(Controller):
    """Fee caps, monitoring points, self-evaluations and statistics for the office."""

    path = "/office"
    include_in_schema = False

    @get("/fee-caps", sync_to_thread=True)
    def fee_caps(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Every fee cap by standard and level; the office sets one."""
        staff.require_oversight()
        return page(
            "office_fee_caps.html",
            staff,
            caps=ledger.pilot.reads.fee_caps(),
            standards=ledger.registry.standards(limit=100).items,
            levels=LEVEL_NAMES,
            may_write=may_write(staff),
            notice=done,
        )

    @post("/fee-caps", sync_to_thread=True, status_code=303)
    def set_fee_cap(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Set the highest fee (yuan) of a standard's level."""
        require_office(staff)
        try:
            cap = text(data, "cap", 12)
            if not cap.isdigit():
                raise InvalidInput("cap must be a whole number of yuan / 收费上限须为整数元")
            ledger.pilot.set_fee_cap(
                staff.principal, text(data, "standard", 32), text(data, "level", 16), int(cap)
            )
        except LedgerError as exc:
            return refused(staff, "未能设定 / Not set", exc, "/console/office/fee-caps")
        return back("/console/office/fee-caps", "已设定收费上限 / fee cap set")

    @get("/monitoring-points", sync_to_thread=True)
    def monitoring_points(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        done: FromQuery[str | None] = None,
    ) -> Template:
        """Monitoring points with their school's candidates, results and passes."""
        staff.require_oversight()
        return page(
            "office_monitoring.html",
            staff,
            points=ledger.pilot.monitoring_points(staff.principal),
            standards=ledger.registry.standards(limit=100).items,
            may_write=may_write(staff),
            notice=done,
        )

    @post("/monitoring-points", sync_to_thread=True, status_code=303)
    def designate(
        self, ledger: NamedDependency[Ledger], staff: NamedDependency[StaffSession], data: Form
    ) -> Redirect | Template:
        """Designate a school as a monitoring point of a standard."""
        require_office(staff)
        try:
            ledger.pilot.designate_point(
                staff.principal, text(data, "school", 10), text(data, "standard", 32)
            )
        except LedgerError as exc:
            return refused(
                staff, "未能设立 / Not designated", exc, "/console/office/monitoring-points"
            )
        return back("/console/office/monitoring-points", "已设立监测点 / designated")

    @get("/self-evaluations", sync_to_thread=True)
    def self_evaluations(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        year: FromQuery[int | None] = None,
    ) -> Template:
        """Every organization's and school's self-evaluation report, with its text."""
        staff.require_oversight()
        shown = year if year is not None and 2000 <= year <= 2100 else None
        reports = ledger.pilot.self_evaluations(staff.principal, shown)
        return page("office_self_evaluations.html", staff, reports=reports, year=shown)

    @get("/statistics", sync_to_thread=True)
    def statistics(
        self,
        ledger: NamedDependency[Ledger],
        staff: NamedDependency[StaffSession],
        period: FromQuery[str | None] = None,
    ) -> Template:
        """A period's key figures, with links to the statistics and the bulletin pages."""
        staff.require_oversight()
        periods = _periods(china_today())
        chosen = period if period else next(iter(periods))
        try:
            figures = ledger.statistics.statistics(chosen[:10])
        except LedgerError as exc:
            return refused(staff, "无法统计 / No figures", exc, "/console/office/statistics")
        return page(
            "office_statistics.html", staff, figures=figures, period=chosen, periods=periods
        )
