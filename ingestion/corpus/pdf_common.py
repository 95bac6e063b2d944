"""Shared reportlab drawing for the PDF layouts: paging, wrapping, grid tables, typographic quotes.

Content is laid out into per-page operation lists first, so the footer can say `Page X of Y`.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from core.report import Frequency

PAGE_W, PAGE_H = letter
MARGIN = 54.0
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - 54.0
BOTTOM = 60.0
RUNNING_Y = PAGE_H - 32.0
FOOTER_Y = 30.0
CELL_PAD = 5.0
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"

# (text, x, y, font, size, s, align) | (line, x1, y1, x2, y2, width) | (fill, x, y, w, h, gray)
Op = tuple[object, ...]


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text at spaces so each line fits `width` (a word longer than a line stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if current and stringWidth(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    lines.append(current)
    return lines


def typographic(text: str, rng: random.Random) -> str:
    """Print straight quotes as ’ “ ” for some strings, as real exports do inconsistently."""
    if rng.random() < 0.5 or ("'" not in text and '"' not in text):
        return text
    out: list[str] = []
    opening = True
    for ch in text:
        if ch == "'":
            out.append("’")
        elif ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


@dataclass
class PageFlow:
    """Top-to-bottom layout over letter pages; ops are drawn once the page count is known."""

    running_header: str
    pages: list[list[Op]] = field(default_factory=lambda: [[]])
    y: float = TOP

    def new_page(self) -> None:
        """Start a fresh page below the running header."""
        self.pages.append([])
        self.y = TOP

    def ensure(self, height: float) -> bool:
        """Break the page when `height` points do not fit; True when a break happened."""
        if self.y - height < BOTTOM:
            self.new_page()
            return True
        return False

    def text(
        self, x: float, y: float, s: str, font: str = FONT, size: float = 8.0, align: str = "left"
    ) -> None:
        """Record one text run (one PDF text object)."""
        self.pages[-1].append(("text", x, y, font, size, s, align))

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5) -> None:
        """Record a rule."""
        self.pages[-1].append(("line", x1, y1, x2, y2, width))

    def fill(self, x: float, y: float, w: float, h: float, gray: float) -> None:
        """Record a shaded box (table header background)."""
        self.pages[-1].append(("fill", x, y, w, h, gray))

    def render(self, title: str) -> bytes:
        """Draw every page with running header and `Page X of Y` footer after the first."""
        buf = io.BytesIO()
        pdf = canvas.Canvas(buf, pagesize=letter, pageCompression=1, invariant=1)
        pdf.setTitle(title)
        total = len(self.pages)
        for number, ops in enumerate(self.pages, start=1):
            if number > 1:
                pdf.setFont(ITALIC, 8)
                pdf.drawString(MARGIN, RUNNING_Y, self.running_header)
                pdf.drawRightString(RIGHT, FOOTER_Y, f"Page {number} of {total}")
            for op in ops:
                _draw(pdf, op)
            pdf.showPage()
        pdf.save()
        return buf.getvalue()


def _draw(pdf: canvas.Canvas, op: Op) -> None:
    """Replay one recorded op on the canvas."""
    kind = op[0]
    if kind == "text":
        _, x, y, font, size, s, align = op
        pdf.setFont(str(font), float(size))  # type: ignore[arg-type]
        if align == "center":
            pdf.drawCentredString(x, y, str(s))
        elif align == "right":
            pdf.drawRightString(x, y, str(s))
        else:
            pdf.drawString(x, y, str(s))
    elif kind == "line":
        _, x1, y1, x2, y2, width = op
        pdf.setLineWidth(float(width))  # type: ignore[arg-type]
        pdf.line(x1, y1, x2, y2)
    elif kind == "fill":
        _, x, y, w, h, gray = op
        pdf.setFillGray(float(gray))  # type: ignore[arg-type]
        pdf.rect(x, y, w, h, stroke=0, fill=1)
        pdf.setFillGray(0)


@dataclass
class TableRow:
    """One rating row: question text, printed cell values, and extra lines under the question."""

    question: str
    values: list[str]
    extra: list[str] = field(default_factory=list)


QUESTION_W = 200.0
TEXT_SIZE = 8.0
PITCH = 10.0
EXTRA_PITCH = 9.0


@dataclass
class Table:
    """A grid table with a wrapped, shaded header row; rows never split across pages."""

    flow: PageFlow
    headers: Sequence[str]
    repeat_headers: bool
    right: float = RIGHT

    def _edges(self) -> list[float]:
        n = len(self.headers) - 1
        step = (self.right - MARGIN - QUESTION_W) / n
        return [MARGIN, *(MARGIN + QUESTION_W + i * step for i in range(n + 1))]

    def draw_header(self) -> None:
        """Draw the column header cells, top-aligned and centred (Question left-aligned)."""
        edges = self._edges()
        wrapped = [
            wrap(h, BOLD, 7.0, edges[i + 1] - edges[i] - 4) for i, h in enumerate(self.headers)
        ]
        height = max(len(w) for w in wrapped) * 8.5 + 6
        self.flow.ensure(height + 30)
        top = self.flow.y
        self.flow.fill(MARGIN, top - height, self.right - MARGIN, height, 0.88)
        for i, lines in enumerate(wrapped):
            for k, text in enumerate(lines):
                y = top - 9 - k * 8.5
                if i == 0:
                    self.flow.text(edges[0] + CELL_PAD, y, text, BOLD, 7.0)
                else:
                    self.flow.text((edges[i] + edges[i + 1]) / 2, y, text, BOLD, 7.0, "center")
        self._grid(top, top - height)
        self.flow.y = top - height

    def _grid(self, top: float, bottom: float) -> None:
        for x in self._edges():
            self.flow.line(x, top, x, bottom)
        self.flow.line(MARGIN, top, self.right, top)
        self.flow.line(MARGIN, bottom, self.right, bottom)

    def draw_row(self, row: TableRow) -> None:
        """Draw one row, breaking the page first (and maybe repeating the header) if needed."""
        edges = self._edges()
        lines = wrap(row.question, FONT, TEXT_SIZE, QUESTION_W - 2 * CELL_PAD)
        height = len(lines) * PITCH + len(row.extra) * EXTRA_PITCH + 5
        if self.flow.ensure(height) and self.repeat_headers:
            self.draw_header()
        top = self.flow.y
        y = top - 9
        for k, text in enumerate(lines):
            self.flow.text(edges[0] + CELL_PAD, y - k * PITCH, text, FONT, TEXT_SIZE)
        for i, value in enumerate(row.values, start=1):
            if value:
                self.flow.text((edges[i] + edges[i + 1]) / 2, y, value, FONT, TEXT_SIZE, "center")
        y -= len(lines) * PITCH
        for k, text in enumerate(row.extra):
            self.flow.text(edges[0] + CELL_PAD + 12, y - k * EXTRA_PITCH + 1, text, FONT, 7.0)
        self._grid(top, top - height)
        self.flow.y = top - height


def draw_heading(flow: PageFlow, text: str) -> None:
    """A bold section heading at the margin, kept with room for a table header below."""
    flow.ensure(60)
    flow.y -= 14
    flow.text(MARGIN, flow.y, text, BOLD, 10.0)
    flow.y -= 6


def fmt(value: float | None, kind: str) -> str:
    """Print a cell: counts as integers, rates as whole percents, scores with two decimals."""
    if value is None:
        return ""
    if kind == "int":
        return str(int(value))
    if kind == "pct":
        return f"{round(value * 100)}%"
    return f"{value:.2f}"


def draw_frequencies(flow: PageFlow, frequencies: Sequence[Frequency], rng: random.Random) -> None:
    """The hours-per-week block: bold question text, then a Response | Count table."""
    for freq in frequencies:
        lines = wrap(typographic(freq.text, rng), BOLD, 9.0, RIGHT - MARGIN)
        flow.ensure(len(lines) * 11 + 30 + len(freq.bins) * 11)
        flow.y -= 14
        for text in lines:
            flow.text(MARGIN, flow.y, text, BOLD, 9.0)
            flow.y -= 11
        table = Table(flow, ["Response", "Count"], repeat_headers=True, right=MARGIN + 280)
        table.draw_header()
        for label, count in freq.bins.items():
            table.draw_row(TableRow(label, [str(count)]))


def draw_block(flow: PageFlow, lines: Sequence[str], x: float, font: str, size: float) -> None:
    """Draw wrapped lines at x with the page-break check per line."""
    for text in lines:
        flow.ensure(size + 3)
        flow.text(x, flow.y, text, font, size)
        flow.y -= size + 3
