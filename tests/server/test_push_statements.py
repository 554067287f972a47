"""A push costs a bounded number of statements: a few per push and per table, not a dozen per mutation.

SQLite traces every statement it runs on the server's connections (``set_trace_callback``), so these count what
the database really did, on the real app behind the HTTP test client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.db.sqlite_engine import OneHopSQLiteEngine
from server.settings import Settings
from tests.conftest import Person, new_issue_args


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", demo=True)


@pytest.fixture
def traced(monkeypatch) -> Iterator[list[str]]:
    """Every statement SQLite runs on a connection the server opens from now on, in order."""
    statements: list[str] = []
    opened = OneHopSQLiteEngine.get_connection

    async def get_connection(self):
        connection = await opened(self)
        await connection._execute(connection._conn.set_trace_callback, statements.append)
        return connection

    monkeypatch.setattr(OneHopSQLiteEngine, "get_connection", get_connection)
    yield statements


def _kinds(statements: list[str]) -> Counter[str]:
    return Counter(" ".join(statement.split()[:3]).upper() for statement in statements)


async def _push_creates(sqlite_settings: Settings, traced: list[str], count: int) -> list[str]:
    async with AsyncTestClient(app=create_app(sqlite_settings)) as http:
        staff = await Person(http, "staff@demo.test").sign_in()
        mutations = [staff.mutation("issue.create", new_issue_args(staff.estate())) for _ in range(count)]
        traced.clear()
        body = await staff.push(*mutations)
        assert [result["status"] for result in body["results"]] == ["applied"] * count
        return list(traced)


async def test_a_statement_in_a_transaction_is_not_preceded_by_a_pragma(sqlite_settings, traced):
    statements = await _push_creates(sqlite_settings, traced, 3)
    begin = next(i for i, statement in enumerate(statements) if statement.startswith("BEGIN"))
    assert [s for s in statements[begin:] if s.upper().startswith("PRAGMA")] == []


async def test_statements_of_a_push(sqlite_settings, traced):
    statements = await _push_creates(sqlite_settings, traced, 50)
    print(len(statements))
    for kind, n in _kinds(statements).most_common():
        print(n, kind)
    assert False
