"""Entry point for TRACE PDFs: open with pypdfium2, detect the layout, read, check.

Reading goes: positioned lines per page (`pdftext`), the page-1 header (`header`), running
headers and footers removed (`furniture`), rating tables and the frequency block (`body`),
comments (`comments`), then the report's own checksums (`checks`). Text that no rule claims is
listed as a warning; more than a small share of it fails the report.
"""

from __future__ import annotations

from core.errors import ParseError
from core.report import ParsedReport
from ingestion.parsers.blue import TITLE_PREFIX, parse_blue
from ingestion.parsers.checks import check_report
from ingestion.parsers.collegenet import parse_collegenet
from ingestion.parsers.furniture import PageLine, remove_furniture
from ingestion.parsers.pdftext import PageText, open_pdf, read_page

UNCLAIMED_SHARE = 0.02
"""More unclaimed text than this share of the report's characters fails it."""


def detect_layout(lines: list[PageLine]) -> str:
    """`blue` or `collegenet` from page 1's opening lines; ParseError when it is neither."""
    texts = [line.text for page, line in lines[:40] if page == 1]
    if texts and texts[0].startswith(TITLE_PREFIX.strip()):
        return "blue"
    if any(t.startswith(("Catalog & Section", "Subject:")) for t in texts):
        return "collegenet"
    if any(t.startswith(("Invited", "Responded", "Term:")) for t in texts):
        return "blue"
    if any(t.startswith("Course ID") for t in texts):
        return "collegenet"
    raise ParseError(
        "not a TRACE report: no recognisable header on page 1", page=1, reason="not_trace"
    )


def read_pages(data: bytes, *, max_pages: int | None) -> list[PageText]:
    doc = open_pdf(data, max_pages=max_pages)
    try:
        return [read_page(doc, index) for index in range(len(doc))]
    except Exception as exc:  # PDFium failing on a damaged page object
        raise ParseError(f"corrupt PDF: cannot read its text ({exc})", reason="corrupt") from exc
    finally:
        doc.close()


def parse_pdf(
    data: bytes, *, filename: str, sha256: str, max_pages: int | None = None
) -> ParsedReport:
    """Parse a CollegeNET or Blue TRACE PDF into the JSON contract, checked against itself."""
    pages = read_pages(data, max_pages=max_pages)
    lines, _ = remove_furniture(pages[:1], names=[])  # page 1 holds the header and layout
    if not lines:
        raise ParseError("not a TRACE report: the PDF has no text", page=1, reason="not_trace")
    layout = detect_layout(lines)
    parse = parse_blue if layout == "blue" else parse_collegenet
    report, unclaimed = parse(pages, lines, filename=filename, sha256=sha256)
    if not report.questions:
        page = unclaimed[0][0] if unclaimed else 1
        raise ParseError(
            "no rating table could be read in this report", page=page, reason="no_ratings"
        )
    total = sum(len(line.text) for page in pages for line in page.lines)
    lost = sum(len(line.text) for _, line in unclaimed)
    for page, line in unclaimed[:20]:
        report.warnings.append(f"page {page}: text no rule claimed {line.text[:80]!r}")
    if total and lost / total > UNCLAIMED_SHARE:
        first = unclaimed[0]
        raise ParseError(
            f"{lost} of {total} characters could not be placed in the report, starting with "
            f"{first[1].text[:60]!r}",
            page=first[0],
            reason="unclaimed_text",
        )
    check_report(report)
    return report
