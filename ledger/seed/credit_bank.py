"""The credit bank: conversion rules, learners enrolled with their course credits,
certificates converted to course credits, and revocations that reverse conversions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.domain.credit_bank import CourseCredit, Rule, level_at_least, rule_from_request
from ledger.domain.registry import Level, SchoolLevel
from ledger.seed.facts import OFFICE, SAMPLE, STANDARD_FACTS

if TYPE_CHECKING:
    from ledger.seed.province import Seeding
    from ledger.services.certificates import Issued


def publish_rules(seeding: Seeding) -> None:
    """Schools with an approved plan publish a conversion rule per standard; one is
    revised (a second version)."""
    bank, year = seeding.ledger.credit_bank, seeding.year
    for school in seeding.schools:
        if not school.approved:
            continue
        for code in school.standards:
            level = school.minimum_level(code)
            programme = _programme(code, school.school.level)
            rule = _rule(code, programme, level, year)
            version = bank.publish_rule(school.actor, school.id, rule)
            school.rules.append((version.rule, code, level, programme))
            seeding.summary.rules += 1
            seeding.step()
    school = next(s for s in seeding.schools if s.rules)
    rule_id, code, level, programme = school.rules[0]
    revised = _rule(code, programme, level, year, with_practice=True)
    bank.publish_rule(school.actor, school.id, revised, replaces=rule_id)
    seeding.step()


def enrol_learners(seeding: Seeding) -> None:
    """Schools enrol their students (opening their learning accounts) and deposit
    last term's course results for some of them."""
    bank, term = seeding.ledger.credit_bank, f"{seeding.year - 1}-2"
    for school in seeding.schools:
        for student in school.students:
            enrolled = bank.enrol(
                school.actor, school.id, name=student.name, id_number=student.id_number
            )
            student.account = enrolled.account
            seeding.summary.learners += 1
            seeding.step()
    for school in seeding.schools:
        for student in school.students:
            if student.course is not None:
                code, title, credits = student.course
                grade = str(seeding.rng.randint(62, 97))
                credit = CourseCredit(code, title, credits, term, grade)
                bank.deposit(school.actor, student.account, credit)
                seeding.summary.course_credits += 1
                seeding.step()


def convert_certificates(seeding: Seeding) -> None:
    """Schools count most of their students' certificates toward their programmes,
    one batch per rule."""
    for school in seeding.schools:
        for number, (rule, code, minimum, programme) in enumerate(school.rules, start=1):
            rows = [
                certificate
                for student in school.students
                for certificate, standard, level in seeding.issued.get(student.account, [])
                if standard == code
                and level_at_least(level.value, minimum.value)
                and seeding.rng.random() < 0.75
            ]
            if rows:
                converted, _replayed = seeding.ledger.credit_bank.convert_batch(
                    school.actor,
                    f"seed-{seeding.year}-{school.id}-{number}",
                    [_conversion_row(row, rule, programme) for row in rows],
                )
                seeding.converted.extend((row, seeding.owner[code]) for row in rows)
                seeding.summary.conversions += len(converted)
            seeding.step()


def revoke_two(seeding: Seeding) -> None:
    """Two converted certificates revoked, one by its organization and one by the
    office: their conversions are reversed by new entries."""
    chosen = seeding.rng.sample(seeding.converted, min(2, len(seeding.converted)))
    reasons = (
        f"考核过程存在违规行为，成绩无效，依规撤销{SAMPLE}",
        f"证书信息与考核记录不符，项目办依职权撤销{SAMPLE}",
    )
    for (certificate, org), actor, reason in zip(chosen, (None, OFFICE), reasons, strict=False):
        seeding.ledger.certificates.revoke(actor or org.actor, certificate.certificate, reason)
        seeding.revoked.add(certificate.certificate)
        seeding.summary.revocations += 1
        seeding.summary.reversals += 1  # a certificate converted once: at its own school
        seeding.step()


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
