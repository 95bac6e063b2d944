"""Page furniture: running headers and footers, in whatever wording the report software used.

Furniture sits on the first or last lines of a page. A whole line there is furniture when it
stands apart from the text next to it and reads as furniture: a page number (`Page 3 of 6`,
`3 / 6`, `- 3 -`, `Page 3`, `… · 3`), text that recurs at the same height on other pages once
digits are ignored, or text naming the report (`TRACE report`, the course, the term). Some
drivers draw the running header on the same baseline as the first row of text, or a hair above
it: a run there is furniture without standing apart when it recurs on other pages, names the
report twice over (`TRACE` and the term, the course and the term) or states a page number in
words. Content never is: header cells, values and distribution entries recur at page edges
too. Page 1 opens with the title, which may repeat as the running header: its first line is
kept unless it is a page number.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ingestion.parsers.grid import is_content_text
from ingestion.parsers.pdftext import Line, PageText

PageLine = tuple[int, Line]

_PAGE_NUMBER = re.compile(
    r"^(?:-\s*\d+\s*-|(?:page\s*)?\d+(?:\s*(?:of|/)\s*\d+)?)$|\bpage\s+\d+(?:\s+of\s+\d+)?\b",
    re.IGNORECASE,
)
_PAGE_WORDS = re.compile(
    r"\bpage\s+\d+\s+of\s+\d+\b|^(?:page\s+)?\d+\s*(?:/|of)\s*\d+$|^-\s*\d+\s*-$", re.IGNORECASE
)
_DIGITS = re.compile(r"\d+")
APART = 1.5
"""Furniture stands at least this many font sizes from the line next to it."""


def line_size(line: Line) -> float:
    """The line's largest font size."""
    return max(s.size for s in line.segments)


def _apart(upper: Line, lower: Line) -> bool:
    return upper.y - lower.y >= APART * max(line_size(upper), line_size(lower))


def _shape(text: str) -> str:
    """Text with every number replaced, so `Page 2 of 5` and `Page 3 of 5` recur as one shape."""
    return _DIGITS.sub("#", " ".join(text.split()).lower())


def _hits(text: str, names: Sequence[str]) -> int:
    """How many of the report's names (course, title, term, `TRACE`) the text carries."""
    low = " ".join(text.lower().split())
    squashed = re.sub(r"[\s\-]", "", low)
    count = sum(1 for n in names if n and (n in low or re.sub(r"[\s\-]", "", n) in squashed))
    return count + ("trace" in low)


def _numbered(text: str, number: int) -> bool:
    """Text ending in this page's number after a separator (`Generated 2024-01-05 · 3`)."""
    match = re.search(r"(?:[·|/:\-–—]|\bpage)\s*(\d+)\s*$", text, re.IGNORECASE)
    return match is not None and int(match.group(1)) == number


def _is_page_number(text: str, number: int) -> bool:
    """`3`, `- 3 -`, `3 / 6`, `Page 3 of 6` for page 3."""
    match = re.fullmatch(r"(?:page\s*)?-?\s*(\d+)\s*-?(?:\s*(?:of|/)\s*\d+)?", text.strip(), re.I)
    return match is not None and int(match.group(1)) == number


def _mixed(line: Line, names: Sequence[str]) -> bool:
    """Some runs of the line name the report and others do not: furniture beside text."""
    naming = [_hits(seg.text, names) >= 1 or "trace" in seg.text.lower() for seg in line.segments]
    return any(naming) and not all(naming)


def _edge_lines(page: PageText) -> list[tuple[int, str, bool]]:
    """(index, edge, apart) for the lines that could carry furniture: the top two, bottom two."""
    lines, out = page.lines, []
    n = len(lines)
    for index in sorted({0, 1} & set(range(n))):
        apart = index == 0 and (n == 1 or _apart(lines[0], lines[1]))
        out.append((index, "top", apart))
    for index in sorted({n - 1, n - 2} & set(range(2, n))):
        apart = index == n - 1 and _apart(lines[n - 2], lines[n - 1])
        out.append((index, "bottom", apart))
    return out


@dataclass(frozen=True)
class _Spot:
    """Where a candidate line stands: its page number, height, and how it sits on the page."""

    number: int
    y: float
    extreme: bool
    apart: bool


class _Recurring:
    """Texts that stand at the same height at the edge of several pages, where nothing else
    ever stands: a running header recurs in the margin, while a repeated comment at the top of
    two pages shares its height with other pages' first lines of text."""

    def __init__(self, pages: Sequence[PageText]) -> None:
        self.counts: Counter[tuple[str, int]] = Counter()
        self.at: dict[int, set[str]] = {}
        for page in pages:
            seen: set[tuple[str, int]] = set()
            for index in {0, len(page.lines) - 1} & set(range(len(page.lines))):
                line = page.lines[index]
                height = round(line.y / 3)
                for text in {line.text, *(seg.text for seg in line.segments)}:
                    self.at.setdefault(height, set()).add(_shape(text))
                    if any(c.isalpha() for c in text) and not is_content_text(text):
                        seen.add((_shape(text), height))
            self.counts.update(seen)

    def __call__(self, text: str, y: float) -> bool:
        shape, height = _shape(text), round(y / 3)
        if self.counts[(shape, height)] < 2:
            return False
        near: set[str] = set()
        for h in (height - 1, height, height + 1):
            near |= self.at.get(h, set())
        return near <= {shape}


def _is_furniture(
    text: str, spot: _Spot, *, alone: bool, names: Sequence[str], recurring: _Recurring
) -> bool:
    """Whether `text` (a whole line when `alone`, else one run of it) is page furniture."""
    if is_content_text(text):  # a bare number counts only as this page's own number
        return alone and spot.extreme and spot.apart and _is_page_number(text, spot.number)
    if _PAGE_WORDS.search(text) or _hits(text, names) >= 2:
        return True
    if spot.extreme and (_numbered(text, spot.number) or recurring(text, spot.y)):
        return True
    if not (spot.apart and alone):
        return False
    return bool(_PAGE_NUMBER.search(text) or _hits(text, names) >= 1)


def remove_furniture(
    pages: Sequence[PageText], *, names: Sequence[str]
) -> tuple[list[PageLine], list[str]]:
    """The pages' lines in reading order without furniture, and the furniture texts removed.

    `names` identify the report (course label, title, term); empty before the header is read.
    """
    lowered = [" ".join(n.lower().split()) for n in names if n]
    recurring = _Recurring(pages)
    drop: dict[tuple[int, int], set[int]] = {}
    removed: list[str] = []
    for p, page in enumerate(pages):
        for index, edge, apart in _edge_lines(page):
            line = page.lines[index]
            if p == 0 and edge == "top" and not (apart and _PAGE_NUMBER.search(line.text)):
                continue  # page 1 opens with the title, which may repeat as a running header
            spot = _Spot(page.number, line.y, index in (0, len(page.lines) - 1), apart)
            single = len(line.segments) == 1
            whole = _is_furniture(line.text, spot, alone=single, names=lowered, recurring=recurring)
            if whole and (
                single
                or not (
                    any(is_content_text(seg.text) for seg in line.segments) or _mixed(line, lowered)
                )
            ):
                gone = set(range(len(line.segments)))
            else:  # runs judged one by one: furniture drawn on the same baseline as content
                gone = {
                    k
                    for k, seg in enumerate(line.segments)
                    if _is_furniture(
                        seg.text, spot, alone=False, names=lowered, recurring=recurring
                    )
                }
            if gone:
                drop[(p, index)] = gone
                removed.extend(line.segments[k].text for k in sorted(gone))
    out: list[PageLine] = []
    for p, page in enumerate(pages):
        for i, line in enumerate(page.lines):
            cut = drop.get((p, i), set())
            if not cut:
                out.append((page.number, line))
            elif len(cut) < len(line.segments):
                kept = [s for k, s in enumerate(line.segments) if k not in cut]
                out.append((page.number, Line.of(line.y, kept)))
    return out, removed
