"""Numbers written in words, read as digits, so the guard checks "four point seven" as "4.7".

Cardinals ("twelve", "thirty-one", "one hundred and five"), decimals ("four point seven one"),
and fractions read as shares ("a third", "two thirds", "half of", "one in five"). A lone "one" is
a determiner ("one student wrote"), not a number; ordinals ("third place") are not read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_UNITS = {
    word: i
    for i, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
    )
}  # fmt: skip
_TENS = {
    word: 10 * i
    for i, word in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2
    )
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_WORD = re.compile(r"[A-Za-z]+")

_DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
    "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10,
}  # fmt: skip
_SMALL = "a|an|one|two|three|four|five|six|seven|eight|nine"
_FRACTION = re.compile(
    rf"\b(?:(?P<num>{_SMALL})[\s-]+(?P<den>{'|'.join(_DENOMINATORS)})\b"
    r"|(?P<half>half)(?=\s+(?:of|the)\b)"
    rf"|(?P<of>{_SMALL}|ten)\s+(?:in|out\s+of)\s+(?P<total>{'|'.join(_UNITS)}|{'|'.join(_TENS)})\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Share:
    """A fraction written in words, as a percentage, and where it is in the text."""

    percent: Decimal
    start: int
    end: int


def shares(text: str) -> list[Share]:
    """Every fraction written in words ("a third", "half of", "one in five")."""
    found = []
    for match in _FRACTION.finditer(text):
        if match["half"]:
            num, den = 1, 2
        elif match["den"]:
            num, den = _small(match["num"]), _DENOMINATORS[match["den"].lower()]
        else:
            num, den = _small(match["of"]), _cardinal([match["total"].lower()])
        if den:
            percent = Decimal(num) * 100 / Decimal(den)
            found.append(Share(percent, match.start(), match.end()))
    return found


def without_shares(text: str) -> str:
    """The text with its fractions in words blanked (same length), so no digit is read twice."""
    for share in shares(text):
        text = text[: share.start] + " " * (share.end - share.start) + text[share.end :]
    return text


def as_digits(text: str) -> str:
    """The text with every cardinal or decimal written in words replaced by its digits."""
    words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    out: list[str] = []
    last = 0
    i = 0
    while i < len(words):
        if words[i][2] not in _UNITS and words[i][2] not in _TENS:
            i += 1
            continue
        j = _extent(text, words, i)
        phrase = [w for _, _, w in words[i : j + 1]]
        if phrase == ["one"]:  # "one student wrote": a determiner, not a count
            i = j + 1
            continue
        out += [text[last : words[i][0]], _digits(phrase)]
        last = words[j][1]
        i = j + 1
    out.append(text[last:])
    return "".join(out)


def _extent(text: str, words: list[tuple[int, int, str]], i: int) -> int:
    """The index of the last word of the number phrase starting at word i."""
    j = i
    point = False
    while j + 1 < len(words):
        gap = text[words[j][1] : words[j + 1][0]]
        if not gap or gap.strip(" -") or "\n" in gap:
            break
        here, nxt = words[j][2], words[j + 1][2]
        if point:
            ok = nxt in _UNITS and _UNITS[nxt] < 10
        elif nxt == "point":
            ok = j + 2 < len(words) and words[j + 2][2] in _UNITS and _UNITS[words[j + 2][2]] < 10
            point = ok
        elif nxt == "and":
            after = words[j + 2][2] if j + 2 < len(words) else ""
            ok = here in _SCALES and (after in _UNITS or after in _TENS)
        else:
            ok = _follows(here, nxt)
        if not ok:
            break
        j += 1
    return j


def _follows(here: str, nxt: str) -> bool:
    """Whether `nxt` continues the number `here` is part of ("twenty one", "two hundred")."""
    if here in _TENS:
        return (nxt in _UNITS and 0 < _UNITS[nxt] < 10) or nxt in _SCALES
    if here in _UNITS:
        return nxt in _SCALES
    if here in _SCALES or here == "and":
        return nxt in _UNITS or nxt in _TENS or (nxt in _SCALES and _SCALES[nxt] > 100)
    return False


def _digits(phrase: list[str]) -> str:
    if "point" in phrase:
        k = phrase.index("point")
        return f"{_cardinal(phrase[:k])}." + "".join(str(_UNITS[w]) for w in phrase[k + 1 :])
    return str(_cardinal(phrase))


def _cardinal(words: list[str]) -> int:
    total, current = 0, 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
    return total + current


def _small(word: str) -> int:
    word = word.lower()
    return 1 if word in ("a", "an") else _UNITS.get(word, 10)
