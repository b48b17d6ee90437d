"""A demo province for a fresh ledger: Shaanxi's 1+X pilot in one year, made up.

``seed_province`` writes it through the normal services, so every change is a ledger
entry naming its actor and every rule of the services is checked on the way.

Everything here is sample data. Organization and school names end in "（样例数据）";
learners' names, resident identity numbers and contacts are fictitious, drawn from a
seeded random generator (well-formed GB 11643 numbers with Shaanxi region prefixes,
but belonging to nobody). Do not seed a ledger that holds real records.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ledger.core.errors import Conflict, InvalidInput
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import id_number_check_character, verify_url
from ledger.domain.credit_bank import CourseCredit, Rule, level_at_least, rule_from_request
from ledger.domain.pilot import PASS_MARK, Result, Site, assessment_from_request, plan_from_request
from ledger.domain.registry import (
    CITIES,
    CREDIT_CODE_ALPHABET,
    LEVEL_ORDER,
    Level,
    Organization,
    School,
    SchoolLevel,
    Standard,
    credit_code_check_character,
)
from ledger.services.certificates import Issued, china_today

if TYPE_CHECKING:
    from ledger.bootstrap import Ledger

__all__ = ["SeedSummary", "seed_province"]

#: Called with (steps done, steps in all) as the seeding goes on.
Progress = Callable[[int, int], None]

OFFICE = Principal(Role.OFFICE)
SAMPLE = "（样例数据）"

# -- the province's facts (sample data) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class _StandardFacts:
    """A first-batch 1+X certificate, the credits of its levels, the programmes that take it
    (higher, secondary), the courses a conversion counts it for and its fee caps (yuan)."""

    code: str
    title: str
    credits: tuple[int, int, int]
    programmes: tuple[str, str]
    courses: tuple[tuple[str, str, int], ...]
    fee_caps: tuple[int, int, int]


#: The first batch of 1+X certificates (2019), as in the pilot's notices.
STANDARDS = (
    _StandardFacts(
        "1X-BIM", "建筑信息模型(BIM)", (2, 4, 6), ("440301", "640301"),
        (("BIM-201", "建筑信息模型技术", 3), ("CAD-110", "建筑CAD", 2)), (380, 520, 680),
    ),
    _StandardFacts(
        "1X-WEB", "Web前端开发", (2, 4, 6), ("510201", "710201"),
        (("WEB-210", "Web前端开发技术", 4), ("JS-120", "JavaScript程序设计", 2)), (360, 480, 620),
    ),
    _StandardFacts(
        "1X-LOG", "物流管理", (2, 3, 4), ("530802", "730701"),
        (("LOG-150", "仓储与配送管理", 3),), (300, 420, 560),
    ),
    _StandardFacts(
        "1X-ELDER", "老年照护", (2, 4, 5), ("590302", "790301"),
        (("CARE-130", "老年照护技术", 4),), (320, 450, 600),
    ),
    _StandardFacts(
        "1X-AUTO", "汽车运用与维修", (2, 4, 6), ("500211", "700206"),
        (("AUTO-220", "汽车维护与保养", 3), ("AUTO-221", "汽车电气检修", 2)), (400, 560, 720),
    ),
    _StandardFacts(
        "1X-TAX", "智能财税", (2, 3, 5), ("530302", "730301"),
        (("ACC-140", "智能财税实务", 3),), (340, 460, 600),
    ),
)  # fmt: skip
STANDARD_FACTS = {facts.code: facts for facts in STANDARDS}

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

#: Cities left without an assessment site, so the coverage report has something to show;
#: their candidates sit the assessments in the neighbouring city.
COVERAGE_GAPS = {"fugu": "yulin", "shangluo": "xian"}

#: Region codes (GB/T 2260) of resident identity numbers, by city.
REGIONS = {
    "xian": ("610102", "610103", "610104", "610111", "610112", "610113", "610116", "610122"),
    "tongchuan": ("610202", "610203"),
    "baoji": ("610302", "610303", "610323"),
    "xianyang": ("610402", "610404", "610422"),
    "weinan": ("610502", "610522", "610528"),
    "yanan": ("610602", "610603"),
    "hanzhong": ("610702", "610703", "610723"),
    "yulin": ("610802", "610803"),
    "ankang": ("610902", "610921"),
    "shangluo": ("611002", "611021"),
    "yangling": ("610403",),
    "xixian": ("610117", "610404"),
    "hancheng": ("610581",),
    "shenmu": ("610881",),
    "fugu": ("610822",),
}

#: The 4-digit prefecture code in school identification codes, by city.
_SCHOOL_REGION = {city: regions[0][:4] for city, regions in REGIONS.items()}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖"
    "田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟建文辉力鹏飞宇浩然思雨欣怡晨阳"
    "子轩梓涵嘉琪佳慧博睿泽瑞凯婷雪琳颖璐航锦昊天乐诗涵俊宁远岚晓彤一诺梦瑶"
)
_SCHOOL_WORDS = ("启明", "明德", "致远", "弘毅", "博雅", "精诚", "长风", "砺行", "知行", "笃行",
                 "崇实", "立新", "鸿志", "思源", "育才")  # fmt: skip

#: Course results schools deposit (code, title, credits), by school level.
_COURSES = {
    SchoolLevel.HIGHER: (
        ("GEN-101", "思想道德与法治", 3),
        ("MATH-101", "高等数学", 4),
        ("ENG-101", "大学英语", 4),
        ("IT-101", "信息技术基础", 2),
    ),
    SchoolLevel.SECONDARY: (
        ("GEN-001", "中国特色社会主义", 2),
        ("CHN-001", "语文", 4),
        ("MATH-001", "数学", 4),
    ),
}

_SESSION_SIZE = 120  # the most candidates one assessment session takes


# -- what is seeded -----------------------------------------------------------------


@dataclass
class SeedSummary:
    """What ``seed_province`` wrote, and where a newcomer should look."""

    year: int
    orgs: int = 0
    standards: int = 0
    fee_caps: int = 0
    schools: int = 0
    plans: int = 0
    rules: int = 0
    sites: int = 0
    learners: int = 0
    course_credits: int = 0
    assessments: int = 0
    candidates: int = 0
    passed: int = 0
    certificates: int = 0
    conversions: int = 0
    revocations: int = 0
    reversals: int = 0
    monitoring_points: int = 0
    reports: int = 0
    #: Cities with pilot schools but no assessment site (the coverage report's gaps).
    gap_cities: list[str] = field(default_factory=list)
    suspended_school: str = ""
    suspended_org: str = ""
    entries: int = 0
    #: A learner with a conversion (``certledger token learner ACCOUNT`` opens /learner).
    example_account: str = ""
    #: The verification URL of one of that learner's valid certificates.
    example_verify_url: str = ""


@dataclass
class _Student:
    name: str
    id_number: str
    item: tuple[str, Level] | None  # the plan item the student sits, if any
    course: tuple[str, str, int] | None  # a course result the school deposits, if any
    account: str = ""


@dataclass
class _School:
    school: School
    items: list[tuple[str, Level]] = field(default_factory=list)
    students: list[_Student] = field(default_factory=list)
    review: str = "approve"  # approve; return (then refile and approve); reject
    #: Published conversion rules: (rule id, standard, minimum level, programme).
    rules: list[tuple[str, str, Level, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.school.id

    @property
    def actor(self) -> Principal:
        return Principal(Role.SCHOOL, self.school.id)

    @property
    def approved(self) -> bool:
        return self.review != "reject"

    @property
    def standards(self) -> list[str]:
        """The standards of the plan, in plan order, once each."""
        return list(dict.fromkeys(code for code, _level in self.items))

    def minimum_level(self, code: str) -> Level:
        return min((lv for c, lv in self.items if c == code), key=LEVEL_ORDER.index)


@dataclass(frozen=True)
class _Org:
    id: str
    name: str
    standards: tuple[str, ...]

    @property
    def actor(self) -> Principal:
        return Principal(Role.ORG, self.id)


@dataclass
class _Session:
    org: _Org
    host: str  # the city of the site
    standard: str
    level: Level
    on: date
    seats: list[tuple[_School, _Student]]


@dataclass
class _Site:
    standards: set[str] = field(default_factory=set)
    capacity: int = 40
    id: str = ""


# -- the seeding --------------------------------------------------------------------


def seed_province(
    ledger: Ledger,
    *,
    scale: float = 1.0,
    progress: Progress | None = None,
    rng_seed: int = 2026,
) -> SeedSummary:
    """Fill a fresh ledger with a sample province for this year (China time), sign a
    checkpoint, and return what was written.

    At ``scale`` 1.0: 6 organizations, 6 standards, 40 pilot schools over all 15
    cities, about 2,800 learners and 1,900 certificates. Smaller scales shrink the
    schools and the monitoring points, but every city keeps a school. The same
    ``rng_seed`` makes the same province, apart from the identifiers, salts and
    timestamps the services draw themselves. ``progress`` is called with
    (steps done, steps in all).

    Raises Conflict when the ledger already holds organizations or schools, and
    InvalidInput for a scale outside (0, 10]. A refusal of a service propagates:
    what was written until then stays written (the ledger is append-only).
    """
    if not 0 < scale <= 10:
        raise InvalidInput(f"the scale must be above 0 and at most 10, not {scale}")
    if ledger.registry.orgs(None, limit=1).total or ledger.registry.schools(limit=1).total:
        raise Conflict("the ledger already holds organizations or schools; seed a fresh instance")
    return _Seeder(ledger, scale, random.Random(rng_seed), china_today(), progress).run()


class _Seeder:
    """Makes up the province first (pure, from the generator), then writes it phase by
    phase through the services, in the order a pilot year runs."""

    def __init__(
        self,
        ledger: Ledger,
        scale: float,
        rng: random.Random,
        today: date,
        progress: Progress | None,
    ) -> None:
        self.ledger = ledger
        self.rng = rng
        self.year = today.year
        self.summary = SeedSummary(year=self.year, gap_cities=sorted(COVERAGE_GAPS))
        self.orgs = [_Org(_credit_code(rng), name + SAMPLE, codes) for name, codes in ORGANIZATIONS]
        self.owner = {code: org for org in self.orgs for code in org.standards}
        self.schools = _schools(rng, scale)
        _choose_reviews(rng, self.schools)
        used: set[str] = set()
        for school in self.schools:
            _plan_items(rng, school)
            _students(rng, school, scale, used)
        self.sessions = _sessions(rng, self.schools, self.owner, today)
        self.sites = _sites(self.schools, self.owner, self.sessions)
        self.points = _monitoring_points(rng, self.schools, scale)
        #: Issued certificates by account, with their standard and level.
        self.issued: dict[str, list[tuple[Issued, str, Level]]] = defaultdict(list)
        #: Converted certificates, with the organization that issued each.
        self.converted: list[tuple[Issued, _Org]] = []
        self.revoked: set[str] = set()
        self.done = 0
        self.total = self._count_steps()
        self.progress = progress

    def _count_steps(self) -> int:
        """Service calls to come, for the progress callback."""
        students = [student for school in self.schools for student in school.students]
        approved = [school for school in self.schools if school.approved]
        return (
            len(self.orgs) + len(self.owner) + len(STANDARDS) * len(LEVEL_ORDER)
            + len(self.schools) * 3 + 2 * sum(s.review == "return" for s in self.schools)
            + 2 * sum(len(school.standards) for school in approved) + 1
            + len(self.sites) + len(students) + sum(s.course is not None for s in students)
            + 4 * len(self.sessions) + 2 + len(self.points) + 5 + 2
        )  # fmt: skip

    def step(self, count: int = 1) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def run(self) -> SeedSummary:
        self.registry()
        self.plans()
        self.rules()
        self.register_sites()
        self.learners()
        self.assessments()
        self.conversions()
        self.revocations()
        self.oversight()
        self.exits()
        self.ledger.log.checkpoint()
        summary = self.summary
        summary.entries = self.ledger.store.size()
        example = next((c for c, _org in self.converted if c.certificate not in self.revoked), None)
        if example is not None:
            summary.example_account = example.account
            public_url = self.ledger.certificates.public_url
            summary.example_verify_url = verify_url(public_url, example.record)
        if self.progress is not None:
            self.progress(self.total, self.total)
        return summary

    # -- the phases of the year ------------------------------------------------------

    def registry(self) -> None:
        """Organizations and their standards, the office's fee caps, the pilot schools."""
        registry, summary = self.ledger.registry, self.summary
        for org in self.orgs:
            registry.register_org(OFFICE, Organization(org.id, org.name, _contact(self.rng)))
            summary.orgs += 1
            self.step()
            for code in org.standards:
                facts = STANDARD_FACTS[code]
                document = f"{code} {facts.title} 职业技能等级标准{SAMPLE}".encode()
                credits = dict(zip(LEVEL_ORDER, facts.credits, strict=True))
                digest = hashlib.sha256(document).hexdigest()
                registry.publish_standard(
                    org.actor, Standard(code, org.id, facts.title, credits, digest)
                )
                summary.standards += 1
                self.step()
        for facts in STANDARDS:
            for level, cap in zip(LEVEL_ORDER, facts.fee_caps, strict=True):
                self.ledger.pilot.set_fee_cap(OFFICE, facts.code, level.value, cap)
                summary.fee_caps += 1
                self.step()
        for school in self.schools:
            registry.admit_school(OFFICE, school.school)
            summary.schools += 1
            self.step()

    def plans(self) -> None:
        """Each school files its plan; the office approves, returns or rejects it."""
        pilot = self.ledger.pilot
        for school in self.schools:
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
            plan = plan_from_request(self.year, items)
            filed = pilot.file_plan(school.actor, school.id, plan)
            self.summary.plans += 1
            if school.review == "reject":
                comments = f"试点专业与证书领域不对应，师资和实训条件不满足要求{SAMPLE}"
                pilot.review_plan(OFFICE, filed.id, "plan.rejected", comments)
                self.step(2)
                continue
            if school.review == "return":
                comments = f"请补充考核站点安排和师资培训计划后重新报送{SAMPLE}"
                pilot.review_plan(OFFICE, filed.id, "plan.returned", comments)
                filed = pilot.file_plan(school.actor, school.id, plan)
                self.summary.plans += 1
                self.step(2)
            pilot.review_plan(OFFICE, filed.id, "plan.approved", None)
            self.step(2)

    def rules(self) -> None:
        """Schools with an approved plan publish a conversion rule per standard; one is
        revised (a second version)."""
        for school in self.schools:
            if not school.approved:
                continue
            for code in school.standards:
                level = school.minimum_level(code)
                programme = _programme(code, school.school.level)
                rule = _rule(code, programme, level, self.year)
                version = self.ledger.credit_bank.publish_rule(school.actor, school.id, rule)
                school.rules.append((version.rule, code, level, programme))
                self.summary.rules += 1
                self.step()
        school = next(s for s in self.schools if s.rules)
        rule_id, code, level, programme = school.rules[0]
        revised = _rule(code, programme, level, self.year, with_practice=True)
        self.ledger.credit_bank.publish_rule(school.actor, school.id, revised, replaces=rule_id)
        self.step()

    def register_sites(self) -> None:
        """Each organization opens a site in each city whose approved plans name its
        standards, except in the coverage-gap cities."""
        for (org, city), site in sorted(self.sites.items(), key=lambda item: item[0][1]):
            address = f"{CITIES[city].name_zh}职教园区{self.rng.randint(1, 99)}号实训楼{SAMPLE}"
            assessed = tuple(sorted(site.standards))
            recorded = self.ledger.pilot.register_site(
                org.actor, org.id, Site(city, address, site.capacity, assessed)
            )
            site.id = recorded.id
            self.summary.sites += 1
            self.step()

    def learners(self) -> None:
        """Schools enrol their students (opening their learning accounts) and deposit
        last term's course results for some of them."""
        bank, term = self.ledger.credit_bank, f"{self.year - 1}-2"
        for school in self.schools:
            for student in school.students:
                enrolled = bank.enrol(
                    school.actor, school.id, name=student.name, id_number=student.id_number
                )
                student.account = enrolled.account
                self.summary.learners += 1
                self.step()
        for school in self.schools:
            for student in school.students:
                if student.course is not None:
                    code, title, credits = student.course
                    grade = str(self.rng.randint(62, 97))
                    credit = CourseCredit(code, title, credits, term, grade)
                    bank.deposit(school.actor, student.account, credit)
                    self.summary.course_credits += 1
                    self.step()

    def assessments(self) -> None:
        """Sessions in date order: scheduled by the organization, candidates enrolled by
        their schools, results recorded, certificates issued to those who passed."""
        pilot, summary = self.ledger.pilot, self.summary
        for session in self.sessions:
            org = session.org
            cap = STANDARD_FACTS[session.standard].fee_caps[LEVEL_ORDER.index(session.level)]
            assessment = pilot.schedule(
                org.actor,
                org.id,
                assessment_from_request(
                    standard=session.standard,
                    level=session.level.value,
                    site=self.sites[(org, session.host)].id,
                    on=session.on.isoformat(),
                    fee=cap - self.rng.choice((0, 0, 20, 40, 60)),
                ),
            ).id
            by_school: dict[str, tuple[_School, list[str]]] = {}
            for school, student in session.seats:
                by_school.setdefault(school.id, (school, []))[1].append(student.account)
            for school, accounts in by_school.values():
                pilot.enrol_candidates(school.actor, assessment, accounts)
            pass_rate = self.rng.uniform(0.70, 0.85)
            results = []
            for _school, student in session.seats:
                passed = self.rng.random() < pass_rate
                score = (
                    self.rng.randint(PASS_MARK, 98)
                    if passed
                    else self.rng.randint(35, PASS_MARK - 1)
                )
                results.append(Result(student.account, score, passed))
            pilot.record_results(org.actor, assessment, results)
            outcome = pilot.issue_certificates(org.actor, assessment).outcome
            issued = [] if outcome is None else outcome.certificates
            for certificate in issued:
                self.issued[certificate.account].append(
                    (certificate, session.standard, session.level)
                )
            summary.assessments += 1
            summary.candidates += len(results)
            summary.passed += sum(result.passed for result in results)
            summary.certificates += len(issued)
            self.step(4)

    def conversions(self) -> None:
        """Schools count most of their students' certificates toward their programmes,
        one batch per rule."""
        for school in self.schools:
            for number, (rule, code, minimum, programme) in enumerate(school.rules, start=1):
                rows = [
                    certificate
                    for student in school.students
                    for certificate, standard, level in self.issued.get(student.account, [])
                    if standard == code
                    and level_at_least(level.value, minimum.value)
                    and self.rng.random() < 0.75
                ]
                if rows:
                    converted, _replayed = self.ledger.credit_bank.convert_batch(
                        school.actor,
                        f"seed-{self.year}-{school.id}-{number}",
                        [_conversion_row(row, rule, programme) for row in rows],
                    )
                    self.converted.extend((row, self.owner[code]) for row in rows)
                    self.summary.conversions += len(converted)
                self.step()

    def revocations(self) -> None:
        """Two converted certificates revoked, one by its organization and one by the
        office: their conversions are reversed by new entries."""
        chosen = self.rng.sample(self.converted, min(2, len(self.converted)))
        reasons = (
            f"考核过程存在违规行为，成绩无效，依规撤销{SAMPLE}",
            f"证书信息与考核记录不符，项目办依职权撤销{SAMPLE}",
        )
        for (certificate, org), actor, reason in zip(chosen, (None, OFFICE), reasons, strict=False):
            self.ledger.certificates.revoke(actor or org.actor, certificate.certificate, reason)
            self.revoked.add(certificate.certificate)
            self.summary.revocations += 1
            self.summary.reversals += 1  # a certificate converted once: at its own school
            self.step()

    def oversight(self) -> None:
        """Monitoring points, and self-evaluation reports of a few organizations and
        schools."""
        pilot, year = self.ledger.pilot, self.year
        for school, code in self.points:
            pilot.designate_point(OFFICE, school.id, code)
            self.summary.monitoring_points += 1
            self.step()
        for org in self.rng.sample([org for org in self.orgs if org.standards], 2):
            titles = "、".join(STANDARD_FACTS[code].title for code in org.standards)
            text = (
                f"{org.name}{year}年度在陕西省开展{titles}职业技能等级证书的培训与考核工作。"
                "考核站点运行平稳，考务人员均已完成培训；下一年度将扩大站点覆盖范围，"
                "加强考核质量监督。本报告为样例数据，仅供演示。"
            )
            title = f"{year}年度绩效自评报告{SAMPLE}"
            pilot.submit_report(org.actor, org.id, year, title, text)
            self.summary.reports += 1
            self.step()
        for school in self.rng.sample([school for school in self.schools if school.approved], 3):
            text = (
                f"{school.school.name}{year}年度1+X证书制度试点工作自评：组织"
                f"{len(school.students)}名学生参加试点，推进书证融通，将证书培训内容融入"
                "专业人才培养方案。本报告为样例数据，仅供演示。"
            )
            title = f"{year}年度1+X试点绩效自评{SAMPLE}"
            pilot.submit_report(school.actor, school.id, year, title, text)
            self.summary.reports += 1
            self.step()

    def exits(self) -> None:
        """Near the end of the year, one school and one organization are suspended; what
        they wrote before stays valid."""
        school = self.rng.choice([school for school in self.schools if school.rules])
        reason = f"年度检查发现考核组织不规范，暂停试点资格，限期整改{SAMPLE}"
        self.ledger.registry.suspend_school(OFFICE, school.id, reason)
        self.summary.suspended_school = school.id
        org = self.rng.choice([org for org in self.orgs if org.standards])
        reason = f"考核站点管理不到位，暂停在本省开展考核，限期整改{SAMPLE}"
        self.ledger.registry.suspend_org(OFFICE, org.id, reason)
        self.summary.suspended_org = org.id
        self.step(2)


# -- making up the province (pure) ---------------------------------------------------


def _credit_code(rng: random.Random) -> str:
    """A well-formed unified social credit code of a Xi'an company (fictitious)."""
    body = "91610100MA6" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
    return body + credit_code_check_character(body)


def _contact(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)}老师 029-8{rng.randint(0, 9_999_999):07d}"


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _id_number(rng: random.Random, city: str, born_in: range, used: set[str]) -> str:
    """A fictitious, well-formed resident identity number not in ``used`` (then added):
    mostly of the school's city, some of elsewhere in the province."""
    while True:
        home = city if rng.random() < 0.7 else rng.choice(sorted(REGIONS))
        born = date(rng.choice(born_in), 1, 1) + timedelta(days=rng.randint(0, 364))
        body = f"{rng.choice(REGIONS[home])}{born:%Y%m%d}{rng.randint(0, 999):03d}"
        number = body + id_number_check_character(body)
        if number not in used:
            used.add(number)
            return number


def _schools(rng: random.Random, scale: float) -> list[_School]:
    """The pilot schools, city by city: at least one per city; the first school of a
    prefecture (or of Yangling) is a higher vocational college."""
    made: list[_School] = []
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
            made.append(_School(School(code, name, city, level)))
    return made


def _choose_reviews(rng: random.Random, schools: Sequence[_School]) -> None:
    """A few plans are returned for revision; one is rejected (not in a gap city, so
    the gaps stay visible)."""
    rejected = rng.choice([s for s in schools if s.school.city not in COVERAGE_GAPS])
    rejected.review = "reject"
    others = [school for school in schools if school is not rejected]
    for school in rng.sample(others, max(1, round(0.08 * len(schools)))):
        school.review = "return"


def _plan_items(rng: random.Random, school: _School) -> None:
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


def _students(rng: random.Random, school: _School, scale: float, used: set[str]) -> None:
    """The school's students: most of an approved school sit one of its plan items;
    four in ten get a course result deposited."""
    higher = school.school.level is SchoolLevel.HIGHER
    count = max(6, round((90 if higher else 55) * scale * rng.uniform(0.75, 1.25)))
    born_in = range(2000, 2007) if higher else range(2005, 2008)
    courses = _COURSES[school.school.level]
    for _ in range(count):
        item = rng.choice(school.items) if school.approved and rng.random() < 0.88 else None
        course = rng.choice(courses) if rng.random() < 0.4 else None
        school.students.append(
            _Student(_name(rng), _id_number(rng, school.school.city, born_in, used), item, course)
        )


def _host(city: str) -> str:
    """The city whose sites a school's candidates sit their assessments at."""
    return COVERAGE_GAPS.get(city, city)


def _sessions(
    rng: random.Random, schools: Sequence[_School], owner: dict[str, _Org], today: date
) -> list[_Session]:
    """Assessment sessions of at most _SESSION_SIZE candidates, in date order, on days of
    recent months this year (up to today); a quarter of them this month, so that this
    month's bulletin has something to show."""
    pools: dict[tuple[str, str, Level], list[tuple[_School, _Student]]] = defaultdict(list)
    for school in schools:
        for student in school.students:
            if student.item is not None:
                code, level = student.item
                pools[(_host(school.school.city), code, level)].append((school, student))
    first = max(date(today.year, 1, 1), today - timedelta(days=150))
    this_month = max(first, today.replace(day=1))
    sessions: list[_Session] = []
    for (host, code, level), seats in pools.items():
        size = math.ceil(len(seats) / math.ceil(len(seats) / _SESSION_SIZE))
        for start in range(0, len(seats), size):
            since = this_month if len(sessions) % 4 == 0 else first
            on = since + timedelta(days=rng.randint(0, (today - since).days))
            part = seats[start : start + size]
            sessions.append(_Session(owner[code], host, code, level, on, part))
    sessions.sort(key=lambda session: session.on)
    return sessions


def _sites(
    schools: Sequence[_School], owner: dict[str, _Org], sessions: Sequence[_Session]
) -> dict[tuple[_Org, str], _Site]:
    """(organization, city) -> its site there: the standards the approved plans of the
    city's schools (and of the gap cities it hosts) name, seats for its largest session."""
    sites: dict[tuple[_Org, str], _Site] = defaultdict(_Site)
    for school in schools:
        if school.approved:
            for code in school.standards:
                sites[(owner[code], _host(school.school.city))].standards.add(code)
    for session in sessions:
        site = sites[(session.org, session.host)]
        site.capacity = max(site.capacity, math.ceil(len(session.seats) / 10) * 10)
    return dict(sites)


def _monitoring_points(
    rng: random.Random, schools: Sequence[_School], scale: float
) -> list[tuple[_School, str]]:
    """About ten schools per standard (fewer at small scales), those planning it first."""
    wanted = min(len(schools), max(1, round(10 * scale)))
    points: list[tuple[_School, str]] = []
    for facts in STANDARDS:
        planning = [s for s in schools if s.approved and facts.code in s.standards]
        others = [s for s in schools if s not in planning]
        chosen = rng.sample(planning, min(wanted, len(planning)))
        chosen += rng.sample(others, wanted - len(chosen))
        points.extend((school, facts.code) for school in chosen)
    return points


def _programme(code: str, level: SchoolLevel) -> str:
    higher, secondary = STANDARD_FACTS[code].programmes
    return higher if level is SchoolLevel.HIGHER else secondary


def _rule(
    code: str, programme: str, minimum: Level, year: int, with_practice: bool = False
) -> Rule:
    """A conversion rule valid from the start of the year to the summer after next; the
    revised version also counts a practice course."""
    courses = [
        {"code": course, "title": title, "credits": credits}
        for course, title, credits in STANDARD_FACTS[code].courses
    ]
    if with_practice:
        courses.append({"code": "PRAC-300", "title": "职业技能综合实训", "credits": 1})
    return rule_from_request(
        programme=programme,
        standard=code,
        min_level=minimum.value,
        courses=courses,
        valid_from=f"{year}-01-01",
        valid_to=f"{year + 2}-08-31",
    )


def _conversion_row(certificate: Issued, rule: str, programme: str) -> dict[str, str]:
    return {
        "account": certificate.account,
        "certificate": certificate.certificate,
        "rule": rule,
        "programme": programme,
    }
