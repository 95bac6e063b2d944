"""Comments pasted into a document: Word (.docx), plain text or an e-mail (.eml), partitioned by
unstructured into paragraphs, list items and headings.

The form a document must have, so nothing is guessed:

- optional `Course: CS5800-01`, `Term: Fall 2025`, `Title: …` (and `Section: 01`) lines first;
- a question: a heading (a Word heading style, an HTML e-mail's `h1`-`h6`), a line starting
  with `Q:`, or a paragraph that is not a list item and ends with `?`;
- its answers below it: each list item (`-`, `*`, `•`, `◦`, `1.`, `1)`, or a Word list style;
  the list's own numbers are not part of the answer) or paragraph is one comment; in plain
  text a paragraph runs until a blank line, a new item or a question, and an indented line
  continues the item above it; `[No Response]` is a blank.

Refused, with the text that could not be placed: text before the first question other than
those lines, tables in a document, quoted e-mail lines (`>`), e-mails with attachments (upload
the attachment instead). An e-mail's body ends at its signature line (`-- `); its subject is the
title when no `Title:` line says otherwise.
"""

from __future__ import annotations

import re

from core.errors import ParseError
from core.report import Layout, ParsedReport
from ingestion.limits import ParseLimits
from ingestion.parsers.partition import (
    Block,
    partition_docx,
    partition_email,
    partition_text,
)
from ingestion.parsers.survey import SurveyBuilder, UploadFields
from ingestion.parsers.workbook import check_archive

_META = re.compile(r"^(course|term|title|section)\s*:\s*(.+)$", re.IGNORECASE)
_ITEM = re.compile(r"^(?:[-*•◦‣·]|\d{1,3}[.)])\s+")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+")
_SIGNATURE = re.compile(r"^--\s?$")


def _is_prompt(block: Block) -> bool:
    if block.kind == "heading" or block.text.startswith("Q:"):
        return True
    return block.kind == "text" and block.text.endswith("?")


def paragraphs(text: str) -> str:
    """The plain-text grouping rule: one blank-line-separated paragraph per question, item or
    answer, lines of one paragraph joined (given to unstructured as its `paragraph_grouper`)."""
    out: list[list[str]] = []
    open_ = False  # whether the last paragraph takes the next line as its continuation
    for raw in text.splitlines():
        if _SIGNATURE.match(raw):
            break  # an e-mail's signature
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith(">"):
            raise ParseError(
                f"quoted e-mail text {stripped[:60]!r} cannot be placed: paste the comments"
                " themselves",
                reason="unmapped",
            )
        if not stripped:
            open_ = False
            continue
        if open_ and line[:1].isspace():
            out[-1].append(stripped)  # an indented line continues the paragraph above it
            continue
        item = _ITEM.match(stripped) is not None
        meta = _META.match(stripped) is not None
        question = stripped.startswith("Q:") or (stripped.endswith("?") and not item)
        if open_ and not (item or meta or question):
            out[-1].append(stripped)
        else:
            out.append([stripped])
        open_ = not (meta or question)
    return "\n\n".join(" ".join(p) for p in out)


def read_blocks(builder: SurveyBuilder, blocks: list[Block]) -> None:
    """Metadata lines, then questions each followed by their answers."""
    prompt: str | None = None
    for block in blocks:
        if block.kind == "table":
            raise ParseError(
                f"a table in the document ({block.text[:60]!r}) cannot be mapped: give the"
                " comments as paragraphs or list items under their question",
                reason="unmapped",
            )
        meta = _META.match(block.text) if block.kind != "item" else None
        if prompt is None and meta:
            builder.set_meta(meta.group(1), meta.group(2))
        elif block.kind != "item" and _is_prompt(block):
            text = block.text[2:] if block.text.startswith("Q:") else block.text
            prompt = builder.prompt(text)
            builder.add_answers(prompt, [])
        elif prompt is None:
            raise ParseError(
                f"text before the first question cannot be placed: {block.text[:80]!r} (plain"
                " text needs a question, a line ending with `?` or starting with `Q:`, above"
                " its answers)",
                reason="unmapped",
            )
        else:
            text = _NUMBERED.sub("", block.text) if block.kind == "item" else block.text
            builder.add_answers(prompt, [text])


def parse_comment_document(
    data: bytes,
    *,
    layout: Layout,
    filename: str,
    sha256: str,
    fields: UploadFields,
    limits: ParseLimits,
) -> ParsedReport:
    """A DOCX, plain-text or e-mail document of comments under their questions."""
    builder = SurveyBuilder(filename=filename, layout=layout, fields=fields)
    subject = None
    if layout == "survey-docx":
        check_archive(data, filename, limits, kind="docx")  # a zip bomb is never inflated
        try:
            blocks = partition_docx(data)
        except (KeyError, AttributeError, ValueError) as exc:  # python-docx on a broken package
            raise ParseError(
                f"{filename!r} is not a readable Word document: {exc}",
                field="file",
                reason="corrupt",
            ) from exc
    elif layout == "survey-eml":
        mail = partition_email(data, grouper=paragraphs)
        if mail.attachments:
            raise ParseError(
                f"the e-mail carries attachments ({', '.join(mail.attachments[:3])}): upload"
                " each attachment itself",
                reason="unmapped",
            )
        blocks, subject = mail.blocks, mail.subject
    else:
        blocks = partition_text(data.decode("utf-8-sig"), grouper=paragraphs)
    read_blocks(builder, blocks)
    if subject and "Title" not in builder.meta:
        builder.meta["Title"] = subject
    return builder.build(sha256=sha256)
