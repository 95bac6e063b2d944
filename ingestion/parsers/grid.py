"""Geometry for reading tables from positioned text: header vocabulary, columns, row partitions.

Nothing here knows a renderer's coordinates. Columns are the x-extents that a column's
fragments share (a cell's lines are aligned alike, so they overlap); rows are anchored on the
first value column, and a question's wrapped lines are given to the row whose numbers stand at
their top, middle or bottom (whichever reading fits every row of the page).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ingestion.parsers.pdftext import Line, Segment

T = TypeVar("T")

RATING_COLUMNS: dict[str, str] = {
    "number of responses": "responses",
    "response rate": "response_rate",
    "course mean": "course_mean",
    "dept. mean": "dept_mean",
    "univ. mean": "univ_mean",
    "course median": "course_median",
    "dept. median": "dept_median",
    "univ. median": "univ_median",
}
FREQUENCY_COLUMNS = ("response", "count")
_VOCABULARY = ("question", *RATING_COLUMNS, *FREQUENCY_COLUMNS)
_SQUASHED = tuple(v.replace(" ", "") for v in _VOCABULARY)
DISTRIBUTION_LABELS = {
    "strongly agree": "5",
    "agree": "4",
    "neutral": "3",
    "disagree": "2",
    "strongly disagree": "1",
    "almost always effective": "5",
    "usually effective": "4",
    "sometimes effective": "3",
    "rarely effective": "2",
    "never effective": "1",
    "n/a": "na",
}
DIST_RE = re.compile(
    r"^("
    + "|".join(sorted(map(re.escape, DISTRIBUTION_LABELS), key=len, reverse=True))
    + r")\s*:?\s+(\d+)(?:\s+\(?(\d+(?:\.\d+)?)\s*%\)?)?$",
    re.IGNORECASE,
)
DIST_FIRST = {label.split()[0] for label in DISTRIBUTION_LABELS}
VALUE_RE = re.compile(r"^[\d.,%]+$")
"""A printed value, or a piece of one when a narrow cell wraps it."""
_TERMINAL = re.compile(r"[.?!:)\"'”’]$")


def letters(text: str) -> Counter[str]:
    """The letters of a text, case-folded: header cells may wrap anywhere, even mid-word."""
    return Counter(c for c in text.lower() if c.isalpha())


HEADER_LETTERS = {
    "collegenet": letters(" ".join(_VOCABULARY[:9])),
    "blue": letters(" ".join(v for v in _VOCABULARY[:9] if v != "response rate")),
    "frequency": letters(" ".join(FREQUENCY_COLUMNS)),
}


def is_header_text(text: str) -> bool:
    """Every word is a piece of a column name (`Respo`, `nses`, `Dept.`, `Median`)."""
    words = text.lower().split()
    return bool(words) and all(any(w in v for v in _SQUASHED) for w in words)


def is_content_text(text: str) -> bool:
    """Text that reads as report content wherever it stands: header cells, a row of values, a
    line opening with a distribution entry (they recur on many pages without being furniture)."""
    words = text.split()
    values = sum(1 for w in words if VALUE_RE.match(w))
    if is_header_text(text) or (values and values >= 0.6 * len(words)):
        return True
    return any(DIST_RE.match(" ".join(words[:k])) for k in range(2, min(len(words), 6) + 1))


def is_header_line(line: Line) -> bool:
    return is_header_text(line.text)


def header_kind(lines: Sequence[Line]) -> str | None:
    """`collegenet`, `blue` or `frequency` when the lines' letters spell that header row."""
    have = letters(" ".join(line.text for line in lines))
    best, score = None, 0.0
    for kind, want in HEADER_LETTERS.items():
        total = sum(want.values())
        matched = sum(min(have[c], n) for c, n in want.items())
        extra = sum(have.values()) - matched
        value = (matched - extra) / total
        if value > score:
            best, score = kind, value
    return best if score >= 0.8 else None


def cluster(
    items: Sequence[T], span: Callable[[T], tuple[float, float]], tol: float = 0.6
) -> list[list[T]]:
    """Group items whose x-extents overlap (transitively), left to right."""
    ordered = sorted(items, key=lambda it: span(it)[0])
    groups: list[list[T]] = []
    right = float("-inf")
    for item in ordered:
        left, r = span(item)
        if groups and left <= right + tol:
            groups[-1].append(item)
            right = max(right, r)
        else:
            groups.append([item])
            right = r
    return groups


def seg_span(seg: Segment) -> tuple[float, float]:
    return seg.x, seg.right


@dataclass
class Column:
    """A value column: its name (field) and the x-extent its values share."""

    field: str
    left: float
    right: float

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


def assign_columns(
    value_groups: list[list[Segment]], header_groups: list[list[Segment]], fields: Sequence[str]
) -> list[Column] | None:
    """Name the value columns: in order when every column has values, else by the header."""
    spans = [(min(s.x for s in g), max(s.right for s in g)) for g in value_groups]
    if len(spans) == len(fields):
        return [Column(f, lo, hi) for f, (lo, hi) in zip(fields, spans, strict=True)]
    heads = [(min(s.x for s in g), max(s.right for s in g)) for g in header_groups]
    if len(heads) != len(fields) or len(spans) > len(fields):
        return None
    out: list[Column] = []
    start = 0
    for lo, hi in spans:  # each value column takes the nearest header column still free
        mid = (lo + hi) / 2
        best = min(
            range(start, len(heads)), key=lambda k: abs((heads[k][0] + heads[k][1]) / 2 - mid)
        )
        out.append(Column(fields[best], lo, hi))
        start = best + 1
        if start > len(heads):
            return None
    return out


def column_of(seg: Segment, columns: Sequence[Column]) -> Column:
    """The column whose extent holds the segment's centre, else the nearest one."""
    mid = (seg.x + seg.right) / 2
    for col in columns:
        if col.left - 0.6 <= mid <= col.right + 0.6:
            return col
    return min(columns, key=lambda c: abs(c.center - mid))


def is_sentence_start(text: str) -> bool:
    first = text.lstrip("\"'“‘(")[:1]
    return first.isupper() or first.isdigit()


def partition(
    lines: Sequence[tuple[float, str, bool]], anchors: Sequence[float], pitch: float
) -> list[list[int]] | None:
    """Give each line of the question column to one row; lines are (baseline, text, is_dist).

    A row's numbers stand at the top, the middle or the bottom of its question cell, and a
    question's distribution lines are either inside that cell or printed below the row: every
    combination is tried, and the reading where every row lines up wins, preferring rows that
    read as sentences. Distribution lines always go with the question above them. None when
    no reading fits.
    """
    best: tuple[float, list[list[int]]] | None = None
    tol = 0.45 * pitch
    question = [i for i, (_, _, dist) in enumerate(lines) if not dist]
    for inside in (True, False):
        used = list(range(len(lines))) if inside else question
        ys = [lines[i][0] for i in used]
        starts = [not lines[i][2] for i in used]
        for mode in ("top", "middle", "bottom"):
            found = _groups(ys, starts, anchors, mode, tol)
            if found is None:
                continue
            groups = [[used[i] for i in g] for g in found]
            if not inside and not _attach_dist(lines, groups):
                continue
            if any(_text_after_dist(lines, g) for g in groups):
                continue  # a distribution ends its question: text after it is another row
            cost = 0.0
            for g in groups:
                texts = [lines[i][1] for i in g if not lines[i][2]]
                cost += 0.0 if is_sentence_start(texts[0]) else 1.0
                cost += 0.0 if _TERMINAL.search(texts[-1]) else 0.5
            if best is None or cost < best[0]:
                best = (cost, groups)
    return best[1] if best else None


def _text_after_dist(lines: Sequence[tuple[float, str, bool]], group: list[int]) -> bool:
    seen = False
    for i in group:
        if lines[i][2]:
            seen = True
        elif seen:
            return True
    return False


def _attach_dist(lines: Sequence[tuple[float, str, bool]], groups: list[list[int]]) -> bool:
    """Put each distribution line in the group of the question line right above it."""
    owner = {i: k for k, g in enumerate(groups) for i in g}
    current = None
    for i, (_, _, dist) in enumerate(lines):
        if not dist:
            current = owner[i]
        elif current is None:
            return False
        else:
            groups[current].append(i)
    for g in groups:
        g.sort()
    return True


def _groups(
    ys: Sequence[float], starts: Sequence[bool], anchors: Sequence[float], mode: str, tol: float
) -> list[list[int]] | None:
    """Consecutive groups of line indexes, one per anchor, in the given alignment mode."""
    n, m = len(anchors), len(ys)
    if m < n:
        return None
    groups: list[list[int]] = []
    i = 0
    for k, a in enumerate(anchors):
        if i >= m or not starts[i]:
            return None
        start = i
        if mode == "top":
            if abs(ys[i] - a) > tol:
                return None
            nxt = anchors[k + 1] if k + 1 < n else float("-inf")
            while i < m and ys[i] > nxt + tol:
                i += 1
        elif mode == "bottom":
            while i < m and ys[i] > a + tol:
                i += 1
            if i >= m or abs(ys[i] - a) > tol:
                return None
            i += 1
        else:
            bottom = 2 * a - ys[start]
            while i < m and ys[i] >= bottom - tol:
                i += 1
            if abs((ys[start] + ys[i - 1]) / 2 - a) > tol:
                return None
        if i == start:
            return None
        groups.append(list(range(start, i)))
    return groups if i == m else None
