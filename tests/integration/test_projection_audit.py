"""Every table the service answers from answers to the ledger: tampered rows are named by the
audit (table, key, and the entry that should have produced the row), and rebuild repairs them.

Run on SQLite and PostgreSQL, on a small seeded province with API keys and revocations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.seed import seed_province
from ledger.storage.replay import Difference, projected_tables
from ledger.storage.tables import api_keys, certificates, orgs, signing_keys
from tests.integration.helpers import projected_rows, standalone_ledger

pytestmark = pytest.mark.slow

OFFICE = Principal.parse("office")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def province(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """A seeded province with an API key, a revoked key and a revoked principal."""
    with standalone_ledger(request.param, request, tmp_path_factory) as ledger:
        seed_province(ledger, scale=0.02)
        school = ledger.registry.schools(limit=1).items[0].id
        ledger.tokens.create_api_key(Principal.parse(f"school:{school}"))
        spare = ledger.tokens.create_api_key(Principal.parse(f"school:{school}"))
        ledger.tokens.revoke_api_key(spare.key_id, OFFICE)
        org = ledger.registry.orgs(None, limit=1).items[0].id
        ledger.tokens.revoke_principal(Principal.parse(f"org:{org}"), OFFICE)
        ledger.log.checkpoint()
        yield ledger


def _found(differences: list[Difference]) -> dict[tuple[str, Any], Difference]:
    return {(d.table, d.key): d for d in differences}


def test_a_seeded_province_audits_clean_and_rebuilds_row_for_row(province: Ledger) -> None:
    before = projected_rows(province)
    assert all(before[name] for name in ("orgs", "certificates", "api_keys", "candidates"))
    assert province.log.differences() == []
    written = province.log.rebuild()
    assert projected_rows(province) == before
    assert written == {name: len(rows) for name, rows in before.items()}
    assert province.log.differences() == []


def test_the_attacks_of_the_issue_are_named_and_repaired(province: Ledger) -> None:
    with province.engine.begin() as connection:
        suspended = connection.execute(
            sa.select(orgs.c.id).where(orgs.c.status == "suspended")
        ).scalar_one()
        revoked = (
            connection.execute(
                sa.select(certificates.c.number).where(certificates.c.revoked_index.is_not(None))
            )
            .scalars()
            .first()
        )
        active = connection.execute(
            sa.select(signing_keys.c.kid).where(signing_keys.c.retired_index.is_(None))
        ).scalar_one()
        connection.execute(
            sa.update(orgs).where(orgs.c.id == suspended).values(status="registered")
        )
        connection.execute(
            sa.update(certificates)
            .where(certificates.c.number == revoked)
            .values(revoked_index=None, revoked_on=None, revocation_reason=None)
        )
        connection.execute(
            sa.insert(api_keys).values(
                key_id="00000000000000ff", principal="office", created_at=1, revoked_at=None
            )
        )
        connection.execute(
            sa.update(signing_keys).where(signing_keys.c.kid == active).values(retired_index=1)
        )
    assert province.certificates.status(revoked).revoked_index is None  # type: ignore[union-attr]
    found = _found(province.log.differences(limit=100))
    assert {("orgs", suspended), ("certificates", revoked)} <= set(found)
    assert {("api_keys", "00000000000000ff"), ("signing_keys", active)} <= set(found)
    assert found[("api_keys", "00000000000000ff")].expected is None
    assert "is in no entry of the ledger" in str(found[("api_keys", "00000000000000ff")])
    reinstated = found[("orgs", suspended)]
    assert reinstated.entry is not None and f"(entry {reinstated.entry})" in str(reinstated)
    province.log.rebuild()
    assert province.log.differences() == []
    assert province.certificates.status(revoked).revoked_index is not None  # type: ignore[union-attr]


def _changed(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value + 1
    if isinstance(value, bytes):
        return bytes([value[0] ^ 1]) + value[1:]
    text = str(value)
    return text[:-1] + ("y" if text.endswith("x") else "x")


def test_every_row_changed_deleted_or_inserted_by_hand_is_named(province: Ledger) -> None:
    expected: set[tuple[str, Any]] = set()
    # Rows others refer to by foreign key cannot be deleted by hand; they are changed instead.
    parents = {fk.column.table.name for t in projected_tables() for fk in t.foreign_keys}
    with province.engine.begin() as connection:
        for table in projected_tables():
            rows = list(connection.execute(sa.select(table).order_by(*table.primary_key.columns)))
            if len(rows) < 2:
                continue
            key_names = [c.name for c in table.primary_key.columns]
            columns = [c for c in table.columns if c.name not in key_names and not c.foreign_keys]

            def where(row: Any, table: sa.Table = table, key_names: list[str] = key_names) -> Any:
                return sa.and_(*(table.c[name] == getattr(row, name) for name in key_names))

            def key(row: Any, key_names: list[str] = key_names) -> Any:
                values = tuple(getattr(row, name) for name in key_names)
                return values[0] if len(values) == 1 else values

            first, second = rows[0], rows[-1]
            column = next((c for c in columns if getattr(first, c.name) is not None), None)
            if column is not None:
                connection.execute(
                    sa.update(table)
                    .where(where(first))
                    .values({column.name: _changed(getattr(first, column.name))})
                )
                expected.add((table.name, key(first)))
            if table.name not in parents:
                connection.execute(sa.delete(table).where(where(second)))
            copy = dict(second._mapping)
            for name in key_names:
                copy[name] = _changed(copy[name])
            for c in table.columns:
                if c.unique and copy[c.name] is not None:
                    copy[c.name] = _changed(copy[c.name]) + 10**9
            if table.name in parents:
                copy = dict(first._mapping)
                for name in key_names:
                    copy[name] = _changed(copy[name])
                for c in table.columns:
                    if c.unique and copy[c.name] is not None:
                        copy[c.name] = _changed(copy[c.name]) + 10**9
            else:
                expected.add((table.name, key(second)))
            connection.execute(sa.insert(table).values(copy))
            expected.add(
                (
                    table.name,
                    tuple(copy[n] for n in key_names) if len(key_names) > 1 else copy[key_names[0]],
                )
            )
    assert len(expected) > 30
    found = _found(province.log.differences(limit=10_000))
    assert expected <= set(found), sorted(expected - set(found), key=str)
    province.log.rebuild()
    assert province.log.differences() == []
