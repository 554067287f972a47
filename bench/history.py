"""Years of history in seconds: fill ``change_log`` with plausible rows, straight into the database.

Hot paths are measured (``bench/push_latency_history.py``) and their query plans checked
(``tests/server/test_query_plans.py``) with 10k to 1M change rows already logged; pushing that many mutations
through the server would take hours. The rows are what a long-used estate leaves: per issue, its own changes and
its events' (``issue_id`` set, no client, no person), spread over the given estates, numbered after the counter,
which is moved past them. SQLite takes them with one ``executemany``, PostgreSQL with ``COPY``, each in one
transaction. Only the log is filled: issues named in it exist nowhere else (a pull would show them; a push never
reads them).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

#: Change rows per synthetic issue: the issue's own changes and its events' (comments, field changes).
ROWS_PER_ISSUE = 10
#: Rows written per statement batch.
_BATCH = 50_000

_COLUMNS = ("version", "estate_id", "client_id", "entity", "entity_id", "deleted", "data", "changed_at",
            "issue_id", "assignee_id", "user_id")


def _rows(first: int, count: int, estate_ids: list[UUID]) -> Iterator[tuple[Any, ...]]:
    moment = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
    issue_id = uuid.uuid4()
    estate_id = estate_ids[0]
    for offset in range(count):
        version = first + offset
        step = version % ROWS_PER_ISSUE
        if step == 0:
            issue_id = uuid.uuid4()
            estate_id = estate_ids[(version // ROWS_PER_ISSUE) % len(estate_ids)]
        changed_at = moment + dt.timedelta(minutes=version)
        if step in (0, 5):  # the issue itself: created, later updated
            data = {"id": str(issue_id), "estate_id": str(estate_id), "title": f"Logged issue {version}",
                    "status": "open", "priority": "normal"}
            yield (version, estate_id, None, "issue", str(issue_id), False, json.dumps(data), changed_at,
                   issue_id, None, None)
        else:
            event_id = uuid.uuid4()
            data = {"id": str(event_id), "issue_id": str(issue_id), "estate_id": str(estate_id),
                    "kind": "comment", "data": {"body": "Checked on the walk."}}
            yield (version, estate_id, None, "issue_event", str(event_id), False, json.dumps(data), changed_at,
                   issue_id, None, None)


def _fill_sqlite(path: Path, rows: int, estate_ids: list[UUID]) -> int:
    import piccolo.engine.sqlite  # noqa: F401 - registers the adapters that store UUIDs and times as Piccolo does

    connection = sqlite3.connect(path, timeout=60)
    try:
        with connection:
            last = connection.execute("SELECT version FROM change_counter WHERE id = 1").fetchone()[0]
            placeholders = ", ".join("?" for _ in _COLUMNS)
            connection.executemany(f"INSERT INTO change_log ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
                                   _rows(last + 1, rows, estate_ids))
            connection.execute("UPDATE change_counter SET version = ? WHERE id = 1", (last + rows,))
        return last + rows
    finally:
        connection.close()


async def _fill_postgres(dsn: str, rows: int, estate_ids: list[UUID]) -> int:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            # Taking the counter's lock first keeps a concurrent push from numbering into these rows.
            last = await connection.fetchval("SELECT version FROM change_counter WHERE id = 1 FOR UPDATE")
            batch: list[tuple[Any, ...]] = []
            for record in _rows(last + 1, rows, estate_ids):
                batch.append(record)
                if len(batch) == _BATCH:
                    await connection.copy_records_to_table("change_log", records=batch, columns=_COLUMNS)
                    batch = []
            if batch:
                await connection.copy_records_to_table("change_log", records=batch, columns=_COLUMNS)
            await connection.execute("UPDATE change_counter SET version = $1 WHERE id = 1", last + rows)
        # What autovacuum would soon do on a database that grew this much: the planner's statistics.
        await connection.execute("ANALYZE change_log")
        return last + rows
    finally:
        await connection.close()


async def change_log_rows(*, sqlite_path: Path | None = None, dsn: str | None = None) -> int:
    if dsn:
        import asyncpg

        connection = await asyncpg.connect(dsn)
        try:
            return await connection.fetchval("SELECT count(*) FROM change_log")
        finally:
            await connection.close()
    assert sqlite_path is not None
    with sqlite3.connect(sqlite_path) as connection:
        return connection.execute("SELECT count(*) FROM change_log").fetchone()[0]


async def fill_change_log(rows: int, estate_ids: list[UUID], *, sqlite_path: Path | None = None,
                          dsn: str | None = None) -> int:
    """Append ``rows`` change rows (PostgreSQL when ``dsn`` is given, else the SQLite file); returns the counter."""
    if rows <= 0:
        raise ValueError("rows must be positive")
    if dsn:
        return await _fill_postgres(dsn, rows, estate_ids)
    if sqlite_path is None:
        raise ValueError("give sqlite_path or dsn")
    return await asyncio.to_thread(_fill_sqlite, sqlite_path, rows, estate_ids)


async def fill_change_log_to(total: int, estate_ids: list[UUID], *, sqlite_path: Path | None = None,
                             dsn: str | None = None) -> int:
    """Fill until the log holds ``total`` rows (nothing when it already does); returns the rows added."""
    missing = total - await change_log_rows(sqlite_path=sqlite_path, dsn=dsn)
    if missing > 0:
        await fill_change_log(missing, estate_ids, sqlite_path=sqlite_path, dsn=dsn)
    return max(0, missing)
