"""Drawing pieces both layouts share: the title and key block, column widths, headings, comments."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tests.independent.content import Report
from tests.independent.pdfdoc import Flow, TraceDoc, cell_room, wrap
from tests.independent.style import BLUE_HEADERS, CN_HEADERS

NUMERIC_HEADERS = (
    "Number of Responses",
    "Response Rate",
    "Course Mean",
    "Dept. Mean",
    "Univ. Mean",
    "Course Median",
    "Dept. Median",
    "Univ. Median",
)


def running_text(report: Report, layout: str, index: int) -> str:
    template = (CN_HEADERS if layout == "collegenet" else BLUE_HEADERS)[index]
    return template.format(
        code=report.code,
        sec=report.section,
        title=report.title,
        term=report.term,
        subject=report.subject,
        number=report.number,
        instructors=report.instructor_line,
    )


def title_and_keys(flow: Flow, title: str, keys: Sequence[tuple[str, str]]) -> None:
    """Page 1's block: a bold title that may wrap, then one `Key: value` item per line."""
    doc, st = flow.doc, flow.doc.style_
    x0 = doc.l_margin
    lines = wrap(doc, title, doc.text_width * st.title_box, st.title_pt, bold=True)
    st.seen["title_wrapped"] = len(lines) > 1
    for line in lines:
        flow.line(x0, line, st.title_pt, bold=True)
    flow.y += 1.5
    key_w = max(doc.width_of(f"{k}:", st.body_pt) for k, _ in keys) + 3
    for key, value in keys:
        size = st.body_pt
        while size > 5 and doc.width_of(f"{key}: {value}", size) + key_w > doc.text_width:
            size -= 0.5
        if st.header_block == "joined":
            flow.line(x0, f"{key}: {value}", size)
        else:
            flow.put(x0, f"{key}:", size)
            flow.put(x0 + key_w, value, size, kind="value")
            flow.advance(size)
    flow.y += 3


def heading(flow: Flow, text: str, keep: float) -> None:
    """A section heading, kept on the page with the `keep` millimetres that follow it."""
    doc, st = flow.doc, flow.doc.style_
    size = st.body_pt + 1
    flow.ensure(flow.line_height(size) + 2 + keep)
    if st.heading == "banner":
        doc.set_fill_color(205, 215, 230)
        doc.rect(doc.l_margin, flow.y - 0.4, doc.text_width, flow.line_height(size) + 0.8, "F")
        doc.set_fill_color(255, 255, 255)
    flow.line(doc.l_margin + (1.5 if st.heading == "banner" else 0), text, size, bold=True)
    flow.y += 1.5


def header_min_width(doc: TraceDoc, label: str, size: float) -> float:
    """The narrowest column whose header cell holds `label` on at most three lines."""
    st = doc.style_
    width = 2 * st.padding + 5
    while len(wrap(doc, label, cell_room(doc, width), size, bold=st.head_bold, midword=True)) > 3:
        width += 0.5
    return width


def column_widths(
    doc: TraceDoc,
    headers: Sequence[str],
    numbers: Sequence[Sequence[str]],
    size: float,
    q_min: Callable[[float], float],
) -> tuple[list[float], float]:
    """Widths of the question column and the numeric ones, and the table font size that fits.

    Shares and jitter come from the style; a numeric column is never so narrow that its header
    needs more than three lines, nor (unless the style squeezes numbers) narrower than its
    widest number. The font shrinks when the question column would fall below `q_min`.
    """
    st = doc.style_
    total = doc.text_width - 0.05
    while True:
        low = q_min(size)
        weights = st.col_jitter[: len(headers)]
        rest = total - max(total * st.q_share, low)
        widths = [rest * w / sum(weights) for w in weights]
        for i, label in enumerate(headers):
            widths[i] = max(widths[i], header_min_width(doc, label, size))
            if not st.squeeze_numbers:
                need = max(doc.width_of(v, size) for v in numbers[i]) + 2 * st.padding + 1.2
                widths[i] = max(widths[i], need)
        q_w = total - sum(widths)
        if q_w >= low or size <= 5:
            return [q_w, *widths], size
        size -= 0.5


def wrap_header(
    doc: TraceDoc, labels: Sequence[str], widths: Sequence[float], size: float
) -> list[str]:
    st = doc.style_
    cells = []
    for label, width in zip(labels, widths, strict=True):
        lines = wrap(doc, label, cell_room(doc, width), size, bold=st.head_bold, midword=True)
        if any(piece not in label.split() for piece in " ".join(lines).split()):
            st.seen["header_midword"] = True
        st.seen["header_lines"] = max(int(st.seen.get("header_lines", 1)), len(lines))
        cells.append("\n".join(lines))
    return cells


def wrap_number(doc: TraceDoc, value: str, width: float, size: float) -> str:
    lines = wrap(doc, value, cell_room(doc, width), size, midword=True)
    if len(lines) > 1:
        doc.style_.seen["numbers_wrapped"] = True
    return "\n".join(lines)


def comment_lines(
    doc: TraceDoc, text: str, width: float, size: float, first_width: float
) -> list[str]:
    """A comment's printed lines: its own line breaks kept, blank lines kept, long lines wrapped."""
    out: list[str] = []
    for i, paragraph in enumerate(text.split("\n")):
        if not paragraph.strip():
            out.append("")
            continue
        out.extend(
            wrap(
                doc,
                paragraph,
                width,
                size,
                first_width=first_width if i == 0 else None,
                no_number_starts=True,
            )
        )
    return out


def block_lines(
    flow: Flow, x: float, lines: Sequence[str], size: float, bold: bool = False
) -> None:
    for line in lines:
        if line:
            flow.line(x, line, size, bold)
        else:
            flow.ensure(flow.line_height(size))
            flow.advance(size)


def begin_comments(flow: Flow) -> None:
    st = flow.doc.style_
    if st.comments_new_page:
        flow.new_page()
    else:
        flow.y += 6


def mark_page(flow: Flow) -> int:
    return flow.doc.page_no()
