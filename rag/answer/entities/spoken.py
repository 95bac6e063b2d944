"""What dictation writes, in the form the readers expect: numbers said as words ("fall twenty
twenty four", "see ess fifty eight hundred", "seventeen to twenty hours", "thirty percent"), a
subject spelt letter by letter ("c s 5800"), a title's closing number said as a word
("fundamentals of computer science one") and a word split in two ("pro fessor").

Only numbers that cannot be a determiner are turned into digits: a year or course number said as
two numbers (2024, 5800, 2322, 1101), a range ("seventeen to twenty") and a title's number. A lone
"one" ("which one") or "two" ("the two sections") stays a word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = (
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_VALUE = {w: i for i, w in enumerate(_UNITS, 1)}
_VALUE |= {w: i for i, w in enumerate(_TEENS, 10)}
_VALUE |= {w: 10 * i for i, w in enumerate(_TENS, 2)}

_UNIT = "|".join(_UNITS)
_TWO = rf"(?:{'|'.join(_TENS)})(?:[\s-]+(?:{_UNIT}))?|{'|'.join(_TEENS)}"
"""A number from 10 to 99 in words: "twenty four", "fifty-eight", "eleven"."""

_SMALL = rf"(?:{_TWO}|{_UNIT})"

_FOUR_DIGITS = re.compile(
    rf"\b(?P<high>{_TWO})[\s-]+(?:(?P<hundred>hundred)|(?:oh|o)[\s-]+(?P<oh>{_UNIT})"
    rf"|(?P<low>{_TWO}))\b"
    rf"|\btwo\s+thousand\s+(?:and\s+)?(?P<year>{_TWO})\b",
    re.I,
)
"""A year or course number said in two halves: "twenty twenty four", "fifty eight hundred",
"eleven oh one", "two thousand and twenty three"."""

_RANGE = re.compile(rf"\b(?P<a>{_SMALL})(?P<to>\s*(?:-|–|to|through)\s*)(?P<b>{_SMALL})\b", re.I)
"""A range said in words: "seventeen to twenty hours" ("one or two" is a few, not a range)."""

_SUBJECT_LETTERS = re.compile(
    r"\b(?P<a>see|sea|dee|ee|pee|em)[\s-]+(?P<b>ess|es|us)(?=[\s-]+\d)", re.I
)
"""A subject spelt out by its letters' names before a number: "see ess 5800", "dee ess 5110"."""

_LETTER = {"see": "C", "sea": "C", "dee": "D", "ee": "E", "pee": "P", "em": "M"}

_SPELT_CODE = re.compile(r"\b(?P<letters>(?:[a-z][.\s]\s*){1,3}[a-z])\.?(?=[\s-]*\d{4}\b)", re.I)
"""A subject dictated letter by letter before a course number: "c s 5800", "e e c e 2322",
"p.s.y.c 1101" (two to four single letters; a lone "a" or "i" is a word)."""

_PERCENT = re.compile(rf"\b(?P<n>{_SMALL})(?=\s*(?:percent|per\s+cent|%))", re.I)
"""A share said in words: "thirty percent"."""


def _number(words: str) -> int:
    return sum(_VALUE[w] for w in re.split(r"[\s-]+", words.lower()) if w)


def _four_digits(m: re.Match[str]) -> str:
    if m["year"]:
        return str(2000 + _number(m["year"]))
    high = _number(m["high"])
    if m["hundred"]:
        return str(high * 100)
    low = _VALUE[m["oh"].lower()] if m["oh"] else _number(m["low"])
    return f"{high}{low:02d}"


def _range(m: re.Match[str]) -> str:
    return f"{_number(m['a'])}{m['to']}{_number(m['b'])}"


def said_as_written(
    text: str, titles: Sequence[str] = (), known: frozenset[str] = frozenset()
) -> str:
    """The text with dictated numbers as digits, a title's closing number as a digit ("computer
    science one" when a title ends "Computer Science 1"), and two halves of a known word joined
    ("pro fessor" when "professor" is known and "fessor" is not)."""
    text = _FOUR_DIGITS.sub(_four_digits, text)
    text = _RANGE.sub(_range, text)
    text = _SUBJECT_LETTERS.sub(lambda m: _LETTER[m["a"].lower()] + "S", text)
    text = _SPELT_CODE.sub(lambda m: re.sub(r"[.\s]", "", m["letters"]).upper(), text)
    text = _PERCENT.sub(lambda m: str(_number(m["n"])), text)
    for title in titles:
        end = re.search(r"(\w+)\s+(\d)$", title)
        if end is None:
            continue
        word, digit = end.groups()
        spoken = _UNITS[int(digit) - 1] if digit != "0" else "zero"
        text = re.sub(rf"\b({re.escape(word)})\s+{spoken}\b", rf"\g<1> {digit}", text, flags=re.I)
    if known:
        text = _joined(text, known)
    return text


def _joined(text: str, known: frozenset[str]) -> str:
    words = list(re.finditer(r"[A-Za-z]+", text))
    out: list[str] = []
    last = 0
    skip = False
    for first, second in zip(words, [*words[1:], None], strict=False):
        if skip:
            skip = False
            continue
        if second is None or text[first.end() : second.start()] != " ":
            continue
        whole = (first.group(0) + second.group(0)).lower()
        if whole in known and second.group(0).lower() not in known and len(second.group(0)) > 2:
            out.append(text[last : first.end()])
            last = second.start()  # the space between goes
            skip = True
    return "".join(out) + text[last:]
