"""The gold question set for `tracelens eval ask`, built from a generated corpus's ground truth
(devtools.goldset.reference): questions of every kind with what a correct answer must contain
(evaluation.ask.GoldItem). Qualitative relevance comes from the generator's comment labels."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from devtools.goldset.reference import (
    HOURS,
    OVERALL,
    code_words,
    comparison,
    distribution,
    hours_mean,
    load_truth,
    ranking_top,
    report_people,
    scored,
    weighted,
)
from evaluation.ask import GoldItem
from evaluation.labelled import CommentKey

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
            and (person is None or person in report_people(r))
        ]

    courses = sorted({r["course"]["code"] for r in reports})
    course_terms: dict[str, list[str]] = defaultdict(list)
    for r in reports:
        if r["term"]["label"] not in course_terms[r["course"]["code"]]:
            course_terms[r["course"]["code"]].append(r["term"]["label"])
    terms = sorted({r["term"]["label"] for r in reports})
    years = sorted({r["term"]["year"] for r in reports})
    people = sorted({n for r in reports for n in report_people(r)})
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
            q = f"What is the average {words} score for {code_words(code, rng)}?"
            where: tuple[tuple[str, str], ...] = (("course", code),)
        elif pick < 0.7:
            term = rng.choice(course_terms[code])
            scope = by(course=code, term=term)
            q = f"What was the average {words} for {code_words(code, rng)} in {term}?"
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
                    f"How does {code_words(code, rng)} compare to the department average"
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
                question=f"How has the {words} of {code_words(code, rng)} changed over time?",
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
            q = f"How many sections of {code_words(code, rng)} were there in {year}?"
            where = (("course", code), ("year", str(year)))
        else:
            n = len(by(course=code))
            q = f"How many sections of {code_words(code, rng)} were taught?"
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
                    f"What is the distribution of {words} ratings for {code_words(code, rng)}?"
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
                    f"How many hours per week do students spend on {code_words(code, rng)}"
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
                    f"What do students say about {THEME_WORDS[theme]} in {code_words(code, rng)}?"
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
            opener = f"How many sections of {code_words(code, rng)} were taught in {first}?"
            expected: tuple[float, ...] = (len(scope),)
        else:
            words = rng.choice(metric_words)
            pairs = scored(scope, METRICS[words])
            if not pairs:
                continue
            opener = f"What was the average {words} for {code_words(code, rng)} in {first}?"
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
        q = template.format(code=code_words(code, rng), absent=absent)
        if q in asked:
            continue
        asked.add(q)
        add(GoldItem(id=f"unanswerable-{i}", kind="unanswerable", question=q, route="unanswerable"))
    return items
