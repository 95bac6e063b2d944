"""One entry point for parsing a report file of any layout, by its bytes."""

from __future__ import annotations

from pathlib import Path

from core.blobs import sha256_hex
from core.errors import ParseError, UploadRejected
from core.report import ParsedReport
from ingestion.validation import PDF, sniff


def parse_report(data: bytes, *, filename: str, max_pages: int | None = None) -> ParsedReport:
    """Parse a TRACE report (collegenet or blue PDF, or xlsx export); ParseError says why not."""
    try:
        media_type = sniff(data)
    except UploadRejected as exc:
        raise ParseError(str(exc)) from exc
    sha256 = sha256_hex(data)
    if media_type == PDF:
        from ingestion.parsers.pdf import parse_pdf

        return parse_pdf(data, filename=filename, sha256=sha256, max_pages=max_pages)
    from ingestion.parsers.xlsx import parse_xlsx

    return parse_xlsx(data, filename=filename, sha256=sha256)


def parse_path(path: Path, *, max_pages: int | None = None) -> ParsedReport:
    return parse_report(path.read_bytes(), filename=path.name, max_pages=max_pages)
