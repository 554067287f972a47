"""Writing many rows of one table with one statement sent once: the push's hot path (issue 12).

Piccolo's query builder sends one statement per row written, and on SQLite each is a wait for the connection's
thread. A push of 200 creates wrote about 800 rows that way. Here a table's rows go in one ``executemany`` on the
transaction's own connection: on SQLite one call on the connection's thread, on PostgreSQL asyncpg's pipelined
``executemany``. A row is a mapping with a value for every column (no Python defaults are filled in); the values
are the ones Piccolo would send, JSON as text. The SQL text is built from the table's columns. Tests write through both paths and compare (``tests/server/test_bulk_rows.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from piccolo.columns import JSON, JSONB, Column
import aiosqlite
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from server.db.sqlite_engine import run_one

_json = msgspec.json.Encoder()


def _connection_and_style(table: type[Table]) -> tuple[Any, bool]:
    engine = table._meta.db
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk writes belong inside the unit of work's transaction")
    return transaction.connection, isinstance(engine, PostgresEngine)


def _marks(count: int, postgres: bool, start: int = 1) -> list[str]:
    return [f"${n}" for n in range(start, start + count)] if postgres else ["?"] * count


async def executemany(connection: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """The one door of bulk writes to the database (``tests/server/test_query_plans.py`` watches it)."""
    await connection.executemany(sql, rows)


async def fetchall(connection: Any, sql: str, values: list[Any]) -> list[dict[str, Any]]:
    """The one door of bulk reads (watched like ``executemany``)."""
    if isinstance(connection, aiosqlite.Connection):
        return await connection._execute(run_one, connection._conn, sql, values)
    return [dict(row) for row in await connection.fetch(sql, *values)]


async def select_in(table: type[Table], names: Sequence[str], key: str, values: Sequence[Any]) -> list[dict[str, Any]]:
    """The rows of ``table`` whose ``key`` is one of ``values``, these columns of them, in one statement (without
    the query builder: an ``IN`` of hundreds of ids took Piccolo longer to build than the database to answer)."""
    if not values:
        return []
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("{}" for _ in values)
    return await read(table, f'SELECT {columns} FROM "{table._meta.tablename}" WHERE "{key}" IN ({marks})', values)


async def read(table: type[Table], sql: str, values: Sequence[Any]) -> list[dict[str, Any]]:
    """A read in the unit of work's transaction; ``{}`` marks each value. Column types convert as in Piccolo's
    selects (the connection is the same)."""
    connection, postgres = _connection_and_style(table)
    return await fetchall(connection, sql.format(*_marks(len(values), postgres)), list(values))


def _layout(columns: Sequence[Column]) -> tuple[tuple[str, bool], ...]:
    return tuple((column._meta.name, isinstance(column, (JSON, JSONB))) for column in columns)


def _values(row: Mapping[str, Any], layout: tuple[tuple[str, bool], ...]) -> tuple[Any, ...]:
    # Piccolo's ``convert_to_sql_value`` costs 5 µs a value (it imports on every call): for the values these
    # tables hold, it only turns JSON that is not yet text into text, which is all that is done here.
    values = []
    for name, is_json in layout:
        value = row[name]
        if is_json and value is not None and not isinstance(value, str):
            value = _json.encode(value).decode()
        values.append(value)
    return tuple(values)


async def insert_rows(table: type[Table], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert every row (a value for every column, by name); a row whose key is taken raises the driver's
    unique-violation error."""
    if not rows:
        return
    connection, postgres = _connection_and_style(table)
    columns = table._meta.columns
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    sql = (f'INSERT INTO "{table._meta.tablename}" ({names}) '
           f"VALUES ({', '.join(_marks(len(columns), postgres))})")
    layout = _layout(columns)
    await executemany(connection, sql, [_values(row, layout) for row in rows])


async def update_rows(table: type[Table], rows: Sequence[Mapping[str, Any]]) -> None:
    """Write every column of each row over the row with its primary key."""
    if not rows:
        return
    connection, postgres = _connection_and_style(table)
    key = table._meta.primary_key
    columns = [column for column in table._meta.columns if column is not key]
    marks = _marks(len(columns) + 1, postgres)
    assignments = ", ".join(f'"{column._meta.db_column_name}" = {mark}' for column, mark in zip(columns, marks))
    sql = f'UPDATE "{table._meta.tablename}" SET {assignments} WHERE "{key._meta.db_column_name}" = {marks[-1]}'
    layout = _layout([*columns, key])
    await executemany(connection, sql, [_values(row, layout) for row in rows])


async def delete_rows(table: type[Table], keys: Sequence[Any]) -> None:
    """Delete the rows with these primary keys."""
    if not keys:
        return
    connection, postgres = _connection_and_style(table)
    key = table._meta.primary_key
    sql = f'DELETE FROM "{table._meta.tablename}" WHERE "{key._meta.db_column_name}" = {_marks(1, postgres)[0]}'
    await executemany(connection, sql, [(convert_to_sql_value(value=value, column=key),) for value in keys])
