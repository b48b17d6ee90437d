"""The office's reads and the school's sheet of activation codes on SQLite and PostgreSQL
alike: schools searched by name or code, every party's staff accounts, API keys and
revocations paged, and codes given in one transaction to the students not yet activated."""

from __future__ import annotations

import pytest

from ledger.bootstrap import Ledger
from ledger.core.errors import Forbidden, NotFound
from ledger.core.principals import Principal
from ledger.services.access_overview import AccessOverview
from tests.console_helpers import OFFICE, make_school, staff_member
from tests.registry_helpers import sample_school

PASSWORD = "a quiet morning by the lake"


def test_the_office_reads_and_the_code_sheet(ledger: Ledger) -> None:
    school = make_school(ledger, students=3)
    other = sample_school(71_234, city="yulin")
    ledger.registry.admit_school(OFFICE, other)
    # A part of the name matches, or the start of the code; LIKE wildcards are literal.
    assert [s.id for s in ledger.registry.schools(name_contains="71234").items] == [other.id]
    assert [s.id for s in ledger.registry.schools(name_contains=other.id[:7]).items] == [other.id]
    assert ledger.registry.schools(name_contains="100%_").total == 0

    staff_member(ledger, f"school:{school.id}", "engine-clerk")
    staff_member(ledger, "auditor", "engine-auditor")
    key = ledger.tokens.create_api_key(school.principal)
    ledger.tokens.revoke_principal(Principal.parse(f"school:{other.id}"), OFFICE)
    overview = AccessOverview(ledger.engine)
    accounts, total = overview.staff_accounts(OFFICE, f"school:{school.id}", 10, 0)
    assert total == 1 and [a.username for a in accounts] == ["engine-clerk"]
    assert overview.staff_accounts(OFFICE, None, 1, 1)[1] == 2
    keys, _ = overview.api_keys(Principal.parse("auditor"), None, 10, 0)
    assert [k["key_id"] for k in keys] == [key.key_id] and "secret_hash" not in keys[0]
    assert [r["principal"] for r in overview.revocations(OFFICE)] == [f"school:{other.id}"]
    with pytest.raises(Forbidden):
        overview.api_keys(school.principal, None, 10, 0)

    first, second, third = school.students
    code = ledger.learner_access.issue_code(school.principal, first)
    ledger.learner_access.activate(first, code, PASSWORD)
    size = ledger.store.size()
    codes = ledger.learner_access.issue_codes_for_sheet(school.principal, school.students)
    assert set(codes) == {second, third} and ledger.store.size() == size + 2
    assert ledger.learner_access.authenticate(first, PASSWORD, "192.0.2.1").activate is False
    assert ledger.learner_access.authenticate(third, codes[third], "192.0.2.1").activate
    again = ledger.learner_access.issue_codes_for_sheet(school.principal, [second, third])
    with pytest.raises(Exception, match="password is wrong"):
        ledger.learner_access.authenticate(second, codes[second], "192.0.2.1")
    assert ledger.learner_access.authenticate(second, again[second], "192.0.2.1").activate
    size = ledger.store.size()
    with pytest.raises(NotFound):
        ledger.learner_access.issue_codes_for_sheet(school.principal, [second, "L00000000000"])
    with pytest.raises(Forbidden):
        ledger.learner_access.issue_codes_for_sheet(OFFICE, [second])
    assert ledger.store.size() == size
