"""The action plan as a PDF (fpdf2, pure Python), for e-mailing to everyone who took part."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

from server.reports.queries import ActionPlan, InspectionSummary

#: Debian's fonts-dejavu-core (installed with Chromium) covers Turkish, Vietnamese and most names residents
#: have. Without it the core Helvetica font knows only Latin-1, so names are folded to it instead of failing.
UNICODE_FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                 Path("/usr/share/fonts/TTF/DejaVuSans.ttf")]


def _font(pdf: FPDF) -> tuple[str, bool]:
    for path in UNICODE_FONTS:
        bold = path.with_name("DejaVuSans-Bold.ttf")
        if path.is_file():
            pdf.add_font("DejaVu", "", str(path))
            pdf.add_font("DejaVu", "B", str(bold if bold.is_file() else path))
            return "DejaVu", True
    return "Helvetica", False


def _latin1(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("›", ">").replace("–", "-").replace("—", "-")
                                   .replace("“", '"').replace("”", '"').replace("’", "'"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).encode("latin-1", "replace").decode(
        "latin-1")


#: The longest text a table cell holds. A comment or note may be 20,000 characters, and a table row must fit on
#: one page (fpdf2 cannot split a row): longer text is cut here, marked, and printed in full after the table,
#: where it flows across as many pages as it needs.
CELL_LIMIT = 300


class LongTexts:
    """Collects the texts too long for a cell, to print in full after the table they were cut from."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []

    def cell(self, text: str, label: str) -> str:
        if len(text) <= CELL_LIMIT:
            return text
        self.entries.append((label, text))
        return f"{text[:CELL_LIMIT].rstrip()}... (in full below, note {len(self.entries)})"

    def print(self, pdf: FPDF, family: str, text: Callable[[str], str]) -> None:
        for number, (label, full) in enumerate(self.entries, start=1):
            pdf.set_font(family, "B", 9)
            pdf.multi_cell(0, 5, text(f"Note {number}: {label}"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(family, "", 9)
            pdf.multi_cell(0, 5, text(full), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        self.entries.clear()


def _document() -> tuple[FPDF, str, Callable[[str], str]]:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    family, unicode_ok = _font(pdf)
    return pdf, family, (lambda s: s) if unicode_ok else _latin1


def action_plan_pdf(plan: ActionPlan) -> bytes:
    pdf, family, text = _document()
    pdf.set_title(text(f"Action plan - {plan.estate} - {plan.date.isoformat()}"))
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, text(f"Action plan: {plan.title}, {plan.date.strftime('%-d %b %Y')}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    pdf.multi_cell(0, 6, text(plan.estate), new_x="LMARGIN", new_y="NEXT")
    c = plan.counts
    pdf.set_font(family, "B", 12)
    pdf.cell(0, 8, text(f"{c.resolved} of {c.total} resolved - {c.confirmed} confirmed by residents - "
                        f"{c.open} open - {c.overdue} overdue"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, text("Attendees: " + (", ".join(plan.attendees) or "-")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    long_texts = LongTexts()
    with pdf.table(col_widths=(6, 14, 52, 26, 26, 18, 58), text_align="LEFT", line_height=5,
                   repeat_headings=1) as table:
        table.row(["#", "At meeting", "Issue", "Status", "Owner", "Due", "Last update"])
        for i, item in enumerate(plan.issues, start=1):
            row = item.issue
            status = row.status_label + (" - OVERDUE" if row.overdue else "")
            table.row([str(i), "Raised" if item.kind == "raised" else "Reviewed",
                       text(long_texts.cell(row.title + (f" ({row.location})" if row.location else ""),
                                            f"issue {i}")),
                       text(long_texts.cell(status, f"status of issue {i}")),
                       text(long_texts.cell(row.owner or "-", f"owner of issue {i}")),
                       row.due_date.isoformat() if row.due_date else "-",
                       text(long_texts.cell(row.last_update.text if row.last_update else "",
                                            f"last update on issue {i}"))])
    pdf.ln(2)
    long_texts.print(pdf, family, text)
    pdf.ln(1)
    pdf.set_font(family, "", 8)
    pdf.multi_cell(0, 4, text("Resolved means fixed, confirmed by residents, or won't fix. Counts are worked out "
                              f"from the issues. Printed {plan.generated_at.strftime('%-d %b %Y %H:%M')} UTC."))
    return bytes(pdf.output())


_OUTCOMES = {"still_there": "Still there", "looks_fixed": "Looks fixed"}


def inspection_summary_pdf(summary: InspectionSummary, photos: dict[str, bytes] | None = None) -> bytes:
    """The summary as an A4 PDF; ``photos`` maps a grade photo's SHA-256 to its thumbnail, printed beside it."""
    photos = photos or {}
    pdf, family, text = _document()
    pdf.set_title(text(f"Inspection summary - {summary.estate} - {summary.date.isoformat()}"))
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.cell(0, 9, text(f"Inspection summary, {summary.date.strftime('%-d %b %Y')}"), new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_font(family, "", 11)
    pdf.multi_cell(0, 6, text(summary.estate), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, text("Attendees: " + (", ".join(summary.attendees) or "-")), new_x="LMARGIN",
                   new_y="NEXT")
    pdf.cell(0, 6, text(f"{len(summary.raised)} issues raised - {len(summary.rechecked)} re-checked - "
                        f"{len(summary.grades)} grades"), new_x="LMARGIN", new_y="NEXT")
    sections = [
        ("Grades", (45, 35, 30, 55, 55, 25), ["Location", "Element", "Grade", "Agreed by", "Note", "Photo"],
         [[g.location, g.element.replace("_", " "), g.grade_label, ", ".join(g.agreed_by), g.note,
           photos.get(g.photo_sha256 or "", "-" if not g.photo_sha256 else "not uploaded yet")]
          for g in summary.grades]),
        ("Issues raised", (80, 50, 50, 30), ["Issue", "Status", "Owner", "Due"],
         [[r.title, r.status_label + (" - OVERDUE" if r.overdue else ""), r.owner or "-",
           r.due_date.isoformat() if r.due_date else "-"] for r in summary.raised]),
        ("Issues re-checked", (30, 80, 60, 50), ["Found", "Issue", "Status", "Owner"],
         [[_OUTCOMES.get(c.outcome, c.outcome), c.issue.title, c.issue.status_label, c.issue.owner or "-"]
          for c in summary.rechecked]),
    ]
    for heading, widths, head, rows in sections:
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)
        if not rows:
            pdf.cell(0, 5, "None.", new_x="LMARGIN", new_y="NEXT")
            continue
        long_texts = LongTexts()
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=5, repeat_headings=1) as table:
            table.row(head)
            for number, cells in enumerate(rows, start=1):
                row = table.row()
                for column, cell in zip(head, cells):
                    if isinstance(cell, bytes):
                        row.cell(img=io.BytesIO(cell), img_fill_width=True)
                    else:
                        row.cell(text(long_texts.cell(cell, f"{column.lower()}, {heading.lower()} row {number}")))
        long_texts.print(pdf, family, text)
    return bytes(pdf.output())
