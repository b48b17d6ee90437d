"""The learner's consent in tests: an enrolment code made as the learner would on their page,
for tests that enrol a learner by account number."""

from __future__ import annotations

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal, Role


def consent(ledger: Ledger, account: str) -> str:
    """A fresh one-time enrolment code of ``account``."""
    code, _expires_at = ledger.learner_access.enrolment_code(Principal(Role.LEARNER, account))
    return code
