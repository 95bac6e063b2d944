"""Seeded invention of one surveyed section: header facts, rating rows, hours block, comments.

The numbers are kept consistent the way the format page describes them: question responses
never exceed the respondents, means and medians come from a drawn answer distribution (N/A
excluded), Blue distributions sum to the question's responses with N/A included, and rates are
integer percentages of the enrollment.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tests.independent import phrases as P

CanDraw = Callable[[str], bool]

COLLEGENET_TERMS = [
    (season, year)
    for year in range(2015, 2026)
    for season in ("Spring", "Summer 1", "Full Summer", "Summer 2", "Fall", "Winter")
    if year < 2025 or season == "Spring"
]
BLUE_TERMS = (
    [("Summer 1", 2025), ("Full Summer", 2025), ("Summer 2", 2025), ("Fall", 2025)]
    + [("Winter", 2025)]
    + [(s, 2026) for s in ("Spring", "Summer 1", "Full Summer", "Summer 2", "Fall")]
)


@dataclass
class QuestionRow:
    """One rating question with its numbers as printed (strings) and its answer counts."""

    section: str
    text: str
    effectiveness: bool
    responses: int
    rate_pct: int | None
    course_mean: str
    dept_mean: str
    univ_mean: str
    course_median: str
    dept_median: str
    univ_median: str
    distribution: dict[str, int]


@dataclass
class CommentBlock:
    """A prompt and its answers; None stands for a blank answer (Blue's `[No Response]`)."""

    prompt: str
    printed_prompt: str
    entries: list[str | None]

    @property
    def comments(self) -> list[str]:
        return [e for e in self.entries if e is not None]


@dataclass
class Report:
    layout: str
    subject: str
    number: str
    section: str
    title: str
    crn: str
    season: str
    year: int
    instructors: list[tuple[str, str]]
    enrollment: int
    responded: int
    declines: int | None
    online: bool
    questions: list[QuestionRow]
    hours: dict[str, int] | None
    comments: list[CommentBlock] | None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return f"{self.subject}{self.number}"

    @property
    def term(self) -> str:
        return f"{self.season} {self.year}"

    @property
    def instructor_line(self) -> str:
        return "; ".join(f"{last}, {first}" for last, first in self.instructors)


def half_up(value: Decimal | float, places: str = "1") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def two(value: float) -> str:
    return f"{half_up(value, '0.01'):.2f}"


def _draw_scores(rng: random.Random, n: int, centre: float) -> dict[str, int]:
    weights = [math.exp(-((k - centre) ** 2) / (2 * 0.85**2)) for k in (5, 4, 3, 2, 1)]
    picks = rng.choices(("5", "4", "3", "2", "1"), weights=weights, k=n)
    return {k: picks.count(k) for k in ("5", "4", "3", "2", "1")}


def _question(
    rng: random.Random, section: str, text: str, respondents: int, enrollment: int, centre: float
) -> QuestionRow:
    skip = 0 if rng.random() < 0.7 else rng.randint(1, max(1, respondents // 5))
    responses = max(1, respondents - skip)
    na = 0
    if responses > 1 and rng.random() < 0.3:
        na = rng.randint(1, max(1, responses // 6))
    dist = _draw_scores(rng, responses - na, centre + rng.uniform(-0.4, 0.4))
    dist["na"] = na
    values = [int(k) for k in ("5", "4", "3", "2", "1") for _ in range(dist[k])]
    mean = Decimal(sum(values)) / Decimal(len(values))
    dept = rng.uniform(3.7, 4.6)
    univ = rng.uniform(4.0, 4.5)
    return QuestionRow(
        section=section,
        text=text,
        effectiveness=section == P.EFFECTIVENESS_SECTION,
        responses=responses,
        rate_pct=int(half_up(Decimal(100 * responses) / Decimal(enrollment))),
        course_mean=f"{half_up(mean, '0.01'):.2f}",
        dept_mean=two(dept),
        univ_mean=two(univ),
        course_median=f"{statistics.median(values):.2f}",
        dept_median="5.00" if dept > 4.35 else rng.choice(("4.00", "4.00", "4.50")),
        univ_median="5.00" if univ > 4.4 else "4.00",
        distribution=dist,
    )


def _questions(
    rng: random.Random, respondents: int, enrollment: int, online: bool
) -> list[QuestionRow]:
    centre = rng.uniform(3.0, 4.9)
    layout: list[tuple[str, list[str]]] = [(s, list(qs)) for s, qs in P.USUAL_QUESTIONS]
    if rng.random() < 0.1:  # an older or trimmed form without one of the usual questions
        sec = rng.randrange(3)
        if len(layout[sec][1]) > 1:
            layout[sec][1].pop(rng.randrange(len(layout[sec][1])))
    for extra in rng.sample(P.EXTRA_QUESTIONS, rng.choice((0, 0, 1, 2, 3))):
        layout[rng.randrange(2)][1].append(extra)
    if online:
        layout.append((P.ONLINE_SECTION, list(P.ONLINE_QUESTIONS)))
    return [
        _question(rng, section, text, respondents, enrollment, centre)
        for section, texts in layout
        for text in texts
    ]


def _hours(rng: random.Random, respondents: int) -> dict[str, int]:
    total = respondents - rng.randint(0, respondents // 4)
    weights = [rng.uniform(0.2, 3.0) for _ in P.HOURS_BINS]
    picks = rng.choices(P.HOURS_BINS, weights=weights, k=total)
    return {b: picks.count(b) for b in P.HOURS_BINS}


def _pick(rng: random.Random, pool: tuple[str, ...], can_draw: CanDraw) -> str:
    while True:
        sentence = rng.choice(pool)
        if can_draw(sentence):
            return sentence


def _distinct(
    rng: random.Random, pools: tuple[tuple[str, ...], ...], k: int, can_draw: CanDraw
) -> list[str]:
    picked: list[str] = []
    while len(picked) < k:
        sentence = _pick(rng, rng.choice(pools), can_draw)
        if sentence not in picked:
            picked.append(sentence)
    return picked


def _comment(rng: random.Random, pool: tuple[str, ...], can_draw: CanDraw, avoid: int) -> str:
    """One student comment; `avoid` is a number no explicit line of it may start with."""
    r = rng.random()
    if r < 0.45:
        return _pick(rng, pool, can_draw)
    if r < 0.65:
        return " ".join(_distinct(rng, (pool,), rng.randint(2, 3), can_draw))
    if r < 0.71:
        intro = rng.choice(P.LIST_INTROS)
        items = rng.sample(P.LIST_ITEMS, rng.randint(2, 4))
        if rng.random() < 0.5:
            return "\n".join([intro] + [f"{i}. {item}" for i, item in enumerate(items, 1)])
        return "\n".join([intro] + [f"- {item}" for item in items])
    if r < 0.76:
        n = rng.choice([k for k in range(3, 41) if k != avoid])
        return rng.choice(P.NUMBER_LED).format(n=n)
    if r < 0.80:
        return rng.choice(P.PARAGRAPHS)
    if r < 0.88:
        odd = [s for s in P.NON_ASCII if can_draw(s)]
        first = rng.choice(odd) if odd else _pick(rng, pool, can_draw)
        return first if rng.random() < 0.5 else f"{first} {_pick(rng, pool, can_draw)}"
    if r < 0.94:
        return " ".join(_distinct(rng, (P.STRENGTHS, P.IMPROVE, pool), rng.randint(5, 9), can_draw))
    return "\n".join(_distinct(rng, (pool,), 2, can_draw))


def _comment_blocks(
    rng: random.Random, layout: str, respondents: int, online: bool, can_draw: CanDraw
) -> list[CommentBlock] | None:
    if rng.random() < 0.1:
        return None
    prompts: list[tuple[str, tuple[str, ...]]] = [
        (P.PROMPT_STRENGTHS, P.STRENGTHS),
        (P.PROMPT_IMPROVE, P.IMPROVE),
    ]
    if rng.random() < 0.6:
        prompts.append((P.PROMPT_INCLUSIVE, P.INCLUSIVE))
    if online:
        prompts.append((P.PROMPT_ONLINE, P.ONLINE))
    if rng.random() < 0.5:
        prompts.append((P.PROMPT_SELF, P.SELF))
    curly = can_draw("’") and rng.random() < 0.4
    blocks = []
    for prompt, pool in prompts:
        count = 0 if rng.random() < 0.15 else min(respondents, rng.randint(1, 14))
        if respondents > 40 and rng.random() < 0.3:
            count = min(respondents, rng.randint(15, 30))
        entries: list[str | None] = []
        for i in range(count):
            if layout == "blue" and rng.random() < 0.15:
                entries.append(None)
            text = _comment(rng, pool, can_draw, avoid=i + 2)
            for _ in range(3):  # students rarely write the very same words twice
                if text not in entries:
                    break
                text = _comment(rng, pool, can_draw, avoid=i + 2)
            entries.append(text)
        if layout == "blue" and count == 0 and rng.random() < 0.5:
            entries = [None] * rng.randint(1, 3)
        printed = prompt.replace("'", "’") if curly else prompt
        blocks.append(CommentBlock(prompt=prompt, printed_prompt=printed, entries=entries))
    return blocks


def _name(rng: random.Random, can_draw: CanDraw) -> tuple[str, str]:
    while True:
        last, first = rng.choice(P.LAST_NAMES), rng.choice(P.FIRST_NAMES)
        if can_draw(last + first):
            return last, first


def generate(rng: random.Random, layout: str, can_draw: CanDraw) -> Report:
    """Invent one section's report content for `layout` ("collegenet" or "blue")."""
    subject = rng.choice(sorted(P.COURSES))
    (low, high), titles = P.COURSES[subject]
    season, year = rng.choice(COLLEGENET_TERMS if layout == "collegenet" else BLUE_TERMS)
    online = rng.random() < 0.25
    section = f"{rng.randint(60, 62)}" if online else f"{rng.choice((1, 1, 2, 3, 4, 5, 11)):02d}"
    enrollment = rng.choice((rng.randint(5, 15), rng.randint(16, 60), rng.randint(61, 240)))
    responded = max(2, math.ceil(enrollment * rng.uniform(0.2, 1.0)))
    declines: int | None = None
    respondents = responded
    if layout == "collegenet":
        declines = 0 if rng.random() < 0.5 else rng.randint(1, max(1, responded // 8))
        declines = min(declines, responded - 2)
        respondents = responded - declines
    n_instructors = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
    instructors: list[tuple[str, str]] = []
    while len(instructors) < n_instructors:
        name = _name(rng, can_draw)
        if name not in instructors:
            instructors.append(name)
    return Report(
        layout=layout,
        subject=subject,
        number=str(rng.randint(low, high)),
        section=section,
        title=rng.choice(titles),
        crn=str(rng.randint(10000, 99999)),
        season=season,
        year=year,
        instructors=instructors,
        enrollment=enrollment,
        responded=responded,
        declines=declines,
        online=online,
        questions=_questions(rng, respondents, enrollment, online),
        hours=_hours(rng, respondents) if layout == "collegenet" and rng.random() < 0.5 else None,
        comments=_comment_blocks(rng, layout, respondents, online, can_draw),
    )
