"""The transcript as a PDF, drawn with fpdf2 (a maintained pure-Python PDF writer) from a
:class:`~credstack.pathways.transcript.Transcript`.

The PDF has real text (a licensing office can search and copy it), a title and language in its metadata, the
learner's name, a table of micro-credentials with PD hours and credits, totals per year, the stacks, the
date it was generated, and for each credential the public page where anyone can verify it.

Text is set in DejaVu Sans when the font is installed (``CREDSTACK_PDF_FONT_DIR``, else Debian's
``fonts-dejavu-core`` folder), so that every name prints; without it the PDF falls back to the built-in
Helvetica, which only has Latin-1 letters (others print as "?").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from credstack.pathways.transcript import Transcript
from credstack.pathways.transcript import format_hours as hours

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
_PLAIN = str.maketrans({"—": "-", "–": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "·": "-"})


def _font_dir() -> Path | None:
    configured = getattr(settings, "CREDSTACK_PDF_FONT_DIR", "")
    for folder in ([configured] if configured else []) + list(FONT_DIRS):
        if (Path(folder) / "DejaVuSans.ttf").is_file() and (Path(folder) / "DejaVuSans-Bold.ttf").is_file():
            return Path(folder)
    return None


class _Document(FPDF):
    unicode = True

    def text_of(self, value: str) -> str:
        if self.unicode:
            return value
        return value.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.text_of(f"credstack · {settings.CREDSTACK_BASE_URL} · page {self.page_no()} of {{nb}}"))


def render(transcript: Transcript) -> bytes:
    """The transcript as PDF bytes."""
    pdf = _Document(format="Letter")
    folder = _font_dir()
    if folder is not None:
        pdf.add_font("DejaVu", "", str(folder / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(folder / "DejaVuSans-Bold.ttf"))
        family = "DejaVu"
    else:
        pdf.unicode = False
        family = "helvetica"
    t = pdf.text_of
    title = f"Transcript of micro-credentials: {transcript.learner_name}"
    pdf.set_title(t(title))
    pdf.set_author("credstack")
    pdf.set_creator("credstack")
    pdf.set_lang("en")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 8, t("Transcript of micro-credentials"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 13)
    pdf.multi_cell(0, 7, t(transcript.learner_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    generated = timezone.localtime(transcript.generated_at)
    for line in (
        transcript.learner_email,
        f"Period: {transcript.period.label}",
        f"Generated {generated:%-d %B %Y at %H:%M %Z}",
        f"{transcript.counted} micro-credential{'s' if transcript.counted != 1 else ''}, "
        f"{hours(transcript.total_pd_hours)} PD hours, {hours(transcript.total_credits)} credits",
    ):
        pdf.multi_cell(0, 5, t(line), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, family, "Micro-credentials")
    if transcript.entries:
        head = FontFace(emphasis="BOLD", fill_color=(235, 238, 242))
        with pdf.table(col_widths=(22, 62, 50, 16, 16), headings_style=head, line_height=5, text_align="LEFT") as table:
            row = table.row()
            for heading in ("Awarded", "Micro-credential", "Issuer", "PD hours", "Credits"):
                row.cell(heading)
            for n, entry in enumerate(transcript.entries, 1):
                row = table.row()
                row.cell(t(f"{timezone.localdate(entry.awarded_at):%Y-%m-%d}"))
                note = "" if entry.state == "valid" else f" ({entry.state}{'' if entry.counted else ', not counted'})"
                row.cell(t(f"[{n}] {entry.title}{note}"))
                row.cell(t(entry.issuer))
                row.cell(hours(entry.pd_hours))
                row.cell(hours(entry.credits))
    else:
        pdf.multi_cell(0, 5, t("No micro-credential in this period."), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, family, "Totals per year")
    head = FontFace(emphasis="BOLD", fill_color=(235, 238, 242))
    with pdf.table(col_widths=(30, 40, 30, 30), width=130, align="LEFT", headings_style=head, line_height=5) as table:
        row = table.row()
        for heading in ("Year", "Micro-credentials", "PD hours", "Credits"):
            row.cell(heading)
        for year in transcript.years:
            row = table.row()
            for value in (str(year.year), str(year.count), hours(year.pd_hours), hours(year.credits)):
                row.cell(value)
        row = table.row(style=FontFace(emphasis="BOLD"))
        for value in (
            "Total",
            str(transcript.counted),
            hours(transcript.total_pd_hours),
            hours(transcript.total_credits),
        ):
            row.cell(value)
    _heading(pdf, family, "Stacks")
    pdf.set_font(family, "", 9)
    lines = [
        f"Completed {timezone.localdate(s.awarded_at):%Y-%m-%d}: {s.name} ({s.issuer}), "
        f"{s.earned} micro-credentials" + ("" if s.state == "valid" else f" ({s.state})")
        for s in transcript.completed
        if s.awarded_at is not None
    ] + [f"In progress: {s.name} ({s.issuer}), {s.earned} of {s.needed} earned" for s in transcript.in_progress]
    for line in lines or ["No stack completed or started."]:
        pdf.multi_cell(0, 5, t(line), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, family, "Verify each credential")
    pdf.set_font(family, "", 8)
    pdf.multi_cell(
        0,
        4,
        t("Each credential is signed by its issuer. Its public page checks the signature and whether it was revoked:"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for n, entry in enumerate(transcript.entries, 1):
        pdf.multi_cell(0, 4, t(f"[{n}] {entry.verify_url}"), link=entry.verify_url, new_x="LMARGIN", new_y="NEXT")
    for stack in transcript.completed:
        pdf.multi_cell(
            0, 4, t(f"{stack.name}: {stack.verify_url}"), link=stack.verify_url, new_x="LMARGIN", new_y="NEXT"
        )
    return bytes(pdf.output())


def _heading(pdf: Any, family: str, text: str) -> None:
    pdf.ln(4)
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(0, 7, pdf.text_of(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
