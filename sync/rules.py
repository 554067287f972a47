"""What each mutation does, and when it is refused.

Every rule checks before it writes, so a rejected mutation leaves no trace but its record. Reasons are plain
sentences: the phone shows them to the person who made the capture.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from uuid import UUID

from sync import mutations as m
from sync.grading import ELEMENTS, RECHECK_OUTCOMES, SCHEMES
from sync.languages import LANGUAGE_CODES
from sync.merge import merge_fields
from sync.permissions import PERMISSIONS, fields_role_may_not_set, may
from sync.records import (
    CATEGORIES,
    ISSUE_FIELDS,
    MAIL_MODES,
    INSPECTION_FIELDS,
    PRIORITIES,
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
from sync.store import Store
from sync.workflow import TransitionRefused, check_transition

@functools.lru_cache(maxsize=4096)
def derived_id(secret: bytes, client_id: UUID, mutation_id: int, n: int) -> UUID:
    """The id of the ``n``-th timeline event a mutation makes: the same every time the mutation is applied
    (a replay after a restore finds its own events), and unpredictable without the server's secret.

    A phone's client id is visible in the stamps others pull; were event ids derived from it alone, anyone could
    take the ids that phone's next mutations need and stall its queue for ever.

    Cached: a bulk push works out its mutations' event ids before their rules run (``server.sync_api.push_store``).
    """
    digest = hmac.digest(secret, f"{client_id}:{mutation_id}:{n}".encode(), hashlib.sha256)
    return uuid.UUID(bytes=digest[:16], version=4)


class Rejected(Exception):
    """The mutation will not be applied; ``str(self)`` says why, in English for API users, and ``code`` with
    ``params`` say the same for the phone to word in its person's language (``refusal.<code>`` in its catalogue).
    The codes are stable: a phone may be months older than the server."""

    def __init__(self, reason: str, estate_id: UUID | None = None, code: str | None = None, *,
                 params: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.estate_id = estate_id
        self.code = code
        self.params = params or {}


#: The refusal of an attach naming bytes the server holds but this person never showed they hold.
UPLOAD_FIRST = "upload the photo first"
UPLOAD_FIRST_CODE = "photo.upload_first"


@dataclass
class Context:
    store: Store
    actor: Actor
    client_id: UUID
    mutation_id: int
    at: str
    now: dt.datetime
    via: str | None = None
    """How the change reached the server when not from a phone (``"email"``): shown in the timeline."""
    secret: bytes = b""
    """The server's key for the ids it derives (``Store.server_secret``)."""
    _events: int = 0

    def event_id(self) -> UUID:
        if not self.secret:
            raise RuntimeError("event ids need the server's secret")
        self._events += 1
        return derived_id(self.secret, self.client_id, self.mutation_id, self._events)

    def event(self, issue: Issue, kind: str, data: dict[str, Any], event_id: UUID | None = None) -> IssueEvent:
        if self.via is not None:
            data = {**data, "via": self.via}
        return IssueEvent(
            id=event_id or self.event_id(),
            issue_id=issue.id,
            estate_id=issue.estate_id,
            kind=kind,  # type: ignore[arg-type]
            actor_id=self.actor.user_id,
            at=self.at,
            recorded_at=self.now,
            data=data,
        )


Rule = Callable[[Context, Any], Awaitable[UUID | None]]
_RULES: dict[type, Rule] = {}


def rule(mutation_type: type) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES[mutation_type] = fn
        return fn

    return register


async def apply_rule(ctx: Context, mutation: m.AnyMutation) -> UUID | None:
    """Apply one mutation; return the estate it touched, or raise ``Rejected``."""
    return await _RULES[type(mutation)](ctx, mutation.args)


# --- shared checks -----------------------------------------------------------------------------------------

def _role(ctx: Context, estate_id: UUID) -> Role | None:
    return ctx.actor.role_on(estate_id)


def no_such(kind: str, row_id: UUID) -> Rejected:
    """The one refusal for a thing that does not exist and for a thing this person may not see: same words,
    no estate. Every rule refuses through it (the HTTP side's twin is ``server.problems.not_visible``)."""
    return Rejected(f"there is no {kind} {row_id} that you can see", code=f"{kind.replace(' ', '_')}_not_found")


async def _visible_issue(ctx: Context, issue_id: UUID) -> Issue:
    """The issue, if it exists and this person may see it; the same refusal either way.

    Contractors see only the issues assigned to them: another job answers like no issue at all, before anything
    about it (withdrawn, merged, its status) can show in a refusal.
    """
    issue = await ctx.store.issue(issue_id)
    role = _role(ctx, issue.estate_id) if issue is not None else None
    if issue is None or role is None or (role == "contractor" and issue.assignee_id != ctx.actor.user_id):
        raise no_such("issue", issue_id)
    if issue.withdrawn:
        raise Rejected("this issue was withdrawn", issue.estate_id, code="issue_withdrawn")
    return issue


async def _issue_to_add_to(ctx: Context, issue_id: UUID) -> Issue:
    """For additions (comments, photos) an issue merged into another passes them on to that issue."""
    issue = await _visible_issue(ctx, issue_id)
    seen = {issue.id}
    while issue.merged_into is not None and issue.merged_into not in seen:
        try:
            issue = await _visible_issue(ctx, issue.merged_into)
        except Rejected:
            # Never name the issue it went into to someone who may not see that one.
            raise no_such("issue", issue_id) from None
        seen.add(issue.id)
    return issue


def id_taken(kind: str) -> str:
    """The one refusal for a new row whose id is already held, by any kind of row, on any estate: the same
    words whether the holder is on the person's own estate or elsewhere, so it tells nothing of other estates."""
    return f"a {kind} with this id already exists"


async def _refuse_taken_id(ctx: Context, row_id: UUID, kind: str, estate_id: UUID) -> None:
    if await ctx.store.id_in_use(row_id) is not None:
        raise Rejected(id_taken(kind), estate_id, code="already_exists")


def _refuse_if_merged(issue: Issue) -> None:
    if issue.merged_into is not None:
        raise Rejected(f"this issue was merged into issue {issue.merged_into}; edit that one", issue.estate_id,
                       code="issue_merged")


def _require(ctx: Context, action: str, estate_id: UUID, *, issue: Issue | None = None) -> Role:
    role = _role(ctx, estate_id)
    if role is None:
        raise Rejected("you are not a member of this estate", code="not_a_member")
    is_assignee = issue is not None and issue.assignee_id == ctx.actor.user_id
    is_raiser = issue is not None and issue.raised_by == ctx.actor.user_id
    if not may(role, action, is_assignee=is_assignee, is_raiser=is_raiser):
        if issue is not None and role == "contractor" and not is_assignee:
            # Contractors see only their own jobs: another job must look exactly like no issue at all.
            raise no_such("issue", issue.id)
        raise Rejected(_refusal(role, action), estate_id, code=_refusal_code(role, action))
    return role


def _refusal(role: Role, action: str) -> str:
    rule_for_role = PERMISSIONS.get(action, {}).get(role)
    who = role.replace("_", " ")
    if rule_for_role == "assignee":
        return f"a {who} can only do this on issues assigned to them"
    if rule_for_role == "raiser":
        return f"a {who} can only do this on issues they raised"
    return f"a {who} cannot do this ({action})"


def _refusal_code(role: Role, action: str) -> str:
    rule_for_role = PERMISSIONS.get(action, {}).get(role)
    return {"assignee": "only_assigned", "raiser": "only_raised"}.get(str(rule_for_role), "not_allowed")


async def _check_issue_values(ctx: Context, estate_id: UUID, values: dict[str, Any]) -> None:
    if "title" in values and not values["title"].strip():
        raise Rejected("an issue needs a title", estate_id, code="title_needed")
    if "category" in values and values["category"] not in CATEGORIES:
        raise Rejected(f"'{values['category']}' is not a category", estate_id, code="unknown_category",
                       params={"category": values["category"]})
    if "priority" in values and values["priority"] not in PRIORITIES:
        raise Rejected(f"'{values['priority']}' is not a priority (use {', '.join(PRIORITIES)})", estate_id,
                       code="unknown_priority", params={"priority": values["priority"]})
    if values.get("location_id") is not None:
        if await ctx.store.location_estate(values["location_id"]) != estate_id:
            raise Rejected("that location is not on this estate", estate_id, code="location_elsewhere")
    if values.get("owner_id") is not None:
        if await ctx.store.estate_role(values["owner_id"], estate_id) != "staff":
            raise Rejected("the owner must be a member of staff on this estate", estate_id, code="owner_not_staff")
    if values.get("assignee_id") is not None:
        if await ctx.store.estate_role(values["assignee_id"], estate_id) not in ("staff", "contractor"):
            raise Rejected("the assignee must be staff or a contractor on this estate", estate_id,
                           code="assignee_not_allowed")


def _issue_values(issue: Issue) -> dict[str, Any]:
    return {field: getattr(issue, field) for field in ISSUE_FIELDS}


def _plain(value: Any) -> Any:
    """Timeline data is JSON: keep ids and dates as the strings the phone shows."""
    if isinstance(value, (UUID, dt.date)):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    return value


# --- issues ------------------------------------------------------------------------------------------------

@rule(m.IssueCreate)
async def create_issue(ctx: Context, args: m.IssueCreateArgs) -> UUID:
    _require(ctx, "issue.create", args.estate_id)
    await _refuse_taken_id(ctx, args.id, "issue", args.estate_id)
    values = {
        "title": args.title,
        "description": args.description,
        "category": args.category,
        "priority": args.priority,
        "location_id": args.location_id,
    }
    await _check_issue_values(ctx, args.estate_id, values)
    if args.inspection_id is not None:
        inspection = await ctx.store.inspection(args.inspection_id)
        if inspection is None or inspection.estate_id != args.estate_id:
            raise Rejected("that inspection is not on this estate", args.estate_id, code="inspection_elsewhere")
    issue = Issue(
        id=args.id,
        estate_id=args.estate_id,
        location_id=args.location_id,
        inspection_id=args.inspection_id,
        category=args.category,
        title=args.title.strip(),
        description=args.description,
        priority=args.priority,
        status="reported",
        owner_id=None,
        assignee_id=None,
        due_date=None,
        raised_by=ctx.actor.user_id,
        captured_at=args.captured_at,
        created_at=ctx.now,
        updated_at=ctx.now,
        field_stamps={field: ctx.at for field in ISSUE_FIELDS},
        written_in=args.written_in,
    )
    await ctx.store.save_issue(issue, new=True)
    await ctx.store.add_event(ctx.event(issue, "created", {"title": issue.title}))
    # Whoever raised an issue hears what becomes of it, without asking to.
    await ctx.store.set_following(issue.id, ctx.actor.user_id, True, estate_id=issue.estate_id)
    return issue.estate_id


@rule(m.IssueUpdate)
async def update_issue(ctx: Context, args: m.IssueUpdateArgs) -> UUID:
    issue = await _visible_issue(ctx, args.id)
    _refuse_if_merged(issue)
    role = _require(ctx, "issue.update", issue.estate_id, issue=issue)
    incoming = m.changed_fields(args.fields)
    if not incoming:
        raise Rejected("the edit changes no field", issue.estate_id, code="nothing_changed")
    forbidden = fields_role_may_not_set(role, set(incoming))
    if forbidden:
        raise Rejected(f"only staff can set {', '.join(sorted(forbidden))}", issue.estate_id, code="staff_only",
                       params={"fields": ", ".join(sorted(forbidden))})
    await _check_issue_values(ctx, issue.estate_id, incoming)
    if isinstance(incoming.get("title"), str):
        incoming["title"] = incoming["title"].strip()

    outcome = merge_fields(_issue_values(issue), issue.field_stamps, incoming, ctx.at, args.base)
    for field, value in outcome.winners.items():
        setattr(issue, field, value)
        issue.field_stamps[field] = ctx.at
    if outcome.winners:
        issue.updated_at = ctx.now
        await ctx.store.save_issue(issue, new=False)
    for change in outcome.changes:
        await ctx.store.add_event(ctx.event(issue, "field_changed", {
            "field": change.field, "old": _plain(change.old), "new": _plain(change.new),
            "concurrent": change.concurrent,
        }))
    for lost in outcome.superseded:
        await ctx.store.add_event(ctx.event(issue, "superseded_edit", {
            "field": lost.field, "value": _plain(lost.value), "superseded_by": lost.superseded_by,
            "concurrent": lost.concurrent,
        }))
    return issue.estate_id


@rule(m.IssueStatus)
async def change_status(ctx: Context, args: m.IssueStatusArgs) -> UUID:
    issue = await _visible_issue(ctx, args.id)
    _refuse_if_merged(issue)
    role = _role(ctx, issue.estate_id)
    try:
        check_transition(issue, args.status, role,
                         is_assignee=issue.assignee_id == ctx.actor.user_id, note=args.note)
    except TransitionRefused as refusal:
        raise Rejected(str(refusal), issue.estate_id, refusal.code, params=refusal.params) from None
    previous = issue.status
    issue.status = args.status
    issue.updated_at = ctx.now
    await ctx.store.save_issue(issue, new=False)
    await ctx.store.add_event(ctx.event(issue, "status_changed", {
        "from": previous, "to": args.status, "note": args.note,
    }))
    return issue.estate_id


@rule(m.IssueComment)
async def add_comment(ctx: Context, args: m.IssueCommentArgs) -> UUID:
    issue = await _issue_to_add_to(ctx, args.issue_id)
    _require(ctx, "issue.comment", issue.estate_id, issue=issue)
    if not args.body.strip():
        raise Rejected("a comment needs some text", issue.estate_id, code="comment_empty")
    await _refuse_taken_id(ctx, args.id, "comment", issue.estate_id)
    data: dict[str, Any] = {"body": args.body}
    if args.written_in:
        data["written_in"] = args.written_in
    await ctx.store.add_event(ctx.event(issue, "comment", data, event_id=args.id))
    issue.updated_at = ctx.now
    await ctx.store.save_issue(issue, new=False)
    return issue.estate_id


@rule(m.IssueWithdraw)
async def withdraw_issue(ctx: Context, args: m.IssueWithdrawArgs) -> UUID:
    issue = await _visible_issue(ctx, args.id)
    _refuse_if_merged(issue)
    _require(ctx, "issue.withdraw", issue.estate_id, issue=issue)
    issue.withdrawn = True
    issue.updated_at = ctx.now
    await ctx.store.save_issue(issue, new=False)
    await ctx.store.add_event(ctx.event(issue, "withdrawn", {"reason": args.reason}))
    return issue.estate_id


# --- photos ------------------------------------------------------------------------------------------------

@rule(m.PhotoAttach)
async def attach_photo(ctx: Context, args: m.PhotoAttachArgs) -> UUID:
    issue = await _issue_to_add_to(ctx, args.issue_id)
    _require(ctx, "photo.attach", issue.estate_id, issue=issue)
    await _refuse_taken_id(ctx, args.id, "photo", issue.estate_id)
    if not await _holds_photo(ctx, args.sha256):
        # Knowing a hash is not a capability: the phone that took the photo has the bytes, sends them, and
        # attaches again (pwa/js/sync.js), losing nothing.
        raise Rejected(UPLOAD_FIRST, issue.estate_id, code=UPLOAD_FIRST_CODE)
    photo = Photo(
        id=args.id,
        issue_id=issue.id,
        estate_id=issue.estate_id,
        sha256=args.sha256,
        content_type=args.content_type,
        byte_size=args.byte_size,
        width=args.width,
        height=args.height,
        captured_at=args.captured_at,
        caption=args.caption,
        added_by=ctx.actor.user_id,
        # The bytes may come before or after this record; until both are here the photo shows as pending.
        uploaded=await ctx.store.photo_bytes_stored(args.sha256),
    )
    await ctx.store.save_photo(photo, new=True)
    await ctx.store.add_event(ctx.event(issue, "photo_added", {"photo_id": str(photo.id), "sha256": photo.sha256}))
    issue.updated_at = ctx.now
    await ctx.store.save_issue(issue, new=False)
    return issue.estate_id


# --- inspections -------------------------------------------------------------------------------------------

@rule(m.InspectionCreate)
async def create_inspection(ctx: Context, args: m.InspectionCreateArgs) -> UUID:
    """Start an inspection, or join it: phones sharing a walk derive the same id (``sync.walks``) offline, so
    the second ``inspection.create`` for an id is someone joining the walk, not a mistake."""
    _require(ctx, "inspection.create", args.estate_id)
    held_by = await ctx.store.id_in_use(args.id)
    if held_by is not None and held_by != "inspection":
        # Another kind of row holds the id: refused like another estate's inspection, naming nothing.
        raise Rejected(_no_inspection(args.id))
    existing = await ctx.store.inspection(args.id) if held_by is not None else None
    if existing is not None:
        if existing.estate_id != args.estate_id:
            # Another estate's inspection (or a made-up collision): answer exactly as for an id that does not
            # exist, so the code or id never tells anyone what happens on an estate they are not part of.
            raise Rejected(_no_inspection(args.id))
        await _join_inspection(ctx, existing, args)
        return existing.estate_id
    inspection = Inspection(
        id=args.id,
        estate_id=args.estate_id,
        date=args.date,
        attendees=_names(args.attendees),
        notes=args.notes,
        created_by=ctx.actor.user_id,
        finished_at=None,
        field_stamps={field: ctx.at for field in INSPECTION_FIELDS},
    )
    await ctx.store.save_inspection(inspection, new=True)
    return inspection.estate_id


def _no_inspection(inspection_id: UUID) -> str:
    """The one refusal for an inspection id that does not exist or is not on one of the person's estates."""
    return str(no_such("inspection", inspection_id))


def _names(names: list[str]) -> list[str]:
    """Attendees as typed, blanks dropped, each person once (the same name typed on two phones is one person)."""
    kept: list[str] = []
    seen: set[str] = set()
    for name in (n.strip() for n in names):
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept


async def _join_inspection(ctx: Context, inspection: Inspection, args: m.InspectionCreateArgs) -> None:
    """A second phone's ``inspection.create`` for the same walk adds to it and takes nothing away.

    Attendees are the union (the first phone's order, then newcomers), and notes are kept side by side: both
    were written by people at the walk, and neither saw the other's. The date and the creator stay those of the
    first create applied: the date is part of what the join code names (honest phones agree on it), and moving
    it is an explicit ``inspection.update``. Re-sending a join changes nothing.
    """
    attendees = _names([*inspection.attendees, *args.attendees])
    notes = inspection.notes
    joining = args.notes.strip()
    if joining and joining not in notes:
        notes = f"{notes.rstrip()}\n{joining}" if notes.strip() else joining
    changed = {}
    if attendees != inspection.attendees:
        changed["attendees"] = attendees
    if notes != inspection.notes:
        changed["notes"] = notes
    if not changed:
        return
    for field, value in changed.items():
        setattr(inspection, field, value)
        # The later stamp of the two, so a later explicit edit still wins and an earlier one does not undo this.
        inspection.field_stamps[field] = max(inspection.field_stamps.get(field, ""), ctx.at)
    await ctx.store.save_inspection(inspection, new=False)


@rule(m.InspectionUpdate)
async def update_inspection(ctx: Context, args: m.InspectionUpdateArgs) -> UUID:
    inspection = await ctx.store.inspection(args.id)
    if inspection is None or _role(ctx, inspection.estate_id) is None:
        raise Rejected(_no_inspection(args.id))
    _require(ctx, "inspection.update", inspection.estate_id)
    incoming = m.changed_fields(args.fields)
    if not incoming:
        raise Rejected("the edit changes no field", inspection.estate_id, code="nothing_changed")
    current = {field: getattr(inspection, field) for field in INSPECTION_FIELDS}
    # Losing inspection edits stay in the mutation history with their values.
    outcome = merge_fields(current, inspection.field_stamps, incoming, ctx.at, args.base)
    for field, value in outcome.winners.items():
        setattr(inspection, field, list(value) if field == "attendees" else value)
        inspection.field_stamps[field] = ctx.at
    if outcome.winners:
        await ctx.store.save_inspection(inspection, new=False)
    return inspection.estate_id


# --- duplicates and following ------------------------------------------------------------------------------

@rule(m.IssueMerge)
async def merge_issue(ctx: Context, args: m.IssueMergeArgs) -> UUID:
    """Merge a duplicate into the issue that goes on. Both timelines are kept, each with a ``merged`` event."""
    issue = await _visible_issue(ctx, args.id)
    _refuse_if_merged(issue)
    _require(ctx, "issue.merge", issue.estate_id, issue=issue)
    if args.into == issue.id:
        raise Rejected("an issue cannot be merged into itself", issue.estate_id, code="merge_itself")
    target = await _visible_issue(ctx, args.into)
    if target.estate_id != issue.estate_id:
        raise Rejected("both issues must be on the same estate", issue.estate_id, code="merge_other_estate")
    if target.merged_into is not None:
        # Chains would make "which issue goes on?" ambiguous on a phone that has not pulled yet.
        raise Rejected(f"issue {target.id} was itself merged into issue {target.merged_into}; merge into that one",
                       issue.estate_id, code="merge_target_merged")
    issue.merged_into = target.id
    issue.updated_at = ctx.now
    await ctx.store.save_issue(issue, new=False)
    await ctx.store.add_event(ctx.event(issue, "merged", {
        "into": str(target.id), "title": target.title, "note": args.note}))
    target.updated_at = ctx.now
    await ctx.store.save_issue(target, new=False)
    await ctx.store.add_event(ctx.event(target, "merged", {
        "from": str(issue.id), "title": issue.title, "note": args.note}))
    # The resident who raised the duplicate still hears when the real one is fixed.
    await ctx.store.set_following(target.id, issue.raised_by, True, estate_id=target.estate_id)
    return issue.estate_id


@rule(m.IssueFollow)
async def follow_issue(ctx: Context, args: m.IssueFollowArgs) -> UUID:
    issue = await _issue_to_add_to(ctx, args.id)
    _require(ctx, "issue.follow", issue.estate_id, issue=issue)
    await ctx.store.set_following(issue.id, ctx.actor.user_id, args.follow, estate_id=issue.estate_id)
    return issue.estate_id


# --- inspections as a record -------------------------------------------------------------------------------

async def _visible_inspection(ctx: Context, inspection_id: UUID) -> Inspection:
    inspection = await ctx.store.inspection(inspection_id)
    if inspection is None or _role(ctx, inspection.estate_id) is None:
        raise Rejected(_no_inspection(inspection_id))
    return inspection


@rule(m.EstateGradingScheme)
async def choose_grading_scheme(ctx: Context, args: m.EstateGradingSchemeArgs) -> UUID:
    _require(ctx, "estate.grading_scheme", args.estate_id)
    if args.scheme not in SCHEMES:
        raise Rejected(f"'{args.scheme}' is not a grading scheme (use {', '.join(SCHEMES)})", args.estate_id,
                       code="unknown_scheme", params={"scheme": args.scheme})
    await ctx.store.save_grading_scheme(args.estate_id, args.scheme, ctx.actor.user_id)
    return args.estate_id


@rule(m.InspectionGrade)
async def grade_element(ctx: Context, args: m.InspectionGradeArgs) -> UUID:
    """One grade per element and location in an inspection: the later grade (by stamp) stands."""
    inspection = await _visible_inspection(ctx, args.inspection_id)
    estate_id = inspection.estate_id
    _require(ctx, "inspection.grade", estate_id)
    scheme = SCHEMES[await ctx.store.grading_scheme(estate_id)]
    if args.grade not in scheme.grades:
        raise Rejected(f"'{args.grade}' is not a grade of the {scheme.label} scheme "
                       f"(use {', '.join(scheme.grades)})", estate_id, code="unknown_grade", params={"grade": args.grade})
    if args.element not in ELEMENTS:
        raise Rejected(f"'{args.element}' is not an element that is graded", estate_id, code="unknown_element",
                       params={"element": args.element})
    if args.location_id is not None and await ctx.store.location_estate(args.location_id) != estate_id:
        raise Rejected("that location is not on this estate", estate_id, code="location_elsewhere")
    if args.photo_sha256 is not None:
        await _check_grade_photo(ctx, args.photo_sha256, estate_id)
    existing = await ctx.store.grade_for(inspection.id, args.location_id, args.element)
    if await ctx.store.id_in_use(args.id) is not None and (existing is None or existing.id != args.id):
        # Only the grade of this very element may be re-graded under its own id; an id held by any other row,
        # on this estate or another, is refused in the same words, and nothing is replaced.
        raise Rejected(id_taken("grade"), estate_id)
    if existing is not None and existing.at > ctx.at:
        # An earlier grade arriving late loses; it stays in the mutation history with its value.
        return estate_id
    await ctx.store.save_grade(InspectionGrade(
        id=args.id, inspection_id=inspection.id, estate_id=estate_id, location_id=args.location_id,
        element=args.element, scheme=scheme.name, grade=args.grade,
        agreed_by=[name.strip() for name in args.agreed_by if name.strip()], note=args.note,
        graded_by=ctx.actor.user_id, at=ctx.at, photo_sha256=args.photo_sha256,
    ), replaces=existing.id if existing is not None and existing.id != args.id else None)
    return estate_id


async def _check_grade_photo(ctx: Context, sha256: str, estate_id: UUID) -> None:
    """A grade's photo is shown to the estate's members, so naming a hash must not be a way to read bytes.

    A phone records the grade before it uploads the photo, so bytes the server does not hold yet are fine.
    Bytes it already holds may be named only when this estate already shows them (a photo of one of its issues,
    or another grade): otherwise knowing a hash would be enough to see someone else's photo.
    """
    if not await _holds_photo(ctx, sha256):
        raise Rejected("that photo is not one taken on this estate; take it again", estate_id,
                           code="photo_elsewhere")


async def _holds_photo(ctx: Context, sha256: str) -> bool:
    """Proof of possession, for naming photo bytes in a record.

    Bytes the server does not hold yet may be named (a phone records before it uploads): the record shows
    nothing until its maker sends them (``server.photos.service.estates_showing``). Bytes it holds may be named
    by who uploaded them, or by who already sees them through something else (and then holds them as well).
    """
    if not await ctx.store.photo_bytes_stored(sha256):
        return True
    if await ctx.store.photo_uploaded_by(sha256, ctx.actor.user_id):
        return True
    if await ctx.store.photo_visible_to(sha256, ctx.actor):
        await ctx.store.record_possession(sha256, ctx.actor.user_id)
        return True
    return False


@rule(m.InspectionRecheck)
async def recheck_issue(ctx: Context, args: m.InspectionRecheckArgs) -> UUID:
    """"Still there" or "looks fixed": an observation in the issue's timeline, never a status change by itself
    (only the owner's side fixes and only residents confirm)."""
    inspection = await _visible_inspection(ctx, args.inspection_id)
    _require(ctx, "inspection.recheck", inspection.estate_id)
    issue = await _issue_to_add_to(ctx, args.issue_id)
    if issue.estate_id != inspection.estate_id:
        raise Rejected("that issue is not on this inspection's estate", inspection.estate_id, code="issue_elsewhere")
    if args.outcome not in RECHECK_OUTCOMES:
        raise Rejected(f"'{args.outcome}' is not a re-check outcome (use {', '.join(RECHECK_OUTCOMES)})",
                       issue.estate_id, code="unknown_outcome", params={"outcome": args.outcome})
    await _refuse_taken_id(ctx, args.id, "re-check", issue.estate_id)
    await ctx.store.save_recheck(InspectionRecheck(
        id=args.id, inspection_id=inspection.id, issue_id=issue.id, estate_id=issue.estate_id,
        outcome=args.outcome, note=args.note, checked_by=ctx.actor.user_id, at=ctx.at))
    await ctx.store.add_event(ctx.event(issue, "rechecked", {
        "inspection_id": str(inspection.id), "outcome": args.outcome, "note": args.note}))
    issue.updated_at = ctx.now
    await ctx.store.save_issue(issue, new=False)
    return issue.estate_id


# --- meetings and their action plans -----------------------------------------------------------------------

MEETING_ISSUE_KINDS = ("raised", "reviewed")


@rule(m.MeetingCreate)
async def create_meeting(ctx: Context, args: m.MeetingCreateArgs) -> UUID:
    _require(ctx, "meeting.create", args.estate_id)
    await _refuse_taken_id(ctx, args.id, "meeting", args.estate_id)
    if not args.title.strip():
        raise Rejected("a meeting needs a title", args.estate_id, code="meeting_title_needed")
    await ctx.store.save_meeting(Meeting(
        id=args.id, estate_id=args.estate_id, date=args.date, title=args.title.strip(),
        attendees=[name.strip() for name in args.attendees if name.strip()], notes=args.notes,
        created_by=ctx.actor.user_id))
    return args.estate_id


@rule(m.MeetingIssue)
async def put_issue_on_action_plan(ctx: Context, args: m.MeetingIssueArgs) -> UUID:
    meeting = await ctx.store.meeting(args.meeting_id)
    if meeting is None or _role(ctx, meeting.estate_id) is None:
        raise no_such("meeting", args.meeting_id)
    _require(ctx, "meeting.issue", meeting.estate_id)
    if args.kind not in MEETING_ISSUE_KINDS:
        raise Rejected(f"'{args.kind}' is not how an issue comes to a meeting (use raised or reviewed)",
                       meeting.estate_id, code="unknown_meeting_kind", params={"kind": args.kind})
    issue = await _issue_to_add_to(ctx, args.issue_id)
    if issue.estate_id != meeting.estate_id:
        raise Rejected("that issue is not on this meeting's estate", meeting.estate_id, code="issue_elsewhere")
    existing = await ctx.store.meeting_issue(meeting.id, issue.id)
    # "Raised here" says more than "reviewed here": it is never downgraded.
    if existing is not None and (existing.kind == "raised" or existing.kind == args.kind):
        return meeting.estate_id
    await ctx.store.save_meeting_issue(MeetingIssue(
        meeting_id=meeting.id, issue_id=issue.id, estate_id=meeting.estate_id, kind=args.kind,
        added_by=ctx.actor.user_id))
    return meeting.estate_id


# --- how a person hears about what they follow -------------------------------------------------------------


@rule(m.MailPreference)
async def choose_mail_preference(ctx: Context, args: m.MailPreferenceArgs) -> None:
    """Anyone signed in chooses for themselves. A mutation rather than only an HTTP call, so the choice is made
    offline like everything else; from two phones, the later choice (by stamp) stands."""
    if args.mode not in MAIL_MODES:
        raise Rejected(f"'{args.mode}' is not a way to hear about issues (use {', '.join(MAIL_MODES)})",
                       code="unknown_mail_mode", params={"mode": args.mode})
    current = await ctx.store.mail_preference(ctx.actor.user_id)
    if current is not None and current[1] is not None and current[1] > ctx.at:
        # An earlier choice arriving late loses; it stays in the mutation history.
        return None
    await ctx.store.save_mail_preference(ctx.actor.user_id, args.mode, ctx.at)
    return None


# --- the language a person reads in -------------------------------------------------------------------------


@rule(m.PersonLanguage)
async def choose_language(ctx: Context, args: m.PersonLanguageArgs) -> None:
    """Anyone signed in chooses for themselves, offline like any change; the later choice (by stamp) stands, so
    two phones that chose differently end up agreeing. E-mails and PDFs follow the stored choice."""
    if args.language not in LANGUAGE_CODES:
        raise Rejected(f"'{args.language}' is not a language Estatewalk speaks (use {', '.join(LANGUAGE_CODES)})",
                       code="unknown_language", params={"language": args.language})
    current = await ctx.store.language(ctx.actor.user_id)
    if current is not None and current[1] is not None and current[1] > ctx.at:
        return None
    await ctx.store.save_language(ctx.actor.user_id, args.language, ctx.at)
    return None
