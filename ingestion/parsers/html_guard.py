"""Caps on an HTML page, checked by a streaming scan before unstructured builds a tree of it.

A hostile page is refused early and by name: nesting deeper than `max_html_depth` (libxml2,
under unstructured, stops at 256 levels and unstructured then returns no text at all: a silent
loss), more than `max_html_elements` elements, more table rows than `max_sheet_rows` or more
cells in a row than `max_sheet_columns`. Scripts cost nothing here: their text is not markup.
"""

from __future__ import annotations

from html.parser import HTMLParser

from core.errors import ParseError
from ingestion.limits import ParseLimits

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
SELF_CLOSING = {
    "p": {"p"},
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "option": {"option"},
}
"""A start tag that closes an open sibling of these kinds (HTML's implied end tags)."""


class _Scan(HTMLParser):
    def __init__(self, limits: ParseLimits):
        super().__init__(convert_charrefs=False)
        self.limits = limits
        self.stack: list[str] = []
        self.elements = 0
        self.rows = 0
        self.cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        if self.elements > self.limits.max_html_elements:
            raise ParseError(
                f"the page has more than {self.limits.max_html_elements} elements",
                reason="too_large",
            )
        closes = SELF_CLOSING.get(tag)
        while closes and self.stack and self.stack[-1] in closes:
            self.stack.pop()
        if tag == "tr":
            self.rows += 1
            self.cells = 0
            if self.rows > self.limits.max_sheet_rows:
                raise ParseError(
                    f"the page's tables have more than {self.limits.max_sheet_rows} rows",
                    reason="too_large",
                )
        elif tag in ("td", "th"):
            self.cells += 1
            if self.cells > self.limits.max_sheet_columns:
                raise ParseError(
                    f"a table row has more than {self.limits.max_sheet_columns} cells",
                    reason="too_large",
                )
        if tag in VOID:
            return
        self.stack.append(tag)
        if len(self.stack) > self.limits.max_html_depth:
            raise ParseError(
                f"elements are nested more than {self.limits.max_html_depth} deep",
                reason="too_large",
            )

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def check_markup(text: str, limits: ParseLimits) -> None:
    """Raise ParseError (`too_large`) naming the first cap the page breaks."""
    scan = _Scan(limits)
    scan.feed(text)
    scan.close()
