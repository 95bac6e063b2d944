"""The "blue" PDF layout (Summer 2025 onward), drawn with fpdf2."""

from __future__ import annotations

from tests.independent import phrases as P
from tests.independent.content import QuestionRow, Report, half_up
from tests.independent.layout import (
    NUMERIC_HEADERS,
    begin_comments,
    block_lines,
    column_widths,
    comment_lines,
    heading,
    running_text,
    title_and_keys,
    wrap_header,
    wrap_number,
)
from tests.independent.pdfdoc import Flow, TraceDoc, rating_table, row_height, wrap
from tests.independent.style import Style

HEADERS = tuple(h for h in NUMERIC_HEADERS if h != "Response Rate")


def distribution_lines(q: QuestionRow) -> list[tuple[str, str, str]]:
    """(label, count, percentage) per option, N/A last; percentages of the question's responses."""
    labels = P.EFFECT_LABELS if q.effectiveness else P.AGREE_LABELS
    keys = ("5", "4", "3", "2", "1", "na")
    out = []
    for label, key in zip((*labels, "N/A"), keys, strict=True):
        count = q.distribution[key]
        pct = int(half_up(100 * count / q.responses)) if q.responses else 0
        out.append((label, str(count), f"{pct}%"))
    return out


def _values(q: QuestionRow) -> list[str]:
    means = [q.course_mean, q.dept_mean, q.univ_mean]
    return [str(q.responses), *means, q.course_median, q.dept_median, q.univ_median]


def _dist_below(flow: Flow, q: QuestionRow, size: float) -> None:
    doc, st = flow.doc, flow.doc.style_
    x0 = doc.l_margin + 6
    label_w = max(doc.width_of(lab, size) for lab, _, _ in distribution_lines(q)) + 12
    for label, count, pct in distribution_lines(q):
        if st.dist_line == "string":
            flow.line(x0, f"{label} {count} {pct}", size)
            continue
        flow.ensure(flow.line_height(size))
        flow.put(x0, label, size)
        flow.put(x0 + label_w - doc.width_of(count, size), count, size)
        flow.put(x0 + label_w + 14 - doc.width_of(pct, size), pct, size)
        flow.advance(size)
    flow.y += 2


def _tables(flow: Flow, report: Report) -> None:
    doc, st = flow.doc, flow.doc.style_
    numbers = [_values(q) for q in report.questions]
    in_cell = st.blue_dist == "in_cell"
    dist = [f"{a} {b} {c}" for q in report.questions for a, b, c in distribution_lines(q)]

    def q_min(size: float) -> float:
        return max(doc.width_of(d, size) for d in dist) + 2 * st.padding + 2 if in_cell else 32

    columns = list(zip(*numbers, strict=True))
    widths, size = column_widths(doc, HEADERS, columns, st.table_pt, q_min)
    header = wrap_header(doc, ("Question", *HEADERS), widths, size)
    lh_body = flow.line_height(st.body_pt)
    sections: list[str] = []
    for q in report.questions:
        if q.section not in sections:
            sections.append(q.section)
    for section in sections:
        rows: list[tuple[QuestionRow, list[str]]] = []
        for q, values in zip(report.questions, numbers, strict=True):
            if q.section != section:
                continue
            text = wrap(doc, q.text, widths[0] - 2 * st.padding - 0.9, size)
            if in_cell:
                text += [f"{a} {b} {c}" for a, b, c in distribution_lines(q)]
            cells = ["\n".join(text)] + [
                wrap_number(doc, v, w, size) for v, w in zip(values, widths[1:], strict=True)
            ]
            rows.append((q, cells))
        head_h = row_height(doc, header, size)
        below_h = 0.0 if in_cell else 6 * lh_body + 2
        heading(flow, section, head_h + row_height(doc, rows[0][1], size) + below_h)
        if in_cell and st.blue_tables == "section":
            flow.sync_to_doc()
            first = doc.page_no()
            rating_table(doc, header, [cells for _, cells in rows], widths, size)
            st.seen["table_split"] = st.seen["table_split"] or doc.page_no() != first
            flow.sync_from_doc()
            flow.y += 4
            continue
        # One table per question, or one section table drawn row by row so that each row's
        # distribution can stand below it, outside the grid.
        for i, (q, cells) in enumerate(rows):
            per_question = st.blue_tables == "question"
            need = row_height(doc, cells, size) + below_h
            new_page = flow.ensure(need + head_h)
            with_header = per_question or i == 0 or (new_page and st.repeat_headings)
            if new_page and not per_question and i > 0:
                st.seen["table_split"] = True
            flow.sync_to_doc()
            rating_table(doc, header if with_header else None, [cells], widths, size)
            flow.sync_from_doc()
            if not in_cell:
                flow.y += 1
                _dist_below(flow, q, st.body_pt)
            elif per_question:
                flow.y += 3
        flow.y += 4


def _comments(flow: Flow, report: Report) -> None:
    doc, st = flow.doc, flow.doc.style_
    size = st.body_pt
    lh = flow.line_height(size)
    x0 = doc.l_margin
    width = doc.text_width
    begin_comments(flow)
    for block in report.comments or []:
        prompt = wrap(doc, block.printed_prompt, width, size + 0.5, bold=True)
        st.seen["prompt_wrapped"] = st.seen["prompt_wrapped"] or len(prompt) > 1
        flow.ensure((len(prompt) + 2) * lh + 2)
        block_lines(flow, x0, prompt, size + 0.5, bold=True)
        flow.y += 1.5
        for entry in block.entries:
            text = "[No Response]" if entry is None else entry
            start = doc.page_no()
            if st.comment_number == "hanging":
                gutter = doc.width_of("•", size) + 2.5
                lines = comment_lines(doc, text, width - gutter, size, width - gutter)
                flow.ensure(lh)
                flow.put(x0, "•", size, kind="num")
                block_lines(flow, x0 + gutter, lines, size)
            else:
                lines = comment_lines(doc, text, width, size, width - doc.width_of("• ", size))
                lines[0] = f"• {lines[0]}"
                block_lines(flow, x0, lines, size)
            if doc.page_no() != start:
                st.seen["comment_split"] = True
            if st.comment_gap:
                flow.y += lh * 0.6
        flow.y += lh


def render(report: Report, style: Style) -> bytes:
    """The report's PDF bytes."""
    style.seen.update(
        table_split=False,
        comment_split=False,
        header_midword=False,
        numbers_wrapped=False,
        prompt_wrapped=False,
    )
    doc = TraceDoc(style, running_text(report, "blue", style.running_header))
    doc.add_page()
    flow = Flow(doc)
    title_and_keys(
        flow,
        f"Student TRACE report for {report.code}-{report.section} {report.title}",
        [
            ("Term", report.term),
            ("Course ID", report.crn),
            ("Instructor", report.instructor_line),
            ("Invited", str(report.enrollment)),
            ("Responded", str(report.responded)),
        ],
    )
    _tables(flow, report)
    if report.comments is not None:
        _comments(flow, report)
    flow.flush()
    style.seen["pages"] = "1" if doc.page_no() == 1 else "2-3" if doc.page_no() <= 3 else "4+"
    return bytes(doc.output())
