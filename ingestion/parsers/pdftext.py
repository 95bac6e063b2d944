"""Positioned text over pypdfium2, read in bulk: one page text call, origins per text run only.

Per-glyph Python loops and FPDFText_GetBoundedText (a page scan per call) are both too slow for
100+ pages/s, so a page's text is fetched once and split at PDFium's generated separators (the
space it inserts between text objects and the line breaks); only each run's first and last
glyph are asked for their position.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from core.errors import ParseError

_SEPARATOR = re.compile(r"\r\n|[\r\n\x02\ufffe ]")
LINE_TOLERANCE = 2.0
"""Baselines closer than this (points) belong to the same line."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One text run: the text of one drawn string, its left origin, right edge and baseline."""

    x: float
    right: float
    y: float
    text: str

    @property
    def center(self) -> float:
        """Horizontal centre, used to match table cells to column headers."""
        return (self.x + self.right) / 2


@dataclass(slots=True)
class Line:
    """Segments sharing a baseline, left to right."""

    y: float
    segments: list[Segment]

    @property
    def x(self) -> float:
        """Left edge of the line's first run."""
        return self.segments[0].x

    @property
    def text(self) -> str:
        """The runs joined by single spaces."""
        return " ".join(s.text for s in self.segments)


@dataclass(slots=True)
class PageText:
    """The lines of one page, top to bottom; `number` counts from 1."""

    number: int
    height: float
    lines: list[Line]


def open_pdf(data: bytes, *, max_pages: int | None = None) -> pdfium.PdfDocument:
    """Open a PDF, turning PDFium failures into ParseErrors that say what is wrong."""
    if not data.startswith(b"%PDF"):
        raise ParseError("not a PDF: the file does not start with %PDF")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == raw.FPDF_ERR_PASSWORD:
            raise ParseError("encrypted PDF: a password is required to open it") from exc
        if exc.err_code == raw.FPDF_ERR_SECURITY:
            raise ParseError("encrypted PDF: unsupported security handler") from exc
        raise ParseError(f"corrupt or truncated PDF: {exc}") from exc
    pages = len(doc)
    if pages == 0:
        doc.close()
        raise ParseError("corrupt or truncated PDF: no pages")
    if max_pages is not None and pages > max_pages:
        doc.close()
        raise ParseError(f"PDF has {pages} pages, more than the cap of {max_pages}")
    return doc


class _Locator:
    """Positions runs of one text page with reused ctypes out-parameters."""

    def __init__(self, textpage: object, text: str) -> None:
        self.textpage = textpage
        self.text = text
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.px, self.py = ctypes.byref(self.x), ctypes.byref(self.y)
        self.box = [ctypes.c_double() for _ in range(4)]  # left, right, bottom, top
        self.pbox = [ctypes.byref(v) for v in self.box]

    def origin(self, index: int) -> tuple[float, float]:
        """Origin (pen position) of one glyph."""
        raw.FPDFText_GetCharOrigin(self.textpage, index, self.px, self.py)
        return self.x.value, self.y.value

    def locate(self, start: int, end: int) -> Iterator[Segment]:
        """Position text[start:end]; split it if PDFium joined two lines without a break."""
        x0, y0 = self.origin(start)
        if abs(self.origin(end - 1)[1] - y0) > LINE_TOLERANCE:
            for k in range(start + 1, end):
                if abs(self.origin(k)[1] - y0) > LINE_TOLERANCE:
                    yield from self.locate(start, k)
                    yield from self.locate(k, end)
                    return
        raw.FPDFText_GetCharBox(self.textpage, end - 1, *self.pbox)
        chunk = self.text[start:end].strip()
        if chunk:
            yield Segment(x0, self.box[1].value, y0, chunk)


def _segments(textpage: pdfium.PdfTextPage) -> Iterator[Segment]:
    """Split the page text at generated separators and locate each run."""
    handle = textpage.raw  # the bare FPDF_TEXTPAGE skips pypdfium2's per-call conversion
    n = raw.FPDFText_CountChars(handle)
    if n <= 0:
        return
    buffer = (ctypes.c_ushort * (n + 1))()
    raw.FPDFText_GetText(handle, 0, n, buffer)
    text = ctypes.string_at(buffer, 2 * n).decode("utf-16-le", errors="replace")
    is_generated = raw.FPDFText_IsGenerated
    cuts: list[int] = []
    for match in _SEPARATOR.finditer(text):
        at = match.start()
        if match.group() != " " or is_generated(handle, at) == 1:
            cuts.append(at)
            cuts.append(match.end())
    cuts.append(n)
    locator = _Locator(handle, text)
    start = 0
    for index in range(0, len(cuts), 2):
        end = cuts[index]
        if end > start:
            yield from locator.locate(start, end)
        start = cuts[index + 1] if index + 1 < len(cuts) else n


def read_page(doc: pdfium.PdfDocument, index: int) -> PageText:
    """Read one page into lines (top to bottom) of runs (left to right)."""
    page = doc[index]
    try:
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            segments = sorted(_segments(textpage), key=lambda s: (-s.y, s.x))
        finally:
            textpage.close()
    finally:
        page.close()
    lines: list[Line] = []
    for seg in segments:
        if lines and abs(lines[-1].y - seg.y) <= LINE_TOLERANCE:
            lines[-1].segments.append(seg)
        else:
            lines.append(Line(seg.y, [seg]))
    for line in lines:
        line.segments.sort(key=lambda s: s.x)
    return PageText(index + 1, height, lines)
