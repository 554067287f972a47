"""Printable pages: server-rendered HTML with one external stylesheet and no script at all.

They must work under a strict Content-Security-Policy (no inline script, no inline style), print cleanly on
A4 (``@media print`` in ``report.css``), and need nothing from outside the server.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from server.i18n import Words
from server.notify.wording import ENGLISH
from server.reports.charts import bar_chart, line_chart
from server.reports.queries import ActionPlan, Counts, Dashboard, GradeRow, InspectionSummary, IssueRow

STYLESHEET = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")
STYLESHEET_URL = "/api/reports/report.css"


def _page(title: str, body: str, words: Words = ENGLISH) -> str:
    direction = "rtl" if words.rtl else "ltr"
    return (f'<!doctype html>\n<html lang="{escape(words.code)}" dir="{direction}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="{STYLESHEET_URL}"></head>'
            f'<body><main>{body}</main></body></html>\n')


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%-d %b %Y")


def _counts(counts: Counts, words: Words = ENGLISH) -> str:
    if words.code != ENGLISH.code:
        return (f'<p class="counts"><strong>' + escape(words.t(
            "plan.counts", resolved=counts.resolved, total=counts.total, confirmed=counts.confirmed,
            open=counts.open, overdue=counts.overdue)) + "</strong></p>")
    return (f'<p class="counts"><strong>{counts.resolved} of {counts.total} resolved</strong>'
            f' · {counts.confirmed} confirmed by residents · {counts.open} open'
            f' · <span class="overdue-count">{counts.overdue} overdue</span></p>')


def _cell(label: str, content: str, css: str = "") -> str:
    """A table cell that names its column: on a narrow screen each row is shown as a card of labelled lines."""
    css_attribute = f' class="{css}"' if css else ""
    return f'<td data-label="{escape(label)}"{css_attribute}>{content}</td>'


def _issue_cells(row: IssueRow, words: Words = ENGLISH) -> str:
    say = words.t
    status = escape(row.status_label)
    if row.overdue:
        status += f' <span class="flag">{escape(say("plan.overdue"))}</span>'
    last = ""
    if row.last_update:
        last = f'{escape(row.last_update.text)} <span class="when">({_date(row.last_update.at)})</span>'
    merged = ' <span class="note">(duplicate, merged)</span>' if row.merged_into else ""
    # Titles are shown as written (dir="auto": a Turkish title reads left to right on a Sorani page).
    return (_cell(say("plan.col_issue"), f'<span class="title" dir="auto">{escape(row.title)}</span>{merged}'
                                         f'<div class="where">{escape(row.location)}</div>')
            + _cell(say("plan.col_status"), status, f"status status-{escape(row.status)}")
            + _cell(say("plan.col_owner"), escape(row.owner) or "—")
            + _cell(say("plan.col_due"), _date(row.due_date) or "—")
            + _cell(say("plan.col_last"), last))


_ISSUE_HEAD = "<th>Issue</th><th>Status</th><th>Owner</th><th>Due</th><th>Last update</th>"


def action_plan_page(plan: ActionPlan, words: Words = ENGLISH) -> str:
    """The printable action plan in the reader's language (statuses and headings; what people wrote as written)."""
    say = words.t
    english = words.code == ENGLISH.code
    rows = "".join(
        f'<tr class="{"overdue" if item.issue.overdue else ""}">{_cell("#", str(i), "number")}'
        f'{_cell(say("plan.col_kind"), say("plan.raised") if item.kind == "raised" else say("plan.reviewed"))}'
        f'{_issue_cells(item.issue, words)}</tr>'
        for i, item in enumerate(plan.issues, start=1))
    head = _ISSUE_HEAD if english else "".join(
        f"<th>{escape(say(f'plan.col_{name}'))}</th>" for name in ("issue", "status", "owner", "due", "last"))
    heading = (f"Action plan: {escape(plan.title)}, {_date(plan.date)}" if english
               else escape(say("plan.title", title=plan.title, date=plan.date.isoformat())))
    attendees = (f'Attendees: {escape(", ".join(plan.attendees)) or "—"}' if english
                 else escape(say("plan.attendees", names=", ".join(plan.attendees) or "—")))
    body = (f'<header><p class="estate">{escape(plan.estate)}</p>'
            f'<h1>{heading}</h1>'
            f'{_counts(plan.counts, words)}'
            f'<p class="attendees">{attendees}</p></header>'
            f'<table class="plan"><thead><tr><th>#</th><th>{escape(say("plan.col_kind"))}</th>{head}</tr></thead>'
            f'<tbody>{rows or "<tr><td colspan=7>No issues on this plan yet.</td></tr>"}</tbody></table>'
            f'<footer>Resolved means fixed, confirmed by residents, or won\'t fix (with the reason in the '
            f'timeline). Printed {_date(plan.generated_at)} from Estatewalk; counts are worked out from the '
            f'issues, never typed.</footer>')
    if not english:
        body = body.rsplit("<footer>", 1)[0] + f"<footer>{escape(say('plan.footnote', when=_date(plan.generated_at)))}</footer>"
    return _page(f"Action plan – {plan.estate} – {_date(plan.date)}" if english
                 else say("plan.doc_title", estate=plan.estate, date=plan.date.isoformat()), body, words)


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
        f'<tr>{_cell("Location", escape(g.location))}{_cell("Element", escape(g.element.replace("_", " ")))}'
        f'{_cell("Grade", escape(g.grade_label), f"grade grade-{escape(g.grade)}")}'
        f'{_cell("Agreed by", escape(", ".join(g.agreed_by)))}{_cell("Note", escape(g.note))}'
        f'{_cell("Photo", _grade_photo(g))}</tr>'
        for g in summary.grades)
    raised = "".join(f"<tr>{_issue_cells(row)}</tr>" for row in summary.raised)
    checked = "".join(
        f'<tr>{_cell("Found", escape(_OUTCOMES.get(c.outcome, c.outcome)))}{_issue_cells(c.issue)}</tr>'
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


def status_figures(counts: Counts) -> list[tuple[str, int]]:
    """The dashboard's figures about issues now. The cards and the chart both draw exactly these: the chart once
    drew its own breakdown ("open" meaning open and not overdue) under the cards' words, and the two disagreed."""
    return [("Open", counts.open), ("Overdue", counts.overdue), ("Resolved", counts.resolved),
            ("Confirmed by residents", counts.confirmed)]


def dashboard_page(board: Dashboard) -> str:
    c = board.counts
    figures = status_figures(c)
    median = f"{board.median_days_to_fix:g} days" if board.median_days_to_fix is not None else "no fixes yet"
    grades = line_chart([(p.date.isoformat(), p.score) for p in board.grades_over_time],
                        title="Mean grade per inspection (top = best)")
    fixed = bar_chart(list(board.fixed_per_month.items()), title="Issues fixed per month")
    status = bar_chart(figures, title=f"Issues now (of {c.total})")
    cards = "".join(
        f'<div><dt>{escape(label)}</dt><dd>{value}{f" of {c.total}" if label == "Resolved" else ""}</dd></div>'
        for label, value in figures)
    body = (f'<header><p class="estate">{escape(board.estate)}</p><h1>Estate dashboard</h1></header>'
            f'<dl class="figures">{cards}'
            f'<div><dt>Median time to fix</dt><dd>{median}</dd></div></dl>'
            f'<section class="charts">{status}{fixed}{grades}</section>')
    return _page(f"Dashboard – {board.estate}", body)
