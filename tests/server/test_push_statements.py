"""A push of issue mutations is written in bulk: a few statements per push and one row write per row.

SQLite traces every statement it runs on the server's connections (``set_trace_callback``; a row of an
``executemany`` is traced as one), so these count what the database really did, on the real app.
"""

from __future__ import annotations

import uuid
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


async def _traced_push(settings: Settings, traced: list[str], count: int, *, edits: bool = False) -> list[str]:
    async with AsyncTestClient(app=create_app(settings)) as http:
        staff = await Person(http, "staff@demo.test").sign_in()
        creates = [new_issue_args(staff.estate()) for _ in range(count)]
        if edits:
            await staff.push(*[staff.mutation("issue.create", args) for args in creates])
            mutations = [staff.mutation("issue.update", {"id": args["id"], "fields": {"title": "Seen again"}})
                         for args in creates]
        else:
            mutations = [staff.mutation("issue.create", args) for args in creates]
        traced.clear()
        body = await staff.push(*mutations)
        assert [result["status"] for result in body["results"]] == ["applied"] * count
        return list(traced)


def _push_transaction(statements: list[str]) -> list[str]:
    begin = next(i for i, statement in enumerate(statements) if statement.startswith("BEGIN"))
    end = next(i for i, statement in enumerate(statements) if statement == "COMMIT" and i > begin)
    return statements[begin:end + 1]


async def test_a_statement_in_a_transaction_is_not_preceded_by_a_pragma(sqlite_settings, traced):
    # PRAGMA foreign_keys does nothing inside a transaction; Piccolo sent it before every statement.
    push = _push_transaction(await _traced_push(sqlite_settings, traced, 3))
    assert [statement for statement in push if statement.upper().startswith("PRAGMA")] == []


@pytest.mark.parametrize("edits", [False, True], ids=["creates", "edits"])
async def test_a_push_reads_ahead_once_and_writes_each_row_once(sqlite_settings, traced, edits):
    count = 60
    push = _push_transaction(await _traced_push(sqlite_settings, traced, count, edits=edits))
    # A create writes four rows (the issue, its "created" event, its raiser following it, the mutation's record)
    # and three changes for phones to pull (the issue, the event, the follow); an edit three rows (the issue, a
    # "field_changed" event, the record) and two changes. The rest is per push, whatever its size.
    rows_per_mutation = 3 + 2 if edits else 4 + 3
    per_push = len(push) - rows_per_mutation * count
    assert per_push <= 20, push
    # No statement about one mutation alone: no savepoints, no "is this id taken?" one id at a time.
    assert not [statement for statement in push if statement.startswith(("SAVEPOINT", "SELECT EXISTS"))]


async def test_a_walk_with_photos_still_writes_its_issues_in_bulk(sqlite_settings, traced):
    async with AsyncTestClient(app=create_app(sqlite_settings)) as http:
        staff = await Person(http, "staff@demo.test").sign_in()
        issues = [new_issue_args(staff.estate()) for _ in range(40)]
        photo = {"id": str(uuid.uuid4()), "issue_id": issues[19]["id"], "sha256": "ab" * 32}
        mutations = [staff.mutation("issue.create", args) for args in issues[:20]]
        mutations.append(staff.mutation("photo.attach", photo))  # the phone has not sent its bytes yet: allowed
        mutations += [staff.mutation("issue.create", args) for args in issues[20:]]
        traced.clear()
        body = await staff.push(*mutations)
        assert [result["status"] for result in body["results"]] == ["applied"] * 41
        push = _push_transaction(list(traced))
        # The photo alone runs one mutation at a time, in its savepoint; the creates before and after it go in
        # two bulk runs, not one by one.
        assert [statement.split()[0] for statement in push if statement.startswith("SAVEPOINT")] == ["SAVEPOINT"]
        assert len([statement for statement in push if statement.startswith("SELECT EXISTS")]) <= 10
        replica = await (await Person(http, "staff@demo.test").sign_in()).replica()
        assert {args["id"] for args in issues} <= set(replica.issues())
        assert [p["issue_id"] for p in replica.entities.get("photo", {}).values()] == [issues[19]["id"]]
