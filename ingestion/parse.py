"""One entry point for parsing a report file of any layout, by its bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.errors import ParseError, UploadRejected
from core.report import ParsedReport
from ingestion.limits import ParseLimits, check_parsed
from ingestion.validation import PDF, sniff


def parse_report(data: bytes, *, filename: str, limits: ParseLimits | None = None) -> ParsedReport:
    """Parse a TRACE report (collegenet or blue PDF, or xlsx export); ParseError says why not."""
    limits = limits or ParseLimits()
    try:
        media_type = sniff(data)
    except UploadRejected as exc:
        raise ParseError(str(exc), reason="not_trace") from exc
    sha256 = hashlib.sha256(data).hexdigest()
    if media_type == PDF:
        from ingestion.parsers.pdf import parse_pdf

        parsed = parse_pdf(data, filename=filename, sha256=sha256, max_pages=limits.max_pages)
    else:
        from ingestion.parsers.xlsx import parse_xlsx

        parsed = parse_xlsx(data, filename=filename, sha256=sha256, limits=limits)
    check_parsed(parsed, limits)
    return parsed


def parse_path(path: Path, *, limits: ParseLimits | None = None) -> ParsedReport:
    return parse_report(path.read_bytes(), filename=path.name, limits=limits)
