"""Render a ParsedReport in the CollegeNET TRACE PDF layout (terms up to Spring 2025)."""

from __future__ import annotations

import random
from itertools import groupby

from reportlab.pdfbase.pdfmetrics import stringWidth

from core.report import Comment, ParsedReport, Question
from ingestion.corpus.pdf_common import (
    BOLD,
    FONT,
    ITALIC,
    MARGIN,
    RIGHT,
    PageFlow,
    Table,
    TableRow,
    draw_block,
    draw_frequencies,
    draw_heading,
    fmt,
    typographic,
    wrap,
)

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
NUMBER_X = MARGIN
TEXT_X = MARGIN + 24
COMMENT_SIZE = 8.5


def instructor_line(report: ParsedReport) -> str:
    """`Last, First; Last, First` as both PDF layouts print it."""
    return "; ".join(f"{i.last}, {i.first}" if i.first else i.last for i in report.instructors)


def fit_title(flow: PageFlow, text: str) -> None:
    """Draw the page-1 title, shrinking the font so it stays on one line."""
    size = 14.0
    while size > 7 and stringWidth(text, BOLD, size) > RIGHT - MARGIN:
        size -= 0.5
    flow.text(MARGIN, flow.y, text, BOLD, size)
    flow.y -= 22


def comment_blocks(comments: list[Comment]) -> list[tuple[str, list[Comment]]]:
    """Consecutive comments with the same prompt, in truth order."""
    return [(prompt, list(group)) for prompt, group in groupby(comments, key=lambda c: c.prompt)]


def render_collegenet(report: ParsedReport, *, seed: int) -> bytes:
    """Draw the report as CollegeNET did: header block, rating tables, frequencies, comments."""
    rng = random.Random(seed)
    course = report.course
    flow = PageFlow(
        running_header=f"Student TRACE report: {course.code}-{course.section} {course.title} "
        f"({report.term.label})"
    )
    fit_title(flow, f"{course.title} ({report.term.label})")
    items = [
        ("Course ID", course.crn),
        ("Instructor", instructor_line(report)),
        ("Subject", course.subject),
        ("Catalog & Section", f"{course.number} {course.section}"),
        ("Enrollment", report.enrollment),
        ("Responses Incl Declines", report.responses_incl_declines),
        ("Declines", report.declines),
    ]
    for key, value in items:
        if value is not None:
            flow.text(MARGIN, flow.y, f"{key}: {value}", FONT, 9.5)
            flow.y -= 13
    repeat = rng.random() < 0.5
    for section, group in groupby(report.questions, key=lambda q: q.section):
        draw_heading(flow, typographic(section or "", rng))
        table = Table(flow, HEADERS, repeat_headers=repeat)
        table.draw_header()
        for q in group:
            values = [
                fmt(q.responses, "int"),
                fmt(q.response_rate, "pct"),
                *(fmt(v, "score") for v in score_cells(q)),
            ]
            table.draw_row(TableRow(typographic(q.text, rng), values))
    draw_frequencies(flow, report.frequencies, rng)
    if report.comments:
        _draw_comments(flow, report.comments, rng)
    return flow.render(f"{course.title} ({report.term.label})")


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


def _draw_comments(flow: PageFlow, comments: list[Comment], rng: random.Random) -> None:
    """Comment pages: `Q:` prompt, `(N comments)`, numbers in a left column, text indented."""
    flow.new_page()
    blocks = blocks_with_empty_prompt(comments, rng, chance=0.6)
    for prompt, group in blocks:
        lines = wrap("Q: " + typographic(prompt, rng), BOLD, 9.5, RIGHT - MARGIN)
        flow.ensure(len(lines) * 12 + 40)
        flow.y -= 6
        draw_block(flow, lines[:1], MARGIN, BOLD, 9.5)
        draw_block(flow, lines[1:], MARGIN + 16, BOLD, 9.5)
        noun = "comment" if len(group) == 1 else "comments"
        draw_block(flow, [f"({len(group)} {noun})"], MARGIN, ITALIC, 8.0)
        for comment in group:
            text_lines = wrap(comment.text, FONT, COMMENT_SIZE, RIGHT - TEXT_X)
            own_line = rng.random() < 0.4
            flow.ensure(24 if own_line else 12)
            flow.y -= 3
            flow.text(NUMBER_X, flow.y, str(comment.number), BOLD, COMMENT_SIZE)
            if own_line:
                flow.y -= COMMENT_SIZE + 3
            for k, text in enumerate(text_lines):
                if k and rng.random() < 0.08:
                    flow.y -= COMMENT_SIZE + 3  # a blank line inside the comment
                draw_block(flow, [text], TEXT_X, FONT, COMMENT_SIZE)
