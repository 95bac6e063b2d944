"""Render a ParsedReport in the Explorance Blue TRACE PDF layout (Summer 2025 onward)."""

from __future__ import annotations

import random
from itertools import groupby

from core.report import Comment, ParsedReport, Question
from devtools.corpus.pdf_collegenet import (
    blocks_with_empty_prompt,
    instructor_line,
    new_flow,
    score_cells,
)
from devtools.corpus.pdf_common import (
    PageFlow,
    draw_heading,
    draw_items,
    draw_title,
    fmt,
    typographic,
    wrap,
)
from devtools.corpus.pdf_table import Table, TableRow, draw_frequency_table
from devtools.corpus.style import RenderStyle, draw_style

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
NO_RESPONSE = "[No Response]"


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


def render_blue(report: ParsedReport, *, seed: int, style: RenderStyle | None = None) -> bytes:
    """Draw the report as Blue does: title, header lines, tables with distributions, bullets."""
    rng = random.Random(seed)
    style = style or draw_style(seed)
    course = report.course
    label = f"{course.code}-{course.section} {course.title}"
    flow = new_flow(report, style)
    draw_title(flow, f"Student TRACE report for {label}")
    draw_items(
        flow,
        [
            ("Term", report.term.label),
            ("Course ID", course.crn),
            ("Instructor", instructor_line(report)),
            ("Invited", report.enrollment),
            ("Responded", report.responses_incl_declines),
        ],
    )
    for section, group in groupby(report.questions, key=lambda q: q.section):
        draw_heading(flow, typographic(section or "", rng))
        table = Table(flow, HEADERS)
        for k, q in enumerate(group):
            if k == 0 or style.table_per_question:
                if k:
                    flow.y -= style.leading
                table.draw_header()
            values = [fmt(q.responses, "int"), *(fmt(v, "score") for v in score_cells(q))]
            row = TableRow(typographic(q.text, rng), values, distribution_lines(q))
            table.draw_row(row, inside=style.distribution_inside)
    for freq in report.frequencies:
        draw_frequency_table(flow, typographic(freq.text, rng), freq.bins)
    if report.comments:
        _draw_comments(flow, report.comments, rng)
    return flow.render(f"Student TRACE report for {label}", seed)


def _draw_comments(flow: PageFlow, comments: list[Comment], rng: random.Random) -> None:
    """Prompt in bold, then one bullet per answer; blank answers print as `[No Response]`."""
    style, fonts = flow.style, flow.style.fonts
    size = style.size + 0.5
    bullet_x = flow.left + 6
    text_x = flow.left + 18
    flow.new_page()
    for prompt, group in blocks_with_empty_prompt(comments, rng, chance=0.5):
        entries: list[str | None] = [c.text for c in group]
        for _ in range(rng.randrange(3) if entries else 1):
            entries.insert(rng.randrange(len(entries) + 1), None)
        lines = wrap(typographic(prompt, rng), fonts.bold, size + 1, flow.width)
        flow.ensure(len(lines) * 12 + 30)
        flow.y -= 8
        flow.block(lines, flow.left, fonts.bold, size + 1)
        flow.y -= 2
        for entry in entries:
            text_lines = wrap(entry or NO_RESPONSE, fonts.regular, size, flow.right - text_x)
            if style.flush_comments and len(text_lines) > 1:
                rest = " ".join(text_lines[1:])
                text_lines = text_lines[:1] + wrap(rest, fonts.regular, size, flow.right - bullet_x)
            flow.ensure(size * 1.25 + 4)
            flow.y -= 2
            flow.text(bullet_x, flow.y, style.bullet, fonts.regular, size)
            for k, text in enumerate(text_lines):
                flow.ensure(size + 3)
                x = bullet_x if k and style.flush_comments else text_x
                flow.text(x, flow.y, text, fonts.regular, size)
                flow.y -= size * 1.25
