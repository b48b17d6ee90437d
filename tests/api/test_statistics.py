"""The office's statistics over HTTP (GET /reports/statistics), on SQLite and PostgreSQL.

A small province is built through the services (``build_province``, which the bulletin's
browser test uses too): four pilot schools in four cities, one of them suspended and one
expelled; two organizations with a standard each, one more barred and one suspended; a
site in a fifth city; two assessments of 2025 (a fail in March; three passes and a fail in
November) whose passes get certificates; certificates issued directly on chosen days,
including the last day of 2025-H1 and the first of 2025-H2; two conversions and the
revocation of one converted certificate, which reverses its conversion (both recorded
today, as the ledger dates them). Every figure of a month, a half-year and a year is then
compared with what was done, exactly; and a period with nothing in it gives zeros.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.credit_bank import Course, Rule
from ledger.domain.pilot import (
    PLAN_APPROVED,
    Result,
    Site,
    assessment_from_request,
    plan_from_request,
)
from ledger.domain.registry import Level, Standard
from tests.api.conftest import build_ledger
from tests.certificate_helpers import holder, holder_name, id_number
from tests.consent_helpers import consent
from tests.registry_helpers import DOCUMENT_HASH, sample_org, sample_school

OFFICE = Principal.parse("office")
BIM = "1X-BIM"
WEB = "1X-WEB"
BIM_TITLE = "建筑信息模型(BIM)"
WEB_TITLE = "Web前端开发"
COURSES = (Course("BIM101", "建筑信息模型基础", 3), Course("BIM102", "建筑信息模型实训", 2))
SUSPENSION = "未按期报送试点材料(样例) late pilot reports"
EXPULSION = "弄虚作假(样例) falsified records"
BAR = "违规收费(样例) fees above the cap"
ORG_SUSPENSION = "考核组织不规范(样例) irregular assessments"
REVOCATION = "考核舞弊(样例) misconduct"

#: The holders of the province (tests.certificate_helpers numbers) and where they stand.
S1_STUDENTS = (1, 2, 3, 12)  # then holder 4 too
S2_STUDENTS = (4, 5, 11)  # then holder 1 too
S3_STUDENTS = (6,)
ALL_HOLDERS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12)


@dataclass
class Province:
    """What build_province did, for the expectations."""

    bim_org: str
    web_org: str
    barred_org: str
    suspended_org: str
    schools: dict[str, str]  # S1..S4 -> school id
    names: dict[str, str]  # school id -> name
    org_names: dict[str, str]
    accounts: dict[int, str] = field(default_factory=dict)  # holder number -> account
    certificates: dict[str, str] = field(default_factory=dict)  # label -> number
    #: The day the conversions and the revocation were recorded (China's today).
    today: str = ""


def _actor(text: str) -> Principal:
    return Principal.parse(text)


def certificates_of(ledger: Ledger, account: str) -> list[str]:
    """The numbers of the certificates ``account`` holds."""
    outcomes = ledger.credit_bank.learner(OFFICE, account).outcomes
    return [outcome.source for outcome in outcomes if outcome.kind == "certificate"]


def build_province(ledger: Ledger) -> Province:
    """The province of this module's docstring, built through the services."""
    orgs = {
        key: sample_org(number)
        for key, number in [("A", 6101), ("B", 6102), ("C", 6103), ("D", 6104)]
    }
    for org in orgs.values():
        ledger.registry.register_org(OFFICE, org)
    a, b = orgs["A"].id, orgs["B"].id
    levels = {Level.JUNIOR: 2, Level.INTERMEDIATE: 4}
    ledger.registry.publish_standard(
        _actor(f"org:{a}"), Standard(BIM, a, BIM_TITLE, levels, DOCUMENT_HASH)
    )
    ledger.registry.publish_standard(
        _actor(f"org:{b}"), Standard(WEB, b, WEB_TITLE, levels, DOCUMENT_HASH)
    )

    made = {
        "S1": sample_school(9101, city="xian"),
        "S2": sample_school(9102, city="baoji"),
        "S3": sample_school(9103, city="xian"),
        "S4": sample_school(9104, city="yulin", level="secondary"),
    }
    for school in made.values():
        ledger.registry.admit_school(OFFICE, school)
    province = Province(
        bim_org=a,
        web_org=b,
        barred_org=orgs["C"].id,
        suspended_org=orgs["D"].id,
        schools={key: school.id for key, school in made.items()},
        names={school.id: school.name for school in made.values()},
        org_names={org.id: org.name for org in orgs.values()},
    )
    s1, s2, s3, s4 = (province.schools[k] for k in ("S1", "S2", "S3", "S4"))
    as_school = {s: _actor(f"school:{s}") for s in (s1, s2, s3, s4)}

    # Students: new learners by name and ID number, then two enrolled at a second school.
    for school, numbers in [(s1, S1_STUDENTS), (s2, S2_STUDENTS), (s3, S3_STUDENTS)]:
        for number in numbers:
            enrolled = ledger.credit_bank.enrol(as_school[school], school, **holder(number))
            province.accounts[number] = enrolled.account
    ledger.credit_bank.enrol(
        as_school[s2],
        s2,
        account=province.accounts[1],
        enrolment_code=consent(ledger, province.accounts[1]),
    )
    ledger.credit_bank.enrol(
        as_school[s1],
        s1,
        account=province.accounts[4],
        enrolment_code=consent(ledger, province.accounts[4]),
    )

    # Plans for 2025: S1's and S2's approved, S3's filed only.
    for school in (s1, s2, s3):
        plan = plan_from_request(2025, [{"standard": BIM, "level": "junior", "candidates": 30}])
        filed = ledger.pilot.file_plan(as_school[school], school, plan)
        if school != s3:
            ledger.pilot.review_plan(OFFICE, filed.id, PLAN_APPROVED, None)

    # Organization A's site in Xianyang, and its two assessments there.
    as_a, as_b = _actor(f"org:{a}"), _actor(f"org:{b}")
    site = ledger.pilot.register_site(as_a, a, Site("xianyang", "咸阳市样例路1号", 50, (BIM,))).id

    def assessment(
        on: str, enrolled: dict[str, list[int]], results: dict[int, tuple[int, bool]]
    ) -> None:
        scheduled = ledger.pilot.schedule(
            as_a,
            a,
            assessment_from_request(standard=BIM, level="junior", site=site, on=on, fee=200),
        ).id
        for school, numbers in enrolled.items():
            ledger.pilot.enrol_candidates(
                as_school[school], scheduled, [province.accounts[n] for n in numbers]
            )
        ledger.pilot.record_results(
            as_a,
            scheduled,
            [Result(province.accounts[n], score, passed) for n, (score, passed) in results.items()],
        )
        ledger.pilot.issue_certificates(as_a, scheduled)

    assessment("2025-03-10", {s2: [5]}, {5: (45, False)})
    assessment(
        "2025-11-20",
        {s1: [1, 2, 3], s2: [4]},
        {1: (88, True), 2: (75, True), 3: (52, False), 4: (66, True)},
    )
    # The passes' certificates, as their learning accounts hold them; the fails have none.
    for number in (1, 2, 3, 4, 5):
        held = certificates_of(ledger, province.accounts[number])
        assert len(held) == (1 if number in (1, 2, 4) else 0), number
        if held:
            province.certificates[f"assessed-{number}"] = held[0]

    # Certificates issued directly, on chosen days.
    for label, issuer, standard, number, on in [
        ("web-4", as_b, WEB, 4, "2025-11-05"),
        ("web-7", as_b, WEB, 7, "2025-11-12"),
        ("web-6", as_b, WEB, 6, "2025-07-01"),
        ("bim-8", as_a, BIM, 8, "2025-06-30"),
        ("web-9", as_b, WEB, 9, "2024-12-31"),
    ]:
        row = {"standard": standard, "level": "junior", **holder(number), "issued_on": on}
        certificate = ledger.certificates.issue(issuer, row)
        province.certificates[label] = certificate.certificate
        province.accounts.setdefault(number, certificate.account)
        assert province.accounts[number] == certificate.account

    # Two conversions at S1; revoking one certificate reverses its conversion.
    rule = ledger.credit_bank.publish_rule(
        as_school[s1],
        s1,
        Rule("P-BIM", BIM, Level.JUNIOR, COURSES, date(2020, 1, 1), None),
    )
    for number in (1, 2):
        converted = ledger.credit_bank.convert(
            as_school[s1],
            account=province.accounts[number],
            certificate=province.certificates[f"assessed-{number}"],
            rule=rule.rule,
            programme="P-BIM",
        )
        assert converted.credits == 5
    _, revoked_on = ledger.certificates.revoke(
        OFFICE, province.certificates["assessed-2"], REVOCATION
    )
    recorded = {
        c.recorded_on for c in ledger.credit_bank.learner(OFFICE, province.accounts[1]).conversions
    }
    if recorded != {revoked_on}:
        pytest.skip("the day changed (China time) while the province was built")
    province.today = revoked_on

    # Exits.
    ledger.registry.suspend_school(OFFICE, s3, SUSPENSION)
    ledger.registry.expel_school(OFFICE, s4, EXPULSION)
    ledger.registry.bar_org(OFFICE, province.barred_org, BAR)
    ledger.registry.suspend_org(OFFICE, province.suspended_org, ORG_SUSPENSION)
    return province


# -- what the figures must be ----------------------------------------------------------------


def city(code: str, zh: str, en: str, certificates: int) -> dict[str, Any]:
    return {"city": code, "name_zh": zh, "name_en": en, "certificates": certificates}


XIANYANG = ("xianyang", "咸阳市", "Xianyang")
BAOJI = ("baoji", "宝鸡市", "Baoji")
XIAN = ("xian", "西安市", "Xi'an")
UNASSIGNED = ("unassigned", "未归属", "Unassigned")


def months(year: int, counts: dict[int, int], span: range) -> list[dict[str, Any]]:
    return [{"month": f"{year}-{m:02d}", "certificates": counts.get(m, 0)} for m in span]


def pass_rate(
    standard: str, title: str, assessments: int, results: int, passed: int, rate: float | None
) -> dict[str, Any]:
    return {
        "standard": standard,
        "title": title,
        "assessments": assessments,
        "results": results,
        "passed": passed,
        "rate": rate,
    }


def coverage(province: Province, sat: tuple[int, int, int]) -> dict[str, Any]:
    """Schools S1 to S4 (5, 4, 1 and 0 students) with ``sat`` of S1, S2 and S3's students."""
    s = province.schools
    rows = [
        ("S1", "xian", "admitted", 5, sat[0]),
        ("S2", "baoji", "admitted", 4, sat[1]),
        ("S3", "xian", "suspended", 1, sat[2]),
        ("S4", "yulin", "expelled", 0, 0),
    ]
    # Each learner counted once over the province: 8 students; those who sat, without
    # counting holder 1 (S1 and S2) and holder 4 (S2 and S1) twice.
    province_sat = {(4, 3, 0): 5, (0, 1, 0): 1, (0, 0, 0): 0}[sat]
    return {
        "schools": [
            {
                "school": s[key],
                "name": province.names[s[key]],
                "city": where,
                "status": status,
                "students": students,
                "sat": sat_count,
                "share": None if students == 0 else round(sat_count / students, 4),
            }
            for key, where, status, students, sat_count in rows
        ],
        "students": 8,
        "sat": province_sat,
        "share": round(province_sat / 8, 4),
    }


AFTER_NOVEMBER = (4, 3, 0)  # S1: holders 1, 2, 3, 4; S2: 4, 5, 1 (12 and 11 never sat)
AFTER_MARCH = (0, 1, 0)  # S2: holder 5
BEFORE_ANY = (0, 0, 0)

NO_CONVERSIONS = {"recorded": 0, "reversed": 0, "credits": 0, "reversed_credits": 0}


def exits(province: Province) -> dict[str, Any]:
    s3, s4 = province.schools["S3"], province.schools["S4"]
    return {
        "exited_schools": [
            {
                "id": s3,
                "name": province.names[s3],
                "city": "xian",
                "status": "suspended",
                "reason": SUSPENSION,
            },
            {
                "id": s4,
                "name": province.names[s4],
                "city": "yulin",
                "status": "expelled",
                "reason": EXPULSION,
            },
        ],
        "exited_orgs": [
            {
                "id": province.barred_org,
                "name": province.org_names[province.barred_org],
                "status": "barred",
                "reason": BAR,
            },
            {
                "id": province.suspended_org,
                "name": province.org_names[province.suspended_org],
                "status": "suspended",
                "reason": ORG_SUSPENSION,
            },
        ],
    }


def counts(approved_plans: int) -> dict[str, int]:
    return {
        "schools_admitted": 2,
        "orgs_registered": 2,
        "standards": 2,
        "learners": len(ALL_HOLDERS),
        "sites": 1,
        "approved_plans": approved_plans,
    }


def period(text: str, kind: str, first: str, last: str) -> dict[str, Any]:
    year = int(text[:4])
    first_month, last_month = int(first[5:7]), int(last[5:7])
    return {
        "period": text,
        "kind": kind,
        "year": year,
        "first": first,
        "last": last,
        "months": [f"{year}-{m:02d}" for m in range(first_month, last_month + 1)],
    }


# -- fixtures --------------------------------------------------------------------------------


@dataclass
class Built:
    ledger: Ledger
    client: TestClient[Litestar]
    province: Province

    def statistics(self, text: str) -> dict[str, Any]:
        answer = self.client.get("/reports/statistics", params={"period": text})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        assert body["tree_size"] == self.ledger.store.size()
        return body

    def expected(self, **figures: Any) -> dict[str, Any]:
        return {"tree_size": self.ledger.store.size(), **exits(self.province), **figures}


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:
    """The province on each engine, once per module, and a client of its app."""
    data_dir: Path = tmp_path_factory.mktemp(f"statistics-{request.param}")
    if request.param == "sqlite":
        url, drop = f"sqlite+pysqlite:///{data_dir}/ledger.db", None
    else:
        server = request.getfixturevalue("postgres_server")
        name = f"statistics_{uuid.uuid4().hex[:12]}"
        url, drop = server.create_database(name), (server, name)
    ledger = build_ledger(url, data_dir)
    try:
        province = build_province(ledger)
        with TestClient(create_app(ledger)) as client:
            yield Built(ledger, client, province)
    finally:
        ledger.close()
        if drop is not None:
            drop[0].drop_database(drop[1])


# -- the figures -----------------------------------------------------------------------------


def test_a_month(built: Built) -> None:
    assert built.statistics("2025-11") == built.expected(
        period=period("2025-11", "month", "2025-11-01", "2025-11-30"),
        certificates={
            "issued": 5,
            "revoked": 0,
            "by_standard": [
                {"standard": BIM, "title": BIM_TITLE, "certificates": 3},
                {"standard": WEB, "title": WEB_TITLE, "certificates": 2},
            ],
            # Assessed: the site's city, whatever the holder's school (holders 1, 2, 4).
            # Holder 4's direct one: the school of the first enrolment (S2, not S1).
            # Holder 7 has no school.
            "by_city": [city(*XIANYANG, 3), city(*BAOJI, 1), city(*UNASSIGNED, 1)],
            "by_month": [{"month": "2025-11", "certificates": 5}],
        },
        pass_rates=[pass_rate(BIM, BIM_TITLE, 1, 4, 3, 0.75)],
        coverage=coverage(built.province, AFTER_NOVEMBER),
        conversions=NO_CONVERSIONS,
        counts=counts(approved_plans=2),
    )


def test_the_month_before_the_november_assessment(built: Built) -> None:
    figures = built.statistics("2025-10")
    assert figures["certificates"] == {
        "issued": 0,
        "revoked": 0,
        "by_standard": [],
        "by_city": [],
        "by_month": [{"month": "2025-10", "certificates": 0}],
    }
    assert figures["pass_rates"] == []
    # Coverage counts results of assessments dated up to the period's end: March's only.
    assert figures["coverage"] == coverage(built.province, AFTER_MARCH)


def test_the_second_half_year(built: Built) -> None:
    assert built.statistics("2025-H2") == built.expected(
        period=period("2025-H2", "half-year", "2025-07-01", "2025-12-31"),
        certificates={
            "issued": 6,
            "revoked": 0,
            "by_standard": [
                {"standard": BIM, "title": BIM_TITLE, "certificates": 3},
                {"standard": WEB, "title": WEB_TITLE, "certificates": 3},
            ],
            # Holder 6's (1 July) goes to S3's city, Xi'an.
            "by_city": [
                city(*XIANYANG, 3),
                city(*BAOJI, 1),
                city(*XIAN, 1),
                city(*UNASSIGNED, 1),
            ],
            "by_month": months(2025, {7: 1, 11: 5}, range(7, 13)),
        },
        pass_rates=[pass_rate(BIM, BIM_TITLE, 1, 4, 3, 0.75)],
        coverage=coverage(built.province, AFTER_NOVEMBER),
        conversions=NO_CONVERSIONS,
        counts=counts(approved_plans=2),
    )


def test_the_first_half_year(built: Built) -> None:
    assert built.statistics("2025-H1") == built.expected(
        period=period("2025-H1", "half-year", "2025-01-01", "2025-06-30"),
        certificates={
            "issued": 1,
            "revoked": 0,
            "by_standard": [{"standard": BIM, "title": BIM_TITLE, "certificates": 1}],
            "by_city": [city(*UNASSIGNED, 1)],
            "by_month": months(2025, {6: 1}, range(1, 7)),
        },
        # March: one candidate, failed: a rate of 0, not "nothing".
        pass_rates=[pass_rate(BIM, BIM_TITLE, 1, 1, 0, 0.0)],
        coverage=coverage(built.province, AFTER_MARCH),
        conversions=NO_CONVERSIONS,
        counts=counts(approved_plans=2),
    )


def test_a_year(built: Built) -> None:
    assert built.statistics("2025") == built.expected(
        period=period("2025", "year", "2025-01-01", "2025-12-31"),
        certificates={
            "issued": 7,
            "revoked": 0,
            "by_standard": [
                {"standard": BIM, "title": BIM_TITLE, "certificates": 4},
                {"standard": WEB, "title": WEB_TITLE, "certificates": 3},
            ],
            "by_city": [
                city(*XIANYANG, 3),
                city(*BAOJI, 1),
                city(*XIAN, 1),
                city(*UNASSIGNED, 2),  # unassigned comes last
            ],
            "by_month": months(2025, {6: 1, 7: 1, 11: 5}, range(1, 13)),
        },
        pass_rates=[pass_rate(BIM, BIM_TITLE, 2, 5, 3, 0.6)],
        coverage=coverage(built.province, AFTER_NOVEMBER),
        conversions=NO_CONVERSIONS,
        counts=counts(approved_plans=2),
    )
    # The year before: holder 9's certificate of its last day, and nothing else.
    before = built.statistics("2024")
    assert before["certificates"]["issued"] == 1
    assert before["certificates"]["by_city"] == [city(*UNASSIGNED, 1)]
    assert before["certificates"]["by_month"][-1] == {"month": "2024-12", "certificates": 1}
    assert before["counts"]["approved_plans"] == 0


def test_conversions_and_revocations_count_on_the_day_they_were_recorded(built: Built) -> None:
    today = built.province.today
    half = f"{today[:4]}-H{1 if int(today[5:7]) <= 6 else 2}"
    for text in (today[:7], half, today[:4]):
        figures = built.statistics(text)
        assert figures["conversions"] == {
            "recorded": 2,
            "reversed": 1,  # the revoked certificate's
            "credits": 10,
            "reversed_credits": 5,
        }, text
        assert figures["certificates"]["revoked"] == 1, text
        # Certificates count by their issue date: none was issued in this year.
        assert figures["certificates"]["issued"] == 0, text
        assert figures["certificates"]["by_standard"] == [], text
        assert figures["pass_rates"] == [], text
        assert figures["coverage"] == coverage(built.province, AFTER_NOVEMBER), text


def test_a_period_with_nothing_in_it_gives_zeros(built: Built) -> None:
    assert built.statistics("2019-01") == built.expected(
        period=period("2019-01", "month", "2019-01-01", "2019-01-31"),
        certificates={
            "issued": 0,
            "revoked": 0,
            "by_standard": [],
            "by_city": [],
            "by_month": [{"month": "2019-01", "certificates": 0}],
        },
        pass_rates=[],
        # Students are counted as enrolled now; none had sat an assessment by then.
        coverage=coverage(built.province, BEFORE_ANY),
        conversions=NO_CONVERSIONS,
        counts=counts(approved_plans=0),
    )


def test_an_empty_ledger_gives_zeros(tmp_path: Path) -> None:
    ledger = build_ledger(f"sqlite+pysqlite:///{tmp_path}/empty.db", tmp_path)
    try:
        with TestClient(create_app(ledger)) as client:
            answer = client.get("/reports/statistics?period=2026")
        assert answer.status_code == 200, answer.text
        figures = answer.json()
        assert figures["certificates"]["issued"] == 0
        assert figures["certificates"]["by_month"] == months(2026, {}, range(1, 13))
        assert figures["coverage"] == {"schools": [], "students": 0, "sat": 0, "share": None}
        assert figures["conversions"] == NO_CONVERSIONS
        assert figures["exited_schools"] == figures["exited_orgs"] == []
        assert set(figures["counts"].values()) == {0}
    finally:
        ledger.close()


# -- who may read it, and what it never shows --------------------------------------------------


def test_the_figures_are_public_and_carry_no_personal_data(built: Built) -> None:
    answer = built.client.get("/reports/statistics?period=2025")  # no token
    assert answer.status_code == 200
    for number in ALL_HOLDERS:
        assert holder_name(number) not in answer.text
        assert id_number(number) not in answer.text
        assert built.province.accounts[number] not in answer.text
    for certificate in built.province.certificates.values():
        assert certificate not in answer.text
    description = built.client.get("/schema/openapi.json").json()["paths"]["/reports/statistics"]
    operation = description["get"]
    assert "no token" in operation["description"] and "no personal data" in operation["description"]
    assert not operation.get("security")


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("", "query parameter 'period' is required"),
        ("?period=", "query parameter 'period' must be a month (YYYY-MM)"),
        ("?period=2026-13", "query parameter 'period' names month 13"),
        ("?period=2026-H3", "query parameter 'period' names half-year H3"),
        ("?period=2018", "query parameter 'period' must fall in a year 2019 to 2100"),
        ("?period=2026-Q4", "got '2026-Q4'"),
        ("?period=last-month", "query parameter 'period' must be"),
        ("?period=2026&period=2025", "query parameter 'period' is given 2 times"),
        ("?period=2026&year=2026", "unknown query parameter 'year'; this endpoint takes period"),
    ],
)
def test_a_bad_period_is_400_naming_it(built: Built, query: str, detail: str) -> None:
    answer = built.client.get(f"/reports/statistics{query}")
    assert answer.status_code == 400, answer.text
    assert detail in answer.json()["detail"]
