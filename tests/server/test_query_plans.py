"""A push and a pull cost the same after years of use: none of their statements reads a large table in full.

The app runs as usual (demo data) until the tables that grow with use hold enough rows for the planner to tell
a scan from a look-up: the change log is filled with ``bench.history`` (tens of thousands of rows), and the other
growing tables with copies of their own rows. PostgreSQL is then given its statistics (``ANALYZE``, as
autovacuum would); its planner is left free to choose. Every statement of a real push (creates, edits, a comment,
an issue handed to a contractor) and of real pulls (staff's first, from nothing, and the next, from a cursor) is
recorded as sent, then explained with its own arguments: SQLite's ``EXPLAIN QUERY PLAN`` must not ``SCAN`` a
growing table, PostgreSQL's plan must hold no ``Seq Scan`` of one.

Not checked: a contractor's first pull, which reads the whole log for the few rows they may see (PostgreSQL
rightly scans it) until a first pull is a snapshot (issue 12, item 6).
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any
from uuid import UUID

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from piccolo.columns import UUID as UUIDColumn

from bench.history import fill_change_log
from server.db import bulk
from server.db import tables as t
from server.db.engine import current_engine
from server.settings import Settings
from tests.conftest import Person, new_issue_args

#: Tables that grow with use, and how many rows each gets before the plans are read (the change log most).
GROWING: dict[type[t.Table], int] = {
    t.Issue: 3_000, t.IssueEvent: 3_000, t.AuthSession: 3_000, t.SyncMutation: 3_000, t.SyncClient: 3_000,
    t.IssueFollower: 3_000,
}
CHANGE_LOG_ROWS = 30_000
#: The statements the journey must run (a fragment of each): the ones every push or pull sends.
HOT = {
    "the session look-up": "WHERE auth_session.token_hash =",
    "the issues' assignees at flush": "FROM issue WHERE issue.id IN (",
    "an issue's history for a hand-over": '"change_log"."issue_id" =',
    "the pull's change read": '"change_log"."version" >',
    "a first pull's snapshot page": "SELECT max(l.version) FROM change_log AS l",
    "a push's read-ahead of its issues": 'FROM "issue" WHERE "id" IN (',
    "a push's read-ahead of ids held anywhere": "SELECT 'issue' AS kind, id FROM issue WHERE id IN (",
    "a push's read-ahead of followers": 'FROM "issue_follower" WHERE "issue_id" IN (',
    "a push's edits written back by id": 'UPDATE "issue" SET',
    "the phone's last mutation": 'FROM "sync_client" WHERE "sync_client"."client_id" =',
}
GROWING_NAMES = {"change_log", *(table._meta.tablename for table in GROWING)}


async def _grow(settings: Settings, table: type[t.Table], rows: int) -> None:
    """Copies of the table's first row with fresh keys (and fresh values wherever a column is unique).

    Written with the drivers themselves: the app's PostgreSQL pool belongs to the test client's event loop.
    """
    name = table._meta.tablename
    fresh = [c for c in table._meta.columns if c._meta.primary_key or c._meta.unique]

    def copies(model: dict[str, Any]) -> list[tuple[Any, ...]]:
        made = []
        for _ in range(rows):
            row = dict(model)
            for column in fresh:
                value = uuid.uuid4()
                row[column._meta.db_column_name] = (
                    value if isinstance(column, UUIDColumn) and settings.database_url
                    else str(value) if isinstance(column, UUIDColumn) else value.hex)
            made.append(tuple(row.values()))
        return made

    if settings.database_url:
        import asyncpg

        connection = await asyncpg.connect(settings.database_url)
        try:
            model = await connection.fetchrow(f"SELECT * FROM {name} LIMIT 1")
            assert model is not None, f"{name} is empty: the journey should have written a row"
            await connection.copy_records_to_table(name, records=copies(dict(model)), columns=list(model.keys()))
        finally:
            await connection.close()
        return
    with sqlite3.connect(settings.sqlite_path) as connection:
        connection.row_factory = sqlite3.Row
        model = connection.execute(f"SELECT * FROM {name} LIMIT 1").fetchone()
        assert model is not None, f"{name} is empty: the journey should have written a row"
        columns = model.keys()
        connection.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                               copies(dict(zip(columns, model))))


class Recorder:
    """Every statement the app sends through Piccolo while recording, with its arguments."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []
        self.on = False

    def attach(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Watch the engine's one door for statements (its class: engines have slots), and bulk writes' own."""
        executemany = bulk.executemany

        async def recorded_rows(connection: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
            if self.on:
                self.statements.append((sql, list(rows[0])))
            await executemany(connection, sql, rows)

        fetchall = bulk.fetchall

        async def recorded_read(connection: Any, sql: str, values: list[Any]) -> list[dict[str, Any]]:
            if self.on:
                self.statements.append((sql, list(values)))
            return await fetchall(connection, sql, values)

        monkeypatch.setattr(bulk, "executemany", recorded_rows)
        monkeypatch.setattr(bulk, "fetchall", recorded_read)
        engine_class = type(current_engine())
        run = engine_class.run_querystring

        async def recorded(engine: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
            if self.on:
                sql, values = querystring.compile_string(engine_type=engine.engine_type)
                self.statements.append((sql, list(values)))
            return await run(engine, querystring, *args, **kwargs)

        monkeypatch.setattr(engine_class, "run_querystring", recorded)


def _sqlite_scans(settings: Settings, sql: str, values: list[Any]) -> list[str]:
    with sqlite3.connect(settings.sqlite_path) as connection:
        plan = connection.execute(f"EXPLAIN QUERY PLAN {sql}", values).fetchall()
    details = [row[3] for row in plan]
    return [d for d in details if d.startswith("SCAN ") and d.split()[1] in GROWING_NAMES]


async def _postgres(settings: Settings, sql: str, *values: Any) -> Any:
    import asyncpg

    connection = await asyncpg.connect(settings.database_url)
    try:
        return await connection.fetch(sql, *values)
    finally:
        await connection.close()


async def _postgres_scans(settings: Settings, sql: str, values: list[Any]) -> list[str]:
    plan = msgspec.json.decode((await _postgres(settings, f"EXPLAIN (FORMAT JSON) {sql}", *values))[0][0])
    scans: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in GROWING_NAMES:
            scans.append(f"Seq Scan on {node['Relation Name']}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return scans


async def _indexes(settings: Settings) -> set[str]:
    if settings.database_url:
        return {row["indexname"] for row in await _postgres(settings, "SELECT indexname FROM pg_indexes")}
    with sqlite3.connect(settings.sqlite_path) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


async def test_the_hot_statements_of_push_and_pull_read_no_growing_table_in_full(
        settings: Settings, client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    staff = await Person(client, "staff@demo.test").sign_in()
    contractor = await Person(client, "contractor@demo.test").sign_in()
    estate = contractor.estate()
    first = new_issue_args(estate)
    await staff.push(staff.mutation("issue.create", first),
                     staff.mutation("issue.follow", {"id": first["id"], "follow": True}))
    await staff.pull_all()

    # Years of use.
    await fill_change_log(CHANGE_LOG_ROWS, [UUID(estate)], sqlite_path=settings.sqlite_path,
                          dsn=settings.database_url)
    for table, rows in GROWING.items():
        await _grow(settings, table, rows)
    if settings.database_url:
        await _postgres(settings, "ANALYZE")
    assert set(t.MULTI_COLUMN_INDEXES) <= await _indexes(settings)
    # A contractor's first pull reads the log from its start for the few rows they may see (a range of the
    # primary key, which PostgreSQL may rightly read in full): here they are an old hand with a cursor.
    await contractor.pull_all()

    recorder = Recorder()
    recorder.attach(monkeypatch)
    recorder.on = True
    created = [new_issue_args(estate, title=f"Bin store door {n}") for n in range(3)]
    pushed = await staff.push(
        *(staff.mutation("issue.create", args) for args in created),
        staff.mutation("issue.update", {"id": created[0]["id"], "fields": {"priority": "high"}}),
        staff.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": first["id"],
                                         "body": "Reported to the caretaker."}),
        staff.mutation("issue.update", {"id": first["id"],
                                        "fields": {"assignee_id": contractor.user_id}}),
        staff.mutation("issue.update", {"id": created[1]["id"],
                                        "fields": {"assignee_id": contractor.user_id}}),
    )
    assert {r["status"] for r in pushed["results"]} == {"applied"}, pushed
    await staff.pull_all()  # from its cursor: what every sync does
    fresh = await Person(client, "staff@demo.test").sign_in()
    page = await fresh.http.post("/api/sync/pull", headers=fresh.headers,
                                 json={"client_id": fresh.client_id, "cursor": None, "limit": 500})
    assert page.status_code == 200 and page.json()["has_more"]
    mine = await contractor.pull_all(limit=100)  # the issues handed to them
    assert {c["id"] for c in mine if c["entity"] == "issue"} >= {first["id"], created[1]["id"]}
    recorder.on = False

    reads = list({(sql, repr(values)): (sql, values) for sql, values in recorder.statements
                  if not sql.lstrip().upper().startswith(("INSERT", "SET"))}.values())
    for hot, fragment in HOT.items():
        assert any(fragment in sql for sql, _ in reads), f"the journey did not run {hot}"
    full_scans = []
    for sql, values in reads:
        scans = (await _postgres_scans(settings, sql, values) if settings.database_url
                 else _sqlite_scans(settings, sql, values))
        if scans:
            full_scans.append(f"{', '.join(scans)}:\n    {sql}")
    assert not full_scans, f"{len(full_scans)} hot statements read a growing table in full:\n" + "\n".join(full_scans)
