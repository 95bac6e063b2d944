"""`unstructured`, used offline: its elements as plain blocks, never a network connection.

unstructured partitions HTML, DOCX, CSV, e-mail and plain text, and three things about it are
handled here before it is imported:

- telemetry: it pings its vendor on import and on every partition call unless `DO_NOT_TRACK`
  (or `SCARF_NO_ANALYTICS`) is set, so both are set (the parse sandbox's child also starts with
  them in its environment), and its usage notice is silenced;
- sentence splitting: it loads the spaCy pipeline `en_core_web_sm` and downloads it at first use
  when it is missing. `make venv` installs packaging/en_core_web_sm, spaCy's blank English
  pipeline with its rule-based sentencizer under that name; spaCy loads it through its own
  package hook (`spacy.load(name)` imports the package and calls its `load()`), no download;
- language detection: documents are partitioned as English (`languages=["eng"]`), so langdetect
  (pinned: it is published as a source package only) is imported but never consulted.

Parsers read blocks (kind, text, table rows, link text), not unstructured's heuristic element
categories (Title against NarrativeText depends on part-of-speech tags the blank pipeline lacks):
structure comes from the markup (tables, list items, headings) and from the text itself.
"""

from __future__ import annotations

import importlib.metadata
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any, Literal

from lxml import html as lxml_html

from core.errors import ParseError

OFFLINE_ENV = {
    "DO_NOT_TRACK": "true",
    "SCARF_NO_ANALYTICS": "true",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
}
"""Set before unstructured is imported: it sends telemetry on import unless told not to."""
SPACY_MODEL = "en_core_web_sm"

BlockKind = Literal["heading", "text", "item", "table"]


@dataclass(frozen=True)
class Block:
    """One partitioned element: a heading (from markup), a paragraph, a list item or a table."""

    kind: BlockKind
    text: str
    rows: tuple[tuple[str, ...], ...] = ()
    """A table's rows, each a tuple of its cells' text (header rows included)."""
    caption: str = ""
    links: tuple[str, ...] = field(default=())
    """The text of the hyperlinks in the block."""

    @property
    def is_link_only(self) -> bool:
        """Navigation: every word of the block is the text of a link (`Back to top`)."""
        return bool(self.links) and " ".join(" ".join(self.links).split()) == self.text


def go_offline() -> None:
    """Telemetry off, and the offline sentence splitter present; call before importing it."""
    os.environ.update(OFFLINE_ENV)
    try:
        importlib.metadata.distribution(SPACY_MODEL)
    except importlib.metadata.PackageNotFoundError:
        raise ParseError(
            f"the offline sentence splitter ({SPACY_MODEL}, packaging/en_core_web_sm) is not"
            " installed: run `make venv`; without it unstructured would try to download a model",
            reason="crash",
        ) from None


def _blocks(elements: Iterable[Any], *, headings: bool) -> list[Block]:
    # start-up speed: unstructured takes seconds to import; only these formats need it
    from unstructured.documents.elements import (
        Footer,
        Header,
        ListItem,
        PageBreak,
        Table,
        Title,
    )

    out: list[Block] = []
    for element in elements:
        if isinstance(element, Header | Footer | PageBreak):
            continue  # page furniture of a DOCX (its running header and footer)
        text = " ".join(str(element.text).split())
        meta = element.metadata
        links = tuple(" ".join(str(t).split()) for t in (meta.link_texts or []) if t)
        if isinstance(element, Table):
            caption, rows = table_rows(meta.text_as_html or "")
            out.append(Block("table", text, rows, caption, links))
        elif isinstance(element, ListItem):
            out.append(Block("item", text, links=links))
        elif headings and isinstance(element, Title):
            out.append(Block("heading", text, links=links))
        elif text:
            out.append(Block("text", text, links=links))
    return out


def table_rows(html: str) -> tuple[str, tuple[tuple[str, ...], ...]]:
    """A table's caption and rows from unstructured's `text_as_html` (cells' text flattened)."""
    if not html.strip():
        return "", ()
    table = lxml_html.fragment_fromstring(html)
    caption = " ".join(" ".join(c.text_content().split()) for c in table.iter("caption"))
    rows = tuple(
        tuple(" ".join(cell.text_content().split()) for cell in tr if cell.tag in ("td", "th"))
        for tr in table.iter("tr")
    )
    return caption, rows


def partition_html(text: str) -> list[Block]:
    """HTML as blocks; scripts, styles, forms, `nav`, `header` and `footer` are dropped."""
    go_offline()
    # start-up speed: unstructured takes seconds to import; only these formats need it
    from unstructured.partition.html import partition_html as partition

    return _blocks(partition(text=text, languages=["eng"]), headings=True)


def partition_csv(data: bytes) -> list[Block]:
    """A CSV file as one table block (every cell as text, nothing read as a number or NaN)."""
    go_offline()
    # start-up speed: unstructured takes seconds to import; only these formats need it
    from unstructured.partition.csv import partition_csv as partition

    return _blocks(partition(file=io.BytesIO(data), languages=["eng"]), headings=False)


def partition_docx(data: bytes) -> list[Block]:
    """A Word document as blocks: headings from heading styles, items from list styles."""
    go_offline()
    # start-up speed: unstructured takes seconds to import; only these formats need it
    from unstructured.partition.docx import partition_docx as partition

    # Titles come from heading styles only (unstructured leaves unstyled text to heuristics that
    # never yield a Title), so they are headings.
    return _blocks(partition(file=io.BytesIO(data), languages=["eng"]), headings=True)


Grouper = Callable[[str], str]


def partition_text(text: str, *, grouper: Grouper) -> list[Block]:
    """Plain text as blocks, one per paragraph as `grouper` leaves them (blank-line separated)."""
    go_offline()
    # start-up speed: unstructured takes seconds to import; only these formats need it
    from unstructured.partition.text import partition_text as partition

    return _blocks(
        partition(text=text, languages=["eng"], paragraph_grouper=grouper), headings=False
    )


@dataclass(frozen=True)
class EmailParts:
    subject: str | None
    blocks: list[Block]
    attachments: list[str]


def partition_email(data: bytes, *, grouper: Grouper) -> EmailParts:
    """An .eml message: its subject, its body as blocks (plain text preferred), its attachments'
    names (not partitioned)."""
    go_offline()
    # start-up speed: unstructured takes seconds to import; only these formats need it
    from unstructured.partition.email import partition_email as partition

    message = BytesParser(policy=policy.default).parsebytes(data)
    body = message.get_body(preferencelist=("plain", "html"))
    attachments = [
        str(part.get_filename() or part.get_content_type()) for part in message.iter_attachments()
    ]
    elements = partition(
        file=io.BytesIO(data),
        content_source="text/plain",
        process_attachments=False,
        languages=["eng"],
        paragraph_grouper=grouper,
    )
    subject = message.get("Subject")
    return EmailParts(
        subject=" ".join(str(subject).split()) if subject else None,
        # An HTML body's headings are markup; a plain one's Titles would be guesses.
        blocks=_blocks(
            elements, headings=body is not None and body.get_content_type() != "text/plain"
        ),
        attachments=attachments,
    )
