"""Demo staff accounts: one for the office, an auditor, one organization and one school,
so that a newcomer can sign in to the consoles at once.

Their usernames are fixed (``demo-office`` ...) and their passwords drawn at random and
printed by ``certledger seed``; they are demo data, like the rest of the province.
The office's and the auditor's second factor is set up at their first sign-in.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from ledger.core.principals import Principal, Role
from ledger.domain.staff import StaffRole

if TYPE_CHECKING:
    from ledger.seed.province import Seeding


def _password() -> str:
    # Four groups of five: long, easy to type from a terminal, and never a common password.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4)]
    return "-".join(groups)


def seed_staff(seeding: Seeding) -> None:
    """Invite and activate one admin of each party; record usernames and passwords in the
    summary. The school is an active one with conversion rules, the organization an
    active one with standards."""
    school = next(
        s for s in seeding.schools if s.rules and s.id != seeding.summary.suspended_school
    )
    org = next(o for o in seeding.orgs if o.standards and o.id != seeding.summary.suspended_org)
    parties = (
        ("demo-office", Principal(Role.OFFICE), "项目办演示账号（样例数据）"),
        ("demo-auditor", Principal(Role.AUDITOR), "审计演示账号（样例数据）"),
        ("demo-org", Principal(Role.ORG, org.id), "组织演示账号（样例数据）"),
        ("demo-school", Principal(Role.SCHOOL, school.id), "学校演示账号（样例数据）"),
    )
    staff = seeding.ledger.staff
    for username, party, name in parties:
        invitation = staff.invite(None, party, StaffRole.ADMIN)
        password = _password()
        staff.activate(invitation.secret, username, password, name)
        seeding.summary.staff.append((str(party), username, password))
        if party.role is Role.SCHOOL:
            # A demo learner signs in at /learner with this code, then sets a password.
            students = seeding.ledger.school_lists.students(school.id, limit=1).items
            if students:
                acting = party.acting(invitation.account)
                code = seeding.ledger.learner_access.issue_code(acting, students[0]["account"])
                seeding.summary.learner = (students[0]["account"], code)
