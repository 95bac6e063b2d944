"""A saved Explorance Blue web report (`blue-html`): the Blue PDF's content in HTML markup.

The page is partitioned by unstructured (ingestion.parsers.partition), which drops scripts,
styles, forms, `nav`, `header` and `footer`. What stands before the title `Student TRACE report
for …` is the site around the report and is ignored; so is text that is all link (`Back to
top`), and so is text after the report's last table or list (the page's footer). After
the title come the header items (`Key: value` text, a key and its value as two
blocks, or a two-column table), then rating tables, each under its heading (a block or the
table's caption), found by their header cells; a question's distribution is read from its cell,
from a row of its own below it, or from a small table after it. The hours block is a table of
`1-4`… bins under its question. Comments are a prompt followed by list items, or a one-column
table headed by its prompt; `[No Response]` is a blank. Anything else after the title is
unclaimed text, listed in warnings and failing the report past 2 % of its characters. The
result passes the Blue checks (ingestion.parsers.checks) and the HTML's own: each printed
percentage agrees with its count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.errors import ParseError
from core.report import Comment, Course, Frequency, ParsedReport, Question, normalize_quotes
from ingestion.limits import ParseLimits
from ingestion.parsers.blue import KEYS, TITLE_PREFIX
from ingestion.parsers.checks import check_html_report, check_report
from ingestion.parsers.header import parse_instructors, parse_int, read_term, require
from ingestion.parsers.html_guard import check_markup
from ingestion.parsers.partition import Block, partition_html

UNCLAIMED_SHARE = 0.02
NO_RESPONSE = "[No Response]"
_TITLE_RE = re.compile(r"^Student TRACE report for ([A-Za-z]+)\s?(\w+)-(\S+)\s+(.+)$")
_KEYS = "|".join(map(re.escape, KEYS))
_ITEM_RE = re.compile(rf"^({_KEYS})\s*:\s*(.+)$")
_KEY_ONLY_RE = re.compile(rf"^({_KEYS})\s*:?$")
_BIN_RE = re.compile(r"^\d+\s*-\s*\d+$|^\d+\+$")
SCALES = (
    ("Strongly Agree", "Agree", "Neutral", "Disagree", "Strongly Disagree", "N/A"),
    (
        "Almost Always Effective",
        "Usually Effective",
        "Sometimes Effective",
        "Rarely Effective",
        "Never Effective",
        "N/A",
    ),
)
DIST_KEYS = ("5", "4", "3", "2", "1", "na")
COLUMNS = {
    "numberofresponses": "responses",
    "coursemean": "course_mean",
    "deptmean": "dept_mean",
    "univmean": "univ_mean",
    "coursemedian": "course_median",
    "deptmedian": "dept_median",
    "univmedian": "univ_median",
}


def _scale_re(labels: Sequence[str]) -> re.Pattern[str]:
    body = r"\s+".join(rf"{re.escape(label)}\s+(\d+)\s+(\d+)\s*%" for label in labels)
    return re.compile(rf"^(.*?)\s*{body}$")


_SCALE_RES = tuple(_scale_re(labels) for labels in SCALES)


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def split_distribution(text: str) -> tuple[str, dict[str, int] | None, list[int]]:
    """`Question text Strongly Agree 12 40% … N/A 0 0%` into the text, the counts and the
    printed percentages; the whole text and None when no full scale ends it."""
    for pattern in _SCALE_RES:
        m = pattern.match(text)
        if m:
            numbers = [int(g) for g in m.groups()[1:]]
            counts = dict(zip(DIST_KEYS, numbers[0::2], strict=True))
            return m.group(1), counts, numbers[1::2]
    return text, None, []


@dataclass
class _Reader:
    """The report as it is read, and the blocks no rule claimed."""

    blocks: list[Block]
    questions: list[Question] = field(default_factory=list)
    percents: dict[int, list[int]] = field(default_factory=dict)
    frequencies: list[Frequency] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    unclaimed: list[Block] = field(default_factory=list)

    def add_question(self, heading: str | None, cells: dict[str, str], text: str) -> None:
        text, dist, pcts = split_distribution(text)
        values: dict[str, float | int | None] = {}
        for name, raw in cells.items():
            values[name] = _number(raw, name, text)
        self.questions.append(
            Question(
                section=heading,
                text=normalize_quotes(text),
                responses=_as_int(values.get("responses")),
                response_rate=None,
                course_mean=_as_float(values.get("course_mean")),
                dept_mean=_as_float(values.get("dept_mean")),
                univ_mean=_as_float(values.get("univ_mean")),
                course_median=_as_float(values.get("course_median")),
                dept_median=_as_float(values.get("dept_median")),
                univ_median=_as_float(values.get("univ_median")),
                std_dev=None,
                distribution=dist,
            )
        )
        if dist is not None:
            self.percents[len(self.questions) - 1] = pcts

    def give_distribution(self, text: str) -> bool:
        """A distribution printed apart from its question goes to the last question lacking one."""
        rest, dist, pcts = split_distribution(text)
        if dist is None or rest or not self.questions or self.questions[-1].distribution:
            return False
        self.questions[-1].distribution = dist
        self.percents[len(self.questions) - 1] = pcts
        return True


def _number(raw: str, name: str, question: str) -> float | int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(raw) if name == "responses" else float(raw)
    except ValueError:
        raise ParseError(
            f"question {question[:60]!r}: {name.replace('_', ' ')} {raw!r} is not a number",
            reason="unreadable_table",
        ) from None


def _as_int(value: float | int | None) -> int | None:
    return None if value is None else int(value)


def _as_float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def _rating_columns(row: Sequence[str]) -> dict[int, str] | None:
    """Column index -> field when `row` is a rating table's header row, else None."""
    keys = [_key(cell) for cell in row]
    if not keys or keys[0] != "question" or "numberofresponses" not in keys:
        return None
    return {i: COLUMNS[k] for i, k in enumerate(keys) if k in COLUMNS}


def _is_bins(cells: Sequence[str]) -> bool:
    return bool(cells) and all(_BIN_RE.match(c) for c in cells)


def _frequency(block: Block, text: str) -> Frequency | None:
    """The hours block: `Response | Count` rows, or a `Response` row of bins over a count row."""
    rows = [r for r in block.rows if any(r)]
    if not rows or _key(rows[0][0]) != "response":
        return None
    try:
        if len(rows[0]) == 2 and _key(rows[0][1]) == "count":
            pairs = [(r[0], int(r[1])) for r in rows[1:]]
            if not _is_bins([b for b, _ in pairs]):
                return None
        elif len(rows) == 2 and _key(rows[1][0]) == "count" and _is_bins(rows[0][1:]):
            pairs = [(b, int(n)) for b, n in zip(rows[0][1:], rows[1][1:], strict=True)]
        else:
            return None
    except (ValueError, IndexError):
        raise ParseError(
            f"the hours block {text[:50]!r} has a count that is not a number",
            reason="unreadable_table",
        ) from None
    return Frequency(text=normalize_quotes(text), bins=dict(pairs))


def parse_blue_html(
    data: bytes, *, filename: str, sha256: str, limits: ParseLimits | None = None
) -> ParsedReport:
    """Read a saved Blue report page into the JSON contract, checked like the Blue PDF."""
    limits = limits or ParseLimits()
    text = decode_html(data)
    check_markup(text, limits)
    blocks = partition_html(text)
    start = next((i for i, b in enumerate(blocks) if b.text.startswith(TITLE_PREFIX)), None)
    if start is None:
        raise ParseError(
            "not a TRACE report: no `Student TRACE report for …` title in the page",
            reason="not_trace",
        )
    title = _TITLE_RE.match(blocks[start].text)
    if title is None:
        raise ParseError(
            f"title {blocks[start].text!r} does not read as `CODE-SECTION Title`",
            field="title",
            reason="missing_field",
        )
    items, at = _header(blocks, start + 1)
    reader = _Reader(blocks)
    _body(reader, at)
    subject, number, section, course_title = title.groups()
    report = ParsedReport(
        file=filename,
        sha256=sha256,
        layout="blue-html",
        course=Course(
            code=f"{subject}{number}",
            subject=subject,
            number=number,
            section=section,
            title=course_title.strip(),
            crn=require(items, "Course ID"),
        ),
        term=read_term(require(items, "Term")),
        instructors=parse_instructors(require(items, "Instructor")),
        enrollment=parse_int(items.get("Invited"), "Invited"),
        responses_incl_declines=parse_int(items.get("Responded"), "Responded"),
        declines=None,
        questions=reader.questions,
        frequencies=reader.frequencies,
        comments=reader.comments,
        warnings=[],
    )
    _unclaimed(report, reader, blocks[start:])
    check_report(report)
    check_html_report(report, reader.percents)
    return report


def decode_html(data: bytes) -> str:
    """The page's text: UTF-8 (a BOM allowed), else the charset its `<meta>` declares."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    found = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", data[:4096], re.I)
    if found:
        try:
            return data.decode(found.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    raise ParseError(
        "the page is neither UTF-8 nor in the charset its <meta> declares", reason="corrupt"
    )


def _header(blocks: list[Block], at: int) -> tuple[dict[str, str], int]:
    """The header items after the title, as `Key: value`, a key block then its value, or a
    two-column table; returns them and the index of the first block after them."""
    items: dict[str, str] = {}
    while at < len(blocks):
        block = blocks[at]
        if block.kind == "table":
            pairs = [r for r in block.rows if len(r) == 2 and _KEY_ONLY_RE.match(r[0])]
            if not pairs or len(pairs) != len(block.rows):
                break
            for key, value in pairs:
                items.setdefault(key.rstrip(": "), value)
            at += 1
        elif (m := _ITEM_RE.match(block.text)) is not None:
            items.setdefault(m.group(1), m.group(2))
            at += 1
        elif (
            (m := _KEY_ONLY_RE.match(block.text)) is not None
            and at + 1 < len(blocks)
            and blocks[at + 1].kind in ("text", "item")
        ):
            items.setdefault(m.group(1), blocks[at + 1].text)
            at += 2
        else:
            break
    return items, at


def _body(r: _Reader, at: int) -> None:
    """Headings and rating tables, the hours block, then comment blocks, in page order."""
    blocks = r.blocks
    heading: str | None = None
    pending: list[Block] = []
    while at < len(blocks):
        block = blocks[at]
        if block.is_link_only:
            at += 1
            continue
        if block.kind in ("heading", "text"):
            pending.append(block)
            at += 1
            continue
        if block.kind == "table":
            # A table's label: its caption, else the last heading (h1-h6) before it, else the
            # last paragraph; the other text before it is unclaimed.
            named = [b for b in pending if b.kind == "heading"] or pending
            label = block.caption or (named[-1].text if named else "")
            rest = pending if block.caption else [b for b in pending if b is not named[-1]]
            columns = _rating_columns(block.rows[0]) if block.rows else None
            if columns is not None:
                if block.caption or pending:
                    heading = normalize_quotes(label)
                    r.unclaimed += rest
                _rating_rows(r, block, columns, heading)
            elif (freq := _frequency(block, label)) is not None:
                r.frequencies.append(freq)
                r.unclaimed += rest
            elif not _distribution_table(r, block):
                if _comment_table(r, block):
                    r.unclaimed += pending
                else:
                    r.unclaimed += [*pending, block]
            pending = []
            at += 1
            continue
        # A list item: comments under the last text block, or a distribution line.
        if not pending and r.give_distribution(block.text):
            at += 1
            continue
        at = _comment_block(r, pending, at)
        pending = []
    # Text after the report's last table or list is the page's footer (copyright, links).


def _rating_rows(r: _Reader, block: Block, columns: dict[int, str], heading: str | None) -> None:
    for row in block.rows[1:]:
        if _rating_columns(row) is not None:
            continue  # the header repeated
        filled = [c for c in row if c]
        alone = len(filled) == 1 and (len(row) == 1 or not any(row[1:]))
        if alone and r.give_distribution(filled[0]):
            continue
        if not filled:
            continue
        cells = {name: row[i] if i < len(row) else "" for i, name in columns.items()}
        r.add_question(heading, cells, row[0])


def _distribution_table(r: _Reader, block: Block) -> bool:
    """A small `Option | Count | Percent` table after its question."""
    rows = [row for row in block.rows if _key(" ".join(row)) != "optioncountpercent"]
    if not rows or any(len(row) != 3 for row in rows):
        return False
    return r.give_distribution(" ".join(" ".join(row) for row in rows))


def _comment_table(r: _Reader, block: Block) -> bool:
    """A one-column table: the prompt in its first row, one answer per row below."""
    if not block.rows or any(len(row) != 1 for row in block.rows) or not r.questions:
        return False
    _add_comments(r, block.rows[0][0], [row[0] for row in block.rows[1:]])
    return True


def _comment_block(r: _Reader, pending: list[Block], at: int) -> int:
    """The list items from `at` on are the answers to the last pending text, the prompt."""
    blocks = r.blocks
    end = at
    while end < len(blocks) and blocks[end].kind == "item":
        end += 1
    if not pending:
        r.unclaimed += blocks[at:end]
        return end
    r.unclaimed += pending[:-1]
    _add_comments(r, pending[-1].text, [b.text for b in blocks[at:end]])
    return end


def _add_comments(r: _Reader, prompt: str, answers: list[str]) -> None:
    prompt = normalize_quotes(prompt)
    number = sum(1 for c in r.comments if c.prompt == prompt)
    for text in answers:
        if not text or text == NO_RESPONSE:
            continue
        number += 1
        r.comments.append(Comment(prompt=prompt, number=number, text=text))


def _unclaimed(report: ParsedReport, r: _Reader, blocks: list[Block]) -> None:
    total = sum(len(b.text) for b in blocks)
    lost = sum(len(b.text) for b in r.unclaimed)
    for b in r.unclaimed[:20]:
        report.warnings.append(f"text no rule claimed {b.text[:80]!r}")
    if total and lost / total > UNCLAIMED_SHARE:
        raise ParseError(
            f"{lost} of {total} characters could not be placed in the report, starting with "
            f"{r.unclaimed[0].text[:60]!r}",
            reason="unclaimed_text",
        )
