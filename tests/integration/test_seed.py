"""`certledger seed`: a sample province written through the services, on a fresh SQLite
ledger, that passes every audit, shows a coverage gap, and is seeded only once."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger, open_ledger
from ledger.core.errors import Conflict
from ledger.domain.registry import CITIES, OrgStatus, SchoolLevel, SchoolStatus
from ledger.seed import SeedSummary, seed_province
from scripts.cli import main
from tests.integration.helpers import make_settings

SCALE = 0.1


def _open(folder: Path) -> Ledger:
    return open_ledger(make_settings(folder, f"sqlite+pysqlite:///{folder}/ledger.db"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, SeedSummary]]:
    """One province at a small scale, shared by the module's tests (read only)."""
    ledger = _open(tmp_path_factory.mktemp("seed") / "data")
    calls: list[tuple[int, int]] = []
    try:
        summary = seed_province(ledger, scale=SCALE, progress=lambda *call: calls.append(call))
        assert calls and calls[-1][0] == calls[-1][1]  # the bar ends full
        yield ledger, summary
    finally:
        ledger.close()


def _kinds(ledger: Ledger) -> Counter[str]:
    return Counter(entry.kind for entry in ledger.store.iter_entries())


def test_every_city_has_pilot_schools_of_both_levels(seeded: tuple[Ledger, SeedSummary]) -> None:
    ledger, summary = seeded
    for city in CITIES:
        assert ledger.registry.schools(city=city).total >= 1, city
    for level in SchoolLevel:
        assert ledger.registry.schools(level=level).total >= 1
    assert ledger.registry.schools(limit=1).total == summary.schools >= len(CITIES)


def test_the_cities_are_those_of_the_shared_list(shared_dir: Path) -> None:
    with (shared_dir / "data" / "cities.csv").open(encoding="utf-8") as rows:
        listed = {row["code"]: (row["name_zh"], row["kind"]) for row in csv.DictReader(rows)}
    assert listed == {code: (city.name_zh, city.kind) for code, city in CITIES.items()}


def test_the_province_holds_what_a_demo_needs(seeded: tuple[Ledger, SeedSummary]) -> None:
    ledger, summary = seeded
    kinds = _kinds(ledger)
    assert kinds["org.registered"] == summary.orgs == 6
    assert kinds["standard.published"] == summary.standards == 6
    assert kinds["school.admitted"] == summary.schools
    assert kinds["certificate.issued"] == summary.certificates > 0
    assert kinds["conversion.recorded"] == summary.conversions > 0
    assert kinds["conversion.reversed"] == summary.reversals > 0
    assert kinds["certificate.revoked"] == summary.revocations == 2
    assert kinds["plan.approved"] > 0 and kinds["plan.returned"] > 0
    assert kinds["plan.rejected"] == 1
    assert kinds["learner.enrolled"] == summary.learners > 100
    assert kinds["credit.deposited"] == summary.course_credits > 0
    assert kinds["rule.published"] == summary.rules + 1  # one rule has a second version
    assert kinds["monitoring_point.designated"] == summary.monitoring_points >= 6
    assert kinds["self_evaluation.submitted"] == summary.reports > 0
    assert 0.6 <= summary.passed / summary.candidates <= 0.95
    assert summary.passed == summary.certificates  # every pass earned a certificate
    suspended = ledger.registry.schools(status=SchoolStatus.SUSPENDED)
    assert [school.id for school in suspended.items] == [summary.suspended_school]
    orgs = ledger.registry.orgs(None, status=OrgStatus.SUSPENDED)
    assert [org.id for org in orgs.items] == [summary.suspended_org]
    every_org = ledger.registry.orgs(None, limit=100).items
    assert all(org.name.endswith("（样例数据）") for org in every_org)
    # Every write names its actor: no entry but the ledger's own key and the operator's
    # invitations of the demo staff is the system's; each demo account activated itself.
    written = list(ledger.store.iter_entries())
    assert {e.principal.partition("/")[0].partition(":")[0] for e in written} == {
        "system", "office", "org", "school", "auditor"
    }  # fmt: skip
    assert {e.kind for e in written if e.principal == "system"} == {"key.added", "staff.invited"}
    assert [user for _party, user, _password in summary.staff] == [
        "demo-office", "demo-auditor", "demo-org", "demo-school"
    ]  # fmt: skip
    for party, username, password in summary.staff:
        signed = ledger.staff.authenticate(username, password, "127.0.0.1")
        assert str(signed.principal.party()) == party
        assert signed.second_factor == ("set_up" if party in ("office", "auditor") else "none")
    # The demo learner signs in with the printed code, then must set a password.
    assert summary.learner is not None
    account, code = summary.learner
    assert ledger.learner_access.authenticate(account, code, "127.0.0.1").activate


def test_the_coverage_report_shows_a_gap_or_two(seeded: tuple[Ledger, SeedSummary]) -> None:
    ledger, summary = seeded
    gaps = ledger.pilot.reads.site_coverage(summary.year)
    assert gaps
    assert {gap["city"] for gap in gaps} == set(summary.gap_cities)
    assert 1 <= len(summary.gap_cities) <= 2


def test_the_projections_and_the_log_pass_the_audits(seeded: tuple[Ledger, SeedSummary]) -> None:
    ledger, summary = seeded
    assert ledger.log.differences() == []
    ledger.log.checkpoint()
    report = audit(DatabaseSource(ledger.store))
    assert report.ok, report.fault
    assert report.tree_size == summary.entries == ledger.store.size()


def test_a_second_seeding_is_refused(seeded: tuple[Ledger, SeedSummary]) -> None:
    ledger, _summary = seeded
    size = ledger.store.size()
    with pytest.raises(Conflict, match="fresh instance"):
        seed_province(ledger, scale=SCALE)
    assert ledger.store.size() == size


def test_the_same_seed_makes_the_same_province(
    seeded: tuple[Ledger, SeedSummary], tmp_path: Path
) -> None:
    ledger, summary = seeded
    again = _open(tmp_path / "data")
    try:
        second = seed_province(again, scale=SCALE)

        def schools(of: Ledger) -> list[tuple[str, str, str, str]]:
            found = of.registry.schools(limit=100).items
            return [(s.id, s.name, s.city, s.level) for s in found]

        assert schools(again) == schools(ledger)
        assert (second.learners, second.certificates, second.conversions, second.sites) == (
            summary.learners, summary.certificates, summary.conversions, summary.sites
        )  # fmt: skip
    finally:
        again.close()


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("LEDGER_DATA_DIR", str(data_dir))
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    monkeypatch.setenv("LEDGER_PUBLIC_URL", "https://ledger.test")
    return data_dir


def test_the_seed_command_fills_a_fresh_instance_once(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed", "--scale", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "6 organizations" in out and "pilot schools" in out and "learners" in out
    assert "certificates" in out and "conversions" in out
    assert "https://ledger.test/verify" in out and "https://ledger.test/learner" in out
    assert "https://ledger.test/reports/bulletin?period=" in out

    assert main(["seed", "--scale", "0.05"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "seed a fresh instance" in " ".join(captured.err.split())

    # The sample entries of old are still there, positional or --samples.
    assert main(["seed", "3"]) == 0
    assert "appended 3 sample entries" in capsys.readouterr().out
    assert main(["seed", "--samples", "2", "--batch", "1"]) == 0
    assert "appended 2 sample entries" in capsys.readouterr().out
    assert main(["audit"]) == 0
    with pytest.raises(SystemExit, match="does not apply"):
        main(["seed", "3", "--scale", "0.5"])
