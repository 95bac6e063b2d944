"""Comment pages of both PDF layouts.

CollegeNET: `Q: prompt` (wrapping), `(N comments)`, then comments numbered 1..N, each number on
its own line or at the start of the comment's first line. A line that starts with the next
number may also be comment text ("… we had" / "2 exams"), so the N starts are chosen together:
the increasing sequence of candidate lines with the strongest evidence (a number drawn apart
from its text, bold, standing left of the text column, after a finished sentence). The count
line is a checksum: fewer than N starts is a failure.

Blue: a prompt (no `Q:`), then one bullet (`•`, `-`, `◦`) per answer; `[No Response]` is not a
comment. Prompts are recognised by their text (the prompts TRACE uses) or, failing that, as
bold text before a bullet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.errors import ParseError
from core.report import Comment, normalize_quotes
from ingestion.parsers.pdftext import Line

PageLine = tuple[int, Line]

KNOWN_PROMPTS = (
    "What were the strengths of this course and/or this instructor?",
    "What could the instructor do to make this course better?",
    "Please expand on the instructor's strengths and/or areas for improvement in facilitating "
    "inclusive learning.",
    "Please comment on your experience of the online course environment in the open-ended text "
    "box.",
    "What I could have done to make this course better for myself.",
)
_PROMPT_KEYS = tuple(" ".join(p.lower().split()) for p in KNOWN_PROMPTS)
_COUNT_RE = re.compile(r"^\((\d+) comments?\)$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^(\d+)(?:\s+(.*))?$")
"""A comment number: digits alone (`1.` or `1)` starts a list inside a comment)."""
_TERMINAL = re.compile(r"[.!?)\"'”’]$")
BULLETS = ("•", "◦", "▪", "-", "–", "*", "·")
NO_RESPONSE = "[No Response]"
SLACK = 2.5


def clean(text: str) -> str:
    return normalize_quotes(" ".join(text.split()))


def prompt_prefix(text: str) -> bool:
    """The text starts (or is) one of the prompts TRACE uses."""
    key = clean(text).lower()
    return len(key) >= 12 and any(p.startswith(key) or key.startswith(p) for p in _PROMPT_KEYS)


def is_question_line(line: Line) -> bool:
    return line.text.startswith("Q:")


def read_collegenet_comments(lines: Sequence[PageLine], start: int) -> tuple[list[Comment], int]:
    """Comments from `start` (a `Q:` line) to the end; also the index reading stopped at."""
    comments: list[Comment] = []
    i = start
    n = len(lines)
    while i < n and is_question_line(lines[i][1]):
        page = lines[i][0]
        words = [lines[i][1].text[2:]]
        i += 1
        while i < n and len(words) < 6 and not _COUNT_RE.match(clean(lines[i][1].text)):
            if is_question_line(lines[i][1]):
                break
            words.append(lines[i][1].text)
            i += 1
        prompt = clean(" ".join(words))
        count = _COUNT_RE.match(clean(lines[i][1].text)) if i < n else None
        if count is None:
            raise ParseError(
                f"prompt {prompt!r} has no `(N comments)` line", page=page, reason="comment_count"
            )
        expected = int(count.group(1))
        i += 1
        j = i
        while j < n and not is_question_line(lines[j][1]):
            j += 1
        comments.extend(_numbered(lines[i:j], prompt, expected, page))
        i = j
    return comments, i


def _numbered(block: Sequence[PageLine], prompt: str, expected: int, page: int) -> list[Comment]:
    """Split a prompt's lines into its `expected` numbered comments (see the module docstring)."""
    if expected == 0:
        if block:
            raise ParseError(
                f"prompt {prompt!r} says 0 comments but text follows it",
                page=block[0][0],
                reason="comment_count",
            )
        return []
    if not block:
        raise ParseError(
            f"prompt {prompt!r}: count line says {expected} comments, found 0",
            page=page,
            reason="comment_count",
        )
    number_x = block[0][1].segments[0].x
    text_xs = [ln.x for _, ln in block if abs(ln.x - number_x) > SLACK]
    hanging = bool(text_xs)
    candidates: dict[int, list[tuple[int, float]]] = {}
    for k, (_, line) in enumerate(block):
        first = line.segments[0]
        m = _NUMBER_RE.match(first.text)
        if m is None or abs(first.x - number_x) > SLACK:
            continue
        score = 0.0
        if m.group(2) is None:
            score += 3.0  # drawn apart from its text, or on a line of its own
        if first.bold and not (len(line.segments) > 1 and line.segments[1].bold):
            score += 2.0
        if hanging:
            score += 3.0
        if k == 0 or _TERMINAL.search(block[k - 1][1].text):
            score += 1.0
        candidates.setdefault(int(m.group(1)), []).append((k, score))
    starts = _best_starts(candidates, expected)
    if starts is None:
        found = max((c for c in candidates if c <= expected), default=0)
        raise ParseError(
            f"prompt {prompt!r}: count line says {expected} comments, found {found}",
            page=page,
            reason="comment_count",
        )
    out = []
    for number, (k, nxt) in enumerate(zip(starts, [*starts[1:], len(block)], strict=True), 1):
        opening = _NUMBER_RE.match(block[k][1].segments[0].text)
        assert opening is not None  # every start was chosen among lines that match
        head = [opening.group(2) or "", *(s.text for s in block[k][1].segments[1:])]
        parts = [p for p in head if p] + [ln.text for _, ln in block[k + 1 : nxt]]
        text = " ".join(" ".join(parts).split())
        if not text:
            raise ParseError(
                f"prompt {prompt!r}: comment {number} is empty", page=page, reason="comment_count"
            )
        out.append(Comment(prompt=prompt, number=number, text=text))
    return out


def _best_starts(candidates: dict[int, list[tuple[int, float]]], expected: int) -> list[int] | None:
    """Lines for numbers 1..expected, increasing, the first at line 0, maximising evidence."""
    best: dict[int, tuple[float, list[int]]] = {0: (0.0, [])}  # last line -> (score, path)
    for number in range(1, expected + 1):
        nxt: dict[int, tuple[float, list[int]]] = {}
        for k, score in candidates.get(number, []):
            if number == 1 and k != 0:
                continue
            prev = [v for last, v in best.items() if number == 1 or last < k]
            if not prev:
                continue
            top = max(prev, key=lambda v: v[0])
            nxt[k] = (top[0] + score, [*top[1], k])
        if not nxt:
            return None
        best = nxt
    return max(best.values(), key=lambda v: v[0])[1]


def bullet_of(line: Line) -> str | None:
    """The bullet character a line starts with, if any."""
    first = line.segments[0].text
    return next((b for b in BULLETS if first == b or first.startswith(b + " ")), None)


def is_bullet(line: Line, like: tuple[str, float] | None = None) -> bool:
    """A bullet line; with `like` (the report's bullet and its x), only that bullet there."""
    bullet = bullet_of(line)
    if bullet is None or like is None:
        return bullet is not None
    return bullet == like[0] and abs(line.segments[0].x - like[1]) <= SLACK


def _bullet_text(line: Line) -> str:
    first = line.segments[0].text
    head = first[1:].strip()
    return " ".join(p for p in (head, *(s.text for s in line.segments[1:])) if p)


def is_blue_prompt(lines: Sequence[PageLine], i: int) -> bool:
    """A prompt starts at line i: its text is a known prompt's, or bold text before a bullet."""
    line = lines[i][1]
    if is_bullet(line):
        return False
    if prompt_prefix(line.text):
        return True
    j = i
    while j < len(lines) and not is_bullet(lines[j][1]) and j - i < 4:
        if not all(s.bold for s in lines[j][1].segments):
            return False
        j += 1
    return j > i and j < len(lines) and is_bullet(lines[j][1])


def read_blue_comments(lines: Sequence[PageLine], start: int) -> tuple[list[Comment], int]:
    """Prompts and bullet entries from `start` to the end; also where reading stopped."""
    comments: list[Comment] = []
    n = len(lines)
    i = start
    prompt: str | None = None
    parts: list[str] | None = None
    numbers: dict[str, int] = {}

    def flush() -> None:
        if prompt is None or parts is None:
            return
        text = " ".join(" ".join(parts).split())
        if text and text != NO_RESPONSE:
            numbers[prompt] = numbers.get(prompt, 0) + 1
            comments.append(Comment(prompt=prompt, number=numbers[prompt], text=text))

    like: tuple[str, float] | None = None  # the report's bullet: a comment's own list differs
    while i < n:
        line = lines[i][1]
        if is_bullet(line, like):
            flush()
            if like is None:
                like = (bullet_of(line) or "", line.segments[0].x)
            parts = [_bullet_text(line)]
        elif is_blue_prompt(lines, i):
            flush()
            words = [line.text]
            i += 1
            while i < n and not is_bullet(lines[i][1]) and _continues_prompt(words, lines[i][1]):
                words.append(lines[i][1].text)
                i += 1
            prompt, parts = clean(" ".join(words)), None
            continue
        elif parts is not None:
            parts.append(line.text)
        else:
            break
        i += 1
    flush()
    return comments, i


def _continues_prompt(words: list[str], line: Line) -> bool:
    """The next line still belongs to the prompt being read."""
    so_far = clean(" ".join(words)).lower()
    if any(p.startswith(so_far) and p != so_far for p in _PROMPT_KEYS):
        return True
    return all(s.bold for s in line.segments) and not any(p == so_far for p in _PROMPT_KEYS)
