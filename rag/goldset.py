"""The gold question set for `tracelens eval ask`, built from a generated corpus's ground truth.

Every expected number is computed here in plain Python from the ground-truth JSON the corpus
generator writes next to each report, never from the database, so the evaluation checks the
whole path (parse, store, resolve, plan, SQL) against an independent reference. The rules are
the ones the reports and rag.analytics state: means across sections are weighted by responses
and rounded half-up to two decimals; rankings leave out sections with fewer than 5 responses;
a later report of the same section replaces an earlier one (load order: PDFs, then XLSX files,
each sorted by name). Qualitative relevance comes from the generator's comment labels.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

from evaluation.labelled import CommentKey

OVERALL = "What is your overall rating of this instructor's teaching effectiveness?"
HOURS = "What is the average number of hours per week you devoted to this course outside of class?"
MIN_RESPONSES = 5

# The rating questions every report prints, with the words people use for them.
METRICS: dict[str, str] = {
    "overall rating": OVERALL,
    "clarity": "The instructor clearly communicated ideas and information.",
    "feedback": "The instructor provided sufficient feedback.",
    "enthusiasm": "The instructor displayed enthusiasm for the course.",
    "syllabus": (
        "The syllabus was accurate and helpful in delineating expectations and course outcomes."
    ),
    "intellectual challenge": "This course was intellectually challenging.",
    "fair grading": "The instructor fairly evaluated my performance.",
}

# Theme words as people type them in a question (theme -> phrase).
THEME_WORDS: dict[str, str] = {
    "workload": "the workload",
    "clarity": "how clear the lectures are",
    "feedback": "feedback and grading",
    "exams": "the exams",
    "organisation": "how organized the course is",
    "pace": "the pace",
    "enthusiasm": "the instructor's enthusiasm",
}

Kind = Literal[
    "ranking",
    "average",
    "comparison",
    "trend",
    "count",
    "distribution",
    "hours",
    "qualitative",
    "followup",
    "unanswerable",
]
KINDS: tuple[Kind, ...] = (
    "ranking",
    "average",
    "comparison",
    "trend",
    "count",
    "distribution",
    "hours",
    "qualitative",
    "followup",
    "unanswerable",
)


@dataclass(frozen=True)
class GoldItem:
    """One question with what a correct answer must contain.

    `expected` values must each appear as a fact value; `top` (rankings) must be the value of
    the fact ranked #1. Qualitative items carry the relevant comment keys and the labelled count
    of the asked theme within the scope. `previous` questions are asked first in the same
    conversation (follow-ups); only the last question is scored.
    """

    id: str
    kind: Kind
    question: str
    route: Literal["quantitative", "qualitative", "unanswerable"]
    expected: tuple[float, ...] = ()
    top: float | None = None
    previous: tuple[str, ...] = ()
    theme: str | None = None
    relevant: frozenset[CommentKey] = frozenset()
    theme_count: int | None = None
    scope_comments: int | None = None
    scope: tuple[tuple[str, str], ...] = ()
    """What the question covers (course, term, year, instructor), for debugging and re-checks."""
    metric: str | None = None
    """The report question text the expected values were computed from."""


@dataclass
class Truth:
    """The reports the store keeps (last loaded per section wins) and their labels."""

    reports: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def q2(value: Decimal) -> float:
    """Half-up to the two decimals the reports print (Python's round() is half-even)."""
    return float(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def report_files(corpus: Path) -> list[Path]:
    """The load order the evaluation uses: a later report of the same section replaces one."""
    return sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))


def load_truth(corpus: Path) -> Truth:
    sections: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in report_files(corpus):
        report = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        key = (report["course"]["code"], report["term"]["label"], report["course"]["section"])
        sections[key] = report
    truth = Truth(reports=list(sections.values()))
    for report in truth.reports:
        labels_path = corpus / (Path(report["file"]).stem + ".labels.json")
        if labels_path.exists():
            data = json.loads(labels_path.read_text(encoding="utf-8"))
            truth.labels[report["file"]] = data["comments"]
    return truth


def _names(report: dict[str, Any]) -> list[str]:
    return [f"{p['first']} {p['last']}" for p in report["instructors"]]


def scored(reports: Iterable[dict[str, Any]], text: str) -> list[tuple[dict[str, Any], Any]]:
    """(report, question) pairs for one question with responses and a mean (as the SQL keeps)."""
    return [
        (r, q)
        for r in reports
        for q in r["questions"]
        if q["text"] == text and q["responses"] and q["course_mean"] is not None
    ]


def weighted(pairs: Sequence[tuple[dict[str, Any], Any]], column: str = "course_mean") -> float:
    total = sum(q["responses"] for _, q in pairs)
    s = sum(Decimal(str(q[column])) * q["responses"] for _, q in pairs)
    return q2(s / total)


def ranking_top(
    reports: Iterable[dict[str, Any]], text: str, entity: str, *, ascending: bool
) -> float | None:
    """The #1 value of a ranking: groups of sections with ≥ 5 responses, weighted means."""
    groups: dict[str, list[tuple[dict[str, Any], Any]]] = defaultdict(list)
    for r, q in scored(reports, text):
        if q["responses"] < MIN_RESPONSES:
            continue
        keys = _names(r) if entity == "instructor" else [r["course"]["code"]]
        for key in keys:
            groups[key].append((r, q))
    values = [weighted(g) for g in groups.values()]
    if not values:
        return None
    return min(values) if ascending else max(values)


def hours_mean(reports: Iterable[dict[str, Any]]) -> float | None:
    s, total = Decimal(0), 0
    for r in reports:
        for f in r["frequencies"]:
            if f["text"] != HOURS:
                continue
            for b, count in f["bins"].items():
                parts = b.split("-")
                if len(parts) != 2 or not all(p.isdigit() for p in parts):
                    continue
                s += (Decimal(parts[0]) + Decimal(parts[1])) / 2 * count
                total += count
    return q2(s / total) if total else None


def distribution(reports: Iterable[dict[str, Any]], text: str) -> list[int] | None:
    """Counts per option 5..1 summed over sections that print them (XLSX/Blue)."""
    sums = [0, 0, 0, 0, 0]
    found = False
    for r in reports:
        for q in r["questions"]:
            if q["text"] == text and q["distribution"]:
                found = True
                for i, k in enumerate("54321"):
                    sums[i] += int(q["distribution"][k])
    return sums if found else None


def comparison(reports: Iterable[dict[str, Any]], text: str) -> tuple[float, ...]:
    """Course mean, and the dept and univ means over the sections that print them."""
    pairs = scored(reports, text)
    out = [weighted(pairs)]
    for column in ("dept_mean", "univ_mean"):
        with_col = [(r, q) for r, q in pairs if q[column] is not None]
        if with_col:
            out.append(weighted(with_col, column))
    return tuple(out)


def _code_words(code: str, rng: random.Random) -> str:
    """Course codes as people write them: "CS5800" or "CS 5800"."""
    letters = code.rstrip("0123456789")
    return code if rng.random() < 0.5 else f"{letters} {code[len(letters) :]}"


def build_gold_set(corpus: Path, *, seed: int = 0, per_kind: int = 20) -> list[GoldItem]:
    """About `per_kind` questions of each kind whose answers the ground truth fixes."""
    truth = load_truth(corpus)
    rng = random.Random(seed)
    reports = truth.reports
    items: list[GoldItem] = []

    def by(
        course: str | None = None,
        term: str | None = None,
        year: int | None = None,
        person: str | None = None,
    ) -> list[dict[str, Any]]:
        """The reports within a scope; every given field must hold."""
        return [
            r
            for r in reports
            if (course is None or r["course"]["code"] == course)
            and (term is None or r["term"]["label"] == term)
            and (year is None or r["term"]["year"] == year)
            and (person is None or person in _names(r))
        ]

    courses = sorted({r["course"]["code"] for r in reports})
    course_terms: dict[str, list[str]] = defaultdict(list)
    for r in reports:
        if r["term"]["label"] not in course_terms[r["course"]["code"]]:
            course_terms[r["course"]["code"]].append(r["term"]["label"])
    terms = sorted({r["term"]["label"] for r in reports})
    years = sorted({r["term"]["year"] for r in reports})
    people = sorted({n for r in reports for n in _names(r)})
    metric_words = list(METRICS)

    def add(item: GoldItem) -> None:
        if item.id not in {i.id for i in items}:
            items.append(item)

    # rankings: by term or year, instructors or courses, highest or lowest
    for i in range(per_kind * 3):
        if sum(1 for x in items if x.kind == "ranking") >= per_kind:
            break
        words = rng.choice(metric_words)
        text = METRICS[words]
        entity = rng.choice(("instructor", "course"))
        asc = rng.random() < 0.3
        if rng.random() < 0.5:
            term = rng.choice(terms)
            scope = by(term=term)
            where_words = f"in {term}"
            ranking_scope: tuple[tuple[str, str], ...] = (("term", term),)
        else:
            year = rng.choice(years)
            scope = by(year=year)
            where_words = f"in {year}"
            ranking_scope = (("year", str(year)),)
        top = ranking_top(scope, text, entity, ascending=asc)
        if top is None:
            continue
        who = "Which instructor" if entity == "instructor" else "Which course"
        adjective = "lowest" if asc else "highest"
        add(
            GoldItem(
                id=f"ranking-{i}",
                kind="ranking",
                question=f"{who} had the {adjective} {words} score {where_words}?",
                route="quantitative",
                top=top,
                expected=(top,),
                scope=(*ranking_scope, ("entity", entity), ("order", "asc" if asc else "desc")),
                metric=text,
            )
        )

    # averages: a course, a course in a term, or an instructor
    for i in range(per_kind * 3):
        if sum(1 for x in items if x.kind == "average") >= per_kind:
            break
        words = rng.choice(metric_words)
        text = METRICS[words]
        pick = rng.random()
        code = rng.choice(courses)
        if pick < 0.4:
            scope = by(course=code)
            q = f"What is the average {words} score for {_code_words(code, rng)}?"
            where: tuple[tuple[str, str], ...] = (("course", code),)
        elif pick < 0.7:
            term = rng.choice(course_terms[code])
            scope = by(course=code, term=term)
            q = f"What was the average {words} for {_code_words(code, rng)} in {term}?"
            where = (("course", code), ("term", term))
        else:
            person = rng.choice(people)
            scope = by(person=person)
            q = f"What is the average {words} score of Professor {person}?"
            where = (("instructor", person),)
        pairs = scored(scope, text)
        if not pairs:
            continue
        add(
            GoldItem(
                id=f"average-{i}",
                kind="average",
                question=q,
                route="quantitative",
                expected=(weighted(pairs),),
                scope=where,
                metric=text,
            )
        )

    # comparisons with the department and university
    for i in range(per_kind * 3):
        if sum(1 for x in items if x.kind == "comparison") >= per_kind:
            break
        words = rng.choice(metric_words)
        code = rng.choice(courses)
        scope = by(course=code)
        if not scored(scope, METRICS[words]):
            continue
        add(
            GoldItem(
                id=f"comparison-{i}",
                kind="comparison",
                question=(
                    f"How does {_code_words(code, rng)} compare to the department average"
                    f" on {words}?"
                ),
                route="quantitative",
                expected=comparison(scope, METRICS[words]),
            )
        )

    # trends across terms
    for i in range(per_kind * 3):
        if sum(1 for x in items if x.kind == "trend") >= per_kind:
            break
        words = rng.choice(metric_words)
        code = rng.choice([c for c in courses if len(course_terms[c]) > 1] or courses)
        scope = by(course=code)
        per_term: dict[str, list[tuple[dict[str, Any], Any]]] = defaultdict(list)
        for r, q in scored(scope, METRICS[words]):
            per_term[r["term"]["label"]].append((r, q))
        if not per_term:
            continue
        add(
            GoldItem(
                id=f"trend-{i}",
                kind="trend",
                question=f"How has the {words} of {_code_words(code, rng)} changed over time?",
                route="quantitative",
                expected=tuple(weighted(p) for p in per_term.values()),
            )
        )

    # counts of sections
    for i in range(per_kind * 3):
        if sum(1 for x in items if x.kind == "count") >= per_kind:
            break
        code = rng.choice(courses)
        if rng.random() < 0.5:
            year = rng.choice(sorted({r["term"]["year"] for r in by(course=code)}))
            n = len(by(course=code, year=year))
            q = f"How many sections of {_code_words(code, rng)} were there in {year}?"
            where = (("course", code), ("year", str(year)))
        else:
            n = len(by(course=code))
            q = f"How many sections of {_code_words(code, rng)} were taught?"
            where = (("course", code),)
        add(
            GoldItem(
                id=f"count-{i}",
                kind="count",
                question=q,
                route="quantitative",
                expected=(n,),
                scope=where,
            )
        )

    # distributions (only sections whose reports print per-option counts)
    for i in range(per_kind * 4):
        if sum(1 for x in items if x.kind == "distribution") >= per_kind // 2:
            break
        words = rng.choice(metric_words)
        code = rng.choice(courses)
        dist = distribution(by(course=code), METRICS[words])
        if dist is None:
            continue
        add(
            GoldItem(
                id=f"distribution-{i}",
                kind="distribution",
                question=(
                    f"What is the distribution of {words} ratings for {_code_words(code, rng)}?"
                ),
                route="quantitative",
                expected=tuple(float(v) for v in dist),
            )
        )

    # hours per week
    hour_courses = sorted(
        {r["course"]["code"] for r in reports if any(f["text"] == HOURS for f in r["frequencies"])}
    )
    for i, code in enumerate(rng.sample(hour_courses, min(len(hour_courses), per_kind // 2))):
        mean = hours_mean(by(course=code))
        if mean is None:
            continue
        add(
            GoldItem(
                id=f"hours-{i}",
                kind="hours",
                question=(
                    f"How many hours per week do students spend on {_code_words(code, rng)}"
                    " outside of class?"
                ),
                route="quantitative",
                expected=(mean,),
                scope=(("course", code),),
                metric=HOURS,
            )
        )

    # qualitative: a theme within one course
    keyed: list[tuple[CommentKey, str, tuple[str, ...]]] = []
    for r in reports:
        for c in truth.labels.get(r["file"], []):
            keyed.append(
                (
                    (r["file"], c["prompt"], int(c["number"])),
                    r["course"]["code"],
                    tuple(c["themes"]),
                )
            )
    for _ in range(per_kind * 3):
        if sum(1 for x in items if x.kind == "qualitative") >= per_kind:
            break
        theme = rng.choice(list(THEME_WORDS))
        code = rng.choice(courses)
        in_scope = [k for k in keyed if k[1] == code]
        relevant = frozenset(k for k, _, ts in in_scope if theme in ts)
        if len(relevant) < 2:
            continue
        add(
            GoldItem(
                id=f"qualitative-{code}-{theme}",
                kind="qualitative",
                question=(
                    f"What do students say about {THEME_WORDS[theme]} in {_code_words(code, rng)}?"
                ),
                route="qualitative",
                theme=theme,
                relevant=relevant,
                theme_count=len(relevant),
                scope_comments=len(in_scope),
                scope=(("course", code),),
            )
        )

    # follow-ups: a first question, then "and in <term>?"
    multi = [c for c in courses if len(course_terms[c]) > 1]
    for i in range(per_kind * 3):
        if sum(1 for x in items if x.kind == "followup") >= per_kind:
            break
        if not multi:
            break
        code = rng.choice(multi)
        first, second = rng.sample(course_terms[code], 2)
        scope = by(course=code, term=second)
        if rng.random() < 0.5:
            opener = f"How many sections of {_code_words(code, rng)} were taught in {first}?"
            expected: tuple[float, ...] = (len(scope),)
        else:
            words = rng.choice(metric_words)
            pairs = scored(scope, METRICS[words])
            if not pairs:
                continue
            opener = f"What was the average {words} for {_code_words(code, rng)} in {first}?"
            expected = (weighted(pairs),)
        add(
            GoldItem(
                id=f"followup-{i}",
                kind="followup",
                question=f"and in {second}?",
                previous=(opener,),
                route="quantitative",
                expected=expected,
            )
        )

    # unanswerable: unknown course, a metric the reports lack, a term with no data
    absent_terms = [f"Fall {y}" for y in (2008, 2009, 2010, 2011)] + ["Spring 2012"]
    fixed = [
        "What was the average overall rating of ZZ 9999?",
        "How many sections of QQQ 1234 were taught in 2023?",
        "What do students say about the workload in XYZ 4321?",
        "Which instructor had the highest rating for parking availability?",
        "What is the average parking score for {code}?",
        "How good is the cafeteria food near {code}?",
        "What is the average salary of instructors teaching {code}?",
        "What was the average overall rating for {code} in {absent}?",
        "How many sections of {code} were taught in {absent}?",
        "What is the average tuition cost for {code}?",
        "What was the dropout rate of {code}?",
        "What is the average GPA in {code}?",
    ]
    asked: set[str] = set()
    for i in range(per_kind * 5):
        if len(asked) >= per_kind:
            break
        template = fixed[i % len(fixed)]
        code = rng.choice(courses)
        absent = rng.choice(absent_terms)
        q = template.format(code=_code_words(code, rng), absent=absent)
        if q in asked:
            continue
        asked.add(q)
        add(GoldItem(id=f"unanswerable-{i}", kind="unanswerable", question=q, route="unanswerable"))
    return items


def coverage(items: Sequence[GoldItem]) -> dict[str, int]:
    """Questions per kind, in the order of KINDS."""
    return {k: sum(1 for i in items if i.kind == k) for k in KINDS}
