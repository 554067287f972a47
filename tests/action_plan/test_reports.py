"""Reports people take to a meeting: the CSV issue list, the action plan as PDF and printable page, the
inspection summary page and the estate dashboard."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from pypdf import PdfReader

from server.demo import FIRST_ESTATE, demo_id
from tests.action_plan.helpers import get_json, issues_at, status
from tests.conftest import new_issue_args

DEMO_MEETING = demo_id("meeting:larkspur:tra")
DEMO_INSPECTION = demo_id("inspection:larkspur:last-month")


async def test_the_issue_list_csv_has_the_estates_issues_and_the_right_columns(as_staff, as_rep, as_rep2,
                                                                               as_contractor):
    tricky = new_issue_args(as_rep.estate(), title="=HYPERLINK(\"http://evil\")")
    elsewhere = new_issue_args(as_rep2.estate(), title="Canal Walk only")
    await as_rep.push(as_rep.mutation("issue.create", tricky))
    await as_rep2.push(as_rep2.mutation("issue.create", elsewhere))
    answer = await as_rep.http.get(f"/api/estates/{as_rep.estate()}/issues.csv", headers=as_rep.headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0]) == ["id", "title", "category", "priority", "status", "location", "owner", "assignee",
                             "due_date", "overdue", "raised_by", "created_at", "updated_at", "last_update",
                             "merged_into"]
    listed = {row["id"]: row for row in await get_json(as_rep, f"/api/estates/{as_rep.estate()}/issues")}
    assert [row["id"] for row in rows] == list(listed)
    assert elsewhere["id"] not in {row["id"] for row in rows}
    # A formula typed as a title is kept as text, never run by a spreadsheet.
    assert next(row for row in rows if row["id"] == tricky["id"])["title"] == "'=HYPERLINK(\"http://evil\")"
    light = next(row for row in rows if row["id"] == str(demo_id("issue:light")))
    assert (light["status"], light["owner"], light["assignee"], light["location"]) == (
        "confirmed", "Sam Okafor (Estate Services)", "Brightway Lighting Ltd",
        "Larkspur House › Floor 2 › Stairwell")

    assert (await as_contractor.http.get(f"/api/estates/{as_rep.estate()}/issues.csv",
                                         headers=as_contractor.headers)).status_code == 404
    assert (await as_rep2.http.get(f"/api/estates/{as_rep.estate()}/issues.csv",
                                   headers=as_rep2.headers)).status_code == 404


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_the_action_plan_pdf_lists_the_meetings_issues_with_computed_counts(as_staff, as_rep):
    answer = await as_rep.http.get(f"/api/meetings/{DEMO_MEETING}/action-plan.pdf", headers=as_rep.headers)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    plan = await get_json(as_rep, f"/api/meetings/{DEMO_MEETING}/action-plan")
    text = " ".join(pdf_text(answer.content).split())
    assert "Action plan: Larkspur TRA meeting" in text and "Ayşe Demir" in text
    counts = plan["counts"]
    assert f"{counts['resolved']} of {counts['total']} resolved" in text
    for item in plan["issues"]:
        assert item["issue"]["title"][:20] in text

    # Counts follow the issues: fix one more and the PDF says so.
    bins = str(demo_id("issue:bins"))
    await as_staff.push(status(as_staff, bins, "fixed", note="New closer fitted"))
    again = await as_rep.http.get(f"/api/meetings/{DEMO_MEETING}/action-plan.pdf", headers=as_rep.headers)
    assert f"{counts['resolved'] + 1} of {counts['total']} resolved" in " ".join(pdf_text(again.content).split())


async def test_printable_pages_need_no_script_and_no_inline_style(as_rep):
    for path in (f"/api/meetings/{DEMO_MEETING}/action-plan.html", f"/api/inspections/{DEMO_INSPECTION}/summary.html",
                 f"/api/estates/{FIRST_ESTATE}/dashboard.html"):
        answer = await as_rep.http.get(path, headers=as_rep.headers)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html"), path
        page = answer.text
        # A strict CSP (script-src 'none', style-src 'self') must not break them.
        assert "<script" not in page and " style=" not in page and "<style" not in page, path
        assert not re.search(r"""(src|href)=["']https?://""", page), path
        assert '<link rel="stylesheet" href="/api/reports/report.css">' in page
    css = await as_rep.http.get("/api/reports/report.css")
    assert css.status_code == 200 and "@media print" in css.text


async def test_the_dashboard_counts_time_to_fix_and_grades_over_time(as_staff, as_rep):
    board = await get_json(as_rep, f"/api/estates/{FIRST_ESTATE}/dashboard")
    listed = [row for row in await get_json(as_rep, f"/api/estates/{FIRST_ESTATE}/issues")
              if row["merged_into"] is None]
    assert board["counts"]["total"] == len(listed)
    assert board["counts"]["overdue"] == sum(row["overdue"] for row in listed)
    assert board["counts"]["resolved"] == sum(row["resolved"] for row in listed)
    assert board["median_days_to_fix"] is not None
    # Two demo walks: C/D grades two months ago, mostly B last month, so the trend goes up.
    scores = [point["score"] for point in board["grades_over_time"]]
    assert len(scores) == 2 and scores[0] < scores[1]

    await issues_at(as_staff, as_rep, ["acknowledged"], assignee=None, due=dt.date(2020, 1, 1))
    after = await get_json(as_rep, f"/api/estates/{FIRST_ESTATE}/dashboard")
    assert after["counts"]["overdue"] == board["counts"]["overdue"] + 1
    page = await as_rep.http.get(f"/api/estates/{FIRST_ESTATE}/dashboard.html", headers=as_rep.headers)
    assert page.text.count("<svg") == 3 and "Median time to fix" in page.text


async def test_the_inspection_summary_pdf_lists_grades_and_issues(as_rep):
    answer = await as_rep.http.get(f"/api/inspections/{DEMO_INSPECTION}/summary.pdf", headers=as_rep.headers)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    summary = await get_json(as_rep, f"/api/inspections/{DEMO_INSPECTION}/summary")
    text = " ".join(pdf_text(answer.content).split())
    assert f"{len(summary['raised'])} issues raised" in text and "C – poor or average" in text
    for row in summary["raised"]:
        assert row["title"][:20] in text


def _dashboard_cards(page: str) -> dict[str, int]:
    return {label: int(value) for label, value in re.findall(r"<dt>([^<]+)</dt><dd>(\d+)(?: of \d+)?</dd>", page)}


def _chart_bars(page: str, title: str) -> dict[str, int]:
    chart = page[page.index(f"<figcaption>{title}"):]
    chart = chart[:chart.index("</figure>")]
    return {label: int(value) for label, value in re.findall(r"<title>([^<:]+): (\d+)</title>", chart)}


async def test_the_dashboards_cards_and_chart_show_the_same_counts(as_staff, as_rep):
    # Overdue and confirmed issues among the open and resolved ones: the figures a breakdown could split.
    await issues_at(as_staff, as_rep, ["acknowledged", "in_progress"], assignee=None, due=dt.date(2020, 1, 1))
    await issues_at(as_staff, as_rep, ["confirmed", "fixed", "wont_fix", "reported"], assignee=None)
    board = await get_json(as_rep, f"/api/estates/{FIRST_ESTATE}/dashboard")
    counts = board["counts"]
    assert counts["overdue"] >= 2 and counts["confirmed"] >= 1 and counts["open"] > counts["overdue"]
    page = (await as_rep.http.get(f"/api/estates/{FIRST_ESTATE}/dashboard.html", headers=as_rep.headers)).text
    cards = _dashboard_cards(page)
    bars = {label.lower(): value for label, value in _chart_bars(page, "Issues now").items()}
    assert cards == {"Open": counts["open"], "Overdue": counts["overdue"], "Resolved": counts["resolved"],
                     "Confirmed by residents": counts["confirmed"]}
    # Every figure on a card is drawn by the chart with the same number, under the same word.
    assert {label.lower(): value for label, value in cards.items()} == bars
