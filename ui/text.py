"""Text for display: matched query words highlighted in Streamlit markdown, markdown escaped.

Pure functions, so highlighting is tested without a browser or an app.
"""

from __future__ import annotations

import re

_STOP = (
    "a an and are as at be but by do does for from has have how i in is it its of on or so "
    "that the their there they this to was were what when where which who why with you "
    "about did not"
)
STOPWORDS = frozenset(_STOP.split(" "))
_WORD = re.compile(r"\w+", re.UNICODE)
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")
_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "ly", "s")


def stem(word: str) -> str:
    """A crude English stem, enough to match "grading" with "graded" and "exams" with "exam"."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def query_terms(query: str) -> set[str]:
    """The stems of the query's content words (no stopwords, at least three letters)."""
    words = (w.lower() for w in _WORD.findall(query))
    return {stem(w) for w in words if len(w) >= 3 and w not in STOPWORDS}


def escape_markdown(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def highlight(text: str, query: str, *, color: str = "orange") -> str:
    """Markdown of `text` with each word matching a query word as `:orange-background[word]`."""
    terms = query_terms(query)
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        out.append(escape_markdown(text[last : match.start()]))
        word = match.group(0)
        if terms and stem(word) in terms:
            out.append(f":{color}-background[{word}]")
        else:
            out.append(escape_markdown(word))
        last = match.end()
    out.append(escape_markdown(text[last:]))
    return "".join(out)


def shorten(text: str, limit: int = 70) -> str:
    """One line of at most `limit` characters, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
