"""The throwaway PostgreSQL server and the per-test databases work."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.postgres import PostgresServer


def test_server_is_postgresql_15_via_psycopg(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.conninfo("postgres")) as conn:
        row = conn.execute("select version()").fetchone()
        num = conn.execute("show server_version_num").fetchone()
    assert row is not None and num is not None
    assert row[0].startswith("PostgreSQL 15."), row[0]
    assert int(num[0]) // 10000 == 15


def test_server_is_postgresql_15_via_sqlalchemy(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("select version()")).scalar_one()
            database = conn.execute(sa.text("select current_database()")).scalar_one()
    finally:
        engine.dispose()
    assert version.startswith("PostgreSQL 15."), version
    assert database == make_url(postgres_url).database


@pytest.fixture
def second_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    # A test gets one `postgres_url`; make a second database the same way.
    name = f"test_second_{uuid.uuid4().hex[:16]}"
    yield postgres_server.create_database(name)
    postgres_server.drop_database(name)


def test_databases_are_independent(postgres_url: str, second_postgres_url: str) -> None:
    assert postgres_url != second_postgres_url
    first = sa.create_engine(postgres_url)
    second = sa.create_engine(second_postgres_url)
    try:
        with first.begin() as conn:
            conn.execute(sa.text("create table entries (n integer primary key)"))
            conn.execute(sa.text("insert into entries values (1), (2)"))
        with second.begin() as conn:
            exists = conn.execute(sa.text("select to_regclass('public.entries')")).scalar()
            assert exists is None
            conn.execute(sa.text("create table entries (n integer primary key)"))
            conn.execute(sa.text("insert into entries values (7)"))
        with first.connect() as conn:
            assert conn.execute(sa.text("select count(*) from entries")).scalar_one() == 2
        with second.connect() as conn:
            assert conn.execute(sa.text("select n from entries")).scalars().all() == [7]
    finally:
        first.dispose()
        second.dispose()


def test_each_test_gets_an_empty_database(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                sa.text("select count(*) from pg_tables where schemaname = 'public'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert tables == 0


def test_database_url_covers_both_engines(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table t (x integer)"))
            conn.execute(sa.text("insert into t values (42)"))
            assert conn.execute(sa.text("select x from t")).scalar_one() == 42
    finally:
        engine.dispose()
    assert engine.dialect.name in {"sqlite", "postgresql"}
