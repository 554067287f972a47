"""The action plan as a PDF (fpdf2, pure Python), for e-mailing to everyone who took part."""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

from server.i18n import Words
from server.notify.wording import ENGLISH
from server.reports.queries import ActionPlan, InspectionSummary

log = logging.getLogger("estatewalk.reports")

#: Debian's fonts-dejavu-core (installed with Chromium) covers Latin with Turkish, Kurdish, Somali and Vietnamese
#: marks, and the Arabic script Sorani is written in (joined and set right to left by HarfBuzz, ``uharfbuzz``).
#: Without it the core Helvetica font knows only Latin-1, so names are folded to it instead of failing.
UNICODE_FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                 Path("/usr/share/fonts/TTF/DejaVuSans.ttf")]

#: Chinese needs a CJK font, which DejaVu is not. Debian packages that provide one, in order of preference:
#: fonts-droid-fallback, fonts-wqy-microhei, fonts-noto-cjk (a .ttc: face 0 is Simplified Chinese's "SC").
#: Install one on the server (see docs/languages.md); without it Chinese PDFs print the Latin parts only and
#: say so in the log.
CJK_FONTS = [Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
             Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
             Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
             Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc")]


def cjk_font() -> Path | None:
    return next((path for path in CJK_FONTS if path.is_file()), None)


def _font(pdf: FPDF) -> tuple[str, bool]:
    for path in UNICODE_FONTS:
        bold = path.with_name("DejaVuSans-Bold.ttf")
        if path.is_file():
            pdf.add_font("DejaVu", "", str(path))
            pdf.add_font("DejaVu", "B", str(bold if bold.is_file() else path))
            cjk = cjk_font()
            if cjk is not None:
                # Glyphs DejaVu lacks (Chinese) are taken from the CJK font, in names and titles too.
                pdf.add_font("CJK", "", str(cjk))
                pdf.add_font("CJK", "B", str(cjk))
                pdf.set_fallback_fonts(["CJK"])
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


def _document(words: Words = ENGLISH) -> tuple[FPDF, str, Callable[[str], str]]:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    family, unicode_ok = _font(pdf)
    pdf.set_lang(words.code)
    if unicode_ok:
        try:
            # Arabic letters take their joined forms only through a shaping engine; right to left for Sorani.
            pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if words.rtl else "ltr")
        except (ImportError, ModuleNotFoundError):
            log.warning("uharfbuzz is not installed: Arabic-script PDFs print unjoined letters")
    return pdf, family, (lambda s: s) if unicode_ok else _latin1


def action_plan_pdf(plan: ActionPlan, words: Words = ENGLISH) -> bytes:
    """The action plan in the reader's language (``words``); titles, names and notes are printed as written."""
    say = words.t
    pdf, family, text = _document(words)
    align = "RIGHT" if words.rtl else "LEFT"
    pdf.set_title(text(say("plan.doc_title", estate=plan.estate, date=plan.date.isoformat())))
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, text(say("plan.title", title=plan.title, date=plan.date.isoformat())), align=align,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    pdf.multi_cell(0, 6, text(plan.estate), align=align, new_x="LMARGIN", new_y="NEXT")
    c = plan.counts
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(0, 8, text(say("plan.counts", resolved=c.resolved, total=c.total, confirmed=c.confirmed,
                                  open=c.open, overdue=c.overdue)), align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, text(say("plan.attendees", names=", ".join(plan.attendees) or "-")), align=align,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    widths = (6, 14, 52, 26, 26, 18, 58)
    heads = [say(f"plan.col_{name}") for name in ("number", "kind", "issue", "status", "owner", "due", "last")]
    rows = []
    long_texts = LongTexts()
    for i, item in enumerate(plan.issues, start=1):
        row = item.issue
        status = row.status_label + (f" - {say('plan.overdue')}" if row.overdue else "")
        rows.append([str(i), say("plan.raised") if item.kind == "raised" else say("plan.reviewed"),
                     text(long_texts.cell(row.title + (f" ({row.location})" if row.location else ""), f"issue {i}")),
                     text(long_texts.cell(status, f"status of issue {i}")),
                     text(long_texts.cell(row.owner or "-", f"owner of issue {i}")),
                     row.due_date.isoformat() if row.due_date else "-",
                     text(long_texts.cell(row.last_update.text if row.last_update else "",
                                          f"last update on issue {i}"))])
    if words.rtl:
        # Right to left: the first column is the rightmost.
        widths, heads, rows = widths[::-1], heads[::-1], [cells[::-1] for cells in rows]
    with pdf.table(col_widths=widths, text_align=align, line_height=5, repeat_headings=1) as table:
        table.row([text(head) for head in heads])
        for cells in rows:
            table.row(cells)
    pdf.ln(2)
    long_texts.print(pdf, family, text)
    pdf.ln(1)
    pdf.set_font(family, "", 8)
    pdf.multi_cell(0, 4, text(say("plan.footnote", when=plan.generated_at.strftime("%Y-%m-%d %H:%M"))),
                   align=align)
    return bytes(pdf.output())


def inspection_summary_pdf(summary: InspectionSummary, photos: dict[str, bytes] | None = None,
                           words: Words = ENGLISH) -> bytes:
    """The summary as an A4 PDF in the reader's language; ``photos`` maps a grade photo's SHA-256 to its
    thumbnail, printed beside it."""
    photos = photos or {}
    say = words.t
    pdf, family, text = _document(words)
    align = "RIGHT" if words.rtl else "LEFT"
    pdf.set_title(text(say("summary.doc_title", estate=summary.estate, date=summary.date.isoformat())))
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, text(say("summary.title", date=summary.date.isoformat())), align=align, new_x="LMARGIN",
                   new_y="NEXT")
    pdf.set_font(family, "", 11)
    pdf.multi_cell(0, 6, text(summary.estate), align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, text(say("plan.attendees", names=", ".join(summary.attendees) or "-")), align=align,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, text(say("summary.counts", raised=len(summary.raised), rechecked=len(summary.rechecked),
                                  grades=len(summary.grades))), align=align, new_x="LMARGIN", new_y="NEXT")
    overdue = f" - {say('plan.overdue')}"
    outcomes = {"still_there": say("summary.still_there"), "looks_fixed": say("summary.looks_fixed")}
    sections = [
        (say("summary.grades"), (45, 35, 30, 55, 55, 25),
         [say(f"summary.col_{name}") for name in ("location", "element", "grade", "agreed", "note", "photo")],
         [[g.location, words.element(g.element), words.grade(g.scheme, g.grade, g.grade_label),
           ", ".join(g.agreed_by), g.note,
           photos.get(g.photo_sha256 or "", "-" if not g.photo_sha256 else say("summary.not_uploaded"))]
          for g in summary.grades]),
        (say("summary.raised"), (80, 50, 50, 30),
         [say(f"plan.col_{name}") for name in ("issue", "status", "owner", "due")],
         [[r.title, r.status_label + (overdue if r.overdue else ""), r.owner or "-",
           r.due_date.isoformat() if r.due_date else "-"] for r in summary.raised]),
        (say("summary.rechecked"), (30, 80, 60, 50),
         [say("summary.col_found"), *(say(f"plan.col_{name}") for name in ("issue", "status", "owner"))],
         [[outcomes.get(c.outcome, c.outcome), c.issue.title, c.issue.status_label, c.issue.owner or "-"]
          for c in summary.rechecked]),
    ]
    for heading, widths, head, rows in sections:
        if words.rtl:
            widths, head, rows = widths[::-1], head[::-1], [cells[::-1] for cells in rows]
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 7, text(heading), align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)
        if not rows:
            pdf.multi_cell(0, 5, text(say("summary.none")), align=align, new_x="LMARGIN", new_y="NEXT")
            continue
        long_texts = LongTexts()
        with pdf.table(col_widths=widths, text_align=align, line_height=5, repeat_headings=1) as table:
            table.row([text(cell) for cell in head])
            for number, cells in enumerate(rows, start=1):
                row = table.row()
                for column, cell in zip(head, cells):
                    if isinstance(cell, bytes):
                        row.cell(img=io.BytesIO(cell), img_fill_width=True)
                    else:
                        row.cell(text(long_texts.cell(cell, f"{column.lower()}, {heading.lower()} row {number}")))
        long_texts.print(pdf, family, text)
    return bytes(pdf.output())
