"""The fpdf2 document both renderers draw on: fonts, running header and footer, wrapping, text flow.

Running text (header block, headings, comments, distribution lines below rows) goes through
`Flow`, which places lines itself and writes a page's text only when the page is full, in the
order the style asks for (natural, numbers first, or reversed), so the content stream need not
be reading order. Tables go through fpdf2's own table engine (`rating_table`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.fonts import FontFace

from tests.independent.style import CORE_FONTS, FOOTERS, PAGES, Style, ttf_fonts

PT = 0.3528  # mm per point


class TraceDoc(FPDF):
    """An FPDF with the report's font, page, margins, running header and footer."""

    def __init__(self, style: Style, running: str) -> None:
        width, height = PAGES[style.page]
        super().__init__(unit="mm", format=(width, height))
        self.style_ = style
        self.running = running
        left, top, right, bottom = style.margins
        self.set_margins(left, top, right)
        self.set_auto_page_break(True, margin=bottom)
        self.core_fonts_encoding = "windows-1252"
        year, month, day = (int(x) for x in style.date.split("-"))
        self.set_creation_date(dt.datetime(year, month, day, 9, 30, tzinfo=dt.UTC))
        if style.font in CORE_FONTS:
            self.family = style.font
        else:
            regular, bold = ttf_fonts()[style.font]
            self.family = "body"
            self.add_font("body", "", regular)
            self.add_font("body", "B", bold)
        self.set_font(self.family, size=style.body_pt)

    @property
    def text_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def bottom(self) -> float:
        return self.page_break_trigger

    def use(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, style="B" if bold else "", size=size)

    def width_of(self, text: str, size: float, bold: bool = False) -> float:
        self.use(size, bold)
        return float(self.get_string_width(text))

    # -- running header and footer -------------------------------------------------------------

    def _furniture_line(self, text: str, baseline: float, align: str) -> None:
        size = max(6.0, self.style_.body_pt - 1)
        while size > 5 and self.width_of(text, size) > self.text_width:
            size -= 0.5
        # cell(), unlike text(), substitutes the total-pages alias.
        self.set_xy(self.l_margin, baseline - size * PT)
        self.cell(w=self.text_width, h=size * PT * 1.2, text=text, align=align)

    def _running_header(self) -> None:
        if self.page_no() > 1:
            self._furniture_line(self.running, self.t_margin * 0.55, self.style_.running_align)

    def header(self) -> None:
        if not self.style_.furniture_late:
            self._running_header()

    def footer(self) -> None:
        if self.style_.furniture_late:
            self._running_header()
        if self.page_no() > 1 or self.style_.footer_first_page:
            text = FOOTERS[self.style_.footer].format(
                p=self.page_no(), nb=self.alias_nb_pages_str, date=self.style_.date
            )
            baseline = self.h - self.b_margin * 0.45
            self._furniture_line(text, baseline, self.style_.footer_align)

    @property
    def alias_nb_pages_str(self) -> str:
        return str(self.str_alias_nb_pages)


def wrap(
    doc: TraceDoc,
    text: str,
    width: float,
    size: float,
    *,
    bold: bool = False,
    midword: bool = False,
    first_width: float | None = None,
    no_number_starts: bool = False,
) -> list[str]:
    """Greedy wrap at spaces; long words split by character only when `midword` is set.

    `no_number_starts` keeps wrapped continuation lines from beginning with a bare integer
    (which would read as a comment number), by carrying one more word down.
    """
    lines: list[str] = []
    current: list[str] = []
    limit = first_width if first_width is not None else width
    for word in text.split():
        while midword and doc.width_of(word, size, bold) > limit and len(word) > 1:
            if current:
                lines.append(" ".join(current))
                current, limit = [], width
            cut = len(word) - 1
            while cut > 1 and doc.width_of(word[:cut], size, bold) > limit:
                cut -= 1
            lines.append(word[:cut])
            word, limit = word[cut:], width
        candidate = " ".join([*current, word])
        if not current or doc.width_of(candidate, size, bold) <= limit:
            current.append(word)
            continue
        if no_number_starts and word.isdigit() and len(current) > 1:
            lines.append(" ".join(current[:-1]))
            current = [current[-1], word]
        else:
            lines.append(" ".join(current))
            current = [word]
        limit = width
    if current:
        lines.append(" ".join(current))
    return lines or [""]


@dataclass
class Op:
    kind: str  # "num" for comment numbers and bullets, "value" for header values, else "text"
    x: float
    y: float
    text: str
    size: float
    bold: bool


class Flow:
    """Places running text line by line, breaking pages itself, writing each page on flush."""

    def __init__(self, doc: TraceDoc) -> None:
        self.doc = doc
        self.ops: list[Op] = []
        self.y = doc.t_margin

    def line_height(self, size: float) -> float:
        return size * PT * 1.35

    def room(self, height: float) -> bool:
        return self.y + height <= self.doc.bottom

    def ensure(self, height: float) -> bool:
        """Start a new page unless `height` fits below; True when a page was started."""
        if self.room(height):
            return False
        self.new_page()
        return True

    def new_page(self) -> None:
        self.flush()
        self.doc.add_page()
        self.y = self.doc.t_margin

    def put(self, x: float, text: str, size: float, bold: bool = False, kind: str = "text") -> None:
        """Queue `text` at x on the current line (no advance)."""
        self.ops.append(Op(kind, x, self.y + size * PT * 1.0, text, size, bold))

    def advance(self, size: float) -> None:
        self.y += self.line_height(size)

    def line(
        self, x: float, text: str, size: float, bold: bool = False, kind: str = "text"
    ) -> None:
        self.ensure(self.line_height(size))
        self.put(x, text, size, bold, kind)
        self.advance(size)

    def flush(self) -> None:
        order = self.doc.style_.draw_order
        ops = self.ops
        if order == "numbers_first":
            ops = [o for o in ops if o.kind == "num"] + [o for o in ops if o.kind != "num"]
        elif order == "reversed":
            ops = list(reversed(ops))
        keys = [o for o in ops if o.kind != "value"] + [o for o in ops if o.kind == "value"]
        for op in keys:
            self.doc.use(op.size, op.bold)
            self.doc.text(op.x, op.y, op.text)
        self.ops = []

    def sync_to_doc(self) -> None:
        """Hand the cursor to fpdf2 (before a table)."""
        self.flush()
        self.doc.set_y(self.y)

    def sync_from_doc(self) -> None:
        """Take the cursor back from fpdf2 (after a table)."""
        self.y = self.doc.get_y()


def rating_table(
    doc: TraceDoc,
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    size: float,
) -> None:
    """Draw one table with fpdf2's table engine; every cell already wrapped with newlines."""
    st = doc.style_
    doc.use(size)
    aligns = tuple([st.text_align] + [st.num_align] * (len(widths) - 1))
    fill = (225, 225, 225) if st.head_fill else None
    with doc.table(
        width=sum(widths),
        col_widths=tuple(widths),
        align="LEFT",
        text_align=aligns,
        v_align=st.v_align,
        borders_layout=st.borders,
        line_height=size * PT * 1.25,
        padding=(st.padding * 0.6, st.padding),
        headings_style=FontFace(emphasis="BOLD" if st.head_bold else "", fill_color=fill),
        repeat_headings=1 if st.repeat_headings else 0,
        first_row_as_headings=header is not None,
    ) as table:
        if header is not None:
            head = table.row()
            for label in header:
                head.cell(label, align=st.head_align)
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(text)
    doc.use(st.body_pt)


def cell_room(doc: TraceDoc, width: float) -> float:
    """Text width inside a table cell of `width`, with a safety margin for fpdf2's rounding."""
    return width - 2 * doc.style_.padding - 0.9


def row_height(doc: TraceDoc, cells: Sequence[str], size: float) -> float:
    lines = max(c.count("\n") + 1 for c in cells)
    return lines * size * PT * 1.25 + 2 * doc.style_.padding * 0.6 + 0.6
