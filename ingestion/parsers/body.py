"""The part of a PDF report between its header items and its comments: headings, rating tables,
the hours-per-week frequency block.

Header rows are found by their vocabulary (`grid.header_kind`); a heading is the known heading
text, or bold text, standing right above a header row; every other line belongs to the table
above it, across page breaks, until the frequency block. Lines no rule claims are returned, so
the caller can warn or fail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.errors import ParseError
from core.report import Frequency, Question, normalize_quotes
from ingestion.parsers.furniture import line_size
from ingestion.parsers.grid import VALUE_RE, header_kind, is_header_line
from ingestion.parsers.pdftext import Line
from ingestion.parsers.tables import RatingTable

PageLine = tuple[int, Line]

KNOWN_HEADINGS = {
    "course related questions",
    "learning related questions",
    "instructor related questions",
    "instructor effectiveness",
    "online experience questions",
}
FREQUENCY_START = "what is the average number of hours"
_BIN = r"\d+\s*[-–]\s*\d+|\d+\s*\+|(?:less|fewer|more) than \d+(?: hours)?"
_BIN_RE = re.compile(rf"^({_BIN})\s*:?\s+(\d+)$", re.I)
_BIN_LABEL = re.compile(rf"^(?:{_BIN})$", re.I)


@dataclass
class Body:
    """What the body holds, and the lines no rule claimed."""

    questions: list[Question] = field(default_factory=list)
    frequencies: list[Frequency] = field(default_factory=list)
    unclaimed: list[PageLine] = field(default_factory=list)


def _clean(text: str) -> str:
    return normalize_quotes(" ".join(text.split()))


def _has_values(line: Line) -> bool:
    return any(VALUE_RE.match(s.text) for s in line.segments)


def header_blocks(lines: Sequence[PageLine], start: int, end: int) -> dict[int, tuple[int, str]]:
    """Header rows by first line: {index: (index after the block, kind)}."""
    out: dict[int, tuple[int, str]] = {}
    i = start
    while i < end:
        if not is_header_line(lines[i][1]):
            i += 1
            continue
        j = i + 1
        while (
            j < end
            and lines[j][0] == lines[i][0]
            and is_header_line(lines[j][1])
            and lines[j - 1][1].y - lines[j][1].y <= 3 * line_size(lines[j][1])
        ):
            j += 1
        kind = header_kind([line for _, line in lines[i:j]])
        if kind is not None:
            out[i] = (j, kind)
        i = j
    return out


def _peel_heading(tail: list[PageLine], page: int) -> str | None:
    """Take a heading off the end of `tail`: value-free text that is a known heading (it may
    stand at the foot of the page before), or bold text on the header row's page."""
    for size in (1, 2, 3):
        run = tail[-size:]
        if len(run) < size or any(_has_values(ln) for _, ln in run):
            return None
        text = _clean(" ".join(ln.text for _, ln in run))
        if text.lower() in KNOWN_HEADINGS:
            del tail[-size:]
            return text
        if any(p != page for p, _ in run):
            return None
        bold = all(s.bold for _, ln in run for s in ln.segments)
        if bold and size == len(_bold_run(tail, page)):
            del tail[-size:]
            return text
    return None


def _bold_run(tail: list[PageLine], page: int) -> list[PageLine]:
    run: list[PageLine] = []
    for p, ln in reversed(tail):
        if p != page or _has_values(ln) or not all(s.bold for s in ln.segments):
            break
        run.append((p, ln))
    return run


def _bins_across(lines: Sequence[PageLine], i: int, end: int) -> dict[str, int] | None:
    """A frequency table laid out across: a line of bin labels over a line of counts."""
    if i + 1 >= end or lines[i][0] != lines[i + 1][0]:
        return None
    labels = [" ".join(s.text.split()) for s in lines[i][1].segments]
    counts = [s.text for s in lines[i + 1][1].segments]
    if not labels or len(labels) != len(counts) or not all(c.isdigit() for c in counts):
        return None
    if not all(_BIN_LABEL.match(label) for label in labels):
        return None
    return {label: int(c) for label, c in zip(labels, counts, strict=True)}


def _peel_text(tail: list[PageLine], page: int) -> list[PageLine]:
    """The value-free lines at the end of `tail` on `page` (a frequency question's text)."""
    k = len(tail)
    while k > 0 and tail[k - 1][0] == page and not _has_values(tail[k - 1][1]):
        k -= 1
    taken = tail[k:]
    del tail[k:]
    return taken


@dataclass
class _Reader:
    lines: Sequence[PageLine]
    blocks: dict[int, tuple[int, str]]
    body: Body = field(default_factory=Body)
    section: str | None = None
    table: RatingTable | None = None
    table_section: str | None = None
    tables: list[tuple[RatingTable, str | None]] = field(default_factory=list)
    loose: list[PageLine] = field(default_factory=list)

    def finish_table(self) -> None:
        if self.table is not None:
            self.tables.append((self.table, self.table_section))
        self.table = None

    def read_tables(self) -> None:
        """Read the tables once all are known: wrapped question text is judged by the
        question column's width across the whole report."""
        edge = max((t.text_edge() for t, _ in self.tables), default=0.0)
        for table, section in self.tables:
            self.body.questions.extend(table.read(section, edge))

    def open_table(self, kind: str, header: list[Line], page: int) -> None:
        tail = self.table.lines if self.table is not None else self.loose
        heading = _peel_heading(tail, page)
        self.finish_table()
        if heading is not None:
            self.section = heading
        self.table = RatingTable(kind, header)
        self.table_section = self.section

    def read_frequency(self, text_lines: list[PageLine], i: int, end: int) -> int:
        """Bins after a frequency question (and its header row, already skipped)."""
        bins: dict[str, int] = {}
        while i < end:
            block = self.blocks.get(i)
            if block is not None and block[1] == "frequency" and bins:
                i = block[0]  # the header row repeated after a page break
                continue
            match = _BIN_RE.match(" ".join(self.lines[i][1].text.split()))
            if match is not None:
                bins[" ".join(match.group(1).split())] = int(match.group(2))
                i += 1
                continue
            across = _bins_across(self.lines, i, end)
            if across is None:
                break
            bins.update(across)
            i += 2
        text = _clean(" ".join(ln.text for _, ln in text_lines))
        if not bins:
            raise ParseError(
                f"the frequency block {text[:60]!r} has no counts",
                page=text_lines[0][0] if text_lines else None,
                reason="unreadable_table",
            )
        self.body.frequencies.append(Frequency(text=text, bins=bins))
        return i


def read_body(lines: Sequence[PageLine], start: int, end: int) -> Body:
    """Read headings, rating tables and frequency blocks in lines[start:end]."""
    blocks = header_blocks(lines, start, end)
    reader = _Reader(lines, blocks)
    i = start
    while i < end:
        page, line = lines[i]
        if i in blocks:
            j, kind = blocks[i]
            header = [ln for _, ln in lines[i:j]]
            if kind == "frequency":
                tail = reader.table.lines if reader.table is not None else reader.loose
                text_lines = _peel_text(tail, page)
                reader.finish_table()
                i = reader.read_frequency(text_lines, j, end)
            else:
                reader.open_table(kind, header, page)
                i = j
            continue
        if _clean(line.text).lower().startswith(FREQUENCY_START):
            reader.finish_table()
            k = i + 1
            while (
                k < end
                and k not in blocks
                and not _BIN_RE.match(lines[k][1].text)
                and _bins_across(lines, k, end) is None
            ):
                k += 1
            text_lines = list(lines[i:k])
            if k in blocks:
                k = blocks[k][0]
            i = reader.read_frequency(text_lines, k, end)
            continue
        if reader.table is not None and not reader.body.frequencies:
            reader.table.lines.append((page, line))
        else:
            reader.loose.append((page, line))
        i += 1
    reader.finish_table()
    reader.read_tables()
    reader.body.unclaimed.extend(reader.loose)
    return reader.body
