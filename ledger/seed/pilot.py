"""The pilot year: plans and their review, fee caps, assessment sites, and assessments with
their candidates, results and certificates."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ledger.domain.pilot import PASS_MARK, Result, Site, assessment_from_request, plan_from_request
from ledger.domain.registry import CITIES, LEVEL_ORDER, Level, SchoolLevel
from ledger.kinds import Kind
from ledger.seed.facts import COVERAGE_GAPS, OFFICE, SAMPLE, STANDARD_FACTS, STANDARDS
from ledger.seed.model import Org, PilotSchool, Session, SitePlan, Student

if TYPE_CHECKING:
    from ledger.seed.province import Seeding

_SESSION_SIZE = 120  # the most candidates one assessment session takes


# -- making up the plans, sessions and sites (pure) ---------------------------------


def choose_reviews(rng: random.Random, schools: Sequence[PilotSchool]) -> None:
    """A few plans are returned for revision; one is rejected (not in a gap city, so
    the gaps stay visible)."""
    rejected = rng.choice([s for s in schools if s.school.city not in COVERAGE_GAPS])
    rejected.review = "reject"
    others = [school for school in schools if school is not rejected]
    for school in rng.sample(others, max(1, round(0.08 * len(schools)))):
        school.review = "return"


def plan_items(rng: random.Random, school: PilotSchool) -> None:
    """One or two standards, at junior (secondary) or intermediate (higher) level;
    sometimes the next level of the first one as well."""
    higher = school.school.level is SchoolLevel.HIGHER
    count = rng.choice((1, 1, 2, 2, 3))
    level, next_level = (
        (Level.INTERMEDIATE, Level.SENIOR) if higher else (Level.JUNIOR, Level.INTERMEDIATE)
    )
    codes = rng.sample([facts.code for facts in STANDARDS], min(count, 2))
    school.items = [(code, level) for code in codes]
    if count == 3:
        school.items.append((codes[0], next_level))


def _host(city: str) -> str:
    """The city whose sites a school's candidates sit their assessments at."""
    return COVERAGE_GAPS.get(city, city)


def make_sessions(
    rng: random.Random, schools: Sequence[PilotSchool], owner: dict[str, Org], today: date
) -> list[Session]:
    """Assessment sessions of at most _SESSION_SIZE candidates, in date order, on days of
    recent months this year (up to today); a quarter of them this month, so that this
    month's bulletin has something to show."""
    pools: dict[tuple[str, str, Level], list[tuple[PilotSchool, Student]]] = defaultdict(list)
    for school in schools:
        for student in school.students:
            if student.item is not None:
                code, level = student.item
                pools[(_host(school.school.city), code, level)].append((school, student))
    first = max(date(today.year, 1, 1), today - timedelta(days=150))
    this_month = max(first, today.replace(day=1))
    sessions: list[Session] = []
    for (host, code, level), seats in pools.items():
        size = math.ceil(len(seats) / math.ceil(len(seats) / _SESSION_SIZE))
        for start in range(0, len(seats), size):
            since = this_month if len(sessions) % 4 == 0 else first
            on = since + timedelta(days=rng.randint(0, (today - since).days))
            part = seats[start : start + size]
            sessions.append(Session(owner[code], host, code, level, on, part))
    sessions.sort(key=lambda session: session.on)
    return sessions


def make_sites(
    schools: Sequence[PilotSchool], owner: dict[str, Org], sessions: Sequence[Session]
) -> dict[tuple[Org, str], SitePlan]:
    """(organization, city) -> its site there: the standards the approved plans of the
    city's schools (and of the gap cities it hosts) name, seats for its largest session."""
    sites: dict[tuple[Org, str], SitePlan] = defaultdict(SitePlan)
    for school in schools:
        if school.approved:
            for code in school.standards:
                sites[(owner[code], _host(school.school.city))].standards.add(code)
    for session in sessions:
        site = sites[(session.org, session.host)]
        site.capacity = max(site.capacity, math.ceil(len(session.seats) / 10) * 10)
    return dict(sites)


# -- writing the year -----------------------------------------------------------------


def set_fee_caps(seeding: Seeding) -> None:
    """The office's fee caps, per standard and level."""
    for facts in STANDARDS:
        for level, cap in zip(LEVEL_ORDER, facts.fee_caps, strict=True):
            seeding.ledger.pilot.set_fee_cap(OFFICE, facts.code, level.value, cap)
            seeding.summary.fee_caps += 1
            seeding.step()


def file_plans(seeding: Seeding) -> None:
    """Each school files its plan; the office approves, returns or rejects it."""
    pilot = seeding.ledger.pilot
    for school in seeding.schools:
        items = [
            {
                "standard": code,
                "level": level.value,
                "candidates": max(
                    1, math.ceil(1.15 * sum(s.item == (code, level) for s in school.students))
                ),
            }
            for code, level in school.items
        ]
        plan = plan_from_request(seeding.year, items)
        filed = pilot.file_plan(school.actor, school.id, plan)
        seeding.summary.plans += 1
        if school.review == "reject":
            comments = f"试点专业与证书领域不对应，师资和实训条件不满足要求{SAMPLE}"
            pilot.review_plan(OFFICE, filed.id, Kind.PLAN_REJECTED, comments)
            seeding.step(2)
            continue
        if school.review == "return":
            comments = f"请补充考核站点安排和师资培训计划后重新报送{SAMPLE}"
            pilot.review_plan(OFFICE, filed.id, Kind.PLAN_RETURNED, comments)
            filed = pilot.file_plan(school.actor, school.id, plan)
            seeding.summary.plans += 1
            seeding.step(2)
        pilot.review_plan(OFFICE, filed.id, Kind.PLAN_APPROVED, None)
        seeding.step(2)


def register_sites(seeding: Seeding) -> None:
    """Each organization opens a site in each city whose approved plans name its
    standards, except in the coverage-gap cities."""
    for (org, city), site in sorted(seeding.sites.items(), key=lambda item: item[0][1]):
        address = f"{CITIES[city].name_zh}职教园区{seeding.rng.randint(1, 99)}号实训楼{SAMPLE}"
        assessed = tuple(sorted(site.standards))
        recorded = seeding.ledger.pilot.register_site(
            org.actor, org.id, Site(city, address, site.capacity, assessed)
        )
        site.id = recorded.id
        seeding.summary.sites += 1
        seeding.step()


def run_assessments(seeding: Seeding) -> None:
    """Sessions in date order: scheduled by the organization, candidates enrolled by
    their schools, results recorded, certificates issued to those who passed."""
    pilot, summary, rng = seeding.ledger.pilot, seeding.summary, seeding.rng
    for session in seeding.sessions:
        org = session.org
        cap = STANDARD_FACTS[session.standard].fee_caps[LEVEL_ORDER.index(session.level)]
        assessment = pilot.schedule(
            org.actor,
            org.id,
            assessment_from_request(
                standard=session.standard,
                level=session.level.value,
                site=seeding.sites[(org, session.host)].id,
                on=session.on.isoformat(),
                fee=cap - rng.choice((0, 0, 20, 40, 60)),
            ),
        ).id
        by_school: dict[str, tuple[PilotSchool, list[str]]] = {}
        for school, student in session.seats:
            by_school.setdefault(school.id, (school, []))[1].append(student.account)
        for school, accounts in by_school.values():
            pilot.enrol_candidates(school.actor, assessment, accounts)
        pass_rate = rng.uniform(0.70, 0.85)
        results = []
        for _school, student in session.seats:
            passed = rng.random() < pass_rate
            score = rng.randint(PASS_MARK, 98) if passed else rng.randint(35, PASS_MARK - 1)
            results.append(Result(student.account, score, passed))
        pilot.record_results(org.actor, assessment, results)
        outcome = pilot.issue_certificates(org.actor, assessment).outcome
        issued = [] if outcome is None else outcome.certificates
        for certificate in issued:
            seeding.issued[certificate.account].append(
                (certificate, session.standard, session.level)
            )
        summary.assessments += 1
        summary.candidates += len(results)
        summary.passed += sum(result.passed for result in results)
        summary.certificates += len(issued)
        seeding.step(4)
