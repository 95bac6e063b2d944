"""The page-1 header block of both PDF layouts: a title that may wrap, then `Key: value` items.

The title is every line above the first item, joined; an item's value continues on the lines
below it until the next item (a long instructor list wraps). The block ends at the last item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import ParseError
from core.report import Instructor, Term, parse_term
from ingestion.parsers.pdftext import Line

PageLine = tuple[int, Line]
HEADER_LINES = 40
"""Items are looked for among page 1's first lines only."""


@dataclass
class Header:
    """The title text, the items by key, and the index of the first line after the block."""

    title: str
    items: dict[str, str]
    end: int


def read_header(lines: Sequence[PageLine], keys: Sequence[str]) -> Header:
    """Split page 1's opening lines into title and items; ParseError when no item is found."""
    key_re = re.compile(r"^(" + "|".join(map(re.escape, keys)) + r")\s*:\s*(.*)$")
    matches: list[tuple[int, str, str]] = []
    for i, (page, line) in enumerate(lines[:HEADER_LINES]):
        if page != 1:
            break
        m = key_re.match(line.text)
        if m:
            matches.append((i, m.group(1), m.group(2)))
    if not matches:
        raise ParseError(
            "not a TRACE report: no header items such as `Course ID:` on page 1",
            page=1,
            reason="not_trace",
        )
    title = " ".join(line.text for _, line in lines[: matches[0][0]])
    items: dict[str, str] = {}
    for k, (i, key, value) in enumerate(matches):
        stop = matches[k + 1][0] if k + 1 < len(matches) else i + 1
        parts = [value, *(line.text for _, line in lines[i + 1 : stop])]
        items.setdefault(key, " ".join(" ".join(parts).split()))
    return Header(" ".join(title.split()), items, matches[-1][0] + 1)


def parse_instructors(value: str) -> list[Instructor]:
    """`Last, First; Last, First` into instructors (a name without a comma is all surname)."""
    out = []
    for name in value.split(";"):
        last, _, first = name.strip().partition(",")
        if last.strip():
            out.append(Instructor(last=last.strip(), first=first.strip()))
    return out


def parse_int(value: str | None, name: str) -> int | None:
    """A header count; a present but unreadable value fails the report."""
    if value is None:
        return None
    try:
        return int(value.replace(",", ""))
    except ValueError:
        raise ParseError(
            f"{name} {value!r} is not a number", field=name, page=1, reason="bad_header"
        ) from None


def require(items: dict[str, str], key: str) -> str:
    """A header item that must be present on page 1."""
    value = items.get(key, "").strip()
    if not value:
        raise ParseError(
            f"missing {key} in the report header", field=key, page=1, reason="missing_field"
        )
    return value


def read_term(label: str) -> Term:
    """A term label, or a ParseError naming it."""
    term = parse_term(label)
    if term is None:
        raise ParseError(
            f"{label!r} is not a TRACE term", field="term", page=1, reason="unknown_term"
        )
    return term
