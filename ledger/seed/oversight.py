"""The office's oversight: monitoring points, self-evaluation reports, and the suspension
of a school and an organization near the end of the year."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ledger.seed.facts import OFFICE, SAMPLE, STANDARD_FACTS, STANDARDS
from ledger.seed.model import PilotSchool

if TYPE_CHECKING:
    from ledger.seed.province import Seeding


def monitoring_points(
    rng: random.Random, schools: Sequence[PilotSchool], scale: float
) -> list[tuple[PilotSchool, str]]:
    """About ten schools per standard (fewer at small scales), those planning it first."""
    wanted = min(len(schools), max(1, round(10 * scale)))
    points: list[tuple[PilotSchool, str]] = []
    for facts in STANDARDS:
        planning = [s for s in schools if s.approved and facts.code in s.standards]
        others = [s for s in schools if s not in planning]
        chosen = rng.sample(planning, min(wanted, len(planning)))
        chosen += rng.sample(others, wanted - len(chosen))
        points.extend((school, facts.code) for school in chosen)
    return points


def oversee(seeding: Seeding) -> None:
    """Monitoring points, and self-evaluation reports of a few organizations and
    schools."""
    pilot, year, rng, summary = seeding.ledger.pilot, seeding.year, seeding.rng, seeding.summary
    for school, code in seeding.points:
        pilot.designate_point(OFFICE, school.id, code)
        summary.monitoring_points += 1
        seeding.step()
    for org in rng.sample([org for org in seeding.orgs if org.standards], 2):
        titles = "、".join(STANDARD_FACTS[code].title for code in org.standards)
        text = (
            f"{org.name}{year}年度在陕西省开展{titles}职业技能等级证书的培训与考核工作。"
            "考核站点运行平稳，考务人员均已完成培训；下一年度将扩大站点覆盖范围，"
            "加强考核质量监督。本报告为样例数据，仅供演示。"
        )
        title = f"{year}年度绩效自评报告{SAMPLE}"
        pilot.submit_report(org.actor, org.id, year, title, text)
        summary.reports += 1
        seeding.step()
    for school in rng.sample([school for school in seeding.schools if school.approved], 3):
        text = (
            f"{school.school.name}{year}年度1+X证书制度试点工作自评：组织"
            f"{len(school.students)}名学生参加试点，推进书证融通，将证书培训内容融入"
            "专业人才培养方案。本报告为样例数据，仅供演示。"
        )
        title = f"{year}年度1+X试点绩效自评{SAMPLE}"
        pilot.submit_report(school.actor, school.id, year, title, text)
        summary.reports += 1
        seeding.step()


def suspend(seeding: Seeding) -> None:
    """Near the end of the year, one school and one organization are suspended; what
    they wrote before stays valid."""
    registry, rng = seeding.ledger.registry, seeding.rng
    school = rng.choice([school for school in seeding.schools if school.rules])
    reason = f"年度检查发现考核组织不规范，暂停试点资格，限期整改{SAMPLE}"
    registry.suspend_school(OFFICE, school.id, reason)
    seeding.summary.suspended_school = school.id
    org = rng.choice([org for org in seeding.orgs if org.standards])
    reason = f"考核站点管理不到位，暂停在本省开展考核，限期整改{SAMPLE}"
    registry.suspend_org(OFFICE, org.id, reason)
    seeding.summary.suspended_org = org.id
    seeding.step(2)
