"""The sync engine's ``Store`` over the database, used inside one write transaction per push."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec
from piccolo.table import Table

from server.clock import utcnow as now
from server.db import tables as t
from server.db.engine import current_engine
from server.sync_api import rows
from server.sync_api.changes import ChangeRecorder
from sync.grading import DEFAULT_SCHEME
from sync.records import (
    Actor,
    Inspection,
    InspectionGrade,
    InspectionRecheck,
    Issue,
    IssueEvent,
    Meeting,
    MeetingIssue,
    Photo,
    Role,
)
from sync.store import ClientState, IdTaken, MutationRecord

_json = msgspec.json.Encoder()


def _dump(value: Any) -> str:
    return _json.encode(value).decode()


def is_unique_violation(exc: BaseException) -> bool:
    """A primary-key or unique constraint refused the write, on SQLite or PostgreSQL."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc)
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, asyncpg.exceptions.UniqueViolationError)


def is_deadlock(exc: BaseException) -> bool:
    """PostgreSQL broke a circle of transactions waiting for each other by failing this one: safe to run again.

    Pushes lock in one order (``server.sync_api.push_locks``), but two pushes inserting the same client-chosen ids
    in opposite orders still wait on each other's unique-index entries."""
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, (asyncpg.exceptions.DeadlockDetectedError, asyncpg.exceptions.SerializationError))


async def server_secret() -> bytes:
    """The deployment's key for the ids the server derives: made once by its migration, shared by every process."""
    from server.db.engine import ensure_server_secret

    row = await t.ServerSecret.select(t.ServerSecret.secret).where(t.ServerSecret.id == 1).first()
    if row is None:
        await ensure_server_secret()
        row = await t.ServerSecret.select(t.ServerSecret.secret).where(t.ServerSecret.id == 1).first()
    return bytes.fromhex(row["secret"])


#: Every table whose ``id`` a phone chooses, with the kind of row it holds (``Store.id_in_use``).
ID_KINDS: tuple[tuple[str, type[Table]], ...] = (
    ("issue", t.Issue), ("event", t.IssueEvent), ("photo", t.Photo), ("inspection", t.Inspection),
    ("grade", t.InspectionGrade), ("recheck", t.InspectionRecheck), ("meeting", t.Meeting))


def mutation_row(record: MutationRecord) -> dict[str, Any]:
    return dict(
        key=f"{record.client_id}:{record.mutation_id}", client_id=record.client_id, mutation_id=record.mutation_id,
        user_id=record.user_id, name=record.name, args=_dump(record.args), at=record.at,
        effective_at=record.effective_at, status=record.status, reason=record.reason,
        fingerprint=record.fingerprint, received_at=record.received_at)


class DatabaseStore:
    def __init__(self, changes: ChangeRecorder) -> None:
        from server.notify.outbox import MailOutbox

        self.changes = changes
        # E-mails about a change are queued in the change's own transaction: both commit or neither does.
        self.mail = MailOutbox()

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """One mutation's writes, undone together if it fails; its pending changes are dropped with them."""
        transaction = current_engine().current_transaction.get()
        if transaction is None:
            raise RuntimeError("a savepoint needs the push's transaction")
        pending = len(self.changes.pending)
        point = await transaction.savepoint()
        try:
            yield
        except BaseException as exc:
            await point.rollback_to()
            del self.changes.pending[pending:]
            if is_unique_violation(exc):
                raise IdTaken(str(exc)) from None
            raise
        else:
            await point.release()

    async def server_secret(self) -> bytes:
        return await server_secret()


    # --- clients and mutations -------------------------------------------------------------------------
    async def client_state(self, client_id: UUID) -> ClientState | None:
        row = await t.SyncClient.select().where(t.SyncClient.client_id == client_id).first()
        if row is None:
            return None
        return ClientState(client_id=row["client_id"], user_id=row["user_id"],
                           last_mutation_id=row["last_mutation_id"])

    async def save_client_state(self, state: ClientState) -> None:
        moment = now()
        await t.SyncClient.insert(t.SyncClient(
            client_id=state.client_id, user_id=state.user_id, last_mutation_id=state.last_mutation_id,
            created_at=moment, last_seen_at=moment)).on_conflict(
            target=t.SyncClient.client_id, action="DO UPDATE",
            values=[t.SyncClient.last_mutation_id, t.SyncClient.last_seen_at])

    async def mutation_fingerprint(self, client_id: UUID, mutation_id: int) -> str | None:
        row = await t.SyncMutation.select(t.SyncMutation.fingerprint).where(
            t.SyncMutation.key == f"{client_id}:{mutation_id}").first()
        return row["fingerprint"] if row else None

    async def record_mutation(self, record: MutationRecord, estate_id: UUID | None) -> None:
        await t.SyncMutation.insert(t.SyncMutation(**mutation_row(record)))
        self.record_rejection(record, estate_id)

    def record_rejection(self, record: MutationRecord, estate_id: UUID | None) -> None:
        key = f"{record.client_id}:{record.mutation_id}"
        if record.status == "rejected":
            # Only the phone that sent it pulls a rejection: it must show it to the person who made it.
            self.changes.record("rejection", key, {
                "id": key, "client_id": str(record.client_id), "mutation_id": record.mutation_id,
                "name": record.name, "reason": record.reason, "code": record.code, "params": record.params,
                "at": record.at, "estate_id":
                str(estate_id) if estate_id else None, "args": record.args,
            }, estate_id=estate_id, client_id=record.client_id)

    # --- ids chosen by phones ----------------------------------------------------------------------------
    async def id_in_use(self, row_id: UUID) -> str | None:
        for kind, table in ID_KINDS:
            if await table.exists().where(table.id == row_id):
                return kind
        return None

    # --- issues ----------------------------------------------------------------------------------------
    async def issue(self, issue_id: UUID) -> Issue | None:
        return await rows.load(Issue, t.Issue.id == issue_id)

    async def save_issue(self, issue: Issue, *, new: bool) -> None:
        await rows.save(issue, new=new)
        self.changes.record("issue", issue.id, issue, estate_id=issue.estate_id, deleted=issue.withdrawn)

    async def event_exists(self, event_id: UUID) -> bool:
        return await t.IssueEvent.exists().where(t.IssueEvent.id == event_id)

    async def add_event(self, event: IssueEvent) -> None:
        await rows.save(event, new=True)
        self.changes.record("issue_event", event.id, event, estate_id=event.estate_id)
        await self.mail.after_event(event)

    # --- photos ----------------------------------------------------------------------------------------
    async def photo(self, photo_id: UUID) -> Photo | None:
        row = await rows.read_row(Photo, t.Photo.id == photo_id)
        if row is None:
            return None
        # Shown as uploaded once the bytes are here from the person who attached them (or from someone they
        # could see them through): a record naming bytes its maker never held shows nothing, and stays pending.
        return rows.from_row(Photo, row, uploaded=await self.photo_bytes_stored(row["sha256"])
                             and await self.photo_uploaded_by(row["sha256"], row["added_by"]))

    async def save_photo(self, photo: Photo, *, new: bool) -> None:
        await rows.save(photo, new=new)
        self.changes.record("photo", photo.id, photo, estate_id=photo.estate_id)

    async def photo_bytes_stored(self, sha256: str) -> bool:
        return await t.StoredPhoto.exists().where(t.StoredPhoto.sha256 == sha256)

    async def photo_on_estate(self, sha256: str, estate_id: UUID) -> bool:
        return (await t.Photo.exists().where((t.Photo.sha256 == sha256) & (t.Photo.estate_id == estate_id))
                or await t.InspectionGrade.exists().where((t.InspectionGrade.photo_sha256 == sha256)
                                                          & (t.InspectionGrade.estate_id == estate_id)))

    async def photo_uploaded_by(self, sha256: str, user_id: UUID) -> bool:
        return await t.PhotoUpload.exists().where(t.PhotoUpload.key == f"{sha256}:{user_id}")

    async def photo_visible_to(self, sha256: str, actor: Actor) -> bool:
        from server.photos.service import estates_showing

        on_issues, on_grades = await estates_showing(actor, sha256)
        return bool(on_issues or on_grades)

    async def record_possession(self, sha256: str, user_id: UUID) -> None:
        from server.photos.service import record_possession

        await record_possession(sha256, user_id)

    # --- inspections -----------------------------------------------------------------------------------
    async def inspection(self, inspection_id: UUID) -> Inspection | None:
        return await rows.load(Inspection, t.Inspection.id == inspection_id)

    async def save_inspection(self, inspection: Inspection, *, new: bool) -> None:
        await rows.save(inspection, new=new)
        self.changes.record("inspection", inspection.id, inspection, estate_id=inspection.estate_id)

    # --- estates ---------------------------------------------------------------------------------------
    async def location_estate(self, location_id: UUID) -> UUID | None:
        row = await t.Location.select(t.Location.estate_id).where(t.Location.id == location_id).first()
        return row["estate_id"] if row else None

    async def estate_role(self, user_id: UUID, estate_id: UUID) -> Role | None:
        row = await t.Membership.select(t.Membership.role).where(
            (t.Membership.user_id == user_id) & (t.Membership.estate_id == estate_id)).first()
        return row["role"] if row else None

    # --- inspections as a record, meetings, following ----------------------------------------------------
    async def grading_scheme(self, estate_id: UUID) -> str:
        row = await t.EstateGradingScheme.select(t.EstateGradingScheme.scheme).where(
            t.EstateGradingScheme.estate_id == estate_id).first()
        return row["scheme"] if row else DEFAULT_SCHEME

    async def save_grading_scheme(self, estate_id: UUID, scheme: str, changed_by: UUID) -> None:
        await t.EstateGradingScheme.delete().where(t.EstateGradingScheme.estate_id == estate_id)
        await t.EstateGradingScheme.insert(t.EstateGradingScheme(estate_id=estate_id, scheme=scheme,
                                                                 changed_by=changed_by, changed_at=now()))
        self.changes.record("grading_scheme", estate_id, {"estate_id": str(estate_id), "scheme": scheme},
                            estate_id=estate_id)

    async def grade_for(self, inspection_id: UUID, location_id: UUID | None, element: str) -> InspectionGrade | None:
        where = (t.InspectionGrade.inspection_id == inspection_id) & (t.InspectionGrade.element == element)
        where &= (t.InspectionGrade.location_id.is_null() if location_id is None
                  else t.InspectionGrade.location_id == location_id)
        return await rows.load(InspectionGrade, where)

    async def save_grade(self, grade: InspectionGrade, *, replaces: UUID | None) -> None:
        if replaces is not None:
            await t.InspectionGrade.delete().where(t.InspectionGrade.id == replaces)
            self.changes.record("inspection_grade", replaces, None, estate_id=grade.estate_id, deleted=True)
        # Only ever this estate's row: the rule refused an id held anywhere else before getting here.
        await t.InspectionGrade.delete().where((t.InspectionGrade.id == grade.id)
                                               & (t.InspectionGrade.estate_id == grade.estate_id))
        await rows.save(grade, new=True)
        self.changes.record("inspection_grade", grade.id, grade, estate_id=grade.estate_id)

    async def recheck_exists(self, recheck_id: UUID) -> bool:
        return await t.InspectionRecheck.exists().where(t.InspectionRecheck.id == recheck_id)

    async def save_recheck(self, recheck: InspectionRecheck) -> None:
        await rows.save(recheck, new=True)
        self.changes.record("inspection_recheck", recheck.id, recheck, estate_id=recheck.estate_id)

    async def meeting(self, meeting_id: UUID) -> Meeting | None:
        return await rows.load(Meeting, t.Meeting.id == meeting_id)

    async def save_meeting(self, meeting: Meeting) -> None:
        await rows.save(meeting, new=True)
        self.changes.record("meeting", meeting.id, meeting, estate_id=meeting.estate_id)

    async def meeting_issue(self, meeting_id: UUID, issue_id: UUID) -> MeetingIssue | None:
        row = await t.MeetingIssue.select().where(t.MeetingIssue.key == f"{meeting_id}:{issue_id}").first()
        if row is None:
            return None
        return MeetingIssue(meeting_id=row["meeting_id"], issue_id=row["issue_id"], estate_id=row["estate_id"],
                            kind=row["kind"], added_by=row["added_by"])

    async def save_meeting_issue(self, link: MeetingIssue) -> None:
        key = f"{link.meeting_id}:{link.issue_id}"
        await t.MeetingIssue.delete().where(t.MeetingIssue.key == key)
        await t.MeetingIssue.insert(t.MeetingIssue(key=key, **msgspec.structs.asdict(link), added_at=now()))
        self.changes.record("meeting_issue", key, link, estate_id=link.estate_id)

    async def set_following(self, issue_id: UUID, user_id: UUID, follow: bool, *, estate_id: UUID) -> None:
        key = f"{issue_id}:{user_id}"
        following = await t.IssueFollower.exists().where(t.IssueFollower.key == key)
        if follow and not following:
            since = now()
            await t.IssueFollower.insert(t.IssueFollower(key=key, issue_id=issue_id, user_id=user_id, since=since))
            # Only this person's phones pull it: who follows what is nobody else's business.
            self.changes.record("follow", issue_id, {"id": str(issue_id), "issue_id": str(issue_id),
                                                     "estate_id": str(estate_id), "since": since},
                                estate_id=estate_id, user_id=user_id)
        elif not follow and following:
            await t.IssueFollower.delete().where(t.IssueFollower.key == key)
            self.changes.record("follow", issue_id, None, estate_id=estate_id, user_id=user_id, deleted=True)

    async def mail_preference(self, user_id: UUID) -> tuple[str, str | None] | None:
        row = await t.MailPreference.select(t.MailPreference.mode, t.MailPreference.at).where(
            t.MailPreference.user_id == user_id).first()
        return (row["mode"], row["at"]) if row else None

    async def save_mail_preference(self, user_id: UUID, mode: str, at: str) -> None:
        await t.MailPreference.delete().where(t.MailPreference.user_id == user_id)
        await t.MailPreference.insert(t.MailPreference(user_id=user_id, mode=mode, at=at, changed_at=now()))
        # Every phone of this person learns the choice, whichever of them (or the web) made it.
        self.changes.record("mail_preference", user_id, {"id": str(user_id), "mode": mode, "at": at},
                            estate_id=None, user_id=user_id)

    async def language(self, user_id: UUID) -> tuple[str, str | None] | None:
        row = await t.AppUser.select(t.AppUser.language, t.AppUser.language_at).where(
            t.AppUser.id == user_id).first()
        if row is None or not row["language"]:
            return None
        return (row["language"], row["language_at"] or None)

    async def save_language(self, user_id: UUID, language: str, at: str) -> None:
        await t.AppUser.update({t.AppUser.language: language, t.AppUser.language_at: at}).where(
            t.AppUser.id == user_id)
        # Every phone of this person switches too, whichever of them made the choice.
        self.changes.record("person_language", user_id, {"id": str(user_id), "language": language, "at": at},
                            estate_id=None, user_id=user_id)
