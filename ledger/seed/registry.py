"""The registry of the province: organizations and the standards they publish, and the
pilot schools, city by city."""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING

from ledger.domain.registry import (
    CITIES,
    LEVEL_ORDER,
    Organization,
    School,
    SchoolLevel,
    Standard,
)
from ledger.seed.facts import OFFICE, REGIONS, SAMPLE, STANDARD_FACTS
from ledger.seed.model import Org, PilotSchool
from ledger.seed.people import contact, credit_code

if TYPE_CHECKING:
    from ledger.seed.province import Seeding

#: Organizations and the standards each publishes (the last one is newly registered).
ORGANIZATIONS = (
    ("秦川建筑信息技术评价中心", ("1X-BIM",)),
    ("长安数字技能评价研究院", ("1X-WEB", "1X-TAX")),
    ("丝路现代物流职业技能评价中心", ("1X-LOG",)),
    ("关中康养照护职业技能评价中心", ("1X-ELDER",)),
    ("三秦汽车技术培训评价有限公司", ("1X-AUTO",)),
    ("渭水智能制造职业技能评价中心", ()),
)

#: Pilot schools per city at scale 1.0 (more in Xi'an): 40 in all.
SCHOOLS_PER_CITY = {
    "xian": 11, "tongchuan": 2, "baoji": 3, "xianyang": 3, "weinan": 3, "yanan": 2,
    "hanzhong": 3, "yulin": 2, "ankang": 2, "shangluo": 2, "yangling": 2, "xixian": 2,
    "hancheng": 1, "shenmu": 1, "fugu": 1,
}  # fmt: skip

#: Cities whose first pilot school is a higher vocational college.
_HIGHER_FIRST = frozenset(
    city for city, facts in CITIES.items() if facts.kind == "prefecture" or city == "yangling"
)

#: The 4-digit prefecture code in school identification codes, by city.
_SCHOOL_REGION = {city: regions[0][:4] for city, regions in REGIONS.items()}

_SCHOOL_WORDS = ("启明", "明德", "致远", "弘毅", "博雅", "精诚", "长风", "砺行", "知行", "笃行",
                 "崇实", "立新", "鸿志", "思源", "育才")  # fmt: skip


# -- making up the registry (pure) ----------------------------------------------------


def make_orgs(rng: random.Random) -> list[Org]:
    """The organizations, with fictitious credit codes."""
    return [Org(credit_code(rng), name + SAMPLE, codes) for name, codes in ORGANIZATIONS]


def make_schools(rng: random.Random, scale: float) -> list[PilotSchool]:
    """The pilot schools, city by city: at least one per city; the first school of a
    prefecture (or of Yangling) is a higher vocational college."""
    made: list[PilotSchool] = []
    names: set[str] = set()
    for city, count in SCHOOLS_PER_CITY.items():
        place = CITIES[city].name_zh
        for suffix in ("示范区", "新区", "市", "县"):
            place = place.removesuffix(suffix)
        for position in range(max(1, round(count * scale))):
            higher = city in _HIGHER_FIRST if position == 0 else rng.random() < 0.45
            kind = "职业技术学院" if higher else "职业中等专业学校"
            name = ""
            while not name or name in names:
                name = f"{place}{rng.choice(_SCHOOL_WORDS)}{kind}{SAMPLE}"
            names.add(name)
            code = f"41{_SCHOOL_REGION[city]}{1001 + len(made):04d}"
            level = SchoolLevel.HIGHER if higher else SchoolLevel.SECONDARY
            made.append(PilotSchool(School(code, name, city, level)))
    return made


# -- writing it -----------------------------------------------------------------------


def register_orgs(seeding: Seeding) -> None:
    """Organizations and their standards."""
    registry, summary = seeding.ledger.registry, seeding.summary
    for org in seeding.orgs:
        registry.register_org(OFFICE, Organization(org.id, org.name, contact(seeding.rng)))
        summary.orgs += 1
        seeding.step()
        for code in org.standards:
            facts = STANDARD_FACTS[code]
            document = f"{code} {facts.title} 职业技能等级标准{SAMPLE}".encode()
            credits = dict(zip(LEVEL_ORDER, facts.credits, strict=True))
            digest = hashlib.sha256(document).hexdigest()
            registry.publish_standard(
                org.actor, Standard(code, org.id, facts.title, credits, digest)
            )
            summary.standards += 1
            seeding.step()


def admit_schools(seeding: Seeding) -> None:
    """The office admits the pilot schools."""
    for school in seeding.schools:
        seeding.ledger.registry.admit_school(OFFICE, school.school)
        seeding.summary.schools += 1
        seeding.step()
