"""The bulletin page in a real Chromium against the real app under uvicorn.

The province of tests/api/test_statistics.py is built on the served ledger; the page is
opened at ``/reports/bulletin?period=...`` and must draw what ``GET /reports/statistics``
answers: one bar per standard, city, month and school, value labels, the figures and the
table of exits. Screenshots (desktop and phone) and a PDF printed with the print style
sheet are written as artifacts. Every test also fails on any console error or warning,
page error or failed request (see conftest).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from api.pages import CONTENT_SECURITY_POLICY, SCRIPT_MODULES
from tests.api.test_statistics import (
    BAR,
    BIM,
    EXPULSION,
    SUSPENSION,
    WEB,
    Province,
    build_province,
)
from tests.browser.conftest import Browsing, Served
from tests.browser.test_verify_page import PNG_MAGIC

LOAD_TIMEOUT_MS = 15_000
PDF_MAGIC = b"%PDF-"
#: Every chart box of the page, by its element id.
CHARTS = ("chart-standards", "chart-cities", "chart-months", "chart-pass-rates", "chart-coverage")


@pytest.fixture(scope="module")
def province(served: Served) -> Province:
    return build_province(served.ledger)


def statistics(served: Served, period: str) -> dict[str, Any]:
    answer = served.get("/reports/statistics", params={"period": period})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def open_bulletin(browsing: Browsing, period: str) -> Page:
    """Open the bulletin of ``period`` afresh and wait until its charts are drawn."""
    page = browsing.page
    page.goto("about:blank")
    page.goto(f"/reports/bulletin?period={period}")
    page.wait_for_selector(
        f"#bulletin[data-ready='true'][data-period='{period}']:not([hidden])",
        timeout=LOAD_TIMEOUT_MS,
    )
    return page


def bar_keys(page: Page, chart: str) -> list[str]:
    keys: list[str] = page.eval_on_selector_all(
        f"#{chart} svg rect.bar", "bars => bars.map(bar => bar.dataset.key)"
    )
    return keys


def bar_widths(page: Page, chart: str) -> list[float]:
    widths: list[float] = page.eval_on_selector_all(
        f"#{chart} svg rect.bar", "bars => bars.map(bar => bar.getBBox().width)"
    )
    return widths


def value_labels(page: Page, chart: str) -> list[str]:
    return [text.strip() for text in page.locator(f"#{chart} svg text.value").all_text_contents()]


def wait_for_charts_to_fit(page: Page) -> None:
    """Until every chart was drawn at the width its box has now."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('svg.chart')].every(chart =>
             Math.abs(chart.getBoundingClientRect().width - Number(chart.dataset.width)) < 2)""",
        timeout=LOAD_TIMEOUT_MS,
    )


# -- the page and its assets -------------------------------------------------------------------


def test_the_page_is_served_with_a_strict_policy(served: Served) -> None:
    page = served.get("/reports/bulletin?period=2025-H2")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="/static/bulletin.js"></script>' in page.text
    assert "2025-H2" not in page.text  # nothing from the request is written into the page
    assert "http://" not in page.text and "https://" not in page.text  # nothing external
    assert "《1+X证书制度试点工作简报》" in page.text and "陕西省" in page.text
    assert "style=" not in page.text and "<style" not in page.text  # the CSP forbids them

    # The entry preloads every module it imports, directly or not, and only those.
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', page.text))
    imported: set[str] = set()
    pending = ["bulletin.js"]
    while pending:
        source = served.get(f"/static/{pending.pop()}").text
        for name in re.findall(r'^import [^;]*? from "\./([^"]+)";', source, re.M | re.S):
            if name not in imported:
                imported.add(name)
                pending.append(name)
    assert preloaded == imported == {"charts.js", "ui.js"}
    assert {"bulletin.js", *imported} <= set(SCRIPT_MODULES)
    for name, kind in [
        ("bulletin.js", "text/javascript; charset=utf-8"),
        ("charts.js", "text/javascript; charset=utf-8"),
        ("bulletin.css", "text/css; charset=utf-8"),
    ]:
        asset = served.get(f"/static/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["content-type"] == kind
        assert "innerHTML" not in asset.text and "insertAdjacentHTML" not in asset.text
    assert served.get("/static/bulletin.html").status_code == 404
    # The page needs no token, and neither do its figures.
    assert served.get("/reports/statistics?period=2025-H2").status_code == 200


# -- the bulletin --------------------------------------------------------------------------------


def test_the_half_year_bulletin_draws_every_chart(
    served: Served, province: Province, browsing: Browsing, artifacts_dir: Path
) -> None:
    expected = statistics(served, "2025-H2")
    page = open_bulletin(browsing, "2025-H2")

    assert "《1+X证书制度试点工作简报》" in page.inner_text("h1")
    assert "Bulletin of the 1+X certificate pilot" in page.inner_text("h1")
    lead = page.inner_text(".masthead .lead")
    assert "陕西省" in lead and "Shaanxi" in lead
    assert "2025年下半年" in lead and "Second half of 2025" in lead
    assert page.get_attribute("#period-title", "data-period") == "2025-H2"
    assert "2025年下半年" in page.title()

    # One bar per standard, city, month and school, in the answer's order (schools by
    # share), each with its value label.
    certificates = expected["certificates"]
    assert bar_keys(page, "chart-standards") == [BIM, WEB]
    assert value_labels(page, "chart-standards") == ["3", "3"]
    assert bar_keys(page, "chart-cities") == [c["city"] for c in certificates["by_city"]]
    assert bar_keys(page, "chart-cities") == ["xianyang", "baoji", "xian", "unassigned"]
    assert value_labels(page, "chart-cities") == ["3", "1", "1", "1"]
    months = [m["month"] for m in certificates["by_month"]]
    assert bar_keys(page, "chart-months") == months == [f"2025-{m:02d}" for m in range(7, 13)]
    assert value_labels(page, "chart-months") == ["1", "0", "0", "0", "5", "0"]
    assert bar_keys(page, "chart-pass-rates") == [BIM]
    assert value_labels(page, "chart-pass-rates") == ["75.0% (3/4)"]
    s = province.schools
    assert bar_keys(page, "chart-coverage") == [s["S1"], s["S2"], s["S3"], s["S4"]]
    assert value_labels(page, "chart-coverage") == [
        "80.0% (4/5)",
        "75.0% (3/4)",
        "0.0% (0/1)",
        "— (0/0)",
    ]
    assert page.locator("#chart-standards svg text.value").first.is_visible()
    # Screen readers get every label and value from the chart's description.
    described = page.locator("#chart-standards svg desc").text_content() or ""
    assert f"{BIM}: 3" in described and f"{WEB}: 3" in described
    assert page.locator("#chart-coverage svg text.value").first.is_visible()
    assert province.names[s["S1"]] in page.inner_text("#chart-coverage")

    # Bars are as long as their values say: 3 : 1 for cities, 5 : 1 for months.
    cities = bar_widths(page, "chart-cities")
    assert cities[0] == pytest.approx(3 * cities[1], rel=0.01)
    assert cities[1] == pytest.approx(cities[2], rel=0.01)
    columns = page.eval_on_selector_all(
        "#chart-months svg rect.bar", "bars => bars.map(bar => bar.getBBox().height)"
    )
    assert columns[4] == pytest.approx(5 * columns[0], rel=0.01) and columns[1] == 0
    rates = bar_widths(page, "chart-coverage")
    assert rates[0] > rates[1] > rates[2] == rates[3] == 0

    # The figures and the table.
    figure = "#summary-figures [data-figure='{}'] .figure"
    assert page.inner_text(figure.format("issued")) == "6"
    assert page.inner_text(figure.format("revoked")) == "0"
    assert page.inner_text(figure.format("coverage")) == "62.5%"
    assert page.inner_text(figure.format("schools")) == "2"
    assert page.inner_text(figure.format("plans")) == "2"
    assert "5 名" in page.inner_text("#coverage-province")
    assert "5 of 8 enrolled students" in page.inner_text("#coverage-province")
    rows = page.locator("#exits tr")
    assert rows.count() == 4
    table = page.inner_text("#exits-table")
    for shown in (SUSPENSION, EXPULSION, BAR, "暂停", "Expelled", "禁入", province.barred_org):
        assert shown in table, shown
    assert f"ledger size {expected['tree_size']}" in page.inner_text("#as-of")

    # Navigation to the neighbouring half-years.
    assert page.get_attribute("#previous-period", "href") == "/reports/bulletin?period=2025-H1"
    assert page.get_attribute("#next-period", "href") == "/reports/bulletin?period=2026-H1"

    # Screenshots for people to look at: desktop, and a phone's width.
    desktop = artifacts_dir / "bulletin-2025-H2.png"
    page.screenshot(path=str(desktop), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    wait_for_charts_to_fit(page)
    phone = artifacts_dir / "bulletin-2025-H2-phone.png"
    page.screenshot(path=str(phone), full_page=True)
    for saved in (desktop, phone):
        assert saved.read_bytes().startswith(PNG_MAGIC) and saved.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert bar_keys(page, "chart-cities") == ["xianyang", "baoji", "xian", "unassigned"]
    assert page.locator("#chart-cities svg text.value").first.is_visible()


def test_the_bulletin_prints_on_a4(
    served: Served, province: Province, browsing: Browsing, artifacts_dir: Path
) -> None:
    page = open_bulletin(browsing, "2025")
    assert bar_keys(page, "chart-months") == [f"2025-{m:02d}" for m in range(1, 13)]
    assert value_labels(page, "chart-pass-rates") == ["60.0% (3/5)"]
    page.screenshot(path=str(artifacts_dir / "bulletin-2025.png"), full_page=True)

    page.emulate_media(media="print")
    assert page.is_hidden("#period-nav")  # no navigation on paper
    for chart in CHARTS:
        assert page.locator(f"#{chart} svg.chart").is_visible(), chart
        card = page.locator(f"#{chart}").locator("xpath=..")
        assert card.evaluate("card => getComputedStyle(card).breakInside") == "avoid", chart
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (artifacts_dir / "bulletin-2025.pdf").write_bytes(pdf)
    assert pdf.startswith(PDF_MAGIC) and len(pdf) > 10_000
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    assert boxes, "no page in the PDF"
    for width, height in boxes:  # A4: 595 x 842 points
        assert (float(width), float(height)) == (
            pytest.approx(595, abs=1),
            pytest.approx(842, abs=1),
        )
    page.emulate_media(media="screen")
    assert page.is_visible("#period-nav")


def test_the_month_of_the_conversions(
    served: Served, province: Province, browsing: Browsing, artifacts_dir: Path
) -> None:
    month = province.today[:7]
    page = open_bulletin(browsing, month)
    figures = "#conversion-figures [data-figure='{}'] .figure"
    assert page.inner_text(figures.format("recorded")) == "2"
    assert page.inner_text(figures.format("reversed")) == "1"
    assert page.inner_text(figures.format("credits")) == "10"
    assert page.inner_text(figures.format("reversed-credits")) == "5"
    assert page.inner_text("#summary-figures [data-figure='revoked'] .figure") == "1"
    # Nothing issued this month: no bars, a note instead; the month still has its column.
    for chart in ("chart-standards", "chart-cities", "chart-pass-rates"):
        assert page.locator(f"#{chart} svg").count() == 0, chart
        assert "本期无数据" in page.inner_text(f"#{chart}"), chart
        assert "Nothing in this period" in page.inner_text(f"#{chart}"), chart
    assert bar_keys(page, "chart-months") == [month]
    assert value_labels(page, "chart-months") == ["0"]
    assert len(bar_keys(page, "chart-coverage")) == 4
    page.screenshot(path=str(artifacts_dir / f"bulletin-{month}.png"), full_page=True)


# -- periods the page refuses, and hostile figures ------------------------------------------------


def test_a_malformed_period_is_explained_without_asking_the_server(
    served: Served, browsing: Browsing
) -> None:
    requested: list[str] = []
    browsing.page.on("request", lambda request: requested.append(request.url))
    browsing.page.goto("/reports/bulletin?period=2025-13")
    status = browsing.page.wait_for_selector(
        "#status[data-status='invalid']", timeout=LOAD_TIMEOUT_MS
    )
    assert status is not None
    assert "2025-13" in status.inner_text() and "格式不正确" in status.inner_text()
    assert "is not valid" in status.inner_text()
    assert browsing.page.is_hidden("#bulletin")
    assert browsing.page.input_value("#period-input") == "2025-13"
    assert not any("/reports/statistics" in url for url in requested)


def test_without_a_period_the_page_asks_for_one(served: Served, browsing: Browsing) -> None:
    browsing.page.goto("/reports/bulletin")
    status = browsing.page.wait_for_selector(
        "#status[data-status='choose']", timeout=LOAD_TIMEOUT_MS
    )
    assert status is not None and "Choose a period" in status.inner_text()
    browsing.page.fill("#period-input", "2025-11")
    browsing.page.click("#period-form button[type='submit']")
    browsing.page.wait_for_selector(
        "#bulletin[data-ready='true'][data-period='2025-11']", timeout=LOAD_TIMEOUT_MS
    )
    assert browsing.page.url.endswith("/reports/bulletin?period=2025-11")
    assert bar_keys(browsing.page, "chart-standards") == [BIM, WEB]


def test_a_refusal_of_the_server_is_shown(served: Served, browsing: Browsing) -> None:
    detail = "query parameter 'period' is refused for this test"
    browsing.expected.add(
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    )

    def refused(route: Route) -> None:
        route.fulfill(
            status=400,
            content_type="application/json",
            body=json.dumps({"status_code": 400, "detail": detail}),
        )

    browsing.page.route("**/reports/statistics?*", refused)
    browsing.page.goto("/reports/bulletin?period=2025-11")
    status = browsing.page.wait_for_selector(
        "#status[data-status='error']", timeout=LOAD_TIMEOUT_MS
    )
    assert status is not None
    assert "HTTP 400" in status.inner_text() and detail in status.inner_text()


def test_nothing_from_the_figures_is_rendered_as_markup(
    served: Served, province: Province, browsing: Browsing
) -> None:
    markup = "<img src=x onerror=alert(1)>"

    def poisoned(route: Route) -> None:
        body = json.loads(route.fetch().text())
        body["certificates"]["by_standard"][0]["title"] = markup
        body["coverage"]["schools"][0]["name"] = markup
        body["exited_schools"][0]["reason"] = markup
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    browsing.page.route("**/reports/statistics?*", poisoned)
    page = open_bulletin(browsing, "2025-11")
    assert markup[:20] in page.inner_text("#chart-standards")
    assert markup in page.inner_text("#exits-table")
    assert page.locator("main img").count() == 0
