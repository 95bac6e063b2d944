"""Shared reportlab drawing for the PDF layouts: paging, wrapping, running text, typographic quotes.

Content is laid out into per-page operation lists first, so the footer can say `Page X of Y`;
every measure comes from the report's `RenderStyle`.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from devtools.corpus.style import HAlign, RenderStyle

# (text, x, y, font, size, s, align) | (line, x1, y1, x2, y2, width) | (fill, x, y, w, h, gray)
Op = tuple[object, ...]


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text at spaces so each line fits `width`; a word wider than a line breaks mid-word."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if stringWidth(trial, font, size) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        while len(current) > 1 and stringWidth(current, font, size) > width:
            cut = len(current) - 1
            while cut > 1 and stringWidth(current[:cut], font, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
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


def fmt(value: float | None, kind: str) -> str:
    """Print a cell: counts as integers, rates as whole percents, scores with two decimals."""
    if value is None:
        return ""
    if kind == "int":
        return str(int(value))
    if kind == "pct":
        return f"{round(value * 100)}%"
    return f"{value:.2f}"


def running_texts(style: RenderStyle, *, label: str, title: str, term: str) -> tuple[str, str]:
    """The running header (pages after the first) and the footer pattern, in the style's wording.

    `label` is `CODE-SECTION`; the footer pattern has `{n}` and `{total}` slots.
    """
    header = {
        "report": f"Student TRACE report: {label} {title} ({term})",
        "code-term": f"{label} · {term} · TRACE",
        "title-term": f"{title} — {term}",
        "none": "",
    }[style.running_header]
    footer = {
        "page-of": "Page {n} of {total}",
        "slash": "{n} / {total}",
        "page": "Page {n}",
        "dashes": "- {n} -",
        "university": "Northeastern University · TRACE · page {n} of {total}",
    }[style.footer]
    return header, footer


@dataclass
class PageFlow:
    """Top-to-bottom layout over the style's pages; ops are drawn once the page count is known."""

    style: RenderStyle
    running_header: str
    footer: str
    pages: list[list[Op]] = field(default_factory=lambda: [[]])
    y: float = 0.0

    def __post_init__(self) -> None:
        self.y = self.top

    @property
    def left(self) -> float:
        return self.style.margin

    @property
    def right(self) -> float:
        return self.style.page[0] - self.style.margin

    @property
    def top(self) -> float:
        return self.style.page[1] - self.style.margin

    @property
    def bottom(self) -> float:
        return self.style.margin + 6

    @property
    def width(self) -> float:
        return self.right - self.left

    def new_page(self) -> None:
        """Start a fresh page below the running header."""
        self.pages.append([])
        self.y = self.top

    def ensure(self, height: float) -> bool:
        """Break the page when `height` points do not fit; True when a break happened."""
        if self.y - height < self.bottom:
            self.new_page()
            return True
        return False

    def text(
        self, x: float, y: float, s: str, font: str, size: float, align: HAlign = "left"
    ) -> None:
        """Record one text run (one PDF text object)."""
        self.pages[-1].append(("text", x, y, font, size, s, align))

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5) -> None:
        """Record a rule."""
        self.pages[-1].append(("line", x1, y1, x2, y2, width))

    def fill(self, x: float, y: float, w: float, h: float, gray: float) -> None:
        """Record a shaded box (table header background)."""
        self.pages[-1].append(("fill", x, y, w, h, gray))

    def block(self, lines: Sequence[str], x: float, font: str, size: float) -> None:
        """Draw lines at x with the page-break check per line."""
        for text in lines:
            self.ensure(size + 3)
            self.text(x, self.y, text, font, size)
            self.y -= size * 1.25

    def render(self, title: str, seed: int) -> bytes:
        """Draw every page with its running header and footer, in stream or shuffled order."""
        style, fonts = self.style, self.style.fonts
        rng = random.Random(f"order|{seed}")
        buf = io.BytesIO()
        pdf = canvas.Canvas(buf, pagesize=style.page, pageCompression=1, invariant=1)
        pdf.setTitle(title)
        total = len(self.pages)
        width, height = style.page
        x = {"left": self.left, "center": width / 2, "right": self.right}[style.footer_align]
        footer_on_first = style.footer in ("slash", "dashes", "university")
        for number, ops in enumerate(self.pages, start=1):
            page_ops = list(ops)
            if number > 1 and self.running_header:
                y = height - style.margin / 2
                page_ops.append(("text", self.left, y, fonts.italic, 7.5, self.running_header))
            if number > 1 or footer_on_first:
                text = self.footer.format(n=number, total=total)
                align = style.footer_align
                page_ops.append(("text", x, style.margin / 2, fonts.italic, 7.5, text, align))
            if style.shuffle:
                rng.shuffle(page_ops)
            for op in page_ops:
                _draw(pdf, op)
            pdf.showPage()
        pdf.save()
        return buf.getvalue()


def _draw(pdf: canvas.Canvas, op: Op) -> None:
    """Replay one recorded op on the canvas."""
    kind = op[0]
    if kind == "text":
        x, y, font, size, s = op[1:6]
        align = op[6] if len(op) > 6 else "left"
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


def draw_title(flow: PageFlow, text: str) -> None:
    """The page-1 title in the style's size, wrapping inside the style's title box."""
    style, fonts = flow.style, flow.style.fonts
    for line in wrap(text, fonts.bold, style.title_size, flow.width * style.title_width):
        flow.text(flow.left, flow.y, line, fonts.bold, style.title_size)
        flow.y -= style.title_size * 1.2
    flow.y -= 6


def draw_items(flow: PageFlow, items: Sequence[tuple[str, object]]) -> None:
    """Header items `Key: value`, one per line; a long value wraps under itself."""
    fonts, size = flow.style.fonts, flow.style.size + 1.5
    for key, value in items:
        if value is None:
            continue
        for line in wrap(f"{key}: {value}", fonts.regular, size, flow.width):
            flow.text(flow.left, flow.y, line, fonts.regular, size)
            flow.y -= size * 1.35


def draw_heading(flow: PageFlow, text: str) -> None:
    """A bold section heading at the margin, kept with room for a table header below."""
    size = flow.style.size + 2
    flow.ensure(80)
    flow.y -= size * 1.4
    flow.text(flow.left, flow.y, text, flow.style.fonts.bold, size)
    flow.y -= 6
