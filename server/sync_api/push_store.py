"""The store of a push of issue mutations: everything it reads in one query per table, its rows written at the end.

A phone's walk is mostly ``issue.*`` mutations. Through ``DatabaseStore`` each cost about fifteen statements
(seven to learn whether an id is taken, a savepoint and its release, the rows one by one…), so a push of 200 took
3,000 statements. ``PushStore`` instead

1. reads ahead, before the first rule runs, every row the push can touch: the issues, ids already taken on any
   table, followers and locations named by any id in the mutations, and the ids of the timeline events the server
   will derive for them (``read_ahead``, one query per table);
2. lets the rules read and write that identity map, a mutation's savepoint being a mark in an undo journal;
3. writes each table's rows with one ``executemany`` when the push ends (``write_buffered``), then queues the
   e-mails of its timeline events.

A push goes through it in runs of consecutive ``BULK_MUTATIONS`` (``suits``), each written out before the next run;
the other mutations between them, and the whole push if its rows meet a key another transaction took in the
meantime (the write raises a unique violation), go through ``DatabaseStore`` one at a time, in the same transaction
(``server.sync_api.routes``). The rules are the same either way, and the tests run both paths.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any
from uuid import UUID

import msgspec

from server.clock import utcnow as now
from server.db import tables as t
from server.db.bulk import delete_rows, insert_rows, read, select_in, update_rows
from server.sync_api.changes import ChangeRecorder
from server.sync_api.rows import from_row, to_row
from server.sync_api.store import ID_KINDS, DatabaseStore, mutation_row
from sync import mutations as m
from sync.records import Issue, IssueEvent, Role
from sync.rules import derived_id
from sync.store import IdTaken, MutationRecord

#: The mutations whose every read and write ``PushStore`` buffers. Adding one means checking that its rule calls
#: only the methods overridden below: the others refuse to run in a push store.
BULK_MUTATIONS = (m.IssueCreate, m.IssueUpdate, m.IssueStatus, m.IssueComment, m.IssueWithdraw, m.IssueFollow)

#: Timeline events a bulk mutation derives ids for (an edit may make a change and a superseded edit).
_EVENTS_PER_MUTATION = 2

#: Ids per ``IN`` list: well under SQLite's and PostgreSQL's limits on bound values, the kinds query repeating it.
_CHUNK = 400


def suits(mutations: Iterable[Any]) -> bool:
    """Whether ``PushStore`` can take this push (an ``Unreadable`` mutation is only recorded: it suits too)."""
    return all(isinstance(mutation, (*BULK_MUTATIONS, m.Unreadable)) for mutation in mutations)


#: The arguments of bulk mutations that name a row the push may read (``IssueUpdateArgs.fields`` as well).
_NAMES_A_ROW = ("id", "issue_id", "location_id", "inspection_id")


def _uuids(args: Any) -> Iterable[UUID]:
    for holder in (args, getattr(args, "fields", None)):
        for name in _NAMES_A_ROW:
            value = getattr(holder, name, None)
            if isinstance(value, UUID):
                yield value


def _copy(issue: Issue) -> Issue:
    # A rule edits the issue it read in place: the map keeps its own copy (field_stamps is the only mutable part).
    return msgspec.structs.replace(issue, field_stamps=dict(issue.field_stamps))


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


class NotBuffered(RuntimeError):
    """A rule of a bulk mutation called a write the push store does not buffer: take it out of ``BULK_MUTATIONS``
    or buffer the write."""


class PushStore(DatabaseStore):
    def __init__(self, changes: ChangeRecorder) -> None:
        super().__init__(changes)
        self._kinds: dict[UUID, str | None] = {}
        self._issues: dict[UUID, Issue | None] = {}
        self._followers: dict[UUID, set[UUID]] = {}
        self._locations: dict[UUID, UUID | None] = {}
        self._roles: dict[tuple[UUID, UUID], Role | None] = {}
        self._new_issues: set[UUID] = set()
        self._edited_issues: set[UUID] = set()
        self._events: list[IssueEvent] = []
        self._follows: dict[str, dict[str, Any] | None] = {}
        self._stored_follows: set[str] = set()
        self._secret: bytes | None = None
        self._mutations: list[dict[str, Any]] = []
        self._fingerprints: dict[str, str] = {}
        self._undo: list[Callable[[], None]] = []

    # --- reading ahead -----------------------------------------------------------------------------------
    async def read_ahead(self, client_id: UUID, mutations: list[Any]) -> None:
        secret = await self.server_secret()
        ids: set[UUID] = set()
        for mutation in mutations:
            if isinstance(mutation, m.Unreadable):
                continue
            ids.update(_uuids(mutation.args))
            ids.update(derived_id(secret, client_id, mutation.id, n) for n in range(1, _EVENTS_PER_MUTATION + 1))
        wanted = sorted(ids, key=str)
        self._kinds.update(dict.fromkeys(wanted))
        self._issues.update(dict.fromkeys(wanted))
        self._locations.update(dict.fromkeys(wanted))
        issue_columns = [column._meta.db_column_name for column in t.Issue._meta.columns]
        for chunk in _chunks(wanted):
            in_list = ", ".join("{}" for _ in chunk)
            held = await read(t.Issue, " UNION ALL ".join(
                f"SELECT '{kind}' AS kind, id FROM {table._meta.tablename} WHERE id IN ({in_list})"
                for kind, table in ID_KINDS), chunk * len(ID_KINDS))
            for row in held:
                self._kinds[_uuid(row["id"])] = row["kind"]
            for row in await select_in(t.Issue, issue_columns, "id", chunk):
                self._issues[_uuid(row["id"])] = from_row(Issue, row)
            for row in await select_in(t.Location, ["id", "estate_id"], "id", chunk):
                self._locations[_uuid(row["id"])] = row["estate_id"]
            self._followers.update((row_id, set()) for row_id in chunk)
            for row in await select_in(t.IssueFollower, ["issue_id", "user_id"], "issue_id", chunk):
                self._followers[_uuid(row["issue_id"])].add(_uuid(row["user_id"]))
                self._stored_follows.add(f"{row['issue_id']}:{row['user_id']}")

    # --- savepoints: an undo journal ------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        journal, pending = len(self._undo), len(self.changes.pending)
        try:
            yield
        except BaseException:
            while len(self._undo) > journal:
                self._undo.pop()()
            del self.changes.pending[pending:]
            raise

    def _set(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        missing = object()
        before = mapping.get(key, missing)
        mapping[key] = value
        self._undo.append(lambda: mapping.pop(key) if before is missing else mapping.__setitem__(key, before))

    def _append(self, items: list[Any], item: Any) -> None:
        items.append(item)
        self._undo.append(items.pop)

    def _add(self, members: set[Any], member: Any) -> None:
        if member not in members:
            members.add(member)
            self._undo.append(lambda: members.discard(member))

    # --- reads from the map (a miss asks the database once) ------------------------------------------------
    async def id_in_use(self, row_id: UUID) -> str | None:
        if row_id not in self._kinds:
            self._kinds[row_id] = await super().id_in_use(row_id)
        return self._kinds[row_id]

    async def issue(self, issue_id: UUID) -> Issue | None:
        if issue_id not in self._issues:
            self._issues[issue_id] = await super().issue(issue_id)
        found = self._issues[issue_id]
        return _copy(found) if found is not None else None

    async def event_exists(self, event_id: UUID) -> bool:
        return await self.id_in_use(event_id) == "event"

    async def location_estate(self, location_id: UUID) -> UUID | None:
        if location_id not in self._locations:
            self._locations[location_id] = await super().location_estate(location_id)
        return self._locations[location_id]

    async def estate_role(self, user_id: UUID, estate_id: UUID) -> Role | None:
        # Memberships are not written by a bulk push: one look-up per person and estate holds for all of it.
        if (user_id, estate_id) not in self._roles:
            self._roles[(user_id, estate_id)] = await super().estate_role(user_id, estate_id)
        return self._roles[(user_id, estate_id)]

    async def mutation_fingerprint(self, client_id: UUID, mutation_id: int) -> str | None:
        key = f"{client_id}:{mutation_id}"
        return self._fingerprints[key] if key in self._fingerprints else await super().mutation_fingerprint(
            client_id, mutation_id)

    async def _followers_of(self, issue_id: UUID) -> set[UUID]:
        if issue_id not in self._followers:
            self._followers[issue_id] = {_uuid(row["user_id"]) for row in await t.IssueFollower.select(
                t.IssueFollower.user_id).where(t.IssueFollower.issue_id == issue_id)}
            self._stored_follows.update(f"{issue_id}:{user_id}" for user_id in self._followers[issue_id])
        return self._followers[issue_id]

    # --- writes into the map ---------------------------------------------------------------------------
    async def save_issue(self, issue: Issue, *, new: bool) -> None:
        if new:
            if await self.id_in_use(issue.id) is not None:
                raise IdTaken(f"issue {issue.id}")
            self._set(self._kinds, issue.id, "issue")
            self._add(self._new_issues, issue.id)
        else:
            self._add(self._edited_issues, issue.id)
        self._set(self._issues, issue.id, _copy(issue))
        self.changes.record("issue", issue.id, _copy(issue), estate_id=issue.estate_id, deleted=issue.withdrawn)

    async def add_event(self, event: IssueEvent) -> None:
        if await self.id_in_use(event.id) is not None:
            raise IdTaken(f"event {event.id}")
        self._set(self._kinds, event.id, "event")
        self._append(self._events, event)
        self.changes.record("issue_event", event.id, event, estate_id=event.estate_id)

    async def set_following(self, issue_id: UUID, user_id: UUID, follow: bool, *, estate_id: UUID) -> None:
        followers = await self._followers_of(issue_id)
        if follow == (user_id in followers):
            return
        key = f"{issue_id}:{user_id}"
        if follow:
            since = now()
            self._add(followers, user_id)
            self._set(self._follows, key, {"key": key, "issue_id": issue_id, "user_id": user_id, "since": since})
            self.changes.record("follow", issue_id, {"id": str(issue_id), "issue_id": str(issue_id),
                                                     "estate_id": str(estate_id), "since": since},
                                estate_id=estate_id, user_id=user_id)
        else:
            followers.discard(user_id)
            self._undo.append(lambda: followers.add(user_id))
            self._set(self._follows, key, None)
            self.changes.record("follow", issue_id, None, estate_id=estate_id, user_id=user_id, deleted=True)

    async def record_mutation(self, record: MutationRecord, estate_id: UUID | None) -> None:
        row = mutation_row(record)
        self._mutations.append(row)
        self._fingerprints[row["key"]] = record.fingerprint
        self.record_rejection(record, estate_id)

    # --- the end of the push -------------------------------------------------------------------------------
    async def write_buffered(self) -> None:
        issues = [issue for issue_id in self._new_issues if (issue := self._issues[issue_id]) is not None]
        await insert_rows(t.Issue, [to_row(issue) for issue in issues])
        edited = [issue for issue_id in self._edited_issues - self._new_issues
                  if (issue := self._issues[issue_id]) is not None]
        await update_rows(t.Issue, [to_row(issue) for issue in edited])
        await insert_rows(t.IssueEvent, [to_row(event) for event in self._events])
        # A follow and an unfollow of one issue in one push: only the last stands, as one write after another.
        await delete_rows(t.IssueFollower, [key for key in self._follows if key in self._stored_follows])
        await insert_rows(t.IssueFollower, [row for row in self._follows.values() if row is not None])
        await insert_rows(t.SyncMutation, self._mutations)
        for event in self._events:
            # Nobody is told about what they did themselves: only an event with another follower can mail.
            if (await self._followers_of(event.issue_id)) - {event.actor_id}:
                await self.mail.after_event(event)


def _uuid(value: Any) -> UUID:
    return value if type(value) is UUID else UUID(str(value))


# Writes a bulk mutation's rule must never reach: the journal could not undo them.
for _name in ("save_photo", "record_possession", "save_inspection", "save_grading_scheme", "save_grade",
              "save_recheck", "save_meeting", "save_meeting_issue", "save_mail_preference", "save_language"):
    def _refuse(self: PushStore, *args: Any, _name: str = _name, **kwargs: Any) -> Any:
        raise NotBuffered(f"{_name} is not buffered by the push store")

    setattr(PushStore, _name, _refuse)
