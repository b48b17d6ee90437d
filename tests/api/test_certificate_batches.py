"""Batches of certificates, as JSON and as a clerk's CSV: all or nothing, never twice."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from ledger.audit.auditor import audit
from ledger.audit.sources import DatabaseSource
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.api.conftest import TokenFor
from tests.certificate_helpers import Issuer, holder_name, id_number, make_issuer

FULL_BATCH = 10_000


@pytest.fixture
def issuer(ledger: Ledger) -> Issuer:
    return make_issuer(ledger)


def post_batch(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, batch: str, rows: list[Any]
) -> Any:
    return client.post(
        "/certificates/batch",
        json={"batch_id": batch, "rows": rows},
        headers=token_for(issuer.principal),
    )


@pytest.mark.slow
def test_a_full_batch_is_refused_whole_then_issued_once(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    rows = [issuer.row(n, level="intermediate" if n % 2 else "junior") for n in range(FULL_BATCH)]
    bad = [dict(row) for row in rows]
    bad[16] = {**bad[16], "level": "senior"}
    bad[3999] = {**bad[3999], "holder": {"name": "赵六", "id_number": "610102199501010009"}}
    bad[9999] = {**bad[9999], "issued_on": "2026-13-01"}
    size = ledger.store.size()

    refused = post_batch(client, token_for, issuer, "2026-autumn-1", bad)
    assert refused.status_code == 400
    body = refused.json()
    assert body["detail"].startswith("3 of 10000 rows are not valid, nothing was issued")
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (17, "level"),
        (4000, "holder.id_number"),
        (10000, "issued_on"),
    ]
    assert ledger.store.size() == size

    issued = post_batch(client, token_for, issuer, "2026-autumn-1", rows)
    assert issued.status_code == 201, issued.text[:500]
    first = issued.json()
    assert first["issued"] == FULL_BATCH
    assert first["replayed"] is False
    certificates = first["certificates"]
    assert [c["row"] for c in certificates] == list(range(1, FULL_BATCH + 1))
    assert len({c["certificate"] for c in certificates}) == FULL_BATCH
    assert len({c["account"] for c in certificates}) == FULL_BATCH
    # One learner.opened and one certificate.issued per new holder.
    assert ledger.store.size() == size + 2 * FULL_BATCH

    retried = post_batch(client, token_for, issuer, "2026-autumn-1", rows)
    assert retried.status_code == 200
    again = retried.json()
    assert again["replayed"] is True
    assert again["certificates"] == certificates
    assert ledger.store.size() == size + 2 * FULL_BATCH

    ledger.log.checkpoint()
    assert audit(DatabaseSource(ledger.store)).ok


def test_a_batch_id_is_bound_to_its_rows(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    rows = [issuer.row(n) for n in range(100, 105)]
    assert post_batch(client, token_for, issuer, "b-1", rows).status_code == 201
    size = ledger.store.size()
    other = post_batch(client, token_for, issuer, "b-1", rows[:4])
    assert other.status_code == 409
    assert "batch id b-1 was used for other rows" in other.json()["detail"]
    assert ledger.store.size() == size
    # The same batch id of another organization is its own batch.
    second = make_issuer(ledger, "1X-WEB")
    size = ledger.store.size()
    rows2 = [second.row(n) for n in range(100, 105)]
    response = post_batch(client, token_for, second, "b-1", rows2)
    assert response.status_code == 201
    # Same holders: their accounts are reused, so only the certificates are new.
    assert ledger.store.size() == size + 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"batch_id": "x", "rows": []}, "rows"),
        ({"batch_id": "has space", "rows": [{}]}, "batch_id"),
        ({"batch_id": "", "rows": []}, "batch_id"),
    ],
)
def test_malformed_batches(
    client: TestClient[Litestar],
    token_for: TokenFor,
    issuer: Issuer,
    body: dict[str, Any],
    message: str,
) -> None:
    response = client.post("/certificates/batch", json=body, headers=token_for(issuer.principal))
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_more_than_ten_thousand_rows_are_refused(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    rows = [issuer.row(n % 50) for n in range(FULL_BATCH + 1)]
    size = ledger.store.size()
    response = post_batch(client, token_for, issuer, "too-big", rows)
    assert response.status_code == 400
    assert "rows" in response.json()["detail"]
    assert ledger.store.size() == size


# -- CSV ------------------------------------------------------------------------------


def post_csv(
    client: TestClient[Litestar],
    token_for: TokenFor,
    issuer: Issuer,
    batch: str | None,
    content: bytes,
) -> Any:
    params = {} if batch is None else {"batch_id": batch}
    return client.post(
        "/certificates/batch.csv",
        params=params,
        content=content,
        headers={**token_for(issuer.principal), "Content-Type": "text/csv"},
    )


def test_a_utf8_csv_with_a_byte_order_mark(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, ledger: Ledger
) -> None:
    lines = ["name,id_number,standard,level,issued_on,score"]
    lines += [
        f"{holder_name(n)},{id_number(n)},{issuer.standard},junior,"
        f"2026-11-0{n % 9 + 1},{80 + n % 20}"
        for n in range(200, 205)
    ]
    content = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    response = post_csv(client, token_for, issuer, "csv-1", content)
    assert response.status_code == 201, response.text
    assert response.json()["issued"] == 5
    first = response.json()["certificates"][0]
    status = client.get(f"/certificates/{first['certificate']}/status").json()
    assert status["issued_on"] == "2026-11-03"
    again = post_csv(client, token_for, issuer, "csv-1", content)
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert [c["certificate"] for c in again.json()["certificates"]] == [
        c["certificate"] for c in response.json()["certificates"]
    ]


def test_a_gb18030_csv_with_chinese_headers_and_levels(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    text = "姓名,身份证号,证书标准,等级\n"
    text += f"{holder_name(210)},{id_number(210)},{issuer.standard},中级\n"
    text += f"{holder_name(211)},{id_number(211)},{issuer.standard},初级\n\n"
    response = post_csv(client, token_for, issuer, "csv-2", text.encode("gb18030"))
    assert response.status_code == 201, response.text
    numbers = [c["certificate"] for c in response.json()["certificates"]]
    levels = [client.get(f"/certificates/{n}/status").json()["level"] for n in numbers]
    assert levels == ["intermediate", "junior"]


@pytest.mark.parametrize(
    ("text", "status", "message", "rows"),
    [
        ("name,id_number,standard\n", 400, "lacks the columns level", None),
        ("name,id_number,standard,level,colour\n", 400, "unknown column 'colour'", None),
        ("", 400, "is empty", None),
        ("name,id_number,standard,level\nA,B\n", 400, "has 2 cells", [1]),
        (
            "name,id_number,standard,level,score\n"
            "王伟,610102199501010008,1X-BIM,junior,90\n"
            "李伟,610102199501010016,1X-BIM,expert,ninety\n",
            400,
            "row 2",
            [2],
        ),
    ],
)
def test_bad_csv_is_refused_naming_the_rows(
    client: TestClient[Litestar],
    token_for: TokenFor,
    issuer: Issuer,
    ledger: Ledger,
    text: str,
    status: int,
    message: str,
    rows: list[int] | None,
) -> None:
    size = ledger.store.size()
    response = post_csv(client, token_for, issuer, "bad", text.encode())
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    if rows is not None:
        assert [e["row"] for e in response.json()["errors"]] == rows
    assert ledger.store.size() == size


def test_csv_needs_a_batch_id_and_text(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    missing = post_csv(client, token_for, issuer, None, b"name,id_number,standard,level\n")
    assert missing.status_code == 400
    assert "batch_id" in missing.json()["detail"]
    binary = post_csv(client, token_for, issuer, "bin", b"\xff\xfe\x00\x81\x00")
    assert binary.status_code == 400


@pytest.mark.postgres
def test_issue_revoke_and_erase_on_each_engine(
    engine_client: TestClient[Litestar], engine_ledger: Ledger
) -> None:
    issuer = make_issuer(engine_ledger)
    token = engine_ledger.tokens.mint(Principal.parse(issuer.principal))
    office = engine_ledger.tokens.mint(Principal.parse("office"))
    rows = [issuer.row(n) for n in range(300, 350)]
    response = engine_client.post(
        "/certificates/batch",
        json={"batch_id": "pg", "rows": rows},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    certificates = response.json()["certificates"]
    revoked = engine_client.post(
        f"/certificates/{certificates[0]['certificate']}/revoke",
        json={"reason": "issued in error"},
        headers={"Authorization": f"Bearer {office}"},
    )
    assert revoked.status_code == 200
    erased = engine_client.delete(
        f"/learners/{certificates[1]['account']}/personal-data",
        headers={"Authorization": f"Bearer {office}"},
    )
    assert erased.status_code == 200
    verdicts = [
        engine_client.post("/verify", json={"record": c["record"]}).json()["verdict"]
        for c in certificates[:3]
    ]
    assert verdicts == ["revoked", "valid", "valid"]
    engine_ledger.log.checkpoint()
    assert audit(DatabaseSource(engine_ledger.store)).ok
