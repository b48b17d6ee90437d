"""The registry service on a real database: checks under the write lock, nothing on refusal.

Races run on both engines: of two writers that conflict, exactly one is recorded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ledger.bootstrap import Ledger, open_ledger
from ledger.core.errors import Conflict, Forbidden, LedgerError, NotFound
from ledger.core.principals import Principal, Role
from ledger.services.registry import RegistryService
from ledger.storage.registry import (
    MAX_PAGE_SIZE,
    RegistryRepository,
    ensure_active_org,
    ensure_active_school,
)
from tests.integration.helpers import make_settings
from tests.registry_helpers import (
    credit_code,
    sample_org,
    sample_school,
    sample_standard,
)

OFFICE = Principal(Role.OFFICE)


@pytest.fixture
def sqlite_ledger(sqlite_url: str, tmp_path: Path) -> Iterator[Ledger]:
    opened = open_ledger(make_settings(tmp_path / "data", sqlite_url))
    yield opened
    opened.close()


def race(ledger: Ledger, writes: list[Callable[[RegistryService], object]]) -> list[object]:
    """Run ``writes`` at once, each through its own opened ledger; their outcomes in order."""
    barrier = threading.Barrier(len(writes))
    outcomes: list[object] = [None] * len(writes)
    opened = [open_ledger(ledger.settings, first_run=False) for _ in writes]

    def run(position: int) -> None:
        barrier.wait()
        try:
            outcomes[position] = writes[position](opened[position].registry)
        except LedgerError as exc:
            outcomes[position] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(writes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in opened:
        other.close()
    return outcomes


def kinds(ledger: Ledger) -> list[str]:
    return [entry.kind for entry in ledger.store.entries(0, ledger.store.size())]


def test_two_registrations_of_one_org_record_one(ledger: Ledger) -> None:
    org = sample_org(1)
    outcomes = race(ledger, [lambda r: r.register_org(OFFICE, org)] * 4)
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(refused) == 3, outcomes
    assert kinds(ledger).count("org.registered") == 1


def test_two_suspensions_of_one_school_record_one(ledger: Ledger) -> None:
    school = sample_school(1)
    ledger.registry.admit_school(OFFICE, school)
    outcomes = race(
        ledger,
        [lambda r: r.suspend_school(OFFICE, school.id, "检查发现问题")] * 3,
    )
    assert sum(isinstance(o, Conflict) for o in outcomes) == 2, outcomes
    assert kinds(ledger).count("school.suspended") == 1


def test_publishing_races_a_bar(sqlite_ledger: Ledger) -> None:
    org = sample_org(2)
    ledger = sqlite_ledger
    ledger.registry.register_org(OFFICE, org)
    actor = Principal(Role.ORG, org.id)
    outcomes = race(
        ledger,
        [
            lambda r: r.publish_standard(actor, sample_standard(org.id)),
            lambda r: r.bar_org(OFFICE, org.id, "弄虚作假"),
        ],
    )
    index_of = {entry.kind: entry.index for entry in ledger.store.entries(0, ledger.store.size())}
    published, barred = outcomes
    assert not isinstance(barred, LedgerError)
    if isinstance(published, Forbidden):
        assert "standard.published" not in index_of
        assert "is barred: 弄虚作假" in str(published)
    else:
        assert index_of["standard.published"] < index_of["org.barred"]


def test_refusals_write_nothing(sqlite_ledger: Ledger) -> None:
    ledger = sqlite_ledger
    registry = ledger.registry
    org, school = sample_org(3), sample_school(3)
    registry.register_org(OFFICE, org)
    registry.admit_school(OFFICE, school)
    registry.bar_org(OFFICE, org.id, "违规")
    size = ledger.store.size()
    refusals: list[tuple[type[LedgerError], Callable[[], object]]] = [
        (Conflict, lambda: registry.register_org(OFFICE, org)),
        (Conflict, lambda: registry.reinstate_org(OFFICE, org.id, "申诉")),
        (Conflict, lambda: registry.admit_school(OFFICE, school)),
        (Conflict, lambda: registry.reinstate_school(OFFICE, school.id, "无")),
        (NotFound, lambda: registry.suspend_org(OFFICE, credit_code(99), "无")),
        (NotFound, lambda: registry.expel_school(OFFICE, sample_school(99).id, "无")),
        (Forbidden, lambda: registry.suspend_org(Principal(Role.AUDITOR), org.id, "无")),
        (Forbidden, lambda: registry.publish_standard(OFFICE, sample_standard(org.id))),
        (
            Forbidden,
            lambda: registry.publish_standard(Principal(Role.ORG, org.id), sample_standard(org.id)),
        ),
    ]
    for error, refusal in refusals:
        with pytest.raises(error):
            refusal()
    assert ledger.store.size() == size


def test_a_standard_needs_a_registered_org(sqlite_ledger: Ledger) -> None:
    unknown = credit_code(77)
    with pytest.raises(Forbidden, match=f"organization {unknown} is not registered"):
        sqlite_ledger.registry.publish_standard(
            Principal(Role.ORG, unknown), sample_standard(unknown)
        )


def test_ensure_active_helpers(sqlite_ledger: Ledger) -> None:
    ledger = sqlite_ledger
    org, school = sample_org(4), sample_school(4)
    ledger.registry.register_org(OFFICE, org)
    ledger.registry.admit_school(OFFICE, school)
    with ledger.engine.connect() as connection:
        ensure_active_org(connection, org.id)
        ensure_active_school(connection, school.id)
        with pytest.raises(Forbidden, match="is not admitted"):
            ensure_active_school(connection, sample_school(5).id)
    ledger.registry.suspend_school(OFFICE, school.id, "年度检查不合格")
    ledger.registry.suspend_org(OFFICE, org.id, "收费超标")
    with ledger.engine.connect() as connection:
        with pytest.raises(Forbidden, match=f"school {school.id} is suspended: 年度检查不合格"):
            ensure_active_school(connection, school.id)
        with pytest.raises(Forbidden, match=f"organization {org.id} is suspended: 收费超标"):
            ensure_active_org(connection, org.id)


def test_projection_records_indexes_and_keeps_the_contact_out_of_the_entry(
    sqlite_ledger: Ledger,
) -> None:
    ledger = sqlite_ledger
    org = sample_org(6)
    registered = ledger.registry.register_org(OFFICE, org)
    suspended = ledger.registry.suspend_org(OFFICE, org.id, "暂停")
    record = ledger.registry.org(OFFICE, org.id)
    assert (record.registered_index, record.status_index) == (registered.index, suspended.index)
    assert (record.status, record.reason, record.contact) == ("suspended", "暂停", org.contact)
    assert ledger.registry.org(None, org.id).contact is None
    entry = ledger.store.entries(registered.index, registered.index + 1)[0]
    assert org.contact.encode() not in entry.data
    assert json.loads(entry.data)["payload"].keys() == {"org", "name", "contact_commitment"}


def test_pages_are_bounded(sqlite_ledger: Ledger) -> None:
    repository = RegistryRepository(sqlite_ledger.engine)
    for limit, offset in ((0, 0), (MAX_PAGE_SIZE + 1, 0), (10, -1)):
        with pytest.raises(ValueError, match="limit must be"):
            repository.orgs(status=None, name_contains=None, limit=limit, offset=offset)
