"""The action plan as a PDF (fpdf2, pure Python), for e-mailing to everyone who took part."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fpdf import FPDF

from server.reports.queries import ActionPlan

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


def action_plan_pdf(plan: ActionPlan) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    family, unicode_ok = _font(pdf)
    text = (lambda s: s) if unicode_ok else _latin1
    pdf.set_title(text(f"Action plan - {plan.estate} - {plan.date.isoformat()}"))
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.cell(0, 9, text(f"Action plan: {plan.title}, {plan.date.strftime('%-d %b %Y')}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    pdf.cell(0, 6, text(plan.estate), new_x="LMARGIN", new_y="NEXT")
    c = plan.counts
    pdf.set_font(family, "B", 12)
    pdf.cell(0, 8, text(f"{c.resolved} of {c.total} resolved - {c.confirmed} confirmed by residents - "
                        f"{c.open} open - {c.overdue} overdue"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, text("Attendees: " + (", ".join(plan.attendees) or "-")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(col_widths=(6, 14, 52, 26, 26, 18, 58), text_align="LEFT", line_height=5,
                   repeat_headings=1) as table:
        table.row(["#", "At meeting", "Issue", "Status", "Owner", "Due", "Last update"])
        for i, item in enumerate(plan.issues, start=1):
            row = item.issue
            status = row.status_label + (" - OVERDUE" if row.overdue else "")
            table.row([str(i), "Raised" if item.kind == "raised" else "Reviewed",
                       text(row.title + (f" ({row.location})" if row.location else "")), text(status),
                       text(row.owner or "-"), row.due_date.isoformat() if row.due_date else "-",
                       text(row.last_update.text if row.last_update else "")])
    pdf.ln(3)
    pdf.set_font(family, "", 8)
    pdf.multi_cell(0, 4, text("Resolved means fixed, confirmed by residents, or won't fix. Counts are worked out "
                              f"from the issues. Printed {plan.generated_at.strftime('%-d %b %Y %H:%M')} UTC."))
    return bytes(pdf.output())
