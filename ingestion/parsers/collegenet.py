"""The CollegeNET PDF layout (terms up to Spring 2025): `Title (Term)`, header items, rating
tables with a response-rate column, the hours-per-week block, `Q:` comment pages."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.errors import ParseError
from core.report import Course, ParsedReport
from ingestion.parsers.body import read_body
from ingestion.parsers.comments import is_question_line, read_collegenet_comments
from ingestion.parsers.furniture import PageLine, remove_furniture
from ingestion.parsers.header import (
    parse_instructors,
    parse_int,
    read_header,
    read_term,
    require,
)
from ingestion.parsers.pdftext import PageText

KEYS = (
    "Course ID",
    "Instructor",
    "Subject",
    "Catalog & Section",
    "Enrollment",
    "Responses Incl Declines",
    "Declines",
)
_TITLE_RE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def parse_collegenet(
    pages: Sequence[PageText], first: list[PageLine], *, filename: str, sha256: str
) -> tuple[ParsedReport, list[PageLine]]:
    """The report and the lines no rule claimed; `first` are the pages' lines without the
    furniture that needs no names to be found (enough to read the page-1 header)."""
    header = read_header(first, KEYS)
    match = _TITLE_RE.match(header.title)
    if match is None:
        raise ParseError(
            f"no term in parentheses in the title {header.title!r}",
            field="term",
            page=1,
            reason="missing_field",
        )
    title, term = match.group(1).strip(), read_term(match.group(2))
    items = header.items
    crn = require(items, "Course ID")
    instructors = parse_instructors(require(items, "Instructor"))
    subject = require(items, "Subject")
    catalog = require(items, "Catalog & Section").split()
    if len(catalog) != 2:
        raise ParseError(
            f"expected `number section`, got {' '.join(catalog)!r}",
            field="Catalog & Section",
            page=1,
            reason="missing_field",
        )
    code = f"{subject}{catalog[0]}"
    names = [f"{code}-{catalog[1]}", title, term.label]
    lines, _ = remove_furniture(pages, names=names)
    start = resync(lines, first, header.end)
    end = next((i for i in range(start, len(lines)) if is_question_line(lines[i][1])), len(lines))
    body = read_body(lines, start, end)
    comments, stop = read_collegenet_comments(lines, end)
    report = ParsedReport(
        file=filename,
        sha256=sha256,
        layout="collegenet",
        course=Course(
            code=code,
            subject=subject,
            number=catalog[0],
            section=catalog[1],
            title=title,
            crn=crn,
        ),
        term=term,
        instructors=instructors,
        enrollment=parse_int(items.get("Enrollment"), "Enrollment"),
        responses_incl_declines=parse_int(
            items.get("Responses Incl Declines"), "Responses Incl Declines"
        ),
        declines=parse_int(items.get("Declines"), "Declines"),
        questions=body.questions,
        frequencies=body.frequencies,
        comments=comments,
        warnings=[],
    )
    return report, [*body.unclaimed, *lines[stop:]]


def resync(lines: list[PageLine], first: list[PageLine], end: int) -> int:
    """Where the line after the header (index `end` in `first`) falls in `lines`."""
    last = first[end - 1][1]
    for i, (_, line) in enumerate(lines):
        if line is last:
            return i + 1
    raise ParseError("the header block was lost reading the pages", page=1)
