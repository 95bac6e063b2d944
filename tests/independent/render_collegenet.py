"""The "collegenet" PDF layout (terms up to Spring 2025), drawn with fpdf2."""

from __future__ import annotations

from tests.independent import phrases as P
from tests.independent.content import Report
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
from tests.independent.pdfdoc import Flow, TraceDoc, cell_room, rating_table, row_height, wrap
from tests.independent.style import Style


def _numbers(q_rows: list, with_rate: bool) -> list[list[str]]:
    rows = []
    for q in q_rows:
        values = [str(q.responses)]
        if with_rate:
            values.append(f"{q.rate_pct}%")
        values += [q.course_mean, q.dept_mean, q.univ_mean]
        values += [q.course_median, q.dept_median, q.univ_median]
        rows.append(values)
    return rows


def _tables(flow: Flow, report: Report) -> None:
    doc, st = flow.doc, flow.doc.style_
    numbers = _numbers(report.questions, with_rate=True)
    columns = list(zip(*numbers, strict=True))
    widths, size = column_widths(doc, NUMERIC_HEADERS, columns, st.table_pt, lambda _: 32)
    header = wrap_header(doc, ("Question", *NUMERIC_HEADERS), widths, size)
    sections: list[str] = []
    for q in report.questions:
        if q.section not in sections:
            sections.append(q.section)
    for section in sections:
        rows = []
        for q, values in zip(report.questions, numbers, strict=True):
            if q.section != section:
                continue
            text = "\n".join(wrap(doc, q.text, cell_room(doc, widths[0]), size))
            cells = [text] + [
                wrap_number(doc, v, w, size) for v, w in zip(values, widths[1:], strict=True)
            ]
            rows.append(cells)
        heading(flow, section, row_height(doc, header, size) + row_height(doc, rows[0], size))
        flow.sync_to_doc()
        first = doc.page_no()
        rating_table(doc, header, rows, widths, size)
        if doc.page_no() != first:
            st.seen["table_split"] = True
        flow.sync_from_doc()
        flow.y += 4


def _hours(flow: Flow, hours: dict[str, int]) -> None:
    doc, st = flow.doc, flow.doc.style_
    size = st.body_pt
    lines = wrap(doc, P.HOURS_QUESTION, doc.text_width, size, bold=True)
    flow.ensure(len(lines) * flow.line_height(size) + 6 * flow.line_height(size) + 6)
    block_lines(flow, doc.l_margin, lines, size, bold=True)
    flow.y += 1
    bins = list(hours)
    if st.freq_style == "lines":
        for b in bins:
            flow.put(doc.l_margin + 4, b, size)
            count = str(hours[b])
            flow.put(doc.l_margin + 30 - doc.width_of(count, size), count, size)
            flow.advance(size)
        flow.y += 3
        return
    flow.sync_to_doc()
    if st.freq_style == "htable":
        rating_table(doc, bins, [[str(hours[b]) for b in bins]], [18.0] * len(bins), size)
    else:
        rating_table(doc, None, [[b, str(hours[b])] for b in bins], [22.0, 16.0], size)
    flow.sync_from_doc()
    flow.y += 4


def _comments(flow: Flow, report: Report) -> None:
    doc, st = flow.doc, flow.doc.style_
    size = st.body_pt
    lh = flow.line_height(size)
    x0 = doc.l_margin
    width = doc.text_width
    begin_comments(flow)
    for block in report.comments or []:
        prompt = wrap(doc, f"Q: {block.printed_prompt}", width, size + 0.5, bold=True)
        st.seen["prompt_wrapped"] = st.seen["prompt_wrapped"] or len(prompt) > 1
        flow.ensure((len(prompt) + 3) * lh + 2)
        block_lines(flow, x0, prompt, size + 0.5, bold=True)
        flow.line(x0, f"({len(block.comments)} comments)", size)
        flow.y += 1.5
        for number, text in enumerate(block.comments, 1):
            tag = str(number)
            if st.comment_number == "hanging":
                gutter = doc.width_of("00", size) + 3
                lines = comment_lines(doc, text, width - gutter, size, width - gutter)
                flow.ensure(lh)
                flow.put(x0, tag, size, kind="num")
                start = doc.page_no()
                block_lines(flow, x0 + gutter, lines, size)
            elif st.comment_number == "inline":
                first = width - doc.width_of(f"{tag} ", size)
                lines = comment_lines(doc, text, width, size, first)
                lines[0] = f"{tag} {lines[0]}"
                start = doc.page_no()
                block_lines(flow, x0, lines, size)
            else:
                flow.line(x0, tag, size, kind="num")
                start = doc.page_no()
                block_lines(flow, x0, comment_lines(doc, text, width, size, width), size)
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
    doc = TraceDoc(style, running_text(report, "collegenet", style.running_header))
    doc.add_page()
    flow = Flow(doc)
    title_and_keys(
        flow,
        f"{report.title} ({report.term})",
        [
            ("Course ID", report.crn),
            ("Instructor", report.instructor_line),
            ("Subject", report.subject),
            ("Catalog & Section", f"{report.number} {report.section}"),
            ("Enrollment", str(report.enrollment)),
            ("Responses Incl Declines", str(report.responded)),
            ("Declines", str(report.declines)),
        ],
    )
    _tables(flow, report)
    if report.hours:
        _hours(flow, report.hours)
    if report.comments is not None:
        _comments(flow, report)
    flow.flush()
    style.seen["pages"] = "1" if doc.page_no() == 1 else "2-3" if doc.page_no() <= 3 else "4+"
    return bytes(doc.output())
