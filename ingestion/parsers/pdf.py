"""Entry point for TRACE PDFs: open with pypdfium2, detect the layout on page 1, dispatch."""

from __future__ import annotations

import re

from core.errors import ParseError
from core.report import ParsedReport
from ingestion.parsers.blue import TITLE_PREFIX, parse_blue
from ingestion.parsers.collegenet import PageLine, parse_collegenet
from ingestion.parsers.pdftext import PageText, open_pdf, read_page

_FOOTER_RE = re.compile(r"^Page \d+ of \d+$")
RUNNING_HEADER = "Student TRACE report"
EDGE = 50.0
"""Running headers and footers sit within this many points of the page's top or bottom edge."""


def content_lines(pages: list[PageText]) -> list[PageLine]:
    """All lines in reading order, without running headers and `Page X of Y` footers."""
    out: list[PageLine] = []
    for page in pages:
        for line in page.lines:
            if line.y < EDGE and _FOOTER_RE.match(line.text):
                continue
            if (
                page.number > 1
                and line.y > page.height - EDGE
                and line.text.startswith(RUNNING_HEADER)
            ):
                continue
            out.append((page.number, line))
    return out


def detect_layout(first: PageText) -> str:
    """`blue` or `collegenet` from page 1's header; ParseError when it is neither."""
    if first.lines and first.lines[0].text.startswith(TITLE_PREFIX):
        return "blue"
    texts = [line.text for line in first.lines[:12]]
    if any(t.startswith("Catalog & Section:") for t in texts) or any(
        t.startswith("Course ID:") for t in texts
    ):
        return "collegenet"
    raise ParseError("not a TRACE report: no recognisable header on page 1", page=1)


def parse_pdf(
    data: bytes, *, filename: str, sha256: str, max_pages: int | None = None
) -> ParsedReport:
    """Parse a CollegeNET or Blue TRACE PDF into the JSON contract."""
    doc = open_pdf(data, max_pages=max_pages)
    try:
        pages = [read_page(doc, index) for index in range(len(doc))]
    except Exception as exc:  # PDFium failing on a damaged page object
        raise ParseError(f"corrupt PDF: cannot read its text ({exc})") from exc
    finally:
        doc.close()
    layout = detect_layout(pages[0])
    lines = content_lines(pages)
    warnings: list[str] = []
    if layout == "blue":
        return parse_blue(lines, filename=filename, sha256=sha256, warnings=warnings)
    return parse_collegenet(lines, filename=filename, sha256=sha256, warnings=warnings)
