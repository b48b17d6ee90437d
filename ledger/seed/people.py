"""Fictitious people: learners' names and resident identity numbers, contacts, and the
unified social credit codes of organizations. Well-formed, but belonging to nobody."""

from __future__ import annotations

import random
from datetime import date, timedelta

from ledger.domain.certificates import id_number_check_character
from ledger.domain.registry import CREDIT_CODE_ALPHABET, SchoolLevel, credit_code_check_character
from ledger.seed.facts import REGIONS
from ledger.seed.model import PilotSchool, Student

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖"
    "田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟建文辉力鹏飞宇浩然思雨欣怡晨阳"
    "子轩梓涵嘉琪佳慧博睿泽瑞凯婷雪琳颖璐航锦昊天乐诗涵俊宁远岚晓彤一诺梦瑶"
)

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


def credit_code(rng: random.Random) -> str:
    """A well-formed unified social credit code of a Xi'an company (fictitious)."""
    body = "91610100MA6" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
    return body + credit_code_check_character(body)


def contact(rng: random.Random) -> str:
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


def students(rng: random.Random, school: PilotSchool, scale: float, used: set[str]) -> None:
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
            Student(_name(rng), _id_number(rng, school.school.city, born_in, used), item, course)
        )
