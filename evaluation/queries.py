"""The labelled retrieval query set of a labelled corpus: relevance known by construction.

The corpus generator labels every comment with its themes and tone, so a query about a theme
(and, where it says so, a tone) within a scope (everything, one course, one instructor) has
exactly those comments as its relevant set. The MLOps gate measures search with it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.labelled import CommentKey, LabelledComment, load_labelled_comments

NEGATIVE = ("negative", "mixed")


POSITIVE = ("positive", "mixed")


# Queries the way people type them: (text, theme, tones that count as relevant or None for all).
QUERIES: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {
    "workload": [
        ("is the homework load heavy", NEGATIVE),
        ("how much work is this course", None),
        ("too many assignments every week", NEGATIVE),
        ("was the workload manageable", POSITIVE),
    ],
    "clarity": [
        ("are the lectures clear", None),
        ("does the professor explain things well", POSITIVE),
        ("confusing explanations in class", NEGATIVE),
    ],
    "feedback": [
        ("does she answer emails", None),
        ("how quickly is homework graded", None),
        ("useful feedback on assignments", POSITIVE),
        ("no feedback on our work", NEGATIVE),
    ],
    "exams": [
        ("exams unfair", NEGATIVE),
        ("are the tests hard", None),
        ("midterm and final exam", None),
    ],
    "organisation": [
        ("is the course well organized", POSITIVE),
        ("disorganized syllabus and canvas", NEGATIVE),
    ],
    "inclusivity": [
        ("does the instructor make everyone feel welcome", POSITIVE),
        ("respectful and inclusive classroom", None),
        ("students felt excluded or unwelcome", NEGATIVE),
    ],
    "pace": [
        ("is the course too fast", NEGATIVE),
        ("pace of the lectures", None),
    ],
    "enthusiasm": [
        ("is the professor passionate about the subject", POSITIVE),
        ("boring lectures read from slides", NEGATIVE),
    ],
    "online logistics": [
        ("zoom problems in the online class", NEGATIVE),
        ("online office hours and recordings", None),
    ],
}


@dataclass(frozen=True)
class EvalQuery:
    query: str
    theme: str
    tones: tuple[str, ...] | None
    filters: dict[str, str]
    relevant: frozenset[CommentKey]


@dataclass
class EvalSet:
    comments: list[LabelledComment] = field(default_factory=list)
    queries: list[EvalQuery] = field(default_factory=list)


def build_eval_set(corpus_dir: Path, *, seed: int = 0, scoped_per_theme: int = 3) -> EvalSet:
    """Corpus-wide queries for every phrasing, plus course- and instructor-scoped ones."""
    comments = load_labelled_comments(corpus_dir)
    rng = random.Random(seed)
    queries: list[EvalQuery] = []

    def relevant(theme: str, tones: tuple[str, ...] | None, scope: dict[str, str]) -> frozenset:
        return frozenset(
            c.key
            for c in comments
            if theme in c.themes
            and (tones is None or c.tone in tones)
            and ("course" not in scope or c.course == scope["course"])
            and ("instructor" not in scope or scope["instructor"] in c.instructors)
        )

    courses = sorted({c.course for c in comments})
    people = sorted({p for c in comments for p in c.instructors})
    for theme, phrasings in QUERIES.items():
        for text, tones in phrasings:
            rel = relevant(theme, tones, {})
            if rel:
                queries.append(EvalQuery(text, theme, tones, {}, rel))
        for _ in range(scoped_per_theme):
            text, tones = rng.choice(phrasings)
            scope = (
                {"course": rng.choice(courses)}
                if rng.random() < 0.5
                else {"instructor": rng.choice(people)}
            )
            rel = relevant(theme, tones, scope)
            if rel:
                queries.append(EvalQuery(text, theme, tones, scope, rel))
    return EvalSet(comments=comments, queries=queries)
