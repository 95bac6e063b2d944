"""The answer guard: an LLM's answer may hold no number, quote, name-value pair or link the
evidence does not.

The rules, each a way past an earlier guard:
- a quotation (“…”, "…", ‘…’, '…', «…») must be one stretch of a retrieved comment's words,
  whole words only, with only whitespace, quote and dash style, emphasis and punctuation
  normalised; an elision or an edit inside it (..., …, [...], […], [edited]) is refused unless the
  comment has it at the same place; one at either end only marks a partial quote and is dropped.
  A short span (under QUOTE_MIN_WORDS words, a term or scare quote) may also be a theme, a fact's
  label, the question or what was searched. A citation's course title, prompt or survey title may
  be quoted as a name;
- numbers in digits, in words ("four point seven", "thirty-one") and percentages ("30%",
  "thirty percent") must come from the facts, themes, question or citations; a fraction in words
  ("a third", "half of", "one in five") must be a share the evidence implies, to the whole percent;
- a number taken from a fact must belong to the name it is written by (rag.answer.fact_names);
- markdown links and images, reference links, raw HTML, bare URLs and e-mail addresses are refused,
  since a link or an image the UI renders can carry data out.
Quotes, numbers and names are read from the text as rendered (`_rendered`): no HTML entity,
fullwidth digit, invisible character, markdown escape or emphasis mark hides one from the checks.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from rag.answer.answers import Evidence, Fact
from rag.answer.extractive import QUOTE_MIN_WORDS, cite_all
from rag.answer.fact_names import NameReader, Names
from rag.answer.number_words import as_digits, shares, without_shares

_NUMBER = re.compile(
    r"(?<![\d.])(?:(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?|(\.\d+))(?!\d)"
    r"(\s?%| percent\b| per cent\b)?",
    re.IGNORECASE,
)


_LIST_MARKER = re.compile(r"^(\s*)\d+[.)](?=\s)", re.MULTILINE)


_LINE = r"(?:[^{close}\n]|\n(?![ \t]*\n))"  # a quote may wrap a line, never a paragraph
_QUOTED = re.compile(
    r"“(" + _LINE.format(close="“”") + r"+)”"
    r"|„(" + _LINE.format(close="“”„") + r"+)[“”]"
    r"|\"(" + _LINE.format(close='"') + r"+)\""
    r"|«(" + _LINE.format(close="«»") + r"+)»"
    r"|「([^「」]+)」|『([^『』]+)』"
    r"|[‘‚]((?:[^‘’‚\n]|’(?=\w))+)’(?!\w)"  # an apostrophe inside (didn’t) does not close it
    r"|(?<![\w'])'(?=\S)((?:[^'\n]|(?<=\w)'(?=\w))+)(?<=\S)'(?!\w)"
)


_BLOCKQUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?(.*\S.*)$", re.MULTILINE)
"""A markdown blockquote line: shown as a quotation, so checked as one."""


_CITATION_TAIL = re.compile(r"\s*\[[^\[\]\n]*\][.,;]?\s*$")


_FOLD = str.maketrans(
    {"’": "'", "‘": "'", "‚": "'", "“": "'", "”": "'", "„": "'", '"': "'", "«": "'", "»": "'"}
    | {"`": "'", "「": "'", "」": "'", "『": "'", "』": "'"}
    | {"–": "-", "—": "-", "‹": "<", "›": ">", "…": "..."}
)


_TOKENS = re.compile(r"\.\.\.|[\[\]]|~~|\w+(?:'\w+)*")
"""Words, and the marks an editor uses (elisions, brackets, strikethrough), which are never
normalised away."""


_EDITS = {"...", "[", "]", "~~"}


_LINKS = (
    ("image", re.compile(r"!\[[^\]\n]*\][(\[]")),
    ("link", re.compile(r"\[[^\]\n]*\]\(")),
    ("link", re.compile(r"^\s{0,3}\[[^\]\n]+\]:", re.MULTILINE)),  # a reference definition
    ("link", re.compile(r"(?<!\\)<(?:[a-z][a-z0-9+.-]*:|[^<>\s@]+@)[^<>\s]*>", re.IGNORECASE)),
    ("HTML", re.compile(r"(?<!\\)<(?:/?[a-z][a-z0-9-]*(?:[\s/>]|$)|!--|!\[CDATA)", re.IGNORECASE)),
    ("URL", re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+|\bdata:[\w/+.-]+[;,]", re.I)),
    ("URL", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),  # an e-mail address autolinks
)


class _Support:
    """The numbers some evidence may supply: exact values, measurements that may be rounded
    to the decimals shown, and the percentages it implies."""

    def __init__(self) -> None:
        self.exact: set[Decimal] = set()
        self.measured: list[Decimal] = []  # may be rounded to the decimals shown (>= 1)
        self.shares: list[Decimal] = []  # percentages the evidence implies

    def add_texts(self, *texts: str) -> None:
        for text in texts:
            self.exact |= {number for number, _, _ in _numbers(text)}

    def add_fact(self, fact: Fact) -> None:
        self.add_texts(fact.label, fact.source)
        if fact.n is not None:
            self.exact.add(Decimal(fact.n))
        if isinstance(fact.value, str):
            self.add_texts(fact.value)
        value = _decimal(fact.value)
        if value is not None:
            self.exact.add(value)
            self.measured.append(value)
            if 0 <= value <= 1:
                self.shares.append(value * 100)

    def allows(self, number: Decimal, decimals: int, percent: bool) -> bool:
        if number in self.exact:
            return True
        # One decimal is how people say a 1-5 mean ("4.7"); it carries less than the fact, never
        # more, so it cannot smuggle in a number. Integers are never roundings of a measurement.
        if decimals >= 1 and any(_round(v, decimals) == number for v in self.measured):
            return True
        # A percentage of a theme's count over its total is arithmetic on two supported numbers.
        return percent and any(_round(s, decimals) == number for s in self.shares)

    def allows_share(self, percent: Decimal) -> bool:
        """A fraction in words names a share to the whole percent ("a third": 33%)."""
        return any(_round(s, 0) == _round(percent, 0) for s in self.shares)


def _supports(question: str, evidence: Evidence) -> tuple[_Support, list[_Support]]:
    """Support from what is not a fact (question, themes, citations), and from each fact."""
    other = _Support()
    other.add_texts(question, evidence.searched)
    for theme in evidence.themes:
        other.exact |= {Decimal(theme.count), Decimal(theme.of)}
        if theme.of:
            other.shares.append(Decimal(theme.count) * 100 / Decimal(theme.of))
        if theme.sentiment is not None:
            other.measured.append(abs(Decimal(str(theme.sentiment))))
    other.add_texts(*cite_all(evidence.quotes))
    per_fact = []
    for fact in evidence.facts:
        support = _Support()
        support.add_fact(fact)
        per_fact.append(support)
    return other, per_fact


def check_answer(text: str, evidence: Evidence, *, question: str = "") -> list[str]:
    """Every way an LLM answer goes beyond the evidence; an empty list means it may be shown."""
    if not text.strip():
        return ["the answer is empty"]
    violations = _links(text)
    kept, quote_violations = _check_quotes(_rendered(text), evidence, question)
    violations += quote_violations
    unquoted = _LIST_MARKER.sub(r"\1", kept)
    other, per_fact = _supports(question, evidence)
    every = [other, *per_fact]
    for share in shares(unquoted):
        if not any(s.allows_share(share.percent) for s in every):
            words = unquoted[share.start : share.end].strip()
            violations.append(f"number not in the facts: {words} ({share.percent:.0f}%)")
    digits = as_digits(without_shares(unquoted))
    reader = NameReader(digits, Names.of(evidence.facts, evidence.quotes))
    for number, decimals, percent, start, end in _positioned(digits):
        shown = f"{number:f}" + ("%" if percent else "")
        if not any(s.allows(number, decimals, percent) for s in every):
            violations.append(f"number not in the facts: {shown}")
            continue
        if other.allows(number, decimals, percent):
            continue  # not a fact's number: the question's, a theme's, a citation's
        nearest = reader.nearest(start, end)
        owned = [i for name in nearest for i in reader.names.facts_of(name)]
        if nearest and not any(per_fact[i].allows(number, decimals, percent) for i in owned):
            violations.append(
                f"number next to the wrong name: {shown} is not {' or '.join(nearest)}'s"
                " in the facts"
            )
    return list(dict.fromkeys(violations))  # each violation once


def _links(text: str) -> list[str]:
    """Links, images, HTML and URLs: each a way for the rendered answer to fetch or send data."""
    found = []
    for kind, pattern in _LINKS:
        for match in pattern.finditer(text):
            found.append(f"{kind} in the answer: {match.group().strip()[:60]}")
    return list(dict.fromkeys(found))


def _check_quotes(text: str, evidence: Evidence, question: str) -> tuple[str, list[str]]:
    """The text with its verified quotations cut out (for the number check), and the quotations
    that are not verbatim."""
    comments = [_words(q.text) for q in evidence.quotes]
    names = [
        _words(name)
        for q in evidence.quotes
        for name in (q.citation.course_title, q.citation.prompt, q.citation.survey or "")
        if name
    ]
    terms = [_words(t) for t in (question, evidence.searched)]
    terms += [_words(t.name) for t in evidence.themes]
    terms += [_words(f.label) for f in evidence.facts]
    violations: list[str] = []
    cut: list[tuple[int, int]] = []
    for match in _QUOTED.finditer(text):
        span = next(group for group in match.groups() if group is not None)
        words = _trimmed(_words(span))
        sources = comments + names + (terms if _count_words(words) < QUOTE_MIN_WORDS else [])
        if not words or _within(words, sources):
            cut.append(match.span())
        elif _EDITS & set(words):
            violations.append(f"quote with an elision or edit inside: “{span.strip()}”")
        else:
            violations.append(f"quote not in the retrieved comments: “{span.strip()}”")
    for match in _BLOCKQUOTE.finditer(text):
        line = _CITATION_TAIL.sub("", match.group(1))
        if _QUOTED.search(line):
            continue  # its quotation marks are checked above
        words = _trimmed(_words(line))
        if not words or _within(words, comments + names):
            cut.append(match.span(1))
        else:
            violations.append(f"blockquote not in the retrieved comments: “{line.strip()}”")
    kept, last = [], 0
    for start, end in sorted(cut):
        kept.append(text[last:start])
        last = max(last, end)
    kept.append(text[last:])
    return " ".join(kept), violations


def _trimmed(words: list[str]) -> list[str]:
    """An elision at either end only marks a partial quote, which a quote may be anyway."""
    while words and words[0] == "...":
        words = words[1:]
    while words and words[-1] == "...":
        words = words[:-1]
    return words


def _rendered(text: str) -> str:
    """The text as a reader sees it, so that no spelling hides a quote, number or name from the
    checks: HTML entities decoded, compatibility forms (fullwidth digits, ligatures) folded,
    invisible format characters dropped, markdown escapes and emphasis marks removed."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
    return re.sub(r"[*_`]", "", text)


def _words(text: str) -> list[str]:
    """Text as compared for quotation: words and editorial marks, everything else normalised."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    text = re.sub(r"\\(?=[\\`*_\[\]<>])", "", text)  # markdown escapes
    text = re.sub(r"[*_]", " ", text)  # emphasis: the same words, however marked up
    text = re.sub(r"\.\s+\.\s+\.", "...", text)
    return _TOKENS.findall(text.casefold())


def _count_words(words: list[str]) -> int:
    return sum(1 for w in words if w not in _EDITS)


def _within(words: list[str], sources: Iterable[list[str]]) -> bool:
    """True when the words are one unbroken stretch of one source's words."""
    needle = f" {' '.join(words)} "
    return any(needle in f" {' '.join(source)} " for source in sources)


def _numbers(text: str) -> Iterator[tuple[Decimal, int, bool]]:
    """(value, decimals shown, is a percentage) for every number written in digits."""
    for number, decimals, percent, _, _ in _positioned(text):
        yield number, decimals, percent


def _positioned(text: str) -> Iterator[tuple[Decimal, int, bool, int, int]]:
    for match in _NUMBER.finditer(text):
        whole, fraction, bare, percent = match.groups()
        fraction = fraction or bare
        number = Decimal((whole or "0").replace(",", "") + (fraction or ""))
        decimals = len(fraction) - 1 if fraction else 0
        yield number, decimals, percent is not None, match.start(), match.end()


def _decimal(value: float | int | str) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        return None
    return abs(number) if number.is_finite() else None  # NaN: a mean over no responses


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
