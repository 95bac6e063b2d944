"""Positioned text over pypdfium2, read in bulk: one page text call, origins per text run only.

Per-glyph Python loops and FPDFText_GetBoundedText (a page scan per call) are both too slow for
100+ pages/s, so a page's text is fetched once and split at PDFium's generated separators (the
space it inserts between text objects and the line breaks); only each run's first and last
glyph are asked for their position.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pypdfium2_raw.bindings as pdfium_bindings

from core.errors import ParseError

_TEXT_OBJECT = pdfium_bindings._libs["pdfium"]["FPDFText_GetTextObject"]
"""A private handle on FPDFText_GetTextObject returning the bare address (pypdfium2's own
returns a pointer object, far slower to compare); pypdfium2's handle is left as it is."""
_TEXT_OBJECT.argtypes = raw.FPDFText_GetTextObject.argtypes
_TEXT_OBJECT.restype = ctypes.c_void_p
_SEPARATOR = re.compile(r"\r\n|[\r\n\x02\ufffe ]")
FORCE_BOLD = 1 << 18
"""The PDF font descriptor flag for bold text drawn with a regular face."""
LINE_TOLERANCE = 2.0
"""Baselines closer than this (points) belong to the same line."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One text run: the text of one drawn string, its left origin, right edge and baseline,
    and its font size and weight (headings and prompts are often bold; nothing relies on it)."""

    x: float
    right: float
    y: float
    text: str
    size: float = 8.0
    bold: bool = False

    @property
    def center(self) -> float:
        """Horizontal centre, used to match table cells to column headers."""
        return (self.x + self.right) / 2


@dataclass(frozen=True, slots=True)
class Line:
    """Segments sharing a baseline, left to right, and their text joined by single spaces."""

    y: float
    segments: tuple[Segment, ...]
    text: str

    @classmethod
    def of(cls, y: float, segments: Iterable[Segment]) -> Line:
        ordered = tuple(sorted(segments, key=lambda s: s.x))
        return cls(y, ordered, " ".join(s.text for s in ordered))

    @property
    def x(self) -> float:
        """Left edge of the line's first run."""
        return self.segments[0].x


@dataclass(slots=True)
class PageText:
    """The lines of one page, top to bottom; `number` counts from 1."""

    number: int
    height: float
    lines: list[Line]


def open_pdf(data: bytes, *, max_pages: int | None = None) -> pdfium.PdfDocument:
    """Open a PDF, turning PDFium failures into ParseErrors that say what is wrong."""
    if not data.startswith(b"%PDF"):
        raise ParseError("not a PDF: the file does not start with %PDF", reason="not_trace")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == raw.FPDF_ERR_PASSWORD:
            raise ParseError(
                "encrypted PDF: a password is required to open it", reason="encrypted"
            ) from exc
        if exc.err_code == raw.FPDF_ERR_SECURITY:
            raise ParseError(
                "encrypted PDF: unsupported security handler", reason="encrypted"
            ) from exc
        raise ParseError(f"corrupt or truncated PDF: {exc}", reason="corrupt") from exc
    pages = len(doc)
    if pages == 0:
        doc.close()
        raise ParseError("corrupt or truncated PDF: no pages", reason="corrupt")
    if max_pages is not None and pages > max_pages:
        doc.close()
        raise ParseError(
            f"PDF has {pages} pages, more than the cap of {max_pages}", reason="too_many_pages"
        )
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
        self.name = ctypes.create_string_buffer(64)
        self.flags = ctypes.c_int()
        self.pflags = ctypes.byref(self.flags)

    def style(self, index: int) -> tuple[float, bool]:
        """Font size and boldness of one glyph (by the font's ForceBold flag or its name)."""
        size = raw.FPDFText_GetFontSize(self.textpage, index)
        raw.FPDFText_GetFontInfo(self.textpage, index, self.name, 64, self.pflags)
        if self.flags.value & FORCE_BOLD:
            return size, True
        name = self.name.value.lower()
        return size, b"bold" in name or b"black" in name or b"heavy" in name

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
        cut = self.overlap(start, end)
        if cut is not None:
            yield from self.locate(start, cut)
            yield from self.locate(cut, end)
            return
        raw.FPDFText_GetCharBox(self.textpage, end - 1, *self.pbox)
        chunk = self.text[start:end].strip()
        if chunk:
            size, bold = self.style(start)
            yield Segment(x0, self.box[1].value, y0, chunk, size, bold)

    def _object(self, index: int) -> int:
        return int(_TEXT_OBJECT(self.textpage, index) or 0)

    def overlap(self, start: int, end: int) -> int | None:
        """Where a second text object starts inside the run and is drawn over the first, or
        touches it in another font (a running header stamped across a table row): PDFium
        joins the two without a space."""
        first = self._object(start)
        if end - start < 2 or self._object(end - 1) == first:
            return None
        lo, hi = start + 1, end - 1
        while lo < hi:  # the first character of another object
            mid = (lo + hi) // 2
            if self._object(mid) == first:
                lo = mid + 1
            else:
                hi = mid
        raw.FPDFText_GetCharBox(self.textpage, lo - 1, *self.pbox)
        if self.origin(lo)[0] < self.box[1].value - 0.5:
            return lo
        if self.text[lo - 1].isspace() or self.text[lo].isspace():
            return None  # a word boundary: PDFium's own spacing is right
        return lo if self.font(lo - 1) != self.font(lo) else None

    def font(self, index: int) -> tuple[float, bytes]:
        """The size and name of one glyph's font."""
        raw.FPDFText_GetFontInfo(self.textpage, index, self.name, 64, self.pflags)
        return round(raw.FPDFText_GetFontSize(self.textpage, index), 1), self.name.value


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
    groups: list[tuple[float, list[Segment]]] = []
    for seg in segments:
        if groups and abs(groups[-1][0] - seg.y) <= LINE_TOLERANCE:
            groups[-1][1].append(seg)
        else:
            groups.append((seg.y, [seg]))
    lines = [Line.of(y, segs) for y, segs in groups]
    return PageText(index + 1, height, lines)
