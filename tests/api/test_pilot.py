"""The pilot's procedures over HTTP: one test walks the whole workflow (plans and their
review, sites, fee caps, assessments, candidates, results and certificates, the credit
bank, monitoring points, self-evaluations, site coverage and the statistics), and every
refusal is checked with its status, its reason and nothing written.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.services.certificates import china_today
from tests.api.conftest import TokenFor
from tests.certificate_helpers import Issuer, holder, make_issuer
from tests.registry_helpers import sample_school

OFFICE = Principal.parse("office")
TODAY = china_today()
YEAR = TODAY.year
PERIOD = f"{TODAY:%Y-%m}"
#: Credits of a 1X-BIM junior certificate (tests/registry_helpers.sample_standard).
JUNIOR_CREDITS = 2


def claims_of(record: str) -> dict[str, Any]:
    """The payload of a compact JWS, decoded without checking the signature."""
    payload = record.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


@dataclass
class Pilot:
    client: TestClient[Litestar]
    token_for: TokenFor
    ledger: Ledger
    bim: Issuer
    web: Issuer
    school: str  # in xian
    other_school: str  # in baoji

    def post(self, path: str, body: Any, principal: str) -> Any:
        return self.client.post(path, json=body, headers=self.token_for(principal))

    def get(self, path: str, principal: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.token_for(principal))

    def ok(self, response: Any, status: int = 201) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    def file_plan(
        self, school: str | None = None, level: str = "junior", year: int = YEAR, **extra: Any
    ) -> str:
        school = school or self.school
        body = {
            "year": year,
            "items": [{"standard": self.bim.standard, "level": level, "candidates": 30}],
            **extra,
        }
        filed = self.ok(self.post(f"/schools/{school}/plans", body, f"school:{school}"))
        assert filed["status"] == "filed"
        return str(filed["id"])

    def review(self, plan: str, action: str = "approve", comments: str | None = None) -> Any:
        body = {} if comments is None else {"comments": comments}
        return self.ok(self.post(f"/plans/{plan}/{action}", body, "office"), 200)

    def site(
        self,
        issuer: Issuer | None = None,
        city: str = "xian",
        capacity: int = 50,
    ) -> str:
        issuer = issuer or self.bim
        body = {
            "city": city,
            "address": f"{city}市样例路1号(样例数据)",
            "capacity": capacity,
            "standards": [issuer.standard],
        }
        return str(self.ok(self.post(f"/orgs/{issuer.org}/sites", body, issuer.principal))["id"])

    def fee_cap(self, cap: int, level: str = "junior") -> Any:
        body = {"standard": self.bim.standard, "level": level, "cap": cap}
        return self.ok(self.post("/fee-guidelines", body, "office"))

    def assessment_body(
        self, site: str, level: str = "junior", fee: int = 200, on: str | None = None
    ) -> dict[str, Any]:
        return {
            "standard": self.bim.standard,
            "level": level,
            "site": site,
            "date": on or TODAY.isoformat(),
            "fee": fee,
        }

    def schedule(self, site: str, **changes: Any) -> str:
        body = self.assessment_body(site, **changes)
        return str(
            self.ok(self.post(f"/orgs/{self.bim.org}/assessments", body, self.bim.principal))["id"]
        )

    def student(self, number: int, school: str | None = None) -> str:
        school = school or self.school
        enrolled = self.ok(
            self.post(f"/schools/{school}/students", holder(number), f"school:{school}")
        )
        return str(enrolled["account"])

    def candidates(self, assessment: str, accounts: list[str], school: str | None = None) -> Any:
        school = school or self.school
        return self.post(
            f"/assessments/{assessment}/candidates", {"accounts": accounts}, f"school:{school}"
        )


@pytest.fixture
def pilot(client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger) -> Pilot:
    schools = [sample_school(901, city="xian"), sample_school(902, city="baoji")]
    for school in schools:
        ledger.registry.admit_school(OFFICE, school)
    return Pilot(
        client,
        token_for,
        ledger,
        make_issuer(ledger, "1X-BIM"),
        make_issuer(ledger, "1X-WEB"),
        schools[0].id,
        schools[1].id,
    )


def test_the_whole_pilot_workflow(pilot: Pilot) -> None:
    p = pilot
    school, other = p.school, p.other_school

    # Plans: the xian school's is approved at once; the baoji school's is returned with
    # comments, and its revised plan is approved.
    plan = p.file_plan()
    assert p.review(plan)["status"] == "approved"
    first = p.file_plan(other)
    returned = p.review(first, "return", "请补充考核站点安排")
    assert returned == {"id": first, "index": returned["index"], "status": "returned"}
    revised = p.file_plan(other)
    assert p.review(revised, "approve", "同意")["status"] == "approved"
    older = p.file_plan(school, year=YEAR - 1)

    def plans(**filters: Any) -> list[tuple[str, str]]:
        found = p.ok(p.get("/plans", "office", **filters), 200)
        return [(row["plan"], row["status"]) for row in found]

    assert plans(year=YEAR) == [
        (plan, "approved"),
        (first, "returned"),
        (revised, "approved"),
    ]
    assert plans(year=YEAR - 1) == [(older, "filed")]
    assert plans(school=other) == [(first, "returned"), (revised, "approved")]
    assert plans(status="approved") == [(plan, "approved"), (revised, "approved")]
    assert plans(year=YEAR, school=school, status="filed") == []
    [returned_view] = p.ok(p.get("/plans", "office", status="returned"), 200)
    assert returned_view["comments"] == "请补充考核站点安排"
    assert returned_view["items"] == [
        {"standard": p.bim.standard, "level": "junior", "candidates": 30}
    ]

    # A site, a fee cap and an assessment within it.
    site = p.site(city="xian", capacity=40)
    assert [s["site"] for s in p.ok(p.get("/sites", "office", city="xian"), 200)] == [site]
    p.fee_cap(300)
    caps = p.ok(p.get("/fee-guidelines", "office"), 200)
    assert [(c["standard"], c["level"], c["cap"]) for c in caps] == [
        (p.bim.standard, "junior", 300)
    ]
    assessment = p.schedule(site, fee=280)

    # Students enrolled by name and ID number, then as candidates.
    accounts = [p.student(n) for n in range(1, 4)]
    enrolled = p.ok(p.candidates(assessment, accounts))
    assert [r["id"] for r in enrolled] == accounts

    # Results (two pass, one fails), certificates issued in the same request.
    scores = {accounts[0]: 91, accounts[1]: 75, accounts[2]: 42}
    body = {
        "results": [{"account": a, "score": s, "passed": s >= 60} for a, s in scores.items()],
        "issue": True,
    }
    recorded = p.ok(p.post(f"/assessments/{assessment}/results", body, p.bim.principal))
    assert recorded["assessment"] == assessment and recorded["recorded"] == 3
    numbers = recorded["certificates"]
    assert len(numbers) == 2 == len(set(numbers))

    holders = {}
    for number in numbers:
        status = p.ok(p.client.get(f"/certificates/{number}/status"), 200)
        assert status["status"] == "valid", status
        record = p.client.get(f"/certificates/{number}/record")
        assert record.status_code == 200
        claims = claims_of(record.text)
        assert claims["certificate"] == number
        assert claims["assessment"] == assessment
        assert claims["standard"] == p.bim.standard and claims["level"] == "junior"
        assert claims["issued_on"] == TODAY.isoformat()
        holders[number] = claims
    by_score = {claims["score"]: number for number, claims in holders.items()}
    assert sorted(by_score) == [75, 91]
    certificate_of = {accounts[0]: by_score[91], accounts[1]: by_score[75]}
    for account, number in certificate_of.items():
        view = p.ok(p.get(f"/learners/{account}", "office"), 200)
        [outcome] = [o for o in view["outcomes"] if o["kind"] == "certificate"]
        assert outcome["source"] == number
        assert outcome["credits"] == JUNIOR_CREDITS and outcome["counts"] is True
        assert outcome["level"] == "junior" and outcome["org"] == p.bim.org
        assert view["balance"]["deposited"] == JUNIOR_CREDITS
    failed = p.ok(p.get(f"/learners/{accounts[2]}", "office"), 200)
    assert failed["outcomes"] == []

    # A follow-up issues nothing new: same numbers, ledger size unchanged.
    size = p.ledger.store.size()
    again = p.ok(p.post(f"/assessments/{assessment}/certificates", None, p.bim.principal), 200)
    assert again == {"assessment": assessment, "recorded": 0, "certificates": [], "not_issued": []}
    assert p.ledger.store.size() == size
    view = p.ok(p.get(f"/assessments/{assessment}", p.bim.principal), 200)
    assert (view["candidates"], view["results"], view["passed"], view["certified"]) == (3, 3, 2, 2)
    assert (view["fee"], view["site"], view["date"]) == (280, site, TODAY.isoformat())
    for account, number in certificate_of.items():
        outcomes = p.ok(p.get(f"/learners/{account}", "office"), 200)["outcomes"]
        assert [o["source"] for o in outcomes if o["kind"] == "certificate"] == [number]

    # The credit bank: course credits, a conversion rule and a conversion.
    learner = accounts[0]
    credit = {
        "course": "CS101",
        "title": "程序设计",
        "credits": 4,
        "term": f"{YEAR}-1",
        "grade": "A",
    }
    p.ok(p.post(f"/learners/{learner}/credits", credit, f"school:{school}"))
    rule_body = {
        "programme": "P-BIM",
        "standard": p.bim.standard,
        "min_level": "junior",
        "courses": [
            {"code": "BIM101", "title": "建筑信息模型基础", "credits": 3},
            {"code": "BIM102", "title": "建筑信息模型实训", "credits": 2},
        ],
        "valid_from": "2020-01-01",
    }
    rule = p.ok(p.post(f"/schools/{school}/rules", rule_body, f"school:{school}"))["rule"]
    conversion = {
        "account": learner,
        "certificate": certificate_of[learner],
        "rule": rule,
        "programme": "P-BIM",
    }
    converted = p.ok(p.post("/conversions", conversion, f"school:{school}"))
    assert converted["credits"] == 5 and converted["version"] == 1
    account = p.ok(p.get(f"/learners/{learner}", "office"), 200)
    assert account["balance"] == {"deposited": JUNIOR_CREDITS + 4, "converted": 5}
    assert [c["certificate"] for c in account["conversions"]] == [certificate_of[learner]]

    # A monitoring point and its activity.
    point = {"school": school, "standard": p.bim.standard}
    p.ok(p.post("/monitoring-points", point, "office"))
    points = p.ok(p.get("/monitoring-points", "office"), 200)
    assert [
        (m["school"], m["standard"], m["candidates"], m["results"], m["passed"]) for m in points
    ] == [(school, p.bim.standard, 3, 3, 2)]
    assert p.ok(p.get("/monitoring-points", "auditor:a1"), 200) == points

    # Self-evaluations: the office reads both, each author its own, a learner nothing.
    org_report = {"year": YEAR, "title": "组织自评", "text": "本年度组织考核工作总结(样例)"}
    school_report = {"year": YEAR, "title": "学校自评", "text": "本年度试点工作总结(样例)"}
    org_id = p.ok(p.post(f"/orgs/{p.bim.org}/self-evaluations", org_report, p.bim.principal))["id"]
    school_id = p.ok(
        p.post(f"/schools/{school}/self-evaluations", school_report, f"school:{school}")
    )["id"]
    read = p.ok(p.get("/self-evaluations", "office"), 200)
    assert [(r["report"], r["author"], r["text"]) for r in read] == [
        (org_id, p.bim.principal, org_report["text"]),
        (school_id, f"school:{school}", school_report["text"]),
    ]
    assert [r["report"] for r in p.ok(p.get("/self-evaluations", "office", year=YEAR), 200)] == [
        org_id,
        school_id,
    ]
    assert p.ok(p.get("/self-evaluations", "office", year=YEAR - 1), 200) == []
    own = p.ok(p.get("/self-evaluations", f"school:{school}"), 200)
    assert [r["report"] for r in own] == [school_id]
    assert p.ok(p.get("/self-evaluations", f"school:{other}"), 200) == []
    assert [r["report"] for r in p.ok(p.get("/self-evaluations", p.bim.principal), 200)] == [org_id]
    refused = p.get("/self-evaluations", f"learner:{learner}")
    assert refused.status_code == 403, refused.text
    assert "only the office" in refused.json()["detail"]

    # Site coverage: approved plans in xian and baoji, a site only in xian.
    coverage = p.ok(p.get("/reports/site-coverage", "office", year=YEAR), 200)
    assert coverage == {
        "year": YEAR,
        "covered": False,
        "gaps": [{"city": "baoji", "standard": p.bim.standard, "schools": [other]}],
    }
    # The year before has only a filed plan: nothing to cover.
    assert p.ok(p.get("/reports/site-coverage", "office", year=YEAR - 1), 200)["covered"] is True
    p.site(city="baoji")
    coverage = p.ok(p.get("/reports/site-coverage", "office", year=YEAR), 200)
    assert coverage == {"year": YEAR, "covered": True, "gaps": []}

    # The office's statistics agree with what happened.
    statistics = p.client.get("/reports/statistics", params={"period": PERIOD})
    assert statistics.status_code == 200, (
        f"GET /reports/statistics?period={PERIOD} answers {statistics.status_code}: "
        f"{statistics.text}"
    )
    figures = statistics.json()
    assert figures["period"]["period"] == PERIOD, figures["period"]
    issued = figures["certificates"]
    assert issued["issued"] == 2 and issued["revoked"] == 0, issued
    assert [(s["standard"], s["certificates"]) for s in issued["by_standard"]] == [
        (p.bim.standard, 2)
    ], issued["by_standard"]
    assert [(c["city"], c["certificates"]) for c in issued["by_city"]] == [("xian", 2)], issued
    assert [(m["month"], m["certificates"]) for m in issued["by_month"]] == [(PERIOD, 2)], issued
    assert [
        (r["standard"], r["assessments"], r["results"], r["passed"]) for r in figures["pass_rates"]
    ] == [(p.bim.standard, 1, 3, 2)], figures["pass_rates"]
    assert figures["pass_rates"][0]["rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["conversions"] == {
        "recorded": 1,
        "reversed": 0,
        "credits": 5,
        "reversed_credits": 0,
    }, figures["conversions"]
    coverage_figures = figures["coverage"]
    assert (coverage_figures["students"], coverage_figures["sat"]) == (3, 3), coverage_figures
    assert coverage_figures["share"] == 1.0
    by_school = {s["school"]: (s["students"], s["sat"]) for s in coverage_figures["schools"]}
    assert by_school[school] == (3, 3), coverage_figures["schools"]
    assert figures["counts"]["approved_plans"] == 2, figures["counts"]
    assert figures["counts"]["sites"] == 2, figures["counts"]


# -- refusals ---------------------------------------------------------------------


@dataclass
class Scene:
    """An approved plan of the xian school for 1X-BIM junior, the BIM organization's site in
    xian holding three candidates, a junior assessment there with two candidates, a fee cap
    of 300 yuan, and a third student of the school who is no candidate."""

    plan: str
    site: str
    assessment: str
    candidates: list[str]
    student: str


@pytest.fixture
def scene(pilot: Pilot) -> Scene:
    plan = pilot.file_plan()
    pilot.review(plan)
    site = pilot.site(capacity=3)
    pilot.fee_cap(300)
    assessment = pilot.schedule(site)
    accounts = [pilot.student(n) for n in (1, 2)]
    pilot.ok(pilot.candidates(assessment, accounts))
    return Scene(plan, site, assessment, accounts, pilot.student(3))


#: What a case sends, once arranged: method, path, body (None for GET) and principal.
Request = tuple[str, str, Any, str]
Arrange = Callable[[Pilot, Scene], Request]


def _enrol_for_another_year(p: Pilot, s: Scene) -> Request:
    later = p.schedule(s.site, on=f"{YEAR + 1}-03-01")
    return (
        "POST",
        f"/assessments/{later}/candidates",
        {"accounts": [s.student]},
        f"school:{p.school}",
    )


def _enrol_with_a_plan_only_filed(p: Pilot, s: Scene) -> Request:
    p.file_plan(p.other_school)
    student = p.student(10, p.other_school)
    return (
        "POST",
        f"/assessments/{s.assessment}/candidates",
        {"accounts": [student]},
        f"school:{p.other_school}",
    )


def _enrol_at_another_level(p: Pilot, s: Scene) -> Request:
    intermediate = p.schedule(s.site, level="intermediate")
    return (
        "POST",
        f"/assessments/{intermediate}/candidates",
        {"accounts": [s.student]},
        f"school:{p.school}",
    )


def _fee_above_cap(p: Pilot, s: Scene) -> Request:
    return (
        "POST",
        f"/orgs/{p.bim.org}/assessments",
        p.assessment_body(s.site, fee=301),
        p.bim.principal,
    )


def _suspended_school_enrols(p: Pilot, s: Scene) -> Request:
    p.ledger.registry.suspend_school(OFFICE, p.school, "inspection under way")
    return (
        "POST",
        f"/assessments/{s.assessment}/candidates",
        {"accounts": [s.student]},
        f"school:{p.school}",
    )


def _schedule_at_another_orgs_site(p: Pilot, s: Scene) -> Request:
    body = {**p.assessment_body(s.site), "standard": p.web.standard}
    return "POST", f"/orgs/{p.web.org}/assessments", body, p.web.principal


def _plan_for_another_school(p: Pilot, s: Scene) -> Request:
    body = {
        "year": YEAR,
        "items": [{"standard": p.bim.standard, "level": "junior", "candidates": 5}],
    }
    return "POST", f"/schools/{p.other_school}/plans", body, f"school:{p.school}"


def _approve_twice(p: Pilot, s: Scene) -> Request:
    return "POST", f"/plans/{s.plan}/approve", {}, "office"


def _return_an_approved_plan(p: Pilot, s: Scene) -> Request:
    return "POST", f"/plans/{s.plan}/return", {"comments": "再议"}, "office"


def _approve_a_rejected_plan(p: Pilot, s: Scene) -> Request:
    plan = p.file_plan(p.other_school)
    p.review(plan, "reject", "不符合条件")
    return "POST", f"/plans/{plan}/approve", {}, "office"


def _reviewer(principal: str) -> Arrange:
    def arrange(p: Pilot, s: Scene) -> Request:
        plan = p.file_plan(p.other_school)
        who = {"school": f"school:{p.other_school}", "org": p.bim.principal}.get(
            principal, principal
        )
        return "POST", f"/plans/{plan}/approve", {}, who

    return arrange


def _file_when_approved(p: Pilot, s: Scene) -> Request:
    body = {
        "year": YEAR,
        "items": [{"standard": p.web.standard, "level": "junior", "candidates": 5}],
    }
    return "POST", f"/schools/{p.school}/plans", body, f"school:{p.school}"


def _approve_a_second_plan(p: Pilot, s: Scene) -> Request:
    plans = [p.file_plan(p.other_school), p.file_plan(p.other_school)]
    p.review(plans[0])
    return "POST", f"/plans/{plans[1]}/approve", {}, "office"


def _another_schools_student(p: Pilot, s: Scene) -> Request:
    theirs = p.student(20, p.other_school)
    return (
        "POST",
        f"/assessments/{s.assessment}/candidates",
        {"accounts": [s.student, theirs]},
        f"school:{p.school}",
    )


def _over_capacity(p: Pilot, s: Scene) -> Request:
    return (
        "POST",
        f"/assessments/{s.assessment}/candidates",
        {"accounts": [s.student, p.student(4)]},
        f"school:{p.school}",
    )


def _results(accounts: list[str]) -> dict[str, Any]:
    return {
        "results": [{"account": a, "score": 80, "passed": True} for a in accounts],
        "issue": True,
    }


def _results_by_another_org(p: Pilot, s: Scene) -> Request:
    return "POST", f"/assessments/{s.assessment}/results", _results(s.candidates), p.web.principal


def _certificates_by_another_org(p: Pilot, s: Scene) -> Request:
    body = {"results": [{"account": s.candidates[0], "score": 80, "passed": True}]}
    p.ok(p.post(f"/assessments/{s.assessment}/results", body, p.bim.principal))
    return "POST", f"/assessments/{s.assessment}/certificates", None, p.web.principal


def _result_twice(p: Pilot, s: Scene) -> Request:
    first = {"results": [{"account": s.candidates[0], "score": 55, "passed": False}]}
    p.ok(p.post(f"/assessments/{s.assessment}/results", first, p.bim.principal))
    return "POST", f"/assessments/{s.assessment}/results", _results(s.candidates), p.bim.principal


def _result_for_a_non_candidate(p: Pilot, s: Scene) -> Request:
    body = _results([*s.candidates, s.student])
    return "POST", f"/assessments/{s.assessment}/results", body, p.bim.principal


def _site_for_another_orgs_standard(p: Pilot, s: Scene) -> Request:
    body = {"city": "xian", "address": "样例路2号", "capacity": 10, "standards": [p.web.standard]}
    return "POST", f"/orgs/{p.bim.org}/sites", body, p.bim.principal


def _site_in_an_unknown_city(p: Pilot, s: Scene) -> Request:
    body = {
        "city": "atlantis",
        "address": "样例路3号",
        "capacity": 10,
        "standards": [p.bim.standard],
    }
    return "POST", f"/orgs/{p.bim.org}/sites", body, p.bim.principal


def _fee_cap_by(principal: str) -> Arrange:
    def arrange(p: Pilot, s: Scene) -> Request:
        who = {"org": p.bim.principal, "school": f"school:{p.school}"}.get(principal, principal)
        body = {"standard": p.bim.standard, "level": "junior", "cap": 1000}
        return "POST", "/fee-guidelines", body, who

    return arrange


def _points_read_by_a_school(p: Pilot, s: Scene) -> Request:
    return "GET", "/monitoring-points", None, f"school:{p.school}"


def _point_designated_by_a_school(p: Pilot, s: Scene) -> Request:
    body = {"school": p.school, "standard": p.bim.standard}
    return "POST", "/monitoring-points", body, f"school:{p.school}"


def _report_for_another_school(p: Pilot, s: Scene) -> Request:
    body = {"year": YEAR, "title": "自评", "text": "样例"}
    return "POST", f"/schools/{p.other_school}/self-evaluations", body, f"school:{p.school}"


#: Each refusal: how to arrange it, its status and a part of its detail.
REFUSALS: dict[str, tuple[Arrange, int, str]] = {
    "no-approved-plan-for-the-year": (
        _enrol_for_another_year,
        409,
        f"approved plan for {YEAR + 1} does not offer",
    ),
    "plan-only-filed": (_enrol_with_a_plan_only_filed, 409, "does not offer 1X-BIM junior"),
    "plan-names-another-level": (
        _enrol_at_another_level,
        409,
        "does not offer 1X-BIM intermediate",
    ),
    "fee-above-cap": (_fee_above_cap, 400, "above the cap of 300 yuan"),
    "suspended-school-enrols": (_suspended_school_enrols, 403, "suspended: inspection under way"),
    "another-orgs-site": (_schedule_at_another_orgs_site, 403, "belongs to organization"),
    "plan-for-another-school": (_plan_for_another_school, 403, "may file its plans"),
    "approve-twice": (_approve_twice, 409, "approved plan"),
    "return-an-approved-plan": (_return_an_approved_plan, 409, "not under review"),
    "approve-a-rejected-plan": (_approve_a_rejected_plan, 409, "not under review"),
    "school-approves": (_reviewer("school"), 403, "only the office"),
    "org-approves": (_reviewer("org"), 403, "only the office"),
    "auditor-approves": (_reviewer("auditor:a1"), 403, "only the office"),
    "file-after-approval": (_file_when_approved, 409, f"approved plan for {YEAR} already"),
    "second-approval": (_approve_a_second_plan, 409, f"approved plan for {YEAR} already"),
    "not-the-schools-student": (_another_schools_student, 403, "is not a student of school"),
    "over-capacity": (_over_capacity, 409, "holds 3 candidates"),
    "results-by-another-org": (_results_by_another_org, 403, "records results of"),
    "certificates-by-another-org": (
        _certificates_by_another_org,
        403,
        "may issue its assessment's certificates",
    ),
    "result-twice": (_result_twice, 409, "recorded already"),
    "result-for-a-non-candidate": (_result_for_a_non_candidate, 400, "is not a candidate of"),
    "site-for-another-orgs-standard": (
        _site_for_another_orgs_standard,
        403,
        "is not one of organization",
    ),
    "unknown-city": (_site_in_an_unknown_city, 400, "field 'city' must be one of"),
    "fee-cap-by-an-org": (_fee_cap_by("org"), 403, "only the office"),
    "fee-cap-by-a-school": (_fee_cap_by("school"), 403, "only the office"),
    "points-read-by-a-school": (_points_read_by_a_school, 403, "only the office and auditors"),
    "point-designated-by-a-school": (_point_designated_by_a_school, 403, "only the office"),
    "report-for-another-school": (_report_for_another_school, 403, "itself may submit"),
}


@pytest.mark.parametrize(("arrange", "status", "reason"), REFUSALS.values(), ids=REFUSALS)
def test_every_refusal_names_its_reason_and_writes_nothing(
    pilot: Pilot, scene: Scene, arrange: Arrange, status: int, reason: str
) -> None:
    method, path, body, principal = arrange(pilot, scene)
    size = pilot.ledger.store.size()
    response = pilot.get(path, principal) if method == "GET" else pilot.post(path, body, principal)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert reason in detail, detail
    assert pilot.ledger.store.size() == size, f"a refused request wrote {path}"


def test_the_refusals_name_the_cap_and_the_sites_organization(pilot: Pilot, scene: Scene) -> None:
    fee = _fee_above_cap(pilot, scene)
    detail = pilot.post(fee[1], fee[2], fee[3]).json()["detail"]
    assert "fee" in detail and "301 yuan" in detail and "300 yuan" in detail
    site = _schedule_at_another_orgs_site(pilot, scene)
    detail = pilot.post(site[1], site[2], site[3]).json()["detail"]
    assert f"belongs to organization {pilot.bim.org}, not {pilot.web.org}" in detail
    assert scene.site in detail


def test_refused_candidates_and_results_leave_the_assessment_as_it_was(
    pilot: Pilot, scene: Scene
) -> None:
    before = pilot.ok(pilot.get(f"/assessments/{scene.assessment}", "office"), 200)
    for arrange in (_over_capacity, _another_schools_student, _result_for_a_non_candidate):
        _, path, body, principal = arrange(pilot, scene)
        assert pilot.post(path, body, principal).status_code in (400, 403, 409)
    after = pilot.ok(pilot.get(f"/assessments/{scene.assessment}", "office"), 200)
    assert after == before
    assert (after["candidates"], after["results"], after["certified"]) == (2, 0, 0)


@pytest.mark.parametrize("trigger", ["personal-data-erased", "assessment-dated-tomorrow"])
def test_results_with_issue_are_refused_whole_or_recorded(pilot: Pilot, trigger: str) -> None:
    """When the certificates of a results request with issue cannot be issued, the request
    either is refused and writes nothing, or records the results and says 201; never a
    refusal that wrote the results (a retry would then be 409 "recorded already")."""
    p = pilot
    on = TODAY + timedelta(days=1) if trigger == "assessment-dated-tomorrow" else TODAY
    p.review(p.file_plan(year=on.year))
    assessment = p.schedule(p.site(), on=on.isoformat())
    accounts = [p.student(n) for n in (1, 2)]
    p.ok(p.candidates(assessment, accounts))
    if trigger == "personal-data-erased":
        erased = p.client.delete(
            f"/learners/{accounts[0]}/personal-data", headers=p.token_for("office")
        )
        assert erased.status_code == 200, erased.text
    body = {
        "results": [{"account": a, "score": 80, "passed": True} for a in accounts],
        "issue": True,
    }
    size = p.ledger.store.size()
    response = p.post(f"/assessments/{assessment}/results", body, p.bim.principal)
    written = p.ledger.store.size() - size
    if response.status_code >= 400:
        assert written == 0, (
            f"POST /assessments/{{id}}/results with issue answered {response.status_code} "
            f"({response.json()['detail']!r}) but wrote {written} entries: the results are "
            "recorded though the request was refused"
        )
    else:
        assert response.status_code == 201, response.text
        assert response.json()["recorded"] == 2


def test_a_refiled_plan_names_the_returned_plan_it_replaces(pilot: Pilot) -> None:
    first = pilot.file_plan()
    body = {"year": YEAR, "items": [{"standard": pilot.bim.standard, "level": "junior",
                                     "candidates": 30}]}  # fmt: skip
    school = f"school:{pilot.school}"
    # Only a returned plan is refiled: a filed one is not.
    early = pilot.post(f"/schools/{pilot.school}/plans", {**body, "replaces": first}, school)
    assert early.status_code == 409 and "only a returned plan" in early.json()["detail"]
    pilot.review(first, "return", "请补充考核站点")
    other = pilot.post(
        f"/schools/{pilot.other_school}/plans",
        {**body, "replaces": first},
        f"school:{pilot.other_school}",
    )
    assert other.status_code == 404
    second = pilot.file_plan(replaces=first)
    entry = pilot.ledger.log.store.entries(0, pilot.ledger.log.store.size())[-1].payload()
    assert entry["plan"] == second and entry["replaces"] == first
    listed = {p["plan"]: p for p in pilot.ok(pilot.get("/plans", "office", year=YEAR), 200)}
    assert listed[second]["replaces"] == first and listed[first]["replaces"] is None
    assert pilot.ledger.log.differences() == []
