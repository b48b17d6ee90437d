"""A sheet of enrolments or course credits is written all or none, like conversions."""

from __future__ import annotations

import pytest

from ledger.bootstrap import Ledger
from ledger.core.errors import Conflict, Forbidden
from ledger.core.principals import Principal
from ledger.domain.credit_bank import CourseCredit
from tests.certificate_helpers import holder_name, id_number
from tests.registry_helpers import sample_school

OFFICE = Principal.parse("office")


def _school(ledger: Ledger) -> tuple[str, Principal]:
    school = sample_school(777)
    ledger.registry.admit_school(OFFICE, school)
    return school.id, Principal.parse(f"school:{school.id}")


def test_a_sheet_of_enrolments_with_one_refused_row_writes_nothing(ledger: Ledger) -> None:
    school, clerk = _school(ledger)
    rows = [{"name": holder_name(n), "id_number": id_number(n)} for n in range(3)]
    size = ledger.store.size()
    with pytest.raises(Conflict, match="enrolled at school"):
        ledger.credit_bank.enrol_many(clerk, school, [*rows, rows[1]])  # row 4 repeats row 2
    assert ledger.store.size() == size
    enrolled = ledger.credit_bank.enrol_many(clerk, school, rows)
    assert [e.opened for e in enrolled] == [True, True, True]
    assert ledger.store.size() == size + 6
    assert ledger.log.differences() == []


def test_a_sheet_of_course_credits_with_one_refused_row_writes_nothing(ledger: Ledger) -> None:
    school, clerk = _school(ledger)
    other = sample_school(778)
    ledger.registry.admit_school(OFFICE, other)
    other_clerk = Principal.parse(f"school:{other.id}")
    [student] = ledger.credit_bank.enrol_many(
        clerk, school, [{"name": holder_name(9), "id_number": id_number(9)}]
    )
    stranger = ledger.credit_bank.enrol(
        other_clerk, other.id, name=holder_name(8), id_number=id_number(8)
    )
    credit = CourseCredit("C1", "课程", 3, "2026-1", "B")
    size = ledger.store.size()
    with pytest.raises(Forbidden, match="not a student"):
        ledger.credit_bank.deposit_many(
            clerk, [(student.account, credit), (stranger.account, credit)]
        )
    assert ledger.store.size() == size
    assert len(ledger.credit_bank.deposit_many(clerk, [(student.account, credit)] * 2)) == 2
    assert ledger.credit_bank.learner(OFFICE, student.account).deposited == 6
    assert ledger.log.differences() == []
