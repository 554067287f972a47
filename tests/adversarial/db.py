"""Reading the database under test from outside the app, as an operator (or an attacker who stole it) would.

The app under test runs in its own thread and event loop; these helpers open their own connection and close it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from server.settings import Settings


def query(settings: Settings, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of ``sql`` (placeholders ``?``) as dictionaries, on SQLite or PostgreSQL."""
    if settings.database_url is None:
        with sqlite3.connect(settings.sqlite_path) as connection:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute(sql, args)]

    async def run() -> list[dict[str, Any]]:
        import asyncpg

        connection = await asyncpg.connect(settings.database_url)
        try:
            numbered = sql
            for n in range(1, len(args) + 1):
                numbered = numbered.replace("?", f"${n}", 1)
            return [dict(row) for row in await connection.fetch(numbered, *args)]
        finally:
            await connection.close()

    return asyncio.run(run()) if not _loop_running() else _in_thread(run)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _in_thread(run: Any) -> Any:
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def server_secret(settings: Settings) -> bytes:
    return bytes.fromhex(query(settings, "SELECT secret FROM server_secret WHERE id = 1")[0]["secret"])


def snapshot(settings: Settings, tables: tuple[str, ...], estate_ids: list[str]) -> dict[str, list[str]]:
    """Every row of ``tables`` on the given estates, as sorted text: compare two to find what changed there."""
    seen: dict[str, list[str]] = {}
    for table in tables:
        rows = query(settings, f"SELECT * FROM {table}")
        seen[table] = sorted(repr(sorted((k, str(v)) for k, v in row.items())) for row in rows
                             if str(row.get("estate_id")) in estate_ids)
    return seen
