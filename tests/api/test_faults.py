"""Faults answer 503 with a reason and leave their traceback in the log; oversized input is
a 400: a database that is really full (SQLite's max_page_count), one that refuses writes,
a CSV cell over the csv module's limit, a score of 5,000 digits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import event

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from tests.api.conftest import TokenFor
from tests.certificate_helpers import Issuer, holder, id_number, make_issuer


@pytest.fixture
def issuer(ledger: Ledger) -> Issuer:
    return make_issuer(ledger)


def _pragma_on_connect(ledger: Ledger, pragma: str) -> Iterator[None]:
    """Every new connection of ``ledger`` runs ``pragma``; undone afterwards."""

    def run(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(pragma)
        dbapi_connection.commit()  # PostgreSQL: a SET in a rolled back transaction is undone

    ledger.engine.dispose()
    event.listen(ledger.engine, "connect", run)
    yield
    event.remove(ledger.engine, "connect", run)
    ledger.engine.dispose()


def _issue(client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer, n: int) -> Any:
    body = {"standard": issuer.standard, "level": "junior", "holder": holder(n)}
    return client.post("/certificates", json=body, headers=token_for(issuer.principal))


def _logged_traceback(caplog: pytest.LogCaptureFixture, reason: str) -> bool:
    return any(
        record.levelno >= logging.ERROR and record.exc_info and reason in record.getMessage()
        for record in caplog.records
    )


def test_a_full_database_answers_503_logs_the_traceback_and_recovers(
    client: TestClient[Litestar],
    ledger: Ledger,
    token_for: TokenFor,
    issuer: Issuer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    size = ledger.store.size()
    # The database may not grow past the pages it has: SQLite itself reports SQLITE_FULL.
    full = _pragma_on_connect(ledger, "PRAGMA max_page_count = 1")
    next(full)
    statuses = [_issue(client, token_for, issuer, 500 + n) for n in range(40)]
    codes = [response.status_code for response in statuses]
    assert 500 not in codes and 503 in codes, codes
    refused = next(response for response in statuses if response.status_code == 503)
    assert "disk is full" in refused.json()["detail"]
    assert refused.headers["retry-after"] == "60"
    assert _logged_traceback(caplog, "disk is full")
    # Each issuance to a new holder is two entries (the account, the certificate): nothing
    # of a refused one was written.
    assert ledger.store.size() == size + 2 * codes.count(201)
    next(full, None)
    assert _issue(client, token_for, issuer, 600).status_code == 201


def test_a_database_that_refuses_writes_answers_503_on_each_engine(
    engine_client: TestClient[Litestar],
    engine_ledger: Ledger,
    caplog: pytest.LogCaptureFixture,
) -> None:
    issuer = make_issuer(engine_ledger)
    headers = {
        "Authorization": "Bearer " + engine_ledger.tokens.mint(Principal.parse(issuer.principal))
    }
    sqlite = engine_ledger.engine.dialect.name == "sqlite"
    pragma = "PRAGMA query_only = ON" if sqlite else "SET default_transaction_read_only = on"
    read_only = _pragma_on_connect(engine_ledger, pragma)
    next(read_only)
    body = {"standard": issuer.standard, "level": "junior", "holder": holder(700)}
    response = engine_client.post("/certificates", json=body, headers=headers)
    assert response.status_code == 503, response.text
    assert "read-only" in response.json()["detail"]
    assert _logged_traceback(caplog, "read-only")
    assert engine_client.get("/healthz").status_code == 200  # reads still answer
    next(read_only, None)


def test_a_csv_cell_over_the_limit_is_400_naming_the_line(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    lines = ["name,id_number,standard,level", f"{'王' * 131_073},{id_number(1)},X,junior"]
    response = client.post(
        "/certificates/batch.csv",
        params={"batch_id": "big-cell"},
        content="\n".join(lines).encode(),
        headers={**token_for(issuer.principal), "Content-Type": "text/csv"},
    )
    assert response.status_code == 400, response.text
    assert "line 2" in response.json()["detail"] and "131072" in response.json()["detail"]


def test_a_score_of_5000_digits_is_400_in_json_and_csv(
    client: TestClient[Litestar], token_for: TokenFor, issuer: Issuer
) -> None:
    headers = {**token_for(issuer.principal), "Content-Type": "application/json"}
    # msgspec would refuse to encode such an integer, so the body is written by hand.
    request = json.dumps({"standard": issuer.standard, "level": "junior", "holder": holder(800)})
    body = request[:-1] + ', "score": ' + "9" * 5000 + "}"
    response = client.post("/certificates", content=body.encode(), headers=headers)
    assert response.status_code == 400, response.text
    assert "out of range" in response.json()["detail"]
    lines = ["name,id_number,standard,level,score"]
    lines.append(f"{holder(801)['name']},{id_number(801)},{issuer.standard},junior,{'9' * 5000}")
    response = client.post(
        "/certificates/batch.csv",
        params={"batch_id": "long-score"},
        content="\n".join(lines).encode(),
        headers={**token_for(issuer.principal), "Content-Type": "text/csv"},
    )
    assert response.status_code == 400, response.text
    assert "score" in response.text
