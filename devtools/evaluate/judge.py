"""How an answer to the independent set is judged, by the type of its `expect`.

  number    some fact's value, rounded half-up to 2 decimals, equals the expected value (the set
            rounds its reference numbers the same way); a fact's N does not count. Stricter, and
            printed too: the answer's first (lead) fact is that value.
  numbers   every expected value is some fact's value (compared as for `number`).
  ranking   the fact labelled #1 names the expected instructor (first and last name) or course
            code, and its value equals the expected value.
  open      not declined, and every number under `must_mention` is some fact's value or N, and
            every name under it (a ranking's `top`) appears in some fact's label.
  decline   the route is "unanswerable".
  qualitative  answered with quoted comments (route "qualitative", or "mixed": ratings and
            comments); citation precision = cited comments the set lists as relevant / cited.
A question of any other type that is answered "unanswerable" is a false decline."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from evaluation.labelled import CommentKey
from rag.answer.answers import Answer

NUMERIC_TYPES = frozenset({"number", "numbers", "ranking"})


@dataclass(frozen=True)
class Question:
    id: str
    intent: str
    turns: tuple[str, ...]
    expect: dict[str, Any]

    @property
    def split(self) -> str:
        return "dev" if int("".join(c for c in self.id if c.isdigit())) % 2 else "test"


@dataclass(frozen=True)
class Outcome:
    question: Question
    answer: Answer
    passed: bool
    precision: float | None = None


def load_questions(directory: Path) -> list[Question]:
    rows = (json.loads(line) for line in (directory / "questions.jsonl").open(encoding="utf-8"))
    return [Question(r["id"], r["intent"], tuple(r["turns"]), r["expect"]) for r in rows]


def q2(value: Any) -> Decimal | None:
    """Half-up to 2 decimals, as the set rounds; None for what is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fact_values(answer: Answer, *, with_n: bool = False) -> set[Decimal]:
    out = {v for f in answer.facts if (v := q2(f.value)) is not None}
    if with_n:
        out |= {v for f in answer.facts if (v := q2(f.n)) is not None}
    return out


def _numbers(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "top":
                yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif not isinstance(value, str):
        yield value


def _names(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "top" and isinstance(item, str):
                yield item
            else:
                yield from _names(item)


def names_entity(label: str, entity: str) -> bool:
    """ "Last, First" (an instructor) or a course code, written in the label."""
    label = _fold(label)
    if "," in entity:
        last, first = (_fold(p.strip()) for p in entity.split(",", 1))
        return last in label and first in label
    return _fold(entity) in label.replace(" ", "")


def judge(question: Question, answer: Answer) -> bool:
    expect = question.expect
    kind = expect["type"]
    if kind == "decline":
        return answer.route == "unanswerable"
    if answer.route == "unanswerable":
        return False
    if kind == "number":
        return q2(expect["value"]) in fact_values(answer)
    if kind == "numbers":
        have = fact_values(answer)
        return all(q2(v) in have for v in _numbers(expect["values"]))
    if kind == "ranking":
        first = [f for f in answer.facts if f.label.startswith("#1 ")]
        return any(
            names_entity(f.label, expect["top"]) and q2(f.value) == q2(expect["value"])
            for f in first
        )
    if kind == "open":
        have = fact_values(answer, with_n=True)
        labels = " ".join(f.label for f in answer.facts)
        return all(q2(v) in have for v in _numbers(expect["must_mention"])) and all(
            names_entity(labels, name) for name in _names(expect["must_mention"])
        )
    if kind == "qualitative":
        return answer.route in ("qualitative", "mixed") and bool(answer.citations)
    raise ValueError(f"unknown expect type {kind!r} in {question.id}")


def _precision(answer: Answer, relevant: set[CommentKey], keys: dict[int, CommentKey]) -> float:
    cited = [keys.get(q.citation.comment_id) for q in answer.citations]
    return sum(1 for k in cited if k in relevant) / len(cited) if cited else 0.0


def _relevant(question: Question) -> set[CommentKey]:
    return {(r["file"], r["prompt"], int(r["number"])) for r in question.expect.get("relevant", [])}


def outcomes(results: list[tuple[Question, Answer]], keys: dict[int, CommentKey]) -> list[Outcome]:
    out = []
    for question, answer in results:
        passed = judge(question, answer)
        precision = None
        if question.expect["type"] == "qualitative" and answer.route in ("qualitative", "mixed"):
            precision = _precision(answer, _relevant(question), keys)
        out.append(Outcome(question, answer, passed, precision))
    return out
