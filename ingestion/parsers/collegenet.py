"""Parser for the CollegeNET PDF layout; its table and frequency readers also serve Blue.

Tables are read by their column headers (never a fixed question list) and cells are matched to
headers by x position; a heading is any margin text that stands right above a header row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.errors import ParseError
from core.report import (
    Comment,
    Course,
    Frequency,
    Instructor,
    ParsedReport,
    Question,
    Term,
    normalize_quotes,
    parse_term,
)
from ingestion.parsers.pdftext import Line

MARGIN_SLACK = 2.5
"""Text starting within this many points of the page margin stands at the margin."""

COLUMN_FIELDS = {
    "number of responses": "responses",
    "response rate": "response_rate",
    "course mean": "course_mean",
    "dept. mean": "dept_mean",
    "univ. mean": "univ_mean",
    "course median": "course_median",
    "dept. median": "dept_median",
    "univ. median": "univ_median",
}
DISTRIBUTION_LABELS = {
    "Strongly Agree": "5",
    "Agree": "4",
    "Neutral": "3",
    "Disagree": "2",
    "Strongly Disagree": "1",
    "Almost Always Effective": "5",
    "Usually Effective": "4",
    "Sometimes Effective": "3",
    "Rarely Effective": "2",
    "Never Effective": "1",
    "N/A": "na",
}
_DIST_RE = re.compile(
    r"^("
    + "|".join(sorted(map(re.escape, DISTRIBUTION_LABELS), key=len, reverse=True))
    + r") (\d+) (\d+)%$"
)
_KEY_RE = re.compile(
    r"^(Course ID|Instructor|Subject|Catalog & Section|Enrollment|Responses Incl Declines|Declines)"
    r":\s*(.*)$"
)
_TITLE_RE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_COUNT_RE = re.compile(r"^\((\d+) comments?\)$")
_NUMBERED_RE = re.compile(r"^(\d+)(?:\s+(.*))?$")

PageLine = tuple[int, Line]


@dataclass
class Columns:
    """A rating table's value columns: field names, centres, and where the question cell ends."""

    fields: list[str | None]
    centers: list[float]
    boundary: float


@dataclass
class Body:
    """What the table part of a report yields, and where the comments begin."""

    questions: list[Question] = field(default_factory=list)
    frequencies: list[Frequency] = field(default_factory=list)
    comments_start: int = 0


def at_margin(line: Line, margin: float) -> bool:
    """True for text standing where headings, prompts and header items stand."""
    return line.x < margin + MARGIN_SLACK


def is_table_header(line: Line) -> bool:
    """The first row of a rating table's column headers."""
    return line.segments[0].text == "Question" and len(line.segments) > 2


def is_frequency_header(line: Line) -> bool:
    """The header row of the hours-per-week table."""
    return [s.text for s in line.segments] == ["Response", "Count"]


def is_bullet(line: Line) -> bool:
    """A Blue comment entry."""
    return line.segments[0].text.startswith("•")


def _read_columns(lines: list[PageLine], i: int) -> tuple[Columns, int]:
    """Read a (possibly multi-line) column header row starting at line i."""
    first = lines[i][1].segments[1:]
    centers = [s.center for s in first]
    texts = [[s.text] for s in first]
    step = centers[1] - centers[0] if len(centers) > 1 else 40.0
    boundary = centers[0] - step / 2
    i += 1
    while i < len(lines) and all(s.x >= boundary for s in lines[i][1].segments):
        for seg in lines[i][1].segments:
            k = min(range(len(centers)), key=lambda c: abs(centers[c] - seg.center))
            texts[k].append(seg.text)
        i += 1
    names = [" ".join(" ".join(t).split()).lower() for t in texts]
    return Columns([COLUMN_FIELDS.get(n) for n in names], centers, boundary), i


def _cell(field_name: str, text: str) -> float | int:
    """Convert one printed cell; ValueError when it does not read."""
    if field_name == "responses":
        return int(text)
    if field_name == "response_rate":
        if not text.endswith("%"):
            raise ValueError(text)
        return int(text[:-1]) / 100
    return float(text)


def _read_row(
    lines: list[PageLine], i: int, columns: Columns, section: str | None, warnings: list[str]
) -> tuple[Question | None, int]:
    """Read one rating row plus its wrapped question lines and (Blue) distribution lines."""
    page, line = lines[i]
    text_parts = [s.text for s in line.segments if s.x < columns.boundary]
    values: dict[str, float | int | None] = dict.fromkeys(COLUMN_FIELDS.values())
    bad = False
    step = abs(columns.centers[1] - columns.centers[0]) if len(columns.centers) > 1 else 40.0
    for seg in line.segments:
        if seg.x < columns.boundary:
            continue
        k = min(range(len(columns.centers)), key=lambda c: abs(columns.centers[c] - seg.center))
        name = columns.fields[k]
        if name is None or abs(columns.centers[k] - seg.center) > step / 2:
            bad = True
            continue
        try:
            values[name] = _cell(name, seg.text)
        except ValueError:
            bad = True
    distribution: dict[str, int] | None = None
    question_x = line.x
    i += 1
    while i < len(lines):
        nxt = lines[i][1]
        if any(s.x >= columns.boundary for s in nxt.segments) or nxt.x < question_x - 1:
            break
        match = _DIST_RE.match(nxt.text) if nxt.x > question_x + 4 else None
        if match:
            distribution = distribution or {}
            distribution[DISTRIBUTION_LABELS[match.group(1)]] = int(match.group(2))
        elif distribution is None and abs(nxt.x - question_x) < 1:
            text_parts.append(nxt.text)
        else:
            break
        i += 1
    text = normalize_quotes(" ".join(" ".join(text_parts).split()))
    if bad:
        warnings.append(f"page {page}: skipped unreadable table row {line.text!r}")
        return None, i
    question = Question(
        section=section,
        text=text,
        std_dev=None,
        distribution=distribution,
        **values,
    )
    return question, i


def _read_frequency(lines: list[PageLine], i: int, text: str) -> tuple[Frequency, int]:
    """Read `label count` rows after a frequency header (repeated headers are skipped)."""
    bins: dict[str, int] = {}
    while i < len(lines):
        line = lines[i][1]
        if is_frequency_header(line):
            i += 1
            continue
        texts = [s.text for s in line.segments]
        if len(texts) != 2 or not texts[1].isdigit():
            break
        bins[texts[0]] = int(texts[1])
        i += 1
    return Frequency(text=text, bins=bins), i


def read_body(lines: list[PageLine], i: int, margin: float, warnings: list[str]) -> Body:
    """Read rating tables and frequency blocks until the first comment prompt."""
    body = Body()
    columns: Columns | None = None
    section: str | None = None
    n = len(lines)
    while i < n:
        page, line = lines[i]
        if at_margin(line, margin):
            if line.text.startswith("Q:"):
                break
            j = i
            while j < n and at_margin(lines[j][1], margin) and not is_bullet(lines[j][1]):
                j += 1
            block = " ".join(ln.text for _, ln in lines[i:j])
            if j < n and is_table_header(lines[j][1]):
                section, i = normalize_quotes(block), j
            elif j < n and is_frequency_header(lines[j][1]):
                freq, i = _read_frequency(lines, j, normalize_quotes(block))
                body.frequencies.append(freq)
            elif j < n and is_bullet(lines[j][1]):
                break
            else:
                warnings.append(f"page {page}: skipped text outside any table {block!r}")
                i = j
        elif is_table_header(line):
            columns, i = _read_columns(lines, i)
        elif columns is not None and any(s.x >= columns.boundary for s in line.segments):
            question, i = _read_row(lines, i, columns, section, warnings)
            if question is not None:
                body.questions.append(question)
        else:
            warnings.append(f"page {page}: skipped text outside any table {line.text!r}")
            i += 1
    body.comments_start = i
    return body


def parse_instructors(value: str) -> list[Instructor]:
    """`Last, First; Last, First` into instructors (a name without a comma is all surname)."""
    out = []
    for name in value.split(";"):
        last, _, first = name.strip().partition(",")
        if last.strip():
            out.append(Instructor(last=last.strip(), first=first.strip()))
    return out


def parse_int(value: str | None, name: str, warnings: list[str]) -> int | None:
    """A header count; unreadable values become null with a warning."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        warnings.append(f"{name}: {value!r} is not a number")
        return None


def require(items: dict[str, str], key: str) -> str:
    """A header item that must be present on page 1."""
    value = items.get(key, "").strip()
    if not value:
        raise ParseError(f"missing {key} in the report header", field=key, page=1)
    return value


def read_term(label: str) -> Term:
    """A term label, or a ParseError naming it."""
    term = parse_term(label)
    if term is None:
        raise ParseError(f"{label!r} is not a TRACE term", field="term", page=1)
    return term


def read_comments(
    lines: list[PageLine], i: int, margin: float, warnings: list[str]
) -> list[Comment]:
    """`Q:` prompts, `(N comments)` lines, numbers in the left column and indented text."""
    comments: list[Comment] = []
    prompt: str | None = None
    expected: int | None = None
    found = 0
    parts: list[str] = []
    number = 0

    def flush_comment() -> None:
        nonlocal parts, found
        if prompt is not None and parts:
            comments.append(Comment(prompt=prompt, number=number, text=" ".join(parts)))
            found += 1
        parts = []

    def flush_prompt() -> None:
        flush_comment()
        if prompt is not None and expected is not None and expected != found:
            warnings.append(
                f"prompt {prompt!r}: count line says {expected} comments, found {found}"
            )

    while i < len(lines):
        page, line = lines[i]
        first = line.segments[0]
        if at_margin(line, margin) and line.text.startswith("Q:"):
            flush_prompt()
            words = [line.text[2:]]
            i += 1
            while i < len(lines) and len(words) < 4 and not at_margin(lines[i][1], margin):
                words.append(lines[i][1].text)
                i += 1
            prompt = normalize_quotes(" ".join(" ".join(words).split()))
            found, expected = 0, None
            count = _COUNT_RE.match(lines[i][1].text) if i < len(lines) else None
            if count:
                expected = int(count.group(1))
                i += 1
            else:
                warnings.append(f"page {page}: prompt {prompt!r} has no comment count line")
            continue
        numbered = _NUMBERED_RE.match(first.text) if first.x < margin + MARGIN_SLACK else None
        if prompt is not None and numbered:
            flush_comment()
            number = int(numbered.group(1))
            rest = [numbered.group(2) or "", *(s.text for s in line.segments[1:])]
            parts = [p for p in rest if p]
        elif prompt is not None and (parts or number):
            parts.append(line.text)
        else:
            warnings.append(f"page {page}: skipped text outside any comment {line.text!r}")
        i += 1
    flush_prompt()
    return comments


def parse_collegenet(
    lines: list[PageLine], *, filename: str, sha256: str, warnings: list[str]
) -> ParsedReport:
    """Build the report from the header/footer-free lines of a CollegeNET PDF."""
    margin = lines[0][1].x
    title_line = lines[0][1].text
    match = _TITLE_RE.match(title_line)
    if match is None:
        raise ParseError(
            f"no term in parentheses in the title line {title_line!r}", field="term", page=1
        )
    title, term = match.group(1).strip(), read_term(match.group(2))
    items: dict[str, str] = {}
    i = 1
    while i < len(lines) and lines[i][0] == 1 and (key := _KEY_RE.match(lines[i][1].text)):
        items[key.group(1)] = key.group(2).strip()
        i += 1
    crn = require(items, "Course ID")
    instructors = parse_instructors(require(items, "Instructor"))
    subject = require(items, "Subject")
    catalog = require(items, "Catalog & Section").split()
    if len(catalog) != 2:
        raise ParseError(
            f"expected `number section`, got {' '.join(catalog)!r}",
            field="Catalog & Section",
            page=1,
        )
    body = read_body(lines, i, margin, warnings)
    comments = read_comments(lines, body.comments_start, margin, warnings)
    return ParsedReport(
        file=filename,
        sha256=sha256,
        layout="collegenet",
        course=Course(
            code=f"{subject}{catalog[0]}",
            subject=subject,
            number=catalog[0],
            section=catalog[1],
            title=title,
            crn=crn,
        ),
        term=term,
        instructors=instructors,
        enrollment=parse_int(items.get("Enrollment"), "Enrollment", warnings),
        responses_incl_declines=parse_int(
            items.get("Responses Incl Declines"), "Responses Incl Declines", warnings
        ),
        declines=parse_int(items.get("Declines"), "Declines", warnings),
        questions=body.questions,
        frequencies=body.frequencies,
        comments=comments,
        warnings=warnings,
    )
