"""The issue list as CSV, for spreadsheets and the landlord's own systems."""

from __future__ import annotations

import csv
import io

from server.reports.queries import IssueRow

COLUMNS = ["id", "title", "category", "priority", "status", "location", "owner", "assignee", "due_date",
           "overdue", "raised_by", "created_at", "updated_at", "last_update", "merged_into"]


def _cell(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs (CSV injection): quote it as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def issues_csv(rows: list[IssueRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([
            str(row.id), _cell(row.title), row.category, row.priority, row.status, _cell(row.location),
            _cell(row.owner), _cell(row.assignee), row.due_date.isoformat() if row.due_date else "",
            "yes" if row.overdue else "no", _cell(row.raised_by), row.created_at.isoformat(),
            row.updated_at.isoformat(), _cell(row.last_update.text) if row.last_update else "",
            str(row.merged_into) if row.merged_into else "",
        ])
    return out.getvalue()
