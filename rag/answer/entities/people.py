"""Instructors in a question: surnames (misspelt by a letter), given names only one person has,
titles ("Prof.", "Dr.")."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from itertools import pairwise

from core.db import Conn
from rag.answer.entities.model import Catalog, Entities, InstructorRef
from rag.answer.entities.text import (
    COMMON_WORDS,
    ENGLISH_WORDS,
    TITLES,
    WORD,
    QuestionText,
    fold,
    is_english,
)

FUZZY_NAME_RATIO = 0.8
"""difflib ratio for a misspelt surname (one wrong letter in a 5+ letter name passes)."""


def _name_pattern(name: str) -> re.Pattern[str]:
    """A name as people type it: apostrophes optional, a hyphen a space or nothing
    ("obrien smith" is O'Brien-Smith)."""
    parts = [
        re.escape(p).replace("'", "'?").replace(r"\-", r"[\s\-]?")
        for p in re.split(r"[\s.]+", fold(name))
        if p
    ]
    return re.compile(r"(?<![\w'])" + r"[\s.]+".join(parts) + r"(?!\w|'(?!s\b)\w)", re.I)


HONORIFICS = frozenset({"prof", "professor", "dr", "mr", "mrs", "ms"})
"""Titles that stand before a person's name (unlike "instructor" or "teacher")."""


def read_instructors(
    text: QuestionText,
    catalog: Catalog,
    ent: Entities,
    *,
    vocabulary: frozenset[str] | None = None,
) -> None:
    """The people the question names. With `vocabulary` (the words a question may use), a word
    after a title that is neither a known person nor such a word is a name the reports do not
    hold ("Prof. Zhang"): it goes to `ent.unknown_instructors`, not to the metric."""
    found: dict[int, InstructorRef] = {}
    by_last: dict[str, list[InstructorRef]] = {}
    for person in catalog.instructors:
        by_last.setdefault(fold(person.last).lower(), []).append(person)
    # Exact surnames (multi-word ones first, so "van der Berg" wins over a bare "Berg").
    for last in sorted(by_last, key=lambda s: -len(s)):
        for m in text.finditer(_name_pattern(last)):
            before = text.masked[: m.start()].split()
            titled = bool(before) and before[-1].rstrip(".").lower() in TITLES
            word = m.group(0)
            capital = word[:1].isupper()
            if not (titled or capital or " " in last) and last in COMMON_WORDS:
                continue
            if not (titled or capital) and len(last) < 4 and last in ENGLISH_WORDS:
                continue
            people = by_last[last]
            chosen = _by_first_name(people, text.masked) if len(people) > 1 else people
            found.update((p.id, p) for p in chosen)
            text.consume(m.start(), m.end())
            _consume_first_names(text, chosen, m.start())
            tokens = list(WORD.finditer(text.masked[: m.start()]))
            _consume_given_name(text, tokens, len(tokens))
    # Misspelt surnames: only after a title, or capitalised mid-sentence, never common words.
    singles = {last: people for last, people in by_last.items() if " " not in last}
    tokens = list(WORD.finditer(text.masked))
    for index, tok in enumerate(tokens):
        word = tok.group(0)
        prev = [t.group(0).rstrip(".").lower() for t in tokens[max(0, index - 2) : index]]
        gap = text.masked[tokens[index - 1].end() : tok.start()] if index else ""
        titled = any(p in TITLES for p in prev)
        mid_capital = word[:1].isupper() and index > 0 and not gap.strip().endswith((".", "?"))
        if not (titled or mid_capital) or word.lower() in COMMON_WORDS or len(word) < 4:
            continue
        best = max(
            singles,
            key=lambda last: difflib.SequenceMatcher(None, word.lower(), last).ratio(),
            default=None,
        )
        if best is None:
            continue
        ratio = difflib.SequenceMatcher(None, word.lower(), best).ratio()
        if ratio >= (FUZZY_NAME_RATIO if titled else 0.85):
            found.update((p.id, p) for p in singles[best])
            text.consume(tok.start(), tok.end())
            _consume_given_name(text, tokens, index)
    # "Hannah's overall rating", "okafor or priya": a given name that only one person has
    by_first: dict[str, list[InstructorRef]] = {}
    for person in catalog.instructors:
        by_first.setdefault(fold(person.first).lower(), []).append(person)
    for first, people in by_first.items():
        if len({p.last for p in people}) != 1 or len(first) < 4 or first in ENGLISH_WORDS:
            continue
        if any(p.id in found for p in people):
            continue
        for m in text.finditer(_name_pattern(first)):
            possessive = re.match(r"['’]s\b", text.masked[m.end() :]) is not None
            if not m.group(0)[:1].isupper() and is_english(first) and not possessive:
                continue  # "hannah", "carmen's" as typed; never "mary", "grace" or "will"
            found.update((p.id, p) for p in people)
            text.consume(m.start(), m.end())
    ent.instructors = sorted(found.values(), key=lambda p: p.id)
    if vocabulary is not None:
        _unknown_names(text, ent, vocabulary)
    for m in text.finditer(re.compile(r"\b(?:prof(?:essor)?|dr|mrs?|ms)\b\.?", re.I)):
        text.consume(m.start(), m.end())


_VERB_ENDING = re.compile(r"(?:ly|ing|ed|es)$")


_NAME_SLOT = re.compile(
    r"^\W*(?:so\s+|and\s+|ok\s+|hey\s+)?(?:is|was|how\s+is|how\s+was|how['’]?s|what\s+about|"
    r"thoughts\s+on|opinions?\s+(?:on|of)|should\s+i\s+take|anyone\s+had)\s+"
    r"(?P<a>[A-Za-z][a-z'’\-]+)(?=\s+(?:good|bad|any\s+good|ok|okay|a\s+good|an?\s+\w+\s+"
    r"(?:teacher|prof|professor|instructor|lecturer)|worth|legit|nice|fair|hard|easy|strict|"
    r"like|as\s+a)\b|\s*[?!.]*\s*$)"
    r"|\b(?:with|by|take|taking|from)\s+(?P<b>[A-Za-z][a-z'’\-]+)\s*(?:[?!.]|$)",
    re.I,
)
"""Where a bare word stands for a person: "is Zhang good?", "how's okafor", "taking it with
zhang?" (a word there that no dictionary holds is a name, found or not)."""


def _unknown_names(text: QuestionText, ent: Entities, vocabulary: frozenset[str]) -> None:
    """ "Is Professor Zhang a good teacher?" where no Zhang taught: the name, as written."""
    tokens = list(WORD.finditer(text.masked))
    for title, word in pairwise(tokens):
        if title.group(0).rstrip(".").lower() not in HONORIFICS:
            continue
        if text.masked[title.end() : word.start()].strip(" ."):
            continue
        name = re.sub(r"'s?$", "", word.group(0))
        low = name.lower()
        if len(low) < 2 or low in vocabulary or low in ENGLISH_WORDS or low in TITLES:
            continue
        if not name[:1].isupper() and (_VERB_ENDING.search(low) or is_english(low)):
            continue  # "prof explains", "prof really", "which prof tops the charts"
        ent.unknown_instructors.append(name[:1].upper() + name[1:])
        text.consume(word.start(), word.end())
    if ent.instructors or ent.unknown_instructors:
        return
    slot = _NAME_SLOT.search(text.original)  # as written: "is CS5800 busywork?" has no slot
    if slot is None:
        return
    group = "a" if slot.group("a") else "b"
    if text.masked[slot.start(group) : slot.end(group)] != slot.group(group):
        return  # read as something else already
    name = re.sub(r"['’]s?$", "", slot.group(group))
    low = fold(name).lower()
    if len(low) < 3 or low in vocabulary or low in ENGLISH_WORDS or low in TITLES:
        return
    ent.unknown_instructors.append(name[:1].upper() + name[1:])
    text.consume(slot.start(group), slot.end(group))


def _consume_given_name(text: QuestionText, tokens: list[re.Match[str]], index: int) -> None:
    """ "Dr. Olivia Silva": a capitalised word between a title and the surname is a given name."""
    if index >= 2:
        given, title = tokens[index - 1], tokens[index - 2]
        if given.group(0)[:1].isupper() and title.group(0).rstrip(".").lower() in TITLES:
            text.consume(given.start(), given.end())


def _by_first_name(people: list[InstructorRef], masked: str) -> list[InstructorRef]:
    """Several people share the surname: keep those whose first name is also written."""
    low = masked.lower()
    named = [p for p in people if fold(p.first).split()[0].lower() in low.split()]
    return named or people


def _consume_first_names(text: QuestionText, people: Sequence[InstructorRef], before: int) -> None:
    for person in people:
        for m in text.finditer(_name_pattern(person.first)):
            if m.end() <= before:
                text.consume(m.start(), m.end())


def answered_people(conn: Conn, ids: Sequence[int]) -> list[InstructorRef]:
    """The instructors an answer singled out, with every id their name has (one person may be
    stored once per subject, as a name in a question reads them)."""
    rows = conn.execute(
        "SELECT i.id, i.last_name, i.first_name FROM instructors i WHERE EXISTS (SELECT 1 FROM"
        " instructors a WHERE a.id = ANY(%s) AND a.last_name = i.last_name"
        " AND a.first_name = i.first_name) ORDER BY i.id",
        (list(ids),),
    ).fetchall()
    return [InstructorRef(id=r["id"], last=r["last_name"], first=r["first_name"]) for r in rows]
