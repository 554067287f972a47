"""A first pull as a snapshot: each row a phone may see, once, as it stood at one version; then the log from there.

Replaying the whole change log to a new phone sends every issue two or three times and every step of its history
(about five changes per issue). A phone starting afresh (a ``null`` cursor, or a ``reset``) only needs where
things stand. The snapshot is read *from the log itself*: for every key (entity, id) the latest change this person
may pull with a version up to V, the counter's value when the snapshot began; a key whose latest change is a
deletion is left out (the phone starts empty). Why from the log and not from the tables:

- **Same end state as a replay, by construction.** A phone applies changes key by key, the last one winning, so
  the latest visible change per key is exactly what a replay leaves behind; the rows are the very ones the log
  pull would send, shaped by the same code (``ChangeRecorder``), with nothing mapped twice.
- **Same visibility.** The rows are chosen by ``server.sync_api.changes.visible_rows``, the predicate of the log
  pull: estate membership, a contractor's jobs (and the rows handing an issue to or from them), rows for this
  phone or this person alone.
- **Stable while paged.** Rows up to V never change (the log is append-only), so whatever is pushed between two
  pages cannot alter the snapshot; it gets versions above V, and the last page hands the phone a plain log cursor
  at V (``sync.cursor``), from which those changes follow. Nothing is skipped or sent twice in a way that matters.

Pages are bounded by the phone's ``limit`` and by bytes (``server.sync_api.pages``), like the log's.
"""

from __future__ import annotations

from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from server.db.engine import current_engine
from server.db.tables import ChangeLog
from server.sync_api.pages import read_page
from sync.protocol import Change

# The latest visible change of each key up to the snapshot's version: a row that is the newest visible row of its
# key (entity, id). A correlated scalar subquery, found through the index on (entity_id, entity, version) for each
# row: PostgreSQL turns NOT EXISTS into an anti-join that reads the whole log for every page. Deletions are left
# out. ``c.version + 0``: Piccolo's SQLite engine passes every value of an INTEGER column through a Python
# converter, and an expression has no column type; that alone was 15% of reading a page on SQLite.
_PAGE = """
SELECT c.version + 0 AS version, c.entity, c.entity_id, c.data FROM change_log AS c
WHERE c.version > {} AND c.version <= {} AND c.deleted = {} AND {}
  AND c.version = (
    SELECT max(l.version) FROM change_log AS l
    WHERE l.entity_id = c.entity_id AND l.entity = c.entity AND l.version <= {} AND {})
ORDER BY c.version
LIMIT {}
"""


async def read_snapshot(after: int, version: int, visible: Any, limit: int) -> tuple[list[Change], int, bool]:
    """One page of the snapshot at ``version``, continuing after the log row ``after``.

    ``visible`` is ``visible_rows(...)`` for the person and phone. Returns the changes (each the latest visible
    change of its key up to ``version``, never a deletion), the log row reached, and whether the snapshot is
    complete. A page is bounded as ``server.sync_api.pages.read_page`` says.
    """

    async def fetch(reached: int, count: int) -> list[dict[str, Any]]:
        return await ChangeLog.raw("{}", page_query(reached, version, visible, count))

    changes, reached, more = await read_page(fetch, after, limit)
    return changes, reached if more else version, not more


async def without_jit() -> None:
    """In a pull's transaction on PostgreSQL: plan without compiling to machine code (JIT).

    A page's query reads a thousand rows or so through indexes, but its estimated cost (a subquery per row) passes
    ``jit_above_cost``: compiling it took ten times as long as running it (290 ms against 21 ms a page, 10,000
    issues).
    """
    if isinstance(current_engine(), PostgresEngine):
        await ChangeLog.raw("SET LOCAL jit = off")


def page_query(after: int, version: int, visible: Any, limit: int) -> QueryString:
    """The SQL of one page: up to ``limit`` latest visible changes after the log row ``after``."""
    return QueryString(_PAGE, after, version, False, _aliased(visible.querystring, "c"), version,
                       _aliased(visible.querystring, "l"), limit)


def _aliased(query: QueryString, alias: str) -> QueryString:
    """The same condition on ``change_log`` under another name, for a query that reads the table twice."""
    args = [_aliased(arg, alias) if isinstance(arg, QueryString) else arg for arg in query.args]
    return QueryString(query.template.replace('"change_log".', f'"{alias}".'), *args)
