"""One section from several reports: the merge rules, as pure functions over parsed reports.

The PDF and the Excel export of a section are two views of one truth, and corrected files get
uploaded again. So a section is the merge of every report that describes it ("newest" is the
latest upload, the higher report id):

- header values (title, CRN, enrollment, responses, declines): from the newest report that
  prints the value; a value one report lacks (null) never erases another's;
- instructors: the newest report's list;
- rating questions: the union by question text, in the newest report's order; each field
  (heading, responses, rate, the six means and medians, std dev, distribution) from the
  newest report that prints it;
- hours-per-week bins: the union by (question, bin), each count from the newest that prints it;
- comments: the union by (prompt, number), each text from the newest report that prints it;
- two reports printing different values for one field: a conflict listing every value with its
  report, newest first; the newest is shown.

Deleting a report re-merges the rest, so only what no other report supports goes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.report import Instructor, ParsedReport

HEADER_FIELDS = ("title", "crn", "enrollment", "responses_incl_declines", "declines")
QUESTION_FIELDS = (
    "section",
    "responses",
    "response_rate",
    "course_mean",
    "dept_mean",
    "univ_mean",
    "course_median",
    "dept_median",
    "univ_median",
    "std_dev",
    "distribution",
)


@dataclass(frozen=True)
class Source:
    """One report's parse of a section, and the report it came from."""

    report_id: int
    report: ParsedReport


@dataclass(frozen=True)
class Conflict:
    """Reports disagreeing on one field of one item; values newest first."""

    item: str
    field: str
    values: tuple[tuple[int, Any], ...]


@dataclass
class Picked:
    """A merged value and the report it came from (None when no report prints it)."""

    value: Any = None
    source: int | None = None


@dataclass
class MergedQuestion:
    text: str
    values: dict[str, Picked]


@dataclass
class MergedSection:
    """What the section tables hold for a section described by `sources` (newest first)."""

    newest: int
    header: dict[str, Picked]
    instructors: list[Instructor]
    questions: list[MergedQuestion]
    frequencies: list[tuple[str, str, Picked]]
    """(question text, bin, count)"""
    comments: list[tuple[str, int, Picked]]
    """(prompt, number, text)"""
    conflicts: list[Conflict] = field(default_factory=list)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and abs(a - b) < 1e-9
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()) == " ".join(b.split())
    return bool(a == b)


def _pick(
    item: str, name: str, values: Iterable[tuple[int, Any]], conflicts: list[Conflict]
) -> Picked:
    """The newest non-null value; a conflict when reports print different ones."""
    present = [(rid, v) for rid, v in values if v is not None]
    if not present:
        return Picked()
    first_id, first = present[0]
    if any(not _same(first, v) for _, v in present[1:]):
        conflicts.append(Conflict(item, name, tuple(present)))
    return Picked(first, first_id)


def _ordered_union(keys_per_source: Iterable[Sequence[Any]]) -> list[Any]:
    """Every key once, in the first (newest) source's order, then new keys as later sources
    list them."""
    seen: dict[Any, None] = {}
    for keys in keys_per_source:
        for key in keys:
            seen.setdefault(key, None)
    return list(seen)


def _header_value(report: ParsedReport, name: str) -> Any:
    if name in ("title", "crn"):
        return getattr(report.course, name)
    return getattr(report, name)


def merge(sources: Sequence[Source]) -> MergedSection:
    """The merged section; `sources` in any order (they are taken newest first)."""
    if not sources:
        raise ValueError("a section needs at least one report")
    ordered = sorted(sources, key=lambda s: s.report_id, reverse=True)
    conflicts: list[Conflict] = []
    header = {
        name: _pick(
            "section",
            name,
            ((s.report_id, _header_value(s.report, name)) for s in ordered),
            conflicts,
        )
        for name in HEADER_FIELDS
    }
    lists = [(s.report_id, s.report.instructors) for s in ordered if s.report.instructors]
    instructors = list(lists[0][1]) if lists else []
    keyed = [(rid, tuple((i.last, i.first) for i in people)) for rid, people in lists]
    if len({k for _, k in keyed}) > 1:
        shown = tuple((rid, "; ".join(f"{last}, {first}" for last, first in k)) for rid, k in keyed)
        conflicts.append(Conflict("section", "instructors", shown))
    return MergedSection(
        newest=ordered[0].report_id,
        header=header,
        instructors=instructors,
        questions=_questions(ordered, conflicts),
        frequencies=_frequencies(ordered, conflicts),
        comments=_comments(ordered, conflicts),
        conflicts=conflicts,
    )


def _questions(ordered: Sequence[Source], conflicts: list[Conflict]) -> list[MergedQuestion]:
    by_source = [{q.text: q for q in s.report.questions} for s in ordered]
    texts = _ordered_union([[q.text for q in s.report.questions] for s in ordered])
    out = []
    for text in texts:
        rows = [(s.report_id, found.get(text)) for s, found in zip(ordered, by_source, strict=True)]
        values = {
            name: _pick(
                f"question: {text}",
                name,
                ((rid, getattr(q, name)) for rid, q in rows if q is not None),
                conflicts,
            )
            for name in QUESTION_FIELDS
        }
        out.append(MergedQuestion(text, values))
    return out


def _frequencies(
    ordered: Sequence[Source], conflicts: list[Conflict]
) -> list[tuple[str, str, Picked]]:
    cells = [
        {(f.text, label): count for f in s.report.frequencies for label, count in f.bins.items()}
        for s in ordered
    ]
    keys = _ordered_union([list(c) for c in cells])
    return [
        (
            prompt,
            label,
            _pick(
                f"frequency: {prompt}",
                label,
                (
                    (s.report_id, c.get((prompt, label)))
                    for s, c in zip(ordered, cells, strict=True)
                ),
                conflicts,
            ),
        )
        for prompt, label in keys
    ]


def _comments(
    ordered: Sequence[Source], conflicts: list[Conflict]
) -> list[tuple[str, int, Picked]]:
    texts = [{(c.prompt, c.number): c.text for c in s.report.comments} for s in ordered]
    keys = _ordered_union([list(t) for t in texts])
    return [
        (
            prompt,
            number,
            _pick(
                f"comment: {prompt} #{number}",
                "text",
                (
                    (s.report_id, t.get((prompt, number)))
                    for s, t in zip(ordered, texts, strict=True)
                ),
                conflicts,
            ),
        )
        for prompt, number in keys
    ]
