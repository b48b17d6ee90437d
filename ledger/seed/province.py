"""The orchestration: ``seed_province`` makes up the province, then writes it phase by
phase, and ``SeedSummary`` says what it wrote."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ledger.core.errors import Conflict, InvalidInput
from ledger.domain.certificates import verify_url
from ledger.domain.registry import LEVEL_ORDER, Level
from ledger.seed import credit_bank, oversight, people, pilot, registry, staff
from ledger.seed.facts import COVERAGE_GAPS, STANDARDS
from ledger.seed.model import Org
from ledger.services.certificates import Issued, china_today

if TYPE_CHECKING:
    from ledger.bootstrap import Ledger

__all__ = ["Progress", "SeedSummary", "Seeding", "seed_province"]

#: Called with (steps done, steps in all) as the seeding goes on.
Progress = Callable[[int, int], None]


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
    #: Demo staff accounts: (principal, username, password), demo data.
    staff: list[tuple[str, str, str]] = field(default_factory=list)
    #: A demo learner of the demo school and their activation code: (account, code).
    learner: tuple[str, str] | None = None


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
    return Seeding(ledger, scale, random.Random(rng_seed), china_today(), progress).run()


class Seeding:
    """Makes up the province first (pure, from the generator), then writes it phase by
    phase through the services, in the order a pilot year runs. The phases, in the
    modules beside this one, share this state and one generator, so their order is
    part of what makes the same province from the same seed."""

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
        self.orgs = registry.make_orgs(rng)
        self.owner = {code: org for org in self.orgs for code in org.standards}
        self.schools = registry.make_schools(rng, scale)
        pilot.choose_reviews(rng, self.schools)
        used: set[str] = set()
        for school in self.schools:
            pilot.plan_items(rng, school)
            people.students(rng, school, scale, used)
        self.sessions = pilot.make_sessions(rng, self.schools, self.owner, today)
        self.sites = pilot.make_sites(self.schools, self.owner, self.sessions)
        self.points = oversight.monitoring_points(rng, self.schools, scale)
        #: Issued certificates by account, with their standard and level.
        self.issued: dict[str, list[tuple[Issued, str, Level]]] = defaultdict(list)
        #: Converted certificates, with the organization that issued each.
        self.converted: list[tuple[Issued, Org]] = []
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
        registry.register_orgs(self)
        pilot.set_fee_caps(self)
        registry.admit_schools(self)
        pilot.file_plans(self)
        credit_bank.publish_rules(self)
        pilot.register_sites(self)
        credit_bank.enrol_learners(self)
        pilot.run_assessments(self)
        credit_bank.convert_certificates(self)
        credit_bank.revoke_two(self)
        oversight.oversee(self)
        oversight.suspend(self)
        staff.seed_staff(self)
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
