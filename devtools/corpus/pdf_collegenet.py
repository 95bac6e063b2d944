"""Render a ParsedReport in the CollegeNET TRACE PDF layout (terms up to Spring 2025)."""

from __future__ import annotations

import random
from itertools import groupby

from reportlab.pdfbase.pdfmetrics import stringWidth

from core.report import Comment, ParsedReport, Question
from devtools.corpus.pdf_common import (
    PageFlow,
    draw_heading,
    draw_items,
    draw_title,
    fmt,
    running_texts,
    typographic,
    wrap,
)
from devtools.corpus.pdf_table import Table, TableRow, draw_frequency_table
from devtools.corpus.style import RenderStyle, draw_style

HEADERS = (
    "Question",
    "Number of Responses",
    "Response Rate",
    "Course Mean",
    "Dept. Mean",
    "Univ. Mean",
    "Course Median",
    "Dept. Median",
    "Univ. Median",
)
PROMPTS = (
    "What were the strengths of this course and/or this instructor?",
    "What could the instructor do to make this course better?",
    "Please expand on the instructor's strengths and/or areas for improvement in facilitating "
    "inclusive learning.",
    "What I could have done to make this course better for myself.",
)
NUMBER_COLUMN = 24.0
"""How far hanging comment text stands right of its number."""


def instructor_line(report: ParsedReport) -> str:
    """`Last, First; Last, First` as both PDF layouts print it."""
    return "; ".join(f"{i.last}, {i.first}" if i.first else i.last for i in report.instructors)


def new_flow(report: ParsedReport, style: RenderStyle) -> PageFlow:
    """A page flow with the running header and footer this report's style prints."""
    course = report.course
    header, footer = running_texts(
        style,
        label=f"{course.code}-{course.section}",
        title=course.title,
        term=report.term.label,
    )
    return PageFlow(style, header, footer)


def comment_blocks(comments: list[Comment]) -> list[tuple[str, list[Comment]]]:
    """Consecutive comments with the same prompt, in truth order."""
    return [(prompt, list(group)) for prompt, group in groupby(comments, key=lambda c: c.prompt)]


def score_cells(q: Question) -> tuple[float | None, ...]:
    """The six mean/median cells in column order."""
    return (q.course_mean, q.dept_mean, q.univ_mean, q.course_median, q.dept_median, q.univ_median)


def blocks_with_empty_prompt(
    comments: list[Comment], rng: random.Random, *, chance: float
) -> list[tuple[str, list[Comment]]]:
    """Comment blocks by prompt, sometimes with an unanswered prompt slotted in (a variant)."""
    blocks = comment_blocks(comments)
    used = {c.prompt for c in comments}
    unused = [p for p in PROMPTS if p not in used]
    if unused and rng.random() < chance:
        blocks.insert(rng.randrange(len(blocks) + 1), (rng.choice(unused), []))
    return blocks


def render_collegenet(
    report: ParsedReport, *, seed: int, style: RenderStyle | None = None
) -> bytes:
    """Draw the report as CollegeNET did: header block, rating tables, frequencies, comments."""
    rng = random.Random(seed)
    style = style or draw_style(seed)
    course = report.course
    flow = new_flow(report, style)
    draw_title(flow, f"{course.title} ({report.term.label})")
    draw_items(
        flow,
        [
            ("Course ID", course.crn),
            ("Instructor", instructor_line(report)),
            ("Subject", course.subject),
            ("Catalog & Section", f"{course.number} {course.section}"),
            ("Enrollment", report.enrollment),
            ("Responses Incl Declines", report.responses_incl_declines),
            ("Declines", report.declines),
        ],
    )
    for section, group in groupby(report.questions, key=lambda q: q.section):
        draw_heading(flow, typographic(section or "", rng))
        table = Table(flow, HEADERS)
        table.draw_header()
        for q in group:
            values = [
                fmt(q.responses, "int"),
                fmt(q.response_rate, "pct"),
                *(fmt(v, "score") for v in score_cells(q)),
            ]
            table.draw_row(TableRow(typographic(q.text, rng), values))
    for freq in report.frequencies:
        draw_frequency_table(flow, typographic(freq.text, rng), freq.bins)
    if report.comments:
        _draw_comments(flow, report.comments, rng)
    return flow.render(f"{course.title} ({report.term.label})", seed)


def _draw_comments(flow: PageFlow, comments: list[Comment], rng: random.Random) -> None:
    """Comment pages: `Q:` prompt, `(N comments)`, then numbered comments, hanging or flush."""
    style, fonts = flow.style, flow.style.fonts
    size = style.size + 0.5
    flow.new_page()
    for prompt, group in blocks_with_empty_prompt(comments, rng, chance=0.6):
        lines = wrap("Q: " + typographic(prompt, rng), fonts.bold, size + 1, flow.width)
        flow.ensure(len(lines) * 12 + 40)
        flow.y -= 6
        flow.block(lines[:1], flow.left, fonts.bold, size + 1)
        flow.block(lines[1:], flow.left + (0 if style.flush_comments else 16), fonts.bold, size + 1)
        flow.block([count_line(len(group))], flow.left, fonts.italic, size - 0.5)
        for comment in group:
            _draw_comment(flow, comment, rng, size)


def count_line(n: int) -> str:
    """`(12 comments)`, the line under a prompt that says how many comments follow."""
    return f"({n} {'comment' if n == 1 else 'comments'})"


def _draw_comment(flow: PageFlow, comment: Comment, rng: random.Random, size: float) -> None:
    """One numbered comment; a blank line inside it now and then."""
    style, fonts = flow.style, flow.style.fonts
    own_line = rng.random() < style.number_own_line
    number = str(comment.number)
    if style.flush_comments:
        text_x = flow.left
        first_x = text_x if own_line else flow.left + stringWidth(number + " ", fonts.bold, size)
    else:
        text_x = first_x = flow.left + NUMBER_COLUMN
    width = flow.right - first_x
    lines = wrap(comment.text, fonts.regular, size, width)
    if first_x != text_x:  # the first line is shorter; rewrap the rest to the full width
        rest = " ".join(lines[1:])
        lines = lines[:1] + (wrap(rest, fonts.regular, size, flow.right - text_x) if rest else [])
    flow.ensure(2 * size * 1.25 + 4 if own_line else size * 1.25 + 4)
    flow.y -= 3
    flow.text(flow.left, flow.y, number, fonts.bold, size)
    if own_line:
        flow.y -= size * 1.25
    for k, text in enumerate(lines):
        if k and rng.random() < 0.08:
            flow.y -= size * 1.25  # a blank line inside the comment
        flow.ensure(size + 3)
        flow.text(first_x if k == 0 else text_x, flow.y, text, fonts.regular, size)
        flow.y -= size * 1.25
