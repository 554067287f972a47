"""Piccolo's SQLite engine, with each statement of a transaction run in one hop to its connection's thread.

aiosqlite runs every call on the connection's own thread and the event loop waits for the answer. Inside a
transaction Piccolo makes four such calls per statement: ``PRAGMA foreign_keys = 1`` (a no-op inside a transaction,
SQLite's documentation says; the connection already set it when it opened), execute, fetch, close the cursor. With
a push writing about a dozen statements per mutation, those waits were most of its time (issue 12). Here the
statement, the fetch and the close go to the thread together, as one function.

This reaches into aiosqlite's ``Connection._execute`` (the queue to the connection's thread), which is private:
``tests/server/test_sqlite_engine.py`` checks the behaviour this relies on, so an aiosqlite that changes it fails
there rather than in a push.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, dict_factory

#: RETURNING came in SQLite 3.35; before it Piccolo reads an insert's key back in a second statement.
_HAS_RETURNING = sqlite3.sqlite_version_info >= (3, 35)


def run_one(connection: sqlite3.Connection, query: str, args: list[Any]) -> list[dict[str, Any]]:
    connection.row_factory = dict_factory
    cursor = connection.execute(query, args)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


class OneHopSQLiteEngine(SQLiteEngine):
    async def _run_in_existing_connection(self, connection: Any, query: str, args: list[Any] | None = None,
                                          query_type: str = "generic", table: Any = None) -> Any:
        if not _HAS_RETURNING:  # pragma: no cover - every supported Debian has 3.40 or newer
            return await super()._run_in_existing_connection(connection, query, args, query_type, table)
        return await connection._execute(run_one, connection._conn, query, args or [])
