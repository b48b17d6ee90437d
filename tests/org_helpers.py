"""Helpers of the organization, office and learner console tests: an assessment with
candidates of a school, set up through the API as the parties would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.certificate_helpers import holder, make_issuer
from tests.registry_helpers import sample_school

OFFICE = Principal.parse("office")
_numbers = itertools.count(300)


@dataclass
class AssessmentWorld:
    org: str
    standard: str
    school: str
    plan: str
    site: str
    assessment: str
    candidates: list[str]
    numbers: list[int]


def _ok(answer: Any, status: int = 201) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def make_assessment(ledger: Ledger, client: Any, candidates: int = 3) -> AssessmentWorld:
    """A school with an approved plan, an organization's site and an assessment today with
    ``candidates`` of the school's students enrolled. ``client`` is any httpx-like client."""
    n = next(_numbers)

    def post(path: str, body: Any, principal: str) -> Any:
        token = ledger.tokens.mint(Principal.parse(principal))
        return client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})

    school = sample_school(n, city="xian")
    ledger.registry.admit_school(OFFICE, school)
    issuer = make_issuer(ledger, f"1X-R{n}")
    org = f"org:{issuer.org}"
    year = date.today().year
    plan = _ok(
        post(
            f"/schools/{school.id}/plans",
            {
                "year": year,
                "items": [{"standard": issuer.standard, "level": "junior", "candidates": 30}],
            },
            f"school:{school.id}",
        )
    )["id"]
    _ok(post(f"/plans/{plan}/approve", {}, "office"), 200)
    site = _ok(
        post(
            f"/orgs/{issuer.org}/sites",
            {
                "city": "xian",
                "address": "西安市样例路1号(样例数据)",
                "capacity": 50,
                "standards": [issuer.standard],
            },
            org,
        )
    )["id"]
    assessment = _ok(
        post(
            f"/orgs/{issuer.org}/assessments",
            {
                "standard": issuer.standard,
                "level": "junior",
                "site": site,
                "date": date.today().isoformat(),
                "fee": 200,
            },
            org,
        )
    )["id"]
    accounts, numbers = [], []
    for k in range(candidates):
        number = n * 100 + k
        enrolled = _ok(
            post(f"/schools/{school.id}/students", holder(number), f"school:{school.id}")
        )
        accounts.append(enrolled["account"])
        numbers.append(number)
    _ok(
        post(f"/assessments/{assessment}/candidates", {"accounts": accounts}, f"school:{school.id}")
    )
    return AssessmentWorld(
        issuer.org, issuer.standard, school.id, plan, site, assessment, accounts, numbers
    )
