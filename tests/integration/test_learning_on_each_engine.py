"""Certificates, the credit bank and an assessment on SQLite and on PostgreSQL alike.

The projections write through executemany and bound updates whose behaviour differs
between drivers; this runs one pass of every kind of write on each engine, then the
ledger audit, the projection audit, and a rebuild that must change nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.credit_bank import CourseCredit, rule_from_request
from ledger.domain.pilot import Result, Site, assessment_from_request, plan_from_request
from ledger.services.certificates import china_today
from ledger.storage.tables import balances
from tests.certificate_helpers import holder_name, id_number, make_issuer
from tests.consent_helpers import consent
from tests.integration.helpers import projected_rows
from tests.registry_helpers import sample_school

OFFICE = Principal.parse("office")


def test_every_kind_of_learning_write_audits_clean(ledger: Ledger) -> None:
    issuer = make_issuer(ledger)
    org = Principal.parse(issuer.principal)
    school = sample_school(950)
    ledger.registry.admit_school(OFFICE, school)
    clerk = Principal.parse(f"school:{school.id}")
    rows = [
        {"standard": issuer.standard, "level": "intermediate", "name": holder_name(n),
         "id_number": id_number(n)}
        for n in range(40)
    ]  # fmt: skip
    batch = ledger.certificates.issue_batch(org, "engine-1", rows)
    accounts = [c.account for c in batch.certificates]
    for certificate in batch.certificates[:10]:
        ledger.credit_bank.enrol(
            clerk,
            school.id,
            account=certificate.account,
            enrolment_code=consent(ledger, certificate.account),
        )
        ledger.credit_bank.deposit(
            clerk, certificate.account, CourseCredit("C1", "课程", 3, "2026-1", "A")
        )
    rule = ledger.credit_bank.publish_rule(
        clerk,
        school.id,
        rule_from_request(
            programme="P1", standard=issuer.standard, min_level="junior",
            courses=[{"code": "B1", "title": "课程", "credits": 5}],
            valid_from="2020-01-01", valid_to=None,
        ),
    )  # fmt: skip
    converted, _ = ledger.credit_bank.convert_batch(
        clerk,
        "conv-1",
        [
            {"account": c.account, "certificate": c.certificate, "rule": rule.rule,
             "programme": "P1"}
            for c in batch.certificates[:10]
        ],
    )  # fmt: skip
    assert len(converted) == 10
    ledger.certificates.revoke(org, batch.certificates[0].certificate, "issued in error")
    ledger.certificates.erase(OFFICE, accounts[1])

    # An assessment to the end: plan, site, cap, candidates, results, certificates.
    today = china_today()
    plan = ledger.pilot.file_plan(
        clerk, school.id, plan_from_request(today.year, [
            {"standard": issuer.standard, "level": "junior", "candidates": 5}
        ]),
    )  # fmt: skip
    ledger.pilot.review_plan(OFFICE, plan.id, "plan.approved", None)
    site = ledger.pilot.register_site(
        org, issuer.org, Site("xian", "样例路1号", 20, (issuer.standard,))
    )
    ledger.pilot.set_fee_cap(OFFICE, issuer.standard, "junior", 300)
    assessment = ledger.pilot.schedule(
        org, issuer.org, assessment_from_request(
            standard=issuer.standard, level="junior", site=site.id,
            on=today.isoformat(), fee=250,
        ),
    )  # fmt: skip
    candidates = accounts[2:7]
    ledger.pilot.enrol_candidates(clerk, assessment.id, candidates)
    ledger.pilot.record_results(
        org, assessment.id, [Result(a, 80 - 10 * n, n < 4) for n, a in enumerate(candidates)]
    )
    issued = ledger.pilot.issue_certificates(org, assessment.id)
    assert issued.outcome is not None and len(issued.outcome.certificates) == 4
    assert ledger.pilot.issue_certificates(org, assessment.id).outcome is None

    with ledger.engine.connect() as connection:
        balance = {
            row.account: (row.deposited, row.converted)
            for row in connection.execute(select(balances))
        }
    assert balance[accounts[0]] == (3, 0)  # revoked: only the course credits still count
    assert balance[accounts[2]] == (4 + 3 + 2, 5)  # intermediate, a course, a junior
    assert ledger.log.differences() == []
    before = projected_rows(ledger)
    ledger.log.rebuild()
    assert projected_rows(ledger) == before
    ledger.log.checkpoint()
    assert audit(DatabaseSource(ledger.store)).ok
