"""The Explorance Blue PDF layout (Summer 2025 onward): `Student TRACE report for CODE-SECTION
Title`, header items, rating tables with distributions, bulleted comments."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.errors import ParseError
from core.report import Course, ParsedReport
from ingestion.parsers.body import read_body
from ingestion.parsers.collegenet import resync
from ingestion.parsers.comments import is_blue_prompt, is_bullet, read_blue_comments
from ingestion.parsers.furniture import PageLine, remove_furniture
from ingestion.parsers.header import (
    parse_instructors,
    parse_int,
    read_header,
    read_term,
    require,
)
from ingestion.parsers.pdftext import PageText

TITLE_PREFIX = "Student TRACE report for "
KEYS = ("Term", "Course ID", "Instructor", "Invited", "Responded")
_TITLE_RE = re.compile(r"^Student TRACE report for ([A-Za-z]+)\s?(\w+)-(\S+)\s+(.+)$")


def parse_blue(
    pages: Sequence[PageText], first: list[PageLine], *, filename: str, sha256: str
) -> tuple[ParsedReport, list[PageLine]]:
    """The report and the lines no rule claimed; `first` are the pages' lines without the
    furniture that needs no names to be found (enough to read the page-1 header)."""
    header = read_header(first, KEYS)
    match = _TITLE_RE.match(header.title)
    if match is None:
        raise ParseError(
            f"title {header.title!r} does not read as `CODE-SECTION Title`",
            field="title",
            page=1,
            reason="missing_field",
        )
    subject, number, section, title = match.groups()
    items = header.items
    term = read_term(require(items, "Term"))
    crn = require(items, "Course ID")
    instructors = parse_instructors(require(items, "Instructor"))
    names = [f"{subject}{number}-{section}", title.strip(), term.label]
    lines, _ = remove_furniture(pages, names=names)
    start = resync(lines, first, header.end)
    end = next(
        (i for i in range(start, len(lines)) if is_bullet(lines[i][1]) or is_blue_prompt(lines, i)),
        len(lines),
    )
    body = read_body(lines, start, end)
    comments, stop = read_blue_comments(lines, end)
    report = ParsedReport(
        file=filename,
        sha256=sha256,
        layout="blue",
        course=Course(
            code=f"{subject}{number}",
            subject=subject,
            number=number,
            section=section,
            title=title.strip(),
            crn=crn,
        ),
        term=term,
        instructors=instructors,
        enrollment=parse_int(items.get("Invited"), "Invited"),
        responses_incl_declines=parse_int(items.get("Responded"), "Responded"),
        declines=None,
        questions=body.questions,
        frequencies=body.frequencies,
        comments=comments,
        warnings=[],
    )
    return report, [*body.unclaimed, *lines[stop:]]
