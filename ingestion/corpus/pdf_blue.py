"""Render a ParsedReport in the Explorance Blue TRACE PDF layout (Summer 2025 onward)."""

from __future__ import annotations

import random
from itertools import groupby

from core.report import Comment, ParsedReport, Question
from ingestion.corpus.pdf_collegenet import (
    blocks_with_empty_prompt,
    fit_title,
    instructor_line,
    score_cells,
)
from ingestion.corpus.pdf_common import (
    BOLD,
    FONT,
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
    "Course Mean",
    "Dept. Mean",
    "Univ. Mean",
    "Course Median",
    "Dept. Median",
    "Univ. Median",
)
AGREE = ("Strongly Agree", "Agree", "Neutral", "Disagree", "Strongly Disagree")
EFFECTIVE = (
    "Almost Always Effective",
    "Usually Effective",
    "Sometimes Effective",
    "Rarely Effective",
    "Never Effective",
)
BULLET_X = MARGIN + 6
TEXT_X = MARGIN + 18
COMMENT_SIZE = 8.5


def distribution_lines(q: Question) -> list[str]:
    """`Strongly Agree 12 40%` … `N/A 0 0%`, with the effectiveness scale where it applies."""
    if q.distribution is None:
        return []
    effective = q.section == "Instructor Effectiveness" or "effectiveness" in q.text.lower()
    labels = (*(EFFECTIVE if effective else AGREE), "N/A")
    keys = ("5", "4", "3", "2", "1", "na")
    total = sum(q.distribution.values())
    out = []
    for key, label in zip(keys, labels, strict=True):
        count = q.distribution.get(key, 0)
        pct = round(100 * count / total) if total else 0
        out.append(f"{label} {count} {pct}%")
    return out


def render_blue(report: ParsedReport, *, seed: int) -> bytes:
    """Draw the report as Blue does: title, header lines, tables with distributions, bullets."""
    rng = random.Random(seed)
    course = report.course
    label = f"{course.code}-{course.section} {course.title}"
    flow = PageFlow(running_header=f"Student TRACE report: {label} ({report.term.label})")
    fit_title(flow, f"Student TRACE report for {label}")
    items = [
        ("Term", report.term.label),
        ("Course ID", course.crn),
        ("Instructor", instructor_line(report)),
        ("Invited", report.enrollment),
        ("Responded", report.responses_incl_declines),
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
                *(fmt(v, "score") for v in score_cells(q)),
            ]
            table.draw_row(TableRow(typographic(q.text, rng), values, distribution_lines(q)))
    draw_frequencies(flow, report.frequencies, rng)
    if report.comments:
        _draw_comments(flow, report.comments, rng)
    return flow.render(f"Student TRACE report for {label}")


def _draw_comments(flow: PageFlow, comments: list[Comment], rng: random.Random) -> None:
    """Prompt in bold, then one bullet per answer; blank answers print as `[No Response]`."""
    flow.new_page()
    blocks = blocks_with_empty_prompt(comments, rng, chance=0.5)
    for prompt, group in blocks:
        entries: list[str | None] = [c.text for c in group]
        for _ in range(rng.randrange(3) if entries else 1):
            entries.insert(rng.randrange(len(entries) + 1), None)
        lines = wrap(typographic(prompt, rng), BOLD, 9.5, RIGHT - MARGIN)
        flow.ensure(len(lines) * 12 + 30)
        flow.y -= 8
        draw_block(flow, lines, MARGIN, BOLD, 9.5)
        flow.y -= 2
        for entry in entries:
            text_lines = wrap(entry or "[No Response]", FONT, COMMENT_SIZE, RIGHT - TEXT_X)
            flow.ensure(12)
            flow.y -= 2
            flow.text(BULLET_X, flow.y, "•", FONT, COMMENT_SIZE)
            draw_block(flow, text_lines, TEXT_X, FONT, COMMENT_SIZE)
