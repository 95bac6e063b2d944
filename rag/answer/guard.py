"""The answer guard: an LLM's answer may hold no number and no quote the evidence does not."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from rag.answer.answers import Evidence
from rag.answer.extractive import QUOTE_MIN_WORDS, cite

_NUMBER = re.compile(
    r"(?<![\d.])(?:(\d{1,3}(?:,\d{3})+(?!\d)|\d+)(\.\d+)?|(\.\d+))(?!\d)(\s?%| percent\b)?"
)


_LIST_MARKER = re.compile(r"^(\s*)\d+[.)](?=\s)", re.MULTILINE)


_QUOTED = re.compile(r"“([^“”]+)”|\"([^\"\n]+)\"|«([^«»]+)»")


_ELISION = re.compile(r"\.\.\.|\[[^\]]*\]")


_FOLD = str.maketrans(
    {"’": "'", "‘": "'", "“": "'", "”": "'", '"': "'", "«": "'", "»": "'"}
    | {"–": "-", "—": "-", "‹": "<", "›": ">", "…": "..."}
)


class _Support:
    """The numbers an answer may contain, derived from the question and the evidence."""

    def __init__(self, question: str, evidence: Evidence):
        self.exact: set[Decimal] = set()
        self.measured: list[Decimal] = []  # may be rounded to the decimals shown (>= 1)
        self.shares: list[Decimal] = []  # percentages the evidence implies
        texts = [question, evidence.searched]
        for fact in evidence.facts:
            texts += [fact.label, fact.source]
            if fact.n is not None:
                self.exact.add(Decimal(fact.n))
            if isinstance(fact.value, str):
                texts.append(fact.value)
            value = _decimal(fact.value)
            if value is not None:
                self.exact.add(value)
                self.measured.append(value)
                if 0 <= value <= 1:
                    self.shares.append(value * 100)
        for theme in evidence.themes:
            self.exact |= {Decimal(theme.count), Decimal(theme.of)}
            if theme.of:
                self.shares.append(Decimal(theme.count) * 100 / Decimal(theme.of))
            if theme.sentiment is not None:
                self.measured.append(abs(Decimal(str(theme.sentiment))))
        texts += [cite(q.citation) for q in evidence.quotes]
        for text in texts:
            self.exact |= {number for number, _, _ in _numbers(text)}

    def allows(self, number: Decimal, decimals: int, percent: bool) -> bool:
        if number in self.exact:
            return True
        # One decimal is how people say a 1-5 mean ("4.7"); it carries less than the fact, never
        # more, so it cannot smuggle in a number. Integers are never roundings of a measurement.
        if decimals >= 1 and any(_round(v, decimals) == number for v in self.measured):
            return True
        # A percentage of a theme's count over its total is arithmetic on two supported numbers.
        return percent and any(_round(s, decimals) == number for s in self.shares)


def check_answer(text: str, evidence: Evidence, *, question: str = "") -> list[str]:
    """Every way an LLM answer goes beyond the evidence; an empty list means it may be shown."""
    if not text.strip():
        return ["the answer is empty"]
    violations: list[str] = []
    comments = [_fold(q.text) for q in evidence.quotes]
    kept: list[str] = []  # the text with verified quotations cut out, for the number check
    last = 0
    for match in _QUOTED.finditer(text):
        span = next(group for group in match.groups() if group is not None)
        if len(span.split()) < QUOTE_MIN_WORDS:
            continue
        if _quoted_in(_fold(span), comments):
            kept.append(text[last : match.start()])
            last = match.end()
        else:
            violations.append(f"quote not in the retrieved comments: “{span.strip()}”")
    kept.append(text[last:])
    support = _Support(question, evidence)
    unquoted = _LIST_MARKER.sub(r"\1", " ".join(kept))
    for number, decimals, percent in _numbers(unquoted):
        if not support.allows(number, decimals, percent):
            shown = f"{number:f}" + ("%" if percent else "")
            violations.append(f"number not in the facts: {shown}")
    return violations


def _numbers(text: str) -> Iterator[tuple[Decimal, int, bool]]:
    """(value, decimals shown, is a percentage) for every number written in the text."""
    for match in _NUMBER.finditer(text):
        whole, fraction, bare, percent = match.groups()
        fraction = fraction or bare
        number = Decimal((whole or "0").replace(",", "") + (fraction or ""))
        yield number, len(fraction) - 1 if fraction else 0, percent is not None


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


def _fold(text: str) -> str:
    """Text compared for quotation: quotes, dashes, escapes, emphasis and whitespace normalised."""
    text = text.translate(_FOLD)
    text = re.sub(r"\\(?=[\\`*_\[\]<>])", "", text)  # markdown escapes
    text = re.sub(r"[*_`]", "", text)  # emphasis: the same words, however marked up
    return " ".join(text.split()).casefold()


def _quoted_in(span: str, comments: Iterable[str]) -> bool:
    """True when the span, split at elisions (... or [edits]), appears in order in one comment."""
    fragments = [f.strip(" .,;:!?'\"-") for f in _ELISION.split(span)]
    fragments = [f for f in fragments if f]
    if not fragments:
        return True
    for comment in comments:
        position = 0
        for fragment in fragments:
            found = comment.find(fragment, position)
            if found < 0:
                break
            position = found + len(fragment)
        else:
            return True
    return False
