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


def _date(value: dt.date | dt.datetime | None, words: Words = ENGLISH) -> str:
    """UK style in English ("4 Nov 2026"); in other languages the ISO date, which needs no English month names."""
    if value is None:
        return ""
    if words.code != ENGLISH.code:
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
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
        last = f'{escape(row.last_update.text)} <span class="when">({_date(row.last_update.at, words)})</span>'
    merged = f' <span class="note">{escape(say("plan.merged"))}</span>' if row.merged_into else ""
    # Titles are shown as written (dir="auto": a Turkish title reads left to right on a Sorani page).
    return (_cell(say("plan.col_issue"), f'<span class="title" dir="auto">{escape(row.title)}</span>{merged}'
                                         f'<div class="where">{escape(row.location)}</div>')
            + _cell(say("plan.col_status"), status, f"status status-{escape(row.status)}")
            + _cell(say("plan.col_owner"), escape(row.owner) or "—")
            + _cell(say("plan.col_due"), _date(row.due_date, words) or "—")
            + _cell(say("plan.col_last"), last))


def action_plan_page(plan: ActionPlan, words: Words = ENGLISH) -> str:
    """The printable action plan in the reader's language (statuses and headings; what people wrote as written)."""
    say = words.t
    english = words.code == ENGLISH.code
    rows = "".join(
        f'<tr class="{"overdue" if item.issue.overdue else ""}">{_cell("#", str(i), "number")}'
        f'{_cell(say("plan.col_kind"), say("plan.raised") if item.kind == "raised" else say("plan.reviewed"))}'
        f'{_issue_cells(item.issue, words)}</tr>'
        for i, item in enumerate(plan.issues, start=1))
    head = _issue_head(words)
    empty = f"<tr><td colspan=7>{escape(say('plan.empty'))}</td></tr>"
    heading = (f"Action plan: {escape(plan.title)}, {_date(plan.date)}" if english
               else escape(say("plan.title", title=plan.title, date=plan.date.isoformat())))
    attendees = (f'Attendees: {escape(", ".join(plan.attendees)) or "—"}' if english
                 else escape(say("plan.attendees", names=", ".join(plan.attendees) or "—")))
    body = (f'<header><p class="estate">{escape(plan.estate)}</p>'
            f'<h1>{heading}</h1>'
            f'{_counts(plan.counts, words)}'
            f'<p class="attendees">{attendees}</p></header>'
            f'<table class="plan"><thead><tr><th>#</th><th>{escape(say("plan.col_kind"))}</th>{head}</tr></thead>'
            f'<tbody>{rows or empty}</tbody></table>'
            f'<footer>Resolved means fixed, confirmed by residents, or won\'t fix (with the reason in the '
            f'timeline). Printed {_date(plan.generated_at)} from Estatewalk; counts are worked out from the '
            f'issues, never typed.</footer>')
    if not english:
        footnote = escape(say("plan.footnote", when=_date(plan.generated_at, words)))
        body = body.rsplit("<footer>", 1)[0] + f"<footer>{footnote}</footer>"
    return _page(f"Action plan – {plan.estate} – {_date(plan.date)}" if english
                 else say("plan.doc_title", estate=plan.estate, date=plan.date.isoformat()), body, words)


def _grade_photo(grade: GradeRow, words: Words = ENGLISH) -> str:
    # Same origin, through the authorised photo route: whoever may read this page may see the photo.
    if not grade.photo_sha256:
        return "—"
    what = words.t("summary.photo_alt", element=words.element(grade.element), location=grade.location)
    return (f'<img class="evidence" src="/api/photos/{escape(grade.photo_sha256)}?variant=thumb" '
            f'alt="{escape(what)}" width="96" loading="lazy">')


def _grade_cell(grade: GradeRow, label: str, words: Words) -> str:
    return _cell(label, escape(words.grade(grade.scheme, grade.grade, grade.grade_label)),
                 f"grade grade-{escape(grade.grade)}")


def _issue_head(words: Words) -> str:
    return "".join(f"<th>{escape(words.t(f'plan.col_{name}'))}</th>"
                   for name in ("issue", "status", "owner", "due", "last"))


def inspection_summary_page(summary: InspectionSummary, words: Words = ENGLISH) -> str:
    """The printable inspection summary in the reader's language; what people wrote as written."""
    say = words.t
    columns = ("location", "element", "grade", "agreed", "note", "photo")
    label = {name: say(f"summary.col_{name}") for name in columns}
    grades = "".join(
        f'<tr>{_cell(label["location"], escape(g.location))}'
        f'{_cell(label["element"], escape(words.element(g.element)))}'
        f'{_grade_cell(g, label["grade"], words)}'
        f'{_cell(label["agreed"], escape(", ".join(g.agreed_by)))}'
        f'{_cell(label["note"], f"<span dir=auto>{escape(g.note)}</span>" if g.note else "")}'
        f'{_cell(label["photo"], _grade_photo(g, words))}</tr>'
        for g in summary.grades)
    raised = "".join(f"<tr>{_issue_cells(row, words)}</tr>" for row in summary.raised)
    outcomes = {"still_there": say("summary.still_there"), "looks_fixed": say("summary.looks_fixed")}
    checked = "".join(
        f'<tr>{_cell(say("summary.col_found"), escape(outcomes.get(c.outcome, c.outcome)))}'
        f'{_issue_cells(c.issue, words)}</tr>'
        for c in summary.rechecked)
    head = _issue_head(words)
    counts = say("summary.counts", raised=len(summary.raised), rechecked=len(summary.rechecked),
                 grades=len(summary.grades))
    body = (f'<header><p class="estate">{escape(summary.estate)}</p>'
            f'<h1>{escape(say("summary.title", date=_date(summary.date, words)))}</h1>'
            f'<p class="attendees">{escape(say("plan.attendees", names=", ".join(summary.attendees) or "—"))}</p>'
            f'<p>{escape(counts)}</p>'
            f'{f"<p dir=auto>{escape(summary.notes)}</p>" if summary.notes else ""}</header>'
            f'<h2>{escape(say("summary.grades"))}</h2><table><thead><tr>'
            + "".join(f"<th>{escape(label[name])}</th>" for name in columns)
            + f'</tr></thead><tbody>{grades}</tbody></table>'
            f'<h2>{escape(say("summary.raised"))}</h2>{_counts(summary.counts, words)}'
            f'<table><thead><tr>{head}</tr></thead><tbody>{raised}</tbody></table>'
            f'<h2>{escape(say("summary.rechecked"))}</h2><table><thead><tr>'
            f'<th>{escape(say("summary.col_found"))}</th>{head}</tr></thead>'
            f'<tbody>{checked}</tbody></table>')
    return _page(say("summary.doc_title", estate=summary.estate, date=_date(summary.date, words)), body, words)


def status_figures(counts: Counts, words: Words = ENGLISH) -> list[tuple[str, int]]:
    """The dashboard's figures about issues now. The cards and the chart both draw exactly these: the chart once
    drew its own breakdown ("open" meaning open and not overdue) under the cards' words, and the two disagreed."""
    return [(words.t("dash.open"), counts.open), (words.t("dash.overdue"), counts.overdue),
            (words.t("dash.resolved"), counts.resolved), (words.t("dash.confirmed"), counts.confirmed)]


def dashboard_page(board: Dashboard, words: Words = ENGLISH) -> str:
    """The estate's dashboard in the reader's language."""
    say = words.t
    c = board.counts
    figures = status_figures(c, words)
    resolved = figures[2][0]
    median = (say("dash.days", days=f"{board.median_days_to_fix:g}") if board.median_days_to_fix is not None
              else say("dash.no_fixes"))
    grades = line_chart([(p.date.isoformat(), p.score) for p in board.grades_over_time],
                        title=say("dash.chart_grades"), empty=say("dash.no_grades"))
    fixed = bar_chart(list(board.fixed_per_month.items()), title=say("dash.chart_fixed"),
                      empty=say("dash.no_data"))
    status = bar_chart(figures, title=say("dash.chart_status", total=c.total), empty=say("dash.no_data"))
    cards = "".join(
        f'<div><dt>{escape(label)}</dt><dd>'
        f'{escape(say("dash.of_total", count=value, total=c.total)) if label == resolved else value}</dd></div>'
        for label, value in figures)
    body = (f'<header><p class="estate">{escape(board.estate)}</p><h1>{escape(say("dash.title"))}</h1></header>'
            f'<dl class="figures">{cards}'
            f'<div><dt>{escape(say("dash.median"))}</dt><dd>{escape(median)}</dd></div></dl>'
            f'<section class="charts">{status}{fixed}{grades}</section>')
    return _page(say("dash.doc_title", estate=board.estate), body, words)
