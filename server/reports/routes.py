"""Report routes: the issue list (JSON, CSV), action plans, inspection summaries and the dashboard.

Each route authorises first (``access``), then reads through ``queries`` and renders. Nothing is cached:
a report always shows the issues as they are now.
"""

from __future__ import annotations

from uuid import UUID

from litestar import MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from server.auth.dependencies import SIGNED_IN
from server.auth.sessions import Viewer
from server.photos.service import estates_showing, storage_for
from server.photos.storage import photo_key
from server.problems import not_visible, problem_responses
from server.reports import pages, queries
from server.reports.access import require_member, require_report_reader
from server.reports.csv_export import issues_csv
from server.i18n import Words, words_for
from server.notify.wording import ENGLISH
from server.reports.pdf import action_plan_pdf, inspection_summary_pdf

_RESPONSES = problem_responses(401, 404)
_HTML = "text/html; charset=utf-8"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@get("/api/estates/{estate_id:uuid}/issues", tags=["reports"], security=SIGNED_IN, responses=_RESPONSES)
async def estate_issues(estate_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> list[queries.IssueRow]:
    """Every issue of the estate with its current status, owner, due date, last update and ``overdue``.

    A contractor sees only the issues assigned to them.
    """
    role = require_member(viewer, estate_id, "estate")
    return await queries.issue_rows(estate_id=estate_id,
                                    assignee_id=viewer.user_id if role == "contractor" else None)


@get("/api/estates/{estate_id:uuid}/issues.csv", tags=["reports"], security=SIGNED_IN, responses=_RESPONSES,
     media_type="text/csv; charset=utf-8")
async def estate_issues_csv(estate_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> Response[str]:
    """The estate's issue list as CSV (staff and the estate's TRA reps)."""
    require_report_reader(viewer, estate_id, "estate")
    rows = await queries.issue_rows(estate_id=estate_id)
    return Response(issues_csv(rows), media_type="text/csv; charset=utf-8",
                    headers=_attachment(f"issues-{estate_id}.csv"))


@get("/api/estates/{estate_id:uuid}/dashboard", tags=["reports"], security=SIGNED_IN, responses=_RESPONSES)
async def estate_dashboard(estate_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> queries.Dashboard:
    """Open, overdue and resolved counts, median time to fix, fixes per month and grades over time."""
    require_report_reader(viewer, estate_id, "estate")
    return await queries.dashboard(estate_id)


@get("/api/estates/{estate_id:uuid}/dashboard.html", tags=["reports"], security=SIGNED_IN, responses=_RESPONSES,
     media_type=_HTML)
async def estate_dashboard_page(estate_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> Response[str]:
    require_report_reader(viewer, estate_id, "estate")
    words = await words_for(viewer.user_id)
    return Response(pages.dashboard_page(await queries.dashboard(estate_id), words), media_type=_HTML)


async def _plan(meeting_id: UUID, viewer: Viewer, words: Words = ENGLISH) -> queries.ActionPlan:
    require_report_reader(viewer, await queries.meeting_estate(meeting_id), "meeting")
    plan = await queries.action_plan(meeting_id, words)
    if plan is None:
        raise not_visible("meeting")
    return plan


@get("/api/meetings/{meeting_id:uuid}/action-plan", tags=["reports"], security=SIGNED_IN, responses=_RESPONSES)
async def meeting_action_plan(meeting_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> queries.ActionPlan:
    """The meeting's action plan: its issues now, with computed counts ("14 of 25 resolved")."""
    return await _plan(meeting_id, viewer)


@get("/api/meetings/{meeting_id:uuid}/action-plan.html", tags=["reports"], security=SIGNED_IN,
     responses=_RESPONSES, media_type=_HTML)
async def meeting_action_plan_page(meeting_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> Response[str]:
    """The action plan as a printable page."""
    words = await words_for(viewer.user_id)
    return Response(pages.action_plan_page(await _plan(meeting_id, viewer, words), words), media_type=_HTML)


@get("/api/meetings/{meeting_id:uuid}/action-plan.pdf", tags=["reports"], security=SIGNED_IN,
     responses=_RESPONSES, media_type="application/pdf")
async def meeting_action_plan_pdf(meeting_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> Response[bytes]:
    """The action plan as a PDF."""
    # In the language the reader chose in the app; what people wrote is printed as written.
    words = await words_for(viewer.user_id)
    plan = await _plan(meeting_id, viewer, words)
    return Response(action_plan_pdf(plan, words), media_type="application/pdf",
                    headers=_attachment(f"action-plan-{plan.date.isoformat()}.pdf"))


async def _summary(inspection_id: UUID, viewer: Viewer, words: Words = ENGLISH) -> queries.InspectionSummary:
    require_report_reader(viewer, await queries.inspection_estate(inspection_id), "inspection")
    summary = await queries.inspection_summary(inspection_id, words)
    if summary is None:
        raise not_visible("inspection")
    return summary


@get("/api/inspections/{inspection_id:uuid}/summary", tags=["reports"], security=SIGNED_IN,
     responses=_RESPONSES)
async def inspection_summary(inspection_id: FromPath[UUID],
                             viewer: NamedDependency[Viewer]) -> queries.InspectionSummary:
    """What an inspection found: grades (and who agreed them), issues raised and issues re-checked."""
    return await _summary(inspection_id, viewer)


@get("/api/inspections/{inspection_id:uuid}/summary.html", tags=["reports"], security=SIGNED_IN,
     responses=_RESPONSES, media_type=_HTML)
async def inspection_summary_page(inspection_id: FromPath[UUID], viewer: NamedDependency[Viewer]) -> Response[str]:
    words = await words_for(viewer.user_id)
    return Response(pages.inspection_summary_page(await _summary(inspection_id, viewer, words), words),
                    media_type=_HTML)


@get("/api/inspections/{inspection_id:uuid}/summary.pdf", tags=["reports"], security=SIGNED_IN,
     responses=_RESPONSES, media_type="application/pdf")
async def inspection_summary_as_pdf(request: Request, inspection_id: FromPath[UUID],
                                    viewer: NamedDependency[Viewer]) -> Response[bytes]:
    """The inspection summary as a PDF, with the grades' photos as thumbnails."""
    words = await words_for(viewer.user_id)
    summary = await _summary(inspection_id, viewer, words)
    storage = storage_for(request.app.state.settings)
    # Only photos this person may see through this estate (a grade naming bytes its maker never held shows none).
    photos = {sha: data for sha in {g.photo_sha256 for g in summary.grades if g.photo_sha256}
              if summary.estate_id in (await estates_showing(viewer, sha))[1]
              and (data := await storage.get(photo_key("thumb", sha))) is not None}
    return Response(inspection_summary_pdf(summary, photos, words), media_type="application/pdf",
                    headers=_attachment(f"inspection-{summary.date.isoformat()}.pdf"))


@get(pages.STYLESHEET_URL, tags=["reports"], media_type="text/css; charset=utf-8", include_in_schema=False,
     cache_control=None)
async def report_stylesheet() -> Response[str]:
    return Response(pages.STYLESHEET, media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})


ROUTES = [estate_issues, estate_issues_csv, estate_dashboard, estate_dashboard_page, meeting_action_plan,
          meeting_action_plan_page, meeting_action_plan_pdf, inspection_summary, inspection_summary_page, inspection_summary_as_pdf,
          report_stylesheet]
