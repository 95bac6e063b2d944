"""Rating tables: rows of a question cell followed by value cells, read from what they hold.

A table is its header block plus the lines below it up to the next table, heading or block,
across page breaks. Value cells are the runs of numbers at the right of a row; their columns are
the x-extents the numbers share, named in the order the format fixes (or by the header where a
column is blank throughout). The first value column anchors the rows; wrapped question text and
distribution lines are then given to rows by `grid.partition`.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.errors import ParseError
from core.report import Question, normalize_quotes
from ingestion.parsers.grid import (
    DIST_FIRST,
    DIST_RE,
    DISTRIBUTION_LABELS,
    RATING_COLUMNS,
    VALUE_RE,
    Column,
    assign_columns,
    cluster,
    column_of,
    letters,
    partition,
    seg_span,
)
from ingestion.parsers.pdftext import Line, Segment

PageLine = tuple[int, Line]

FIELDS = {
    "collegenet": [*RATING_COLUMNS.values()],
    "blue": [f for f in RATING_COLUMNS.values() if f != "response_rate"],
}
QUESTION_LETTERS = letters("question")
PAGE_STACK = 100_000.0
"""Pages stacked one under another, this far apart, for grouping rows across page breaks."""


@dataclass
class Entry:
    """One line's question-column part: its text, or a distribution entry."""

    page: int
    y: float
    text: str
    dist: tuple[str, int] | None = None
    right: float = 0.0


@dataclass
class Row:
    """A row being assembled: its anchor (first value cell) and its value cells by field."""

    page: int
    y: float
    cells: dict[str, list[Segment]] = field(default_factory=dict)


def split_distribution(segments: Sequence[Segment]) -> tuple[tuple[str, int] | None, int]:
    """A distribution entry at the start of a line (`Strongly Agree 12 40%`), and its length."""
    if not segments or segments[0].text.split()[0].lower() not in DIST_FIRST:
        return None, 0
    for j in range(min(len(segments), 5), 0, -1):  # the longest reading: `12` then `40%`
        match = DIST_RE.match(" ".join(s.text for s in segments[:j]))
        if match:
            return (DISTRIBUTION_LABELS[match.group(1).lower()], int(match.group(2))), j
    return None, 0


def _value_tail(segments: Sequence[Segment]) -> int:
    """Index where the trailing run of value-like segments begins."""
    k = len(segments)
    while k > 0 and VALUE_RE.match(segments[k - 1].text):
        k -= 1
    return k


def _header_groups(header: Sequence[Line]) -> list[list[Segment]]:
    """Header fragments grouped into value columns (the question column's group dropped)."""
    groups = cluster([s for line in header for s in line.segments], seg_span)
    return [
        g
        for g in groups
        if not letters(" ".join(s.text for s in g)) <= QUESTION_LETTERS
        or not any(c.isalpha() for s in g for c in s.text)
    ]


def _cell_value(name: str, text: str, page: int) -> float | int:
    try:
        if name == "responses":
            return int(text.replace(",", ""))
        if name == "response_rate":
            if not text.endswith("%"):
                raise ValueError(text)
            return round(float(text[:-1]) / 100, 4)
        return float(text)
    except ValueError:
        raise ParseError(
            f"unreadable {name.replace('_', ' ')} cell {text!r}",
            page=page,
            reason="unreadable_table",
        ) from None


@dataclass
class RatingTable:
    """The lines of one rating table and what is known of its columns."""

    kind: str
    header: list[Line]
    lines: list[PageLine] = field(default_factory=list)
    _split: tuple[list[Entry], list[tuple[int, Segment]]] | None = None

    def split(self) -> tuple[list[Entry], list[tuple[int, Segment]]]:
        """The question-column entries (text and distribution lines) and the value fragments."""
        if self._split is None:
            self._split = self._split_lines()
        return self._split

    def _split_lines(self) -> tuple[list[Entry], list[tuple[int, Segment]]]:
        entries: list[Entry] = []
        values: list[tuple[int, Segment]] = []
        for page, line in self.lines:
            segs = line.segments
            dist, used = split_distribution(segs)
            if dist is not None:
                entries.append(Entry(page, line.y, "", dist))
            tail = max(used, _value_tail(segs))
            text = " ".join(s.text for s in segs[used:tail])
            if text:
                entries.append(Entry(page, line.y, text, right=segs[tail - 1].right))
            values.extend((page, s) for s in segs[tail:])
        return entries, values

    def text_edge(self) -> float:
        """The right edge of the widest question line (where wrapped question text breaks)."""
        entries, _ = self.split()
        return max((e.right for e in entries if e.dist is None), default=0.0)

    def read(self, section: str | None, edge: float) -> list[Question]:
        """The table's questions; ParseError when rows cannot be told apart. `edge` is the
        question column's right edge across the report."""
        if not self.lines:
            return []  # a header row alone (its rows follow under a repeated header)
        entries, values = self.split()
        entries = list(entries)  # stray numbers join them below; the cached split stays
        columns, stray = self._columns([s for _, s in values])
        if columns is None:
            page = self.lines[0][0] if self.lines else 0
            raise ParseError(
                "cannot tell the rating table's value columns apart",
                page=page,
                reason="unreadable_table",
            )
        for page, seg in values:
            if id(seg) in stray:
                entries.append(Entry(page, seg.y, seg.text, right=seg.right))
        entries.sort(key=lambda e: (e.page, -e.y))
        kept = [(p, s) for p, s in values if id(s) not in stray]
        if not kept:
            raise ParseError(
                "a rating table has no rows of numbers",
                page=self.lines[0][0],
                reason="no_ratings",
            )
        pitch = 1.2 * statistics.median(s.size for _, s in kept)
        rows = self._rows(kept, columns, pitch)
        return self._questions(rows, entries, section, pitch, edge)

    def _columns(self, values: list[Segment]) -> tuple[list[Column] | None, set[int]]:
        fields = FIELDS["blue" if self.kind == "blue" else "collegenet"]
        groups = cluster(values, seg_span)
        stray: set[int] = set()
        if len(groups) > len(fields):  # numbers inside question text, left of the values
            for g in groups[: len(groups) - len(fields)]:
                stray.update(id(s) for s in g)
            groups = groups[len(groups) - len(fields) :]
        return assign_columns(groups, _header_groups(self.header), fields), stray

    def _rows(
        self, values: list[tuple[int, Segment]], columns: list[Column], pitch: float
    ) -> list[Row]:
        first = columns[0]
        rows = [
            Row(p, s.y, {first.field: [s]}) for p, s in values if column_of(s, columns) is first
        ]
        if not rows:
            raise ParseError(
                "a rating table has no rows of numbers",
                page=self.lines[0][0] if self.lines else None,
                reason="no_ratings",
            )
        by_column: dict[str, list[tuple[int, Segment]]] = defaultdict(list)
        for p, s in values:
            col = column_of(s, columns)
            if col is not first:
                by_column[col.field].append((p, s))
        on_page: dict[int, list[Row]] = defaultdict(list)
        for r in rows:
            on_page[r.page].append(r)
        for name, found in by_column.items():
            for cell in _stack(found, name, pitch):
                page, top, bottom = cell[0][0], cell[0][1].y, cell[-1][1].y
                row = _nearest(on_page.get(page, []), top, bottom)
                if row is None or name in row.cells:
                    raise ParseError(
                        f"two {name.replace('_', ' ')} values for one row",
                        page=page,
                        reason="unreadable_table",
                    )
                row.cells[name] = [s for _, s in cell]
        return rows

    def _questions(
        self,
        rows: list[Row],
        entries: list[Entry],
        section: str | None,
        pitch: float,
        edge: float,
    ) -> list[Question]:
        # Pages are stacked into one column, so a row that breaks across a page (its text at
        # the foot of one page, its numbers on the next) is still one group.
        def stacked(page: int, y: float) -> float:
            return y - page * PAGE_STACK

        lines = [(stacked(e.page, e.y), e.text, e.dist is not None) for e in entries]
        anchors = [stacked(r.page, r.y) for r in rows]
        groups = partition(lines, anchors, pitch)
        if groups is None:
            page = entries[0].page if entries else rows[0].page
            raise ParseError(
                "cannot tell which question text goes with which row of numbers",
                page=page,
                reason="unreadable_table",
            )
        return [
            self._question(row, [entries[i] for i in group], section, edge)
            for row, group in zip(rows, groups, strict=True)
        ]

    def _question(
        self, row: Row, entries: list[Entry], section: str | None, edge: float
    ) -> Question:
        values: dict[str, float | int | None] = dict.fromkeys(RATING_COLUMNS.values())
        for name, segs in row.cells.items():
            values[name] = _cell_value(name, "".join(s.text for s in segs), row.page)
        distribution: dict[str, int] | None = None
        for e in entries:
            if e.dist is None:
                continue
            distribution = distribution or {}
            key, count = e.dist
            if key in distribution:
                raise ParseError(
                    f"two {key!r} distribution lines for one question",
                    page=row.page,
                    reason="unreadable_table",
                )
            distribution[key] = count
        text = join_wrapped([e for e in entries if e.dist is None], edge)
        return Question(
            section=section,
            text=normalize_quotes(" ".join(text.split())),
            std_dev=None,
            distribution=distribution,
            **values,
        )


_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "so",
        "than",
        "that",
        "the",
        "this",
        "to",
        "with",
    ]
)
"""Words that start a wrapped line far more often than they end a broken one."""


def _nearest(rows: list[Row], top: float, bottom: float) -> Row | None:
    """The row (top to bottom on one page) whose anchor lies in or nearest to [bottom, top]."""
    best, distance = None, float("inf")
    for row in rows:
        d = 0.0 if bottom <= row.y <= top else min(abs(row.y - top), abs(row.y - bottom))
        if d < distance:
            best, distance = row, d
        elif row.y < bottom:
            break  # rows only move further away below the cell
    return best


def join_wrapped(entries: Sequence[Entry], edge: float) -> str:
    """A cell's lines joined by spaces, except after a word too long for the cell: a single
    word that reaches the cell's right edge was broken there (`intellectuall` / `y`)."""
    out = ""
    for k, e in enumerate(entries):
        prev = entries[k - 1].text.strip() if k else ""
        broken = (
            k > 0
            and " " not in prev
            and prev[-1:].isalpha()
            and entries[k - 1].right >= edge - 1.5
            and e.text[:1].islower()
            and e.text.split()[0] not in _WORDS
        )
        glued = broken or (k > 0 and e.text[:1] in "?.,;:!)")
        out = out + e.text if glued else f"{out} {e.text}" if out else e.text
    return out


COMPLETE = {
    "responses": re.compile(r"^\d[\d,]*$"),
    "response_rate": re.compile(r"^\d+(?:\.\d+)?%$"),
}
SCORE = re.compile(r"^\d+\.\d\d$")


def _stack(
    found: list[tuple[int, Segment]], name: str, pitch: float
) -> list[list[tuple[int, Segment]]]:
    """Fragments of one column grouped into cells: a value too wide for its cell wraps onto the
    next line, so a piece that is not yet a whole value (`64` of `64%`, `4.1` of `4.18`) takes
    the piece below it."""
    complete = COMPLETE.get(name, SCORE)
    ordered = sorted(found, key=lambda ps: (ps[0], -ps[1].y))
    cells: list[list[tuple[int, Segment]]] = []
    for page, seg in ordered:
        last = cells[-1] if cells else None
        if (
            last is not None
            and last[-1][0] == page
            and last[-1][1].y - seg.y <= 1.6 * pitch
            and not complete.match("".join(s.text for _, s in last))
        ):
            last.append((page, seg))
        else:
            cells.append([(page, seg)])
    return cells
