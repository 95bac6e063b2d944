"""Parser for the Explorance Blue PDF layout (Summer 2025 onward)."""

from __future__ import annotations

import re

from core.errors import ParseError
from core.report import Comment, Course, ParsedReport, normalize_quotes
from ingestion.parsers.collegenet import (
    PageLine,
    at_margin,
    is_bullet,
    parse_instructors,
    parse_int,
    read_body,
    read_term,
    require,
)

TITLE_PREFIX = "Student TRACE report for "
_TITLE_RE = re.compile(r"^Student TRACE report for ([A-Za-z]+)(\w+)-(\S+)\s+(.+)$")
_KEY_RE = re.compile(r"^(Term|Course ID|Instructor|Invited|Responded):\s*(.*)$")
NO_RESPONSE = "[No Response]"


def read_bullets(
    lines: list[PageLine], i: int, margin: float, warnings: list[str]
) -> list[Comment]:
    """Prompts at the margin, one `•` entry per answer; `[No Response]` entries are not comments."""
    comments: list[Comment] = []
    numbers: dict[str, int] = {}
    prompt: str | None = None
    parts: list[str] | None = None

    def flush() -> None:
        if prompt is None or parts is None:
            return
        text = " ".join(parts)
        if text and text != NO_RESPONSE:
            numbers[prompt] = numbers.get(prompt, 0) + 1
            comments.append(Comment(prompt=prompt, number=numbers[prompt], text=text))

    while i < len(lines):
        page, line = lines[i]
        if is_bullet(line):
            flush()
            first = line.segments[0].text[1:].strip()
            parts = [p for p in (first, *(s.text for s in line.segments[1:])) if p]
        elif at_margin(line, margin):
            flush()
            words = [line.text]
            while i + 1 < len(lines) and at_margin(lines[i + 1][1], margin):
                if is_bullet(lines[i + 1][1]):
                    break
                i += 1
                words.append(lines[i][1].text)
            prompt = normalize_quotes(" ".join(" ".join(words).split()))
            parts = None
        elif parts is not None:
            parts.append(line.text)
        else:
            warnings.append(f"page {page}: skipped text outside any comment {line.text!r}")
        i += 1
    flush()
    return comments


def parse_blue(
    lines: list[PageLine], *, filename: str, sha256: str, warnings: list[str]
) -> ParsedReport:
    """Build the report from the header/footer-free lines of a Blue PDF."""
    margin = lines[0][1].x
    title_line = lines[0][1].text
    match = _TITLE_RE.match(title_line)
    if match is None:
        raise ParseError(
            f"title line {title_line!r} does not read as `CODE-SECTION Title`",
            field="title",
            page=1,
        )
    subject, number, section, title = match.groups()
    items: dict[str, str] = {}
    i = 1
    while i < len(lines) and lines[i][0] == 1 and (key := _KEY_RE.match(lines[i][1].text)):
        items[key.group(1)] = key.group(2).strip()
        i += 1
    term = read_term(require(items, "Term"))
    crn = require(items, "Course ID")
    instructors = parse_instructors(require(items, "Instructor"))
    body = read_body(lines, i, margin, warnings)
    comments = read_bullets(lines, body.comments_start, margin, warnings)
    return ParsedReport(
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
        enrollment=parse_int(items.get("Invited"), "Invited", warnings),
        responses_incl_declines=parse_int(items.get("Responded"), "Responded", warnings),
        declines=None,
        questions=body.questions,
        frequencies=body.frequencies,
        comments=comments,
        warnings=warnings,
    )
