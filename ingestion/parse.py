"""One entry point for parsing a report file of any layout, by its bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.errors import ParseError, UploadRejected
from core.report import Layout, ParsedReport
from ingestion.limits import ParseLimits, check_parsed
from ingestion.parsers.survey import UploadFields
from ingestion.validation import CSV, DOCX, EML, HTML, PDF, TEXT, XLSX, sniff

_DOCUMENTS: dict[str, Layout] = {DOCX: "survey-docx", TEXT: "survey-txt", EML: "survey-eml"}


def parse_report(
    data: bytes,
    *,
    filename: str,
    limits: ParseLimits | None = None,
    fields: UploadFields | None = None,
) -> ParsedReport:
    """Parse a TRACE report (collegenet or blue PDF, xlsx export, saved Blue page) or a survey
    export (CSV, xlsx, DOCX, text, e-mail; `fields` are the upload form's course, term and
    title); ParseError says why not."""
    limits = limits or ParseLimits()
    fields = fields or UploadFields()
    try:
        media_type = sniff(data)
    except UploadRejected as exc:
        raise ParseError(str(exc), reason="not_trace") from exc
    sha256 = hashlib.sha256(data).hexdigest()
    parsed = _parse(data, media_type, filename, sha256, limits, fields)
    if parsed.source_type == "trace" and fields.given():
        parsed.warnings.append(
            "the upload form's " + ", ".join(fields.given()) + " were not used: a TRACE report"
            " names its own course and term"
        )
    check_parsed(parsed, limits)
    return parsed


def _parse(
    data: bytes,
    media_type: str,
    filename: str,
    sha256: str,
    limits: ParseLimits,
    fields: UploadFields,
) -> ParsedReport:
    # start-up speed: each layout's parser loads only when a file of that layout is parsed
    # (the HTML and document parsers import unstructured, which takes seconds; a PDF needs none)
    if media_type == PDF:
        from ingestion.parsers.pdf import parse_pdf

        return parse_pdf(data, filename=filename, sha256=sha256, max_pages=limits.max_pages)
    if media_type == XLSX:
        from ingestion.parsers.survey_table import is_trace_sheet, parse_survey_rows
        from ingestion.parsers.workbook import read_workbook
        from ingestion.parsers.xlsx import parse_xlsx_rows

        # one load of the workbook decides its kind and feeds its parser (openpyxl's load was
        # a fifth of parsing an xlsx, and deciding the kind loaded it once more)
        main, comments = read_workbook(data, filename, limits)
        if is_trace_sheet(main):
            return parse_xlsx_rows(main, comments, filename=filename, sha256=sha256)
        return parse_survey_rows(
            main, filename=filename, sha256=sha256, fields=fields, limits=limits
        )
    if media_type == HTML:
        from ingestion.parsers.blue_html import parse_blue_html

        return parse_blue_html(data, filename=filename, sha256=sha256, limits=limits)
    if media_type == CSV:
        from ingestion.parsers.survey_table import parse_survey_csv

        return parse_survey_csv(
            data, filename=filename, sha256=sha256, fields=fields, limits=limits
        )
    from ingestion.parsers.survey_text import parse_comment_document

    return parse_comment_document(
        data,
        layout=_DOCUMENTS[media_type],
        filename=filename,
        sha256=sha256,
        fields=fields,
        limits=limits,
    )


def parse_path(
    path: Path, *, limits: ParseLimits | None = None, fields: UploadFields | None = None
) -> ParsedReport:
    return parse_report(path.read_bytes(), filename=path.name, limits=limits, fields=fields)
