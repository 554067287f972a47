"""Reading issues for reports: current status, owner, due date, last update and overdue, all computed.

Nothing here is stored: "overdue" and "14 of 25 resolved" are worked out from the issues at the moment of
asking, so a plan printed tomorrow tells tomorrow's truth.

A duplicate merged into another issue is reported with the state of the issue it was merged into: residents
who raised the duplicate want to know whether *their* defect is fixed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any
from uuid import UUID

import msgspec
from msgspec import Struct

from server.clock import utcnow
from server.db import tables as t
from server.i18n import Words
from server.notify.wording import ENGLISH, describe_event, status_label
from sync.grading import SCHEMES
from sync.workflow import RESOLVED_STATUSES, is_overdue


def stamp_time(at: str) -> dt.datetime:
    """When a change was made: the (server-bounded) clock stamp, not when its phone happened to sync."""
    return dt.datetime.fromtimestamp(int(at.split(":", 1)[0]) / 1000, tz=dt.timezone.utc)


def today() -> dt.date:
    """Due dates are calendar dates; the server's day is UTC (close enough to UK time for a due date)."""
    return utcnow().date()


class LastUpdate(Struct):
    at: dt.datetime
    kind: str
    text: str


class IssueRow(Struct):
    id: UUID
    title: str
    category: str
    priority: str
    status: str
    status_label: str
    location: str
    owner_id: UUID | None
    owner: str
    assignee: str
    due_date: dt.date | None
    overdue: bool
    resolved: bool
    confirmed: bool
    raised_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    last_update: LastUpdate | None
    merged_into: UUID | None
    inspection_id: UUID | None


class Counts(Struct):
    total: int
    resolved: int
    """fixed, confirmed by residents or won't fix: the landlord's side is done."""
    confirmed: int
    """confirmed fixed by residents: the loop is closed."""
    open: int
    overdue: int
    wont_fix: int
    summary: str


def count(rows: list[IssueRow]) -> Counts:
    total = len(rows)
    resolved = sum(row.resolved for row in rows)
    confirmed = sum(row.confirmed for row in rows)
    return Counts(total=total, resolved=resolved, confirmed=confirmed, open=total - resolved,
                  overdue=sum(row.overdue for row in rows), wont_fix=sum(row.status == "wont_fix" for row in rows),
                  summary=f"{resolved} of {total} resolved, {confirmed} confirmed by residents")


async def _names(user_ids: set[UUID]) -> dict[UUID, str]:
    if not user_ids:
        return {}
    rows = await t.AppUser.select(t.AppUser.id, t.AppUser.name).where(t.AppUser.id.is_in(list(user_ids)))
    return {row["id"]: row["name"] for row in rows}


async def _location_names(estate_ids: set[UUID]) -> dict[UUID, str]:
    """Full names of places ("Larkspur House › Floor 2 › Stairwell") so a printed plan needs no map."""
    if not estate_ids:
        return {}
    rows = await t.Location.select(t.Location.id, t.Location.parent_id, t.Location.name).where(
        t.Location.estate_id.is_in(list(estate_ids)))
    by_id = {row["id"]: row for row in rows}

    def full(location_id: UUID) -> str:
        parts, seen = [], set()
        while location_id in by_id and location_id not in seen:
            seen.add(location_id)
            parts.append(by_id[location_id]["name"])
            location_id = by_id[location_id]["parent_id"]
        return " › ".join(reversed(parts))

    return {location_id: full(location_id) for location_id in by_id}


async def issue_rows(issue_ids: list[UUID] | None = None, *, estate_id: UUID | None = None,
                     assignee_id: UUID | None = None, words: Words = ENGLISH) -> list[IssueRow]:
    """Report rows for the given issues (in that order) or for every issue of an estate (oldest first).

    Withdrawn issues are left out of an estate's list; on a meeting's plan they stay, shown as withdrawn. With
    both ``issue_ids`` and ``estate_id``, only those of that estate: a report never shows another estate's rows,
    whatever links say (and the issue an issue was merged into is shown only from the same estate).
    """
    query = t.Issue.select()
    if issue_ids is not None:
        if not issue_ids:
            return []
        query = query.where(t.Issue.id.is_in(issue_ids))
        if estate_id is not None:
            query = query.where(t.Issue.estate_id == estate_id)
    else:
        query = query.where((t.Issue.estate_id == estate_id) & (t.Issue.withdrawn == False))  # noqa: E712
        if assignee_id is not None:
            query = query.where(t.Issue.assignee_id == assignee_id)
    issues = {row["id"]: row for row in await query.order_by(t.Issue.created_at)}
    targets_needed = {row["merged_into"] for row in issues.values() if row["merged_into"]} - set(issues)
    if targets_needed:
        estates = {row["estate_id"] for row in issues.values()}
        for row in await t.Issue.select().where(t.Issue.id.is_in(list(targets_needed))):
            if row["estate_id"] in estates:
                issues[row["id"]] = row

    def effective(row: dict[str, Any]) -> dict[str, Any]:
        seen = set()
        while row["merged_into"] and row["merged_into"] in issues and row["id"] not in seen:
            seen.add(row["id"])
            row = issues[row["merged_into"]]
        return row

    events = await t.IssueEvent.select(t.IssueEvent.issue_id, t.IssueEvent.kind, t.IssueEvent.data,
                                       t.IssueEvent.actor_id, t.IssueEvent.at).where(
        t.IssueEvent.issue_id.is_in(list(issues))).order_by(t.IssueEvent.at)
    last_event: dict[UUID, dict[str, Any]] = {}
    for event in events:
        last_event[event["issue_id"]] = event
    people = await _names({uid for row in issues.values() for uid in (row["owner_id"], row["assignee_id"],
                                                                      row["raised_by"]) if uid}
                          | {event["actor_id"] for event in last_event.values()})
    places = await _location_names({row["estate_id"] for row in issues.values()})
    moment = today()
    wanted = issue_ids if issue_ids is not None else [i for i in issues if i not in targets_needed]
    result = []
    for issue_id in wanted:
        if issue_id not in issues:
            continue
        own = issues[issue_id]
        current = effective(own)
        status = "withdrawn" if current["withdrawn"] else current["status"]
        event = last_event.get(current["id"])
        last = None
        if event is not None:
            data = event["data"]
            data = msgspec.json.decode(data) if isinstance(data, (str, bytes)) else data
            text = describe_event(event["kind"], data, people.get(event["actor_id"], words.t("mail.someone")), words)
            last = LastUpdate(at=stamp_time(event["at"]), kind=event["kind"],
                              text=text or event["kind"].replace("_", " "))
        result.append(IssueRow(
            id=own["id"], title=own["title"], category=own["category"], priority=own["priority"],
            status=status, status_label=status_label(status, words),
            location=places.get(own["location_id"], "") if own["location_id"] else "",
            owner_id=current["owner_id"], owner=people.get(current["owner_id"], "") if current["owner_id"] else "",
            assignee=people.get(current["assignee_id"], "") if current["assignee_id"] else "",
            due_date=current["due_date"],
            overdue=not current["withdrawn"] and is_overdue(current["status"], current["due_date"], moment),
            resolved=current["withdrawn"] or current["status"] in RESOLVED_STATUSES,
            confirmed=not current["withdrawn"] and current["status"] == "confirmed",
            raised_by=people.get(own["raised_by"], ""), created_at=own["created_at"],
            updated_at=max(own["updated_at"], current["updated_at"]), last_update=last,
            merged_into=own["merged_into"], inspection_id=own["inspection_id"],
        ))
    return result


# --- meetings --------------------------------------------------------------------------------------------

class PlanIssue(Struct):
    kind: str
    """``raised`` at this meeting or ``reviewed`` there."""
    issue: IssueRow


class ActionPlan(Struct):
    meeting_id: UUID
    estate_id: UUID
    estate: str
    date: dt.date
    title: str
    attendees: list[str]
    notes: str
    generated_at: dt.datetime
    counts: Counts
    issues: list[PlanIssue]


async def _estate_name(estate_id: UUID) -> str:
    row = await t.Estate.select(t.Estate.name).where(t.Estate.id == estate_id).first()
    return row["name"] if row else ""


def _json_list(value: Any) -> list:
    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else list(value or [])


async def meeting_estate(meeting_id: UUID) -> UUID | None:
    row = await t.Meeting.select(t.Meeting.estate_id).where(t.Meeting.id == meeting_id).first()
    return row["estate_id"] if row else None


async def action_plan(meeting_id: UUID, words: Words = ENGLISH) -> ActionPlan | None:
    """A meeting's action plan; ``words`` is the reader's language for statuses and the last updates."""
    meeting = await t.Meeting.select().where(t.Meeting.id == meeting_id).first()
    if meeting is None:
        return None
    links = await t.MeetingIssue.select(t.MeetingIssue.issue_id, t.MeetingIssue.kind).where(
        t.MeetingIssue.meeting_id == meeting_id).order_by(t.MeetingIssue.added_at)
    kinds = {link["issue_id"]: link["kind"] for link in links}
    rows = await issue_rows(list(kinds), estate_id=meeting["estate_id"], words=words)
    kinds = {row.id: kinds[row.id] for row in rows}
    # Issues raised at the meeting first, then those reviewed; oldest first within each.
    rows.sort(key=lambda row: (kinds[row.id] != "raised", row.created_at))
    return ActionPlan(
        meeting_id=meeting_id, estate_id=meeting["estate_id"], estate=await _estate_name(meeting["estate_id"]),
        date=meeting["date"], title=meeting["title"], attendees=_json_list(meeting["attendees"]),
        notes=meeting["notes"], generated_at=utcnow(), counts=count(rows),
        issues=[PlanIssue(kind=kinds[row.id], issue=row) for row in rows])


# --- inspections -----------------------------------------------------------------------------------------

class GradeRow(Struct):
    location: str
    element: str
    scheme: str
    grade: str
    grade_label: str
    agreed_by: list[str]
    note: str
    photo_sha256: str | None = None
    """The photo taken as evidence for this grade (``GET /api/photos/{sha256}``), if any."""


class RecheckRow(Struct):
    outcome: str
    note: str
    issue: IssueRow


class InspectionSummary(Struct):
    inspection_id: UUID
    estate_id: UUID
    estate: str
    date: dt.date
    attendees: list[str]
    notes: str
    finished_at: dt.datetime | None
    scheme: str
    grades: list[GradeRow]
    grade_counts: dict[str, int]
    raised: list[IssueRow]
    rechecked: list[RecheckRow]
    counts: Counts
    """Of the issues raised on this walk."""


async def inspection_estate(inspection_id: UUID) -> UUID | None:
    row = await t.Inspection.select(t.Inspection.estate_id).where(t.Inspection.id == inspection_id).first()
    return row["estate_id"] if row else None


async def inspection_summary(inspection_id: UUID, words: Words = ENGLISH) -> InspectionSummary | None:
    inspection = await t.Inspection.select().where(t.Inspection.id == inspection_id).first()
    if inspection is None:
        return None
    estate_id = inspection["estate_id"]
    places = await _location_names({estate_id})
    grades = await t.InspectionGrade.select().where(t.InspectionGrade.inspection_id == inspection_id)
    whole_estate = words.t("summary.whole_estate")
    grade_rows = sorted((GradeRow(
        location=places.get(g["location_id"], whole_estate) if g["location_id"] else whole_estate,
        element=g["element"], scheme=g["scheme"], grade=g["grade"],
        grade_label=SCHEMES[g["scheme"]].labels.get(g["grade"], g["grade"]) if g["scheme"] in SCHEMES
        else g["grade"], agreed_by=_json_list(g["agreed_by"]), note=g["note"],
        photo_sha256=g["photo_sha256"]) for g in grades),
        key=lambda g: (g.location, g.element))
    grade_counts: dict[str, int] = {}
    for g in grade_rows:
        grade_counts[g.grade] = grade_counts.get(g.grade, 0) + 1
    raised_ids = [row["id"] for row in await t.Issue.select(t.Issue.id).where(
        t.Issue.inspection_id == inspection_id).order_by(t.Issue.created_at)]
    raised = await issue_rows(raised_ids, estate_id=estate_id, words=words)
    checks = await t.InspectionRecheck.select().where(
        (t.InspectionRecheck.inspection_id == inspection_id) & (t.InspectionRecheck.estate_id == estate_id)
    ).order_by(t.InspectionRecheck.at)
    checked_rows = {row.id: row for row in await issue_rows(list({c["issue_id"] for c in checks}), words=words)}
    scheme_row = await t.EstateGradingScheme.select(t.EstateGradingScheme.scheme).where(
        t.EstateGradingScheme.estate_id == estate_id).first()
    return InspectionSummary(
        inspection_id=inspection_id, estate_id=estate_id, estate=await _estate_name(estate_id),
        date=inspection["date"], attendees=_json_list(inspection["attendees"]), notes=inspection["notes"],
        finished_at=inspection["finished_at"],
        scheme=grade_rows[0].scheme if grade_rows else (scheme_row["scheme"] if scheme_row else "a_to_d"),
        grades=grade_rows, grade_counts=grade_counts, raised=raised,
        rechecked=[RecheckRow(outcome=c["outcome"], note=c["note"], issue=checked_rows[c["issue_id"]])
                   for c in checks if c["issue_id"] in checked_rows],
        counts=count(raised))


# --- the estate dashboard -------------------------------------------------------------------------------

class GradePoint(Struct):
    date: dt.date
    inspection_id: UUID
    score: float
    """Mean grade on a 0–1 scale (1 best), whatever the scheme."""
    grades: int


class Dashboard(Struct):
    estate_id: UUID
    estate: str
    counts: Counts
    median_days_to_fix: float | None
    """From reported to first marked fixed, over issues fixed so far."""
    fixed_per_month: dict[str, int]
    grades_over_time: list[GradePoint]


async def dashboard(estate_id: UUID) -> Dashboard:
    rows = [row for row in await issue_rows(estate_id=estate_id) if row.merged_into is None]
    # Times come from the timeline's clock stamps: when it was reported and first marked fixed, wherever
    # the phones were when they synced.
    events = await t.IssueEvent.select(t.IssueEvent.issue_id, t.IssueEvent.kind, t.IssueEvent.data,
                                       t.IssueEvent.at).where(
        (t.IssueEvent.estate_id == estate_id)
        & t.IssueEvent.kind.is_in(["created", "status_changed"])).order_by(t.IssueEvent.at)
    wanted = {row.id for row in rows}
    created: dict[UUID, dt.datetime] = {}
    first_fixed: dict[UUID, dt.datetime] = {}
    for event in events:
        if event["issue_id"] not in wanted:
            continue
        data = event["data"]
        data = msgspec.json.decode(data) if isinstance(data, (str, bytes)) else data
        if event["kind"] == "created":
            created.setdefault(event["issue_id"], stamp_time(event["at"]))
        elif data.get("to") == "fixed":
            first_fixed.setdefault(event["issue_id"], stamp_time(event["at"]))
    # A phone whose clock was slow can stamp "fixed" before "created": such an issue was fixed at once (zero
    # days), not left out of the median.
    days = [max(0.0, (moment - created[issue_id]).total_seconds() / 86400)
            for issue_id, moment in first_fixed.items() if issue_id in created]
    per_month: dict[str, int] = {}
    for moment in first_fixed.values():
        per_month[moment.strftime("%Y-%m")] = per_month.get(moment.strftime("%Y-%m"), 0) + 1
    points = []
    inspections = await t.Inspection.select(t.Inspection.id, t.Inspection.date).where(
        t.Inspection.estate_id == estate_id).order_by(t.Inspection.date)
    grades = await t.InspectionGrade.select(t.InspectionGrade.inspection_id, t.InspectionGrade.scheme,
                                            t.InspectionGrade.grade).where(t.InspectionGrade.estate_id == estate_id)
    for inspection in inspections:
        scores = [SCHEMES[g["scheme"]].score(g["grade"]) for g in grades
                  if g["inspection_id"] == inspection["id"] and g["scheme"] in SCHEMES
                  and g["grade"] in SCHEMES[g["scheme"]].grades]
        if scores:
            points.append(GradePoint(date=inspection["date"], inspection_id=inspection["id"],
                                     score=round(sum(scores) / len(scores), 3), grades=len(scores)))
    return Dashboard(estate_id=estate_id, estate=await _estate_name(estate_id), counts=count(rows),
                     median_days_to_fix=round(statistics.median(days), 1) if days else None,
                     fixed_per_month=dict(sorted(per_month.items())), grades_over_time=points)
