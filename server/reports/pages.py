"""Printable pages: server-rendered HTML with one external stylesheet and no script at all.

They must work under a strict Content-Security-Policy (no inline script, no inline style), print cleanly on
A4 (``@media print`` in ``report.css``), and need nothing from outside the server.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from server.reports.charts import bar_chart, line_chart
from server.reports.queries import ActionPlan, Counts, Dashboard, GradeRow, InspectionSummary, IssueRow

STYLESHEET = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")
STYLESHEET_URL = "/api/reports/report.css"


def _page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="{STYLESHEET_URL}"></head>'
            f'<body><main>{body}</main></body></html>\n')


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%-d %b %Y")


def _counts(counts: Counts) -> str:
    return (f'<p class="counts"><strong>{counts.resolved} of {counts.total} resolved</strong>'
            f' · {counts.confirmed} confirmed by residents · {counts.open} open'
            f' · <span class="overdue-count">{counts.overdue} overdue</span></p>')


def _issue_cells(row: IssueRow) -> str:
    status = escape(row.status_label)
    if row.overdue:
        status += ' <span class="flag">OVERDUE</span>'
    last = ""
    if row.last_update:
        last = f'{escape(row.last_update.text)} <span class="when">({_date(row.last_update.at)})</span>'
    merged = ' <span class="note">(duplicate, merged)</span>' if row.merged_into else ""
    return (f'<td>{escape(row.title)}{merged}<div class="where">{escape(row.location)}</div></td>'
            f'<td class="status status-{escape(row.status)}">{status}</td>'
            f'<td>{escape(row.owner) or "—"}</td><td>{_date(row.due_date) or "—"}</td><td>{last}</td>')


_ISSUE_HEAD = "<th>Issue</th><th>Status</th><th>Owner</th><th>Due</th><th>Last update</th>"


def action_plan_page(plan: ActionPlan) -> str:
    rows = "".join(
        f'<tr class="{"overdue" if item.issue.overdue else ""}"><td>{i}</td>'
        f'<td>{"Raised" if item.kind == "raised" else "Reviewed"}</td>{_issue_cells(item.issue)}</tr>'
        for i, item in enumerate(plan.issues, start=1))
    body = (f'<header><p class="estate">{escape(plan.estate)}</p>'
            f'<h1>Action plan: {escape(plan.title)}, {_date(plan.date)}</h1>'
            f'{_counts(plan.counts)}'
            f'<p class="attendees">Attendees: {escape(", ".join(plan.attendees)) or "—"}</p></header>'
            f'<table><thead><tr><th>#</th><th>At meeting</th>{_ISSUE_HEAD}</tr></thead>'
            f'<tbody>{rows or "<tr><td colspan=7>No issues on this plan yet.</td></tr>"}</tbody></table>'
            f'<footer>Resolved means fixed, confirmed by residents, or won\'t fix (with the reason in the '
            f'timeline). Printed {_date(plan.generated_at)} from Estatewalk; counts are worked out from the '
            f'issues, never typed.</footer>')
    return _page(f"Action plan – {plan.estate} – {_date(plan.date)}", body)


_OUTCOMES = {"still_there": "Still there", "looks_fixed": "Looks fixed"}


def _grade_photo(grade: GradeRow) -> str:
    # Same origin, through the authorised photo route: whoever may read this page may see the photo.
    if not grade.photo_sha256:
        return "—"
    what = f"Photo: {grade.element.replace('_', ' ')} at {grade.location}"
    return (f'<img class="evidence" src="/api/photos/{escape(grade.photo_sha256)}?variant=thumb" '
            f'alt="{escape(what)}" width="96" loading="lazy">')


def inspection_summary_page(summary: InspectionSummary) -> str:
    grades = "".join(
        f'<tr><td>{escape(g.location)}</td><td>{escape(g.element.replace("_", " "))}</td>'
        f'<td class="grade grade-{escape(g.grade)}">{escape(g.grade_label)}</td>'
        f'<td>{escape(", ".join(g.agreed_by))}</td><td>{escape(g.note)}</td>'
        f'<td>{_grade_photo(g)}</td></tr>'
        for g in summary.grades)
    raised = "".join(f"<tr>{_issue_cells(row)}</tr>" for row in summary.raised)
    checked = "".join(
        f'<tr><td>{escape(_OUTCOMES.get(c.outcome, c.outcome))}</td>{_issue_cells(c.issue)}</tr>'
        for c in summary.rechecked)
    body = (f'<header><p class="estate">{escape(summary.estate)}</p>'
            f'<h1>Inspection summary, {_date(summary.date)}</h1>'
            f'<p class="attendees">Attendees: {escape(", ".join(summary.attendees)) or "—"}</p>'
            f'<p>{len(summary.raised)} issues raised · {len(summary.rechecked)} re-checked · '
            f'{len(summary.grades)} grades</p>'
            f'{f"<p>{escape(summary.notes)}</p>" if summary.notes else ""}</header>'
            f'<h2>Grades</h2><table><thead><tr><th>Location</th><th>Element</th><th>Grade</th>'
            f'<th>Agreed by</th><th>Note</th><th>Photo</th></tr></thead><tbody>{grades}</tbody></table>'
            f'<h2>Issues raised</h2>{_counts(summary.counts)}'
            f'<table><thead><tr>{_ISSUE_HEAD}</tr></thead><tbody>{raised}</tbody></table>'
            f'<h2>Issues re-checked</h2><table><thead><tr><th>Found</th>{_ISSUE_HEAD}</tr></thead>'
            f'<tbody>{checked}</tbody></table>')
    return _page(f"Inspection summary – {summary.estate} – {_date(summary.date)}", body)


def dashboard_page(board: Dashboard) -> str:
    c = board.counts
    median = f"{board.median_days_to_fix:g} days" if board.median_days_to_fix is not None else "no fixes yet"
    grades = line_chart([(p.date.isoformat(), p.score) for p in board.grades_over_time],
                        title="Mean grade per inspection (top = best)")
    fixed = bar_chart(list(board.fixed_per_month.items()), title="Issues fixed per month")
    status = bar_chart([("open", c.open - c.overdue), ("overdue", c.overdue),
                        ("resolved", c.resolved - c.confirmed), ("confirmed", c.confirmed)],
                       title="Issues now")
    body = (f'<header><p class="estate">{escape(board.estate)}</p><h1>Estate dashboard</h1></header>'
            f'<dl class="figures"><div><dt>Open</dt><dd>{c.open}</dd></div>'
            f'<div><dt>Overdue</dt><dd>{c.overdue}</dd></div>'
            f'<div><dt>Resolved</dt><dd>{c.resolved} of {c.total}</dd></div>'
            f'<div><dt>Confirmed by residents</dt><dd>{c.confirmed}</dd></div>'
            f'<div><dt>Median time to fix</dt><dd>{median}</dd></div></dl>'
            f'<section class="charts">{status}{fixed}{grades}</section>')
    return _page(f"Dashboard – {board.estate}", body)
