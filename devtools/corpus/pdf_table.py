"""Rating and frequency tables drawn in a `RenderStyle`: widths, wrapping, alignment, ruling.

A row never splits across pages; a page break repeats the header row or not, as the style says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth

from devtools.corpus.pdf_common import PageFlow, wrap
from devtools.corpus.style import HAlign, VAlign

PAD = 2.5
MIN_QUESTION_WIDTH = 150.0
DIST_INDENT = 12.0


@dataclass
class TableRow:
    """One row: question text, printed cell values, and distribution lines of the question."""

    question: str
    values: list[str]
    extra: list[str] = field(default_factory=list)


@dataclass
class Cell:
    """The wrapped lines of one cell, drawn at one size and font."""

    lines: list[str]
    font: str
    size: float


@dataclass
class Table:
    """A table whose first column holds text and the others short values."""

    flow: PageFlow
    headers: Sequence[str]
    width: float | None = None
    drawn_rows: int = 0
    _top: float | None = None

    def __post_init__(self) -> None:
        style = self.flow.style
        total = self.width or self.flow.width
        n = len(self.headers) - 1
        value_w = min(style.value_width, (total - MIN_QUESTION_WIDTH) / n)
        first = total - n * value_w
        x = self.flow.left
        self.edges = [x, *(x + first + i * value_w for i in range(n + 1))]

    @property
    def right(self) -> float:
        return self.edges[-1]

    def _x(self, i: int, text: str, font: str, size: float, align: HAlign) -> float:
        left, right = self.edges[i] + PAD, self.edges[i + 1] - PAD
        if align == "left" or i == 0:
            return left
        w = stringWidth(text, font, size)
        return (left + right - w) / 2 if align == "center" else right - w

    def _draw_cells(
        self,
        cells: Sequence[Cell],
        top: float,
        height: float,
        halign: HAlign,
        valign: VAlign,
        *,
        extra: int = 0,
    ) -> None:
        """Draw each cell's lines aligned in the row; the last `extra` lines of the first cell
        are distribution lines, smaller and indented."""
        leading = self.flow.style.leading
        for i, cell in enumerate(cells):
            block = (len(cell.lines) - 1) * leading + cell.size
            spare = height - 2 * PAD - block
            drop = {"top": 0.0, "middle": spare / 2, "bottom": spare}[valign]
            y = top - PAD - drop - cell.size * 0.8
            first_extra = len(cell.lines) - extra if i == 0 else len(cell.lines)
            for k, text in enumerate(cell.lines):
                if k >= first_extra:
                    x = self.edges[0] + PAD + DIST_INDENT
                    self.flow.text(x, y, text, cell.font, cell.size - 1)
                else:
                    x = self._x(i, text, cell.font, cell.size, halign)
                    self.flow.text(x, y, text, cell.font, cell.size)
                y -= leading

    def _cells(self, texts: Sequence[str], font: str, size: float) -> list[Cell]:
        return [
            Cell(wrap(t, font, size, self.edges[i + 1] - self.edges[i] - 2 * PAD), font, size)
            for i, t in enumerate(texts)
        ]

    def _height(self, counts: Sequence[int]) -> float:
        return max(counts) * self.flow.style.leading + 2 * PAD + 1

    def _rules(self, top: float, bottom: float, *, header: bool) -> None:
        rules, flow = self.flow.style.rules, self.flow
        left, right = self.edges[0], self.right
        if rules == "grid":
            for x in self.edges:
                flow.line(x, top, x, bottom)
        if rules in ("grid", "rows") or (rules == "frame" and header):
            flow.line(left, bottom, right, bottom)
        if rules in ("grid", "rows", "frame") and (header or self.drawn_rows == 0):
            flow.line(left, top, right, top)
        if rules == "frame":
            flow.line(left, top, left, bottom)
            flow.line(right, top, right, bottom)

    def draw_header(self) -> None:
        """Draw the column header cells in the style's alignment, shaded or not."""
        style, flow = self.flow.style, self.flow
        cells = self._cells(self.headers, style.fonts.bold, style.size - 0.5)
        height = self._height([len(c.lines) for c in cells])
        flow.ensure(height + 4 * style.leading)
        top = flow.y
        if style.shaded_header:
            flow.fill(self.edges[0], top - height, self.right - self.edges[0], height, 0.88)
        self._draw_cells(cells, top, height, style.header_align, style.header_valign)
        self._rules(top, top - height, header=True)
        flow.y = top - height
        self.drawn_rows = 0

    def draw_row(self, row: TableRow, *, inside: bool = True) -> None:
        """Draw one row; distribution lines go inside the question cell or below the row."""
        style, flow = self.flow.style, self.flow
        cells = self._cells([row.question, *row.values], style.fonts.regular, style.size)
        extra = row.extra if inside else []
        if extra:  # question text and distribution lines are one block in the question cell
            cells[0] = Cell([*cells[0].lines, *extra], cells[0].font, cells[0].size)
        height = self._height([len(c.lines) for c in cells])
        after = 0.0 if inside else (len(row.extra) + 1) * style.leading
        if flow.ensure(height + after) and style.repeat_header:
            self.draw_header()
        top = flow.y
        self._draw_cells(cells, top, height, style.cell_align, style.cell_valign, extra=len(extra))
        self._rules(top, top - height, header=False)
        flow.y = top - height
        self.drawn_rows += 1
        if row.extra and not inside:
            flow.y -= 2
            for text in row.extra:
                flow.y -= style.leading
                flow.text(
                    self.edges[0] + DIST_INDENT, flow.y + 2, text, cells[0].font, style.size - 1
                )
            flow.y -= 4
            self.drawn_rows = 0  # the grid starts again under the distribution lines


def draw_frequency_table(
    flow: PageFlow, text: str, bins: dict[str, int], *, width: float = 280.0
) -> None:
    """The hours-per-week block: bold question text, then a `Response | Count` table."""
    style = flow.style
    size = style.size + 1
    lines = wrap(text, style.fonts.bold, size, flow.width)
    flow.ensure(len(lines) * size * 1.25 + (len(bins) + 3) * style.leading + 20)
    flow.y -= 10
    flow.block(lines, flow.left, style.fonts.bold, size)
    table = Table(flow, ["Response", "Count"], width=min(width, flow.width))
    table.draw_header()
    for label, count in bins.items():
        table.draw_row(TableRow(label, [str(count)]))
