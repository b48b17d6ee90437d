"""Principal names: one office, ids where the role names an object, clear refusals."""

from __future__ import annotations

import pytest

from ledger.core.errors import InvalidInput
from ledger.core.principals import Principal, Role


@pytest.mark.parametrize(
    ("text", "role", "identifier"),
    [
        ("office", Role.OFFICE, None),
        ("auditor", Role.AUDITOR, None),
        ("auditor:inspectorate-1", Role.AUDITOR, "inspectorate-1"),
        ("org:91610000MA6TG12349", Role.ORG, "91610000MA6TG12349"),
        ("school:4161010001", Role.SCHOOL, "4161010001"),
        ("learner:L1", Role.LEARNER, "L1"),
    ],
)
def test_principals_round_trip(text: str, role: Role, identifier: str | None) -> None:
    principal = Principal.parse(text)
    assert (principal.role, principal.id, str(principal)) == (role, identifier, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("office:evil", "the office principal has no id"),
        ("org", "needs an id"),
        ("school:", "needs an id"),
        ("learner", "needs an id"),
        ("admin", "unknown role 'admin'"),
        ("org:bad id", "is not 1-64 letters"),
        ("org:" + "x" * 65, "is not 1-64 letters"),
    ],
)
def test_bad_principals_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Principal.parse(text)
