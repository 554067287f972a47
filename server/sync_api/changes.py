"""The change log phones pull from, and why a puller can never miss a change.

Every write records a change. Versions are handed out from the single ``change_counter`` row at the end of the
writing transaction. Updating that row locks it until commit, so version assignment is serialised with commit
order: when a reader sees counter value V, every change numbered up to V is already committed (on PostgreSQL,
a transaction that took 6–10 could not take them before the one holding 1–5 had committed). A puller reads the
counter first and then only changes up to it, so it reads a gap-free prefix and its cursor never skips one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec

from server.db.bulk import insert_rows
from server.db.tables import ChangeCounter, ChangeLog
from server.db.tables import Issue as IssueRow
from server.auth.scoping import contractor_handover
from server.sync_api.pages import read_page
from sync.cursor import history_mark
from sync.protocol import Change
from sync.records import Role

_encoder = msgspec.json.Encoder()

#: Entities that are always about one issue (others, newer ones included, say so by naming an ``issue_id``).
ISSUE_ENTITIES = ("issue", "issue_event", "photo")

#: Entities recorded for one person alone (``user_id``), pulled by all their phones wherever they are a member:
#: the issues they follow (id = the issue's id), how they want to hear about them and the language they read
#: (id = their own id).
PERSONAL_ENTITIES = ("follow", "mail_preference", "person_language")


class ChangeRecorder:
    """Collects the changes of one transaction and numbers them just before it commits."""

    def __init__(self) -> None:
        self.pending: list[tuple[UUID | None, UUID | None, str, str, bool, Any, UUID | None]] = []

    def record(self, entity: str, entity_id: object, data: Any, *, estate_id: UUID | None,
               client_id: UUID | None = None, deleted: bool = False, user_id: UUID | None = None) -> None:
        """Record a change; ``user_id`` makes it one person's alone (an entity of ``PERSONAL_ENTITIES``)."""
        self.pending.append((estate_id, client_id, entity, str(entity_id), deleted, data, user_id))

    async def flush(self) -> int:
        """Number and write the pending changes. Call last in the transaction: it holds the counter's lock.

        Rows about one issue carry its id and its assignee at this moment, so contractors pull only the issues
        assigned to them; when an issue changes hands, the contractors concerned get rows of their own (see
        ``server.auth.scoping``).
        """
        if not self.pending:
            return 0
        issue_ids = {issue_id for (_, _, entity, entity_id, _, data, user_id) in self.pending
                     if user_id is None and (issue_id := _issue_of(entity, entity_id, data)) is not None}
        current, published = await self._assignees(issue_ids)
        rows: list[tuple[UUID | None, UUID | None, str, str, bool, Any, UUID | None, UUID | None, UUID | None]] = []
        for estate_id, client_id, entity, entity_id, deleted, data, user_id in self.pending:
            issue_id = _issue_of(entity, entity_id, data)
            if user_id is not None:
                rows.append((estate_id, client_id, entity, entity_id, deleted, data, issue_id, None, user_id))
                continue
            assignee_id = current[issue_id] if issue_id is not None else None
            rows.append((estate_id, client_id, entity, entity_id, deleted, data, issue_id, assignee_id, None))
            if entity == "issue" and client_id is None:
                before, published[issue_id] = published[issue_id], assignee_id
                if before != assignee_id and estate_id is not None:
                    rows.extend(await contractor_handover(issue_id, estate_id, before, assignee_id))
        result = await ChangeCounter.raw(
            "UPDATE change_counter SET version = version + {} WHERE id = 1 RETURNING version", len(rows))
        last = result[0]["version"]
        first = last - len(rows) + 1
        moment = dt.datetime.now(dt.timezone.utc)
        await insert_rows(ChangeLog, [
            dict(version=first + offset, estate_id=estate_id, client_id=client_id, entity=entity, entity_id=entity_id,
                 deleted=deleted, data=_encoder.encode(data).decode(), changed_at=moment, issue_id=issue_id,
                 assignee_id=assignee_id, user_id=user_id)
            for offset, (estate_id, client_id, entity, entity_id, deleted, data, issue_id, assignee_id, user_id)
            in enumerate(rows)
        ])
        self.pending = []
        return len(rows)

    async def _assignees(self, issue_ids: set[UUID]) -> tuple[dict[UUID, UUID | None], dict[UUID, UUID | None]]:
        """Each issue's assignee now and as phones last learnt it (from its latest change everyone pulls).

        The issue's own pending change already says who it is assigned to now (it holds the saved row): only the
        other issues (an event or photo on an issue this push did not edit) and the published assignees are read,
        in one statement per ``_IN_LIST`` issues over ``change_log_issue_entity_version``, however long the log.
        """
        current: dict[UUID, UUID | None] = {}
        for _, _, entity, entity_id, _, data, user_id in self.pending:
            if entity == "issue" and user_id is None and _has(data, "assignee_id"):
                current[UUID(entity_id)] = _uuid(_field(data, "assignee_id"))
        published: dict[UUID, UUID | None] = dict.fromkeys(issue_ids)
        wanted = sorted(issue_ids, key=str)
        for start in range(0, len(wanted), _IN_LIST):
            chunk = wanted[start:start + _IN_LIST]
            # Rows written before change_log had issue_id name no issue, but they predate assignees too: the
            # assignee they would give is None, the same as finding none.
            found = await IssueRow.raw(
                "SELECT issue.id AS id, issue.assignee_id AS assignee_id, "
                "(SELECT change_log.assignee_id FROM change_log WHERE change_log.issue_id = issue.id"
                " AND change_log.entity = 'issue' AND change_log.client_id IS NULL AND change_log.user_id IS NULL"
                " ORDER BY change_log.version DESC LIMIT 1) AS published "
                f"FROM issue WHERE issue.id IN ({', '.join('{}' for _ in chunk)})", *chunk)
            for row in found:
                issue_id = _uuid(row["id"])
                current.setdefault(issue_id, _uuid(row["assignee_id"]))
                published[issue_id] = _uuid(row["published"])
        return {issue_id: current.get(issue_id) for issue_id in issue_ids}, published


#: Issues read per statement by ``ChangeRecorder._assignees`` (well under SQLite's limit of bound values).
_IN_LIST = 500


def _field(data: Any, name: str) -> Any:
    return data.get(name) if isinstance(data, dict) else getattr(data, name, None)


def _has(data: Any, name: str) -> bool:
    return name in data if isinstance(data, dict) else hasattr(data, name)


def _uuid(value: Any) -> UUID | None:
    # A computed column comes back from SQLite as text, and asyncpg has a UUID type of its own.
    if value is None or type(value) is UUID:
        return value
    return UUID(str(value))


def _issue_of(entity: str, entity_id: str, data: Any) -> UUID | None:
    """The issue a change is about: the issue itself, or whatever names one in ``issue_id`` (events, photos…)."""
    if entity == "issue":
        return UUID(entity_id)
    value = _field(data, "issue_id")
    if value is None:
        return None
    return value if isinstance(value, UUID) else UUID(str(value))


async def history_mark_at(version: int) -> str | None:
    """The history mark of the change at ``version`` (see ``sync.cursor``), or None when there is none."""
    if version <= 0:
        return ""
    row = await (ChangeLog.select(ChangeLog.changed_at, ChangeLog.entity, ChangeLog.entity_id)
                 .where(ChangeLog.version == version).first())
    if row is None:
        return None
    return history_mark(version, _instant(row["changed_at"]), row["entity"], row["entity_id"])


def _instant(moment: dt.datetime | str) -> str:
    # The same instant reads back as the same text from either database, whatever the driver's time zone.
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).isoformat()


async def latest_version() -> int:
    row = await ChangeCounter.select(ChangeCounter.version).where(ChangeCounter.id == 1).first()
    return row["version"] if row else 0


def visible_rows(estate_ids: list[UUID], client_id: UUID, *, roles: dict[UUID, Role] | None = None,
                 user_id: UUID | None = None) -> Any:
    """The change-log rows this person and client may pull, as a ``where`` clause.

    This is the one place that decides what a phone may pull, from the log (``read_changes``) or as a snapshot
    (``server.sync_api.snapshot``). Given ``roles`` and ``user_id``, estates where the person is a contractor
    show only rows about issues assigned to them (and rows that concern no issue); ``estate_ids`` alone means
    full visibility of those estates.
    """
    roles = roles if roles is not None else {estate: "staff" for estate in estate_ids}
    full = [estate for estate, role in roles.items() if role != "contractor"]
    scoped = [estate for estate, role in roles.items() if role == "contractor"]
    everyone = ChangeLog.client_id.is_null() & ChangeLog.user_id.is_null()
    visible = ChangeLog.client_id == client_id
    if full:
        visible = visible | (everyone & ChangeLog.estate_id.is_in(full))
    if scoped and user_id is not None:
        # Rows written before the issue_id column existed have none: the issue kinds among them stay hidden.
        about_no_issue = ChangeLog.issue_id.is_null() & ChangeLog.entity.not_in(list(ISSUE_ENTITIES))
        visible = visible | (everyone & ChangeLog.estate_id.is_in(scoped)
                             & (about_no_issue | (ChangeLog.assignee_id == user_id)))
        # Rows for this person alone (issues handed to or taken from them), only while they are a contractor
        # there: as staff they see the whole estate and must not drop an issue.
        visible = visible | ((ChangeLog.user_id == user_id) & ChangeLog.client_id.is_null()
                             & ChangeLog.estate_id.is_in(scoped))
    if user_id is not None:
        # What this person follows and how they hear about it: theirs alone, on every estate they belong to.
        # A row about an estate they have left stays hidden.
        where = ChangeLog.estate_id.is_null()
        if roles:
            where = where | ChangeLog.estate_id.is_in(list(roles))
        visible = visible | ((ChangeLog.user_id == user_id) & ChangeLog.client_id.is_null()
                             & ChangeLog.entity.is_in(list(PERSONAL_ENTITIES)) & where)
    return visible


async def read_changes(after: int, up_to: int, estate_ids: list[UUID], client_id: UUID,
                       limit: int, *, roles: dict[UUID, Role] | None = None,
                       user_id: UUID | None = None) -> tuple[list[Change], int, bool]:
    """Changes visible to this person and client in (after, up_to], a page as ``server.sync_api.pages`` bounds it
    (see ``visible_rows``).

    Returns the changes, the version the next pull continues from, and whether more are waiting.
    """
    visible = visible_rows(estate_ids, client_id, roles=roles, user_id=user_id)

    async def fetch(reached: int, count: int) -> list[dict[str, Any]]:
        return await (
            ChangeLog.select(ChangeLog.version, ChangeLog.entity, ChangeLog.entity_id, ChangeLog.deleted,
                             ChangeLog.data)
            .where((ChangeLog.version > reached) & (ChangeLog.version <= up_to) & visible)
            .order_by(ChangeLog.version)
            .limit(count)
        )

    changes, reached, has_more = await read_page(fetch, after, limit)
    return changes, reached if has_more else up_to, has_more
