"""Ground truth for the test corpus: realistic section surveys and what each layout prints."""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.report import (
    SEASONS,
    Comment,
    Course,
    Frequency,
    Instructor,
    Layout,
    ParsedReport,
    Question,
    Term,
    parse_term,
)
from devtools.corpus.catalogue import (
    BLUE_LAYOUTS,
    COURSE_RELATED,
    COURSES,
    CUSTOM_QUESTIONS,
    EFFECTIVENESS,
    FIRST_BLUE_KEY,
    FREQUENCY_BINS,
    FREQUENCY_TEXT,
    INSTRUCTOR_NAMES,
    INSTRUCTOR_RELATED,
    LEARNING_RELATED,
    ONLINE,
    ONLINE_QUESTIONS,
    PROMPT_KIND,
    PROMPTS,
    SEASON_DRAWS,
    STANDARD_QUESTIONS,
    Scale,
)
from devtools.corpus.comments import CommentContext, Tone, compose_comment


@dataclass(frozen=True)
class RatedQuestion:
    """One rating question's full truth: counts per option and the comparison figures."""

    section: str
    text: str
    scale: Scale
    distribution: dict[str, int]
    dept_mean: float
    univ_mean: float
    dept_median: float
    univ_median: float

    def _values(self) -> list[int]:
        return [int(k) for k in ("5", "4", "3", "2", "1") for _ in range(self.distribution[k])]

    @property
    def responses(self) -> int:
        return sum(self.distribution[k] for k in ("5", "4", "3", "2", "1"))

    @property
    def course_mean(self) -> float:
        return round2(Decimal(sum(self._values())) / Decimal(self.responses))

    @property
    def course_median(self) -> float:
        return float(statistics.median(self._values()))

    @property
    def std_dev(self) -> float:
        return round2(statistics.pstdev(self._values()))

    def response_rate(self, enrollment: int) -> float:
        """The integer percentage TRACE prints, as a fraction (71% -> 0.71)."""
        pct = int(
            (Decimal(100 * self.responses) / Decimal(enrollment)).quantize(
                Decimal(1), ROUND_HALF_UP
            )
        )
        return pct / 100


@dataclass(frozen=True)
class LabelledComment:
    """A comment as printed plus its theme and tone labels."""

    prompt: str
    number: int
    text: str
    themes: tuple[str, ...]
    tone: Tone


@dataclass(frozen=True)
class Survey:
    """Everything known about one surveyed section; layouts print subsets of it."""

    course: Course
    term: Term
    instructors: tuple[Instructor, ...]
    enrollment: int
    responses_incl_declines: int
    declines: int
    online: bool
    instructor_quality: float
    questions: tuple[RatedQuestion, ...]
    frequencies: tuple[Frequency, ...]
    comments: tuple[LabelledComment, ...]

    @property
    def pdf_layout(self) -> Layout:
        """The PDF generator in use for this term (CollegeNET up to Spring 2025, then Blue)."""
        return "blue" if self.term.sort_key >= FIRST_BLUE_KEY else "collegenet"


def round2(value: Decimal | float) -> float:
    """Round half-up to two decimals, the precision every report prints."""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _all_terms() -> tuple[list[Term], list[Term]]:
    """All terms 2015-2026, split into the CollegeNET and the Blue era."""
    terms = [parse_term(f"{s} {y}") for y in range(2015, 2027) for s in SEASONS]
    valid = [t for t in terms if t is not None]
    old = [t for t in valid if t.sort_key < FIRST_BLUE_KEY]
    new = [t for t in valid if t.sort_key >= FIRST_BLUE_KEY]
    return old, new


@dataclass
class _World:
    """Per-corpus state: instructors with a stable quality, subject staffing, used CRNs."""

    rng: random.Random
    seed: int
    quality: dict[tuple[str, str], float]
    staff: dict[str, list[Instructor]]
    crns: set[str]

    @classmethod
    def build(cls, seed: int) -> _World:
        rng = random.Random(seed)
        people = [Instructor(last=last, first=first) for last, first in INSTRUCTOR_NAMES]
        quality = {(p.last, p.first): max(-1.0, min(1.0, rng.gauss(0.1, 0.45))) for p in people}
        staff: dict[str, list[Instructor]] = {s: [] for s in COURSES}
        subjects = list(COURSES)
        for i, person in enumerate(people):
            staff[subjects[i % len(subjects)]].append(person)
            if rng.random() < 0.3:
                staff[rng.choice(subjects)].append(person)
        return cls(rng, seed, quality, staff, set())

    def crn(self) -> str:
        while True:
            crn = str(self.rng.randint(10000, 99999))
            if crn not in self.crns:
                self.crns.add(crn)
                return crn


def _distribution(rng: random.Random, mu: float, n: int, na: int) -> dict[str, int]:
    """Sample n answers around a target mean (a discretised bell over 1..5)."""
    weights = [math.exp(-((k - mu) ** 2) / (2 * 0.8**2)) for k in (5, 4, 3, 2, 1)]
    picks = rng.choices((5, 4, 3, 2, 1), weights=weights, k=n)
    dist = {str(k): picks.count(k) for k in (5, 4, 3, 2, 1)}
    dist["na"] = na
    return dist


def _comparison(seed: int, scope: str, text: str, centre: float) -> tuple[float, float]:
    """Dept/univ mean and median, stable per scope (term, subject) and question."""
    r = random.Random(f"{seed}|{scope}|{text}")
    mean = round2(max(3.2, min(4.8, r.gauss(centre, 0.12))))
    median = 5.0 if mean >= 4.35 else (4.5 if mean >= 4.25 and r.random() < 0.4 else 4.0)
    return mean, median


def _questions(
    w: _World,
    rng: random.Random,
    survey_key: tuple[Term, str],
    quality: float,
    answered: int,
    online: bool,
    custom: int,
) -> tuple[RatedQuestion, ...]:
    """All rating questions of a section, scores driven by instructor and course quality."""
    term, subject = survey_key
    course_effect = rng.gauss(0, 0.25)
    listed: list[tuple[str, str]] = list(STANDARD_QUESTIONS)
    for text in rng.sample(CUSTOM_QUESTIONS, k=custom):
        heading = rng.choice((COURSE_RELATED, LEARNING_RELATED))
        last = max(i for i, (h, _) in enumerate(listed) if h == heading)
        listed.insert(last + 1, (heading, text))
    if online:
        listed += [(ONLINE, q) for q in ONLINE_QUESTIONS]
    out = []
    for heading, text in listed:
        skipped = rng.choice((0, 0, 0, 1)) if answered > 2 else 0
        na = rng.choice((0, 0, 0, 1, 2)) if answered - skipped > 3 else 0
        n = answered - skipped - na
        effect = quality * (0.9 if heading in (INSTRUCTOR_RELATED, EFFECTIVENESS) else 0.5)
        mu = max(1.3, min(5.3, 4.15 + effect + course_effect + rng.gauss(0, 0.15)))
        dept_mean, dept_median = _comparison(w.seed, f"{term.label}|{subject}", text, 4.12)
        univ_mean, univ_median = _comparison(w.seed, term.label, text, 4.25)
        out.append(
            RatedQuestion(
                section=heading,
                text=text,
                scale="effectiveness" if heading == EFFECTIVENESS else "agreement",
                distribution=_distribution(rng, mu, n, na),
                dept_mean=dept_mean,
                univ_mean=univ_mean,
                dept_median=dept_median,
                univ_median=univ_median,
            )
        )
    return tuple(out)


def _frequencies(rng: random.Random, answered: int) -> tuple[Frequency, ...]:
    """The hours-per-week block, present in most reports."""
    if rng.random() < 0.35:
        return ()
    centre = rng.choice((0, 1, 1, 2, 2, 3))
    picks = rng.choices(
        range(5), weights=[1 / (1 + abs(i - centre)) ** 2 for i in range(5)], k=answered
    )
    return (
        Frequency(
            text=FREQUENCY_TEXT, bins={b: picks.count(i) for i, b in enumerate(FREQUENCY_BINS)}
        ),
    )


def _name_forms(instructors: tuple[Instructor, ...]) -> tuple[str, ...]:
    """How students refer to their instructors in comments."""
    forms = ["the professor", "the instructor"]
    for p in instructors:
        forms += [f"Professor {p.last}", f"Prof. {p.last}", f"Dr. {p.last}", p.first.split()[0]]
    return tuple(forms)


def _comments(
    rng: random.Random,
    instructors: tuple[Instructor, ...],
    subject: str,
    online: bool,
    quality: float,
    answered: int,
    want: str,
) -> tuple[LabelledComment, ...]:
    """Comments under each prompt, their tone following the instructor's quality."""
    if want == "none":
        return ()
    ctx = CommentContext(_name_forms(instructors), subject, online)
    p_positive = max(0.05, min(0.95, 0.55 + 0.45 * quality))
    share = {"strengths": 0.5, "improve": 0.45, "inclusive": 0.2, "online": 0.3, "self": 0.15}
    out: list[LabelledComment] = []
    for prompt in PROMPTS:
        kind = PROMPT_KIND[prompt]
        if kind == "online" and not online:
            continue
        upper = max(0, min(30, round(answered * share[kind] * rng.uniform(0.4, 1.4))))
        count = 0 if rng.random() < 0.12 else rng.randint(0, upper)
        for number in range(1, count + 1):
            long = (want == "long" and number == 1) or rng.random() < 0.03
            c = compose_comment(rng, kind, p_positive, ctx, long=long)
            out.append(LabelledComment(prompt, number, c.text, c.themes, c.tone))
    return tuple(out)


def _survey(
    w: _World,
    rng: random.Random,
    subject: str,
    number: str,
    title: str,
    term: Term,
    section: str,
    instructors: tuple[Instructor, ...],
    online: bool,
) -> Survey:
    """One surveyed section with consistent enrollment, responses and scores."""
    enrollment = rng.randint(5, 9) if rng.random() < 0.12 else rng.randint(10, 150)
    responded = max(1, round(enrollment * rng.uniform(0.2, 0.95)))
    declines = min(responded - 1, rng.choice((0, 0, 0, 1, 1, 2, 3)))
    answered = responded - declines
    quality = statistics.fmean(w.quality[(p.last, p.first)] for p in instructors)
    custom = rng.choice((0, 0, 0, 0, 1, 1, 2, 3))
    comments_mode = rng.choices(("none", "some", "long"), weights=(1, 7, 2))[0]
    return Survey(
        course=Course(
            code=subject + number,
            subject=subject,
            number=number,
            section=section,
            title=title,
            crn=w.crn(),
        ),
        term=term,
        instructors=instructors,
        enrollment=enrollment,
        responses_incl_declines=responded,
        declines=declines,
        online=online,
        instructor_quality=round2(quality),
        questions=_questions(w, rng, (term, subject), quality, answered, online, custom),
        frequencies=_frequencies(rng, answered),
        comments=_comments(rng, instructors, subject, online, quality, answered, comments_mode),
    )


def generate_surveys(count: int, seed: int) -> list[Survey]:
    """Generate `count` surveys; the first two are single sections of each report era."""
    w = _World.build(seed)
    rng = random.Random(f"surveys|{seed}")
    old_terms, new_terms = _all_terms()
    surveys: list[Survey] = []
    offering = 0
    while len(surveys) < count:
        blue = offering == 1 or (offering > 1 and rng.random() < 0.3)
        pool = new_terms if blue else old_terms
        season = rng.choice(SEASON_DRAWS)
        term = rng.choice([t for t in pool if t.season == season] or pool)
        subject = rng.choice(list(COURSES))
        number, title = rng.choice(COURSES[subject])
        n_sections = 1 if offering < 2 else rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
        online = offering == 0 or rng.random() < 0.15
        for s in range(n_sections):
            co_taught = offering == 0 or rng.random() < 0.1
            k = rng.choice((2, 2, 3)) if co_taught else 1
            people = rng.sample(w.staff[subject], k=min(k, len(w.staff[subject])))
            section = f"{60 + s}" if online and rng.random() < 0.3 else f"{s + 1:02d}"
            surveys.append(
                _survey(w, rng, subject, number, title, term, section, tuple(people), online)
            )
        offering += 1
    return surveys[:count]


def _question_for(q: RatedQuestion, layout: Layout, enrollment: int) -> Question:
    """The question row exactly as `layout` prints it."""
    xlsx = layout == "xlsx"
    return Question(
        section=None if xlsx else q.section,
        text=q.text,
        responses=q.responses,
        response_rate=None if layout in BLUE_LAYOUTS else q.response_rate(enrollment),
        course_mean=q.course_mean,
        dept_mean=None if xlsx else q.dept_mean,
        univ_mean=None if xlsx else q.univ_mean,
        course_median=q.course_median,
        dept_median=None if xlsx else q.dept_median,
        univ_median=None if xlsx else q.univ_median,
        std_dev=q.std_dev if xlsx else None,
        distribution=None if layout == "collegenet" else dict(q.distribution),
    )


def project(survey: Survey, layout: Layout) -> ParsedReport:
    """What `layout` prints of the survey, as the parser should return it (file/sha256 blank)."""
    blue = layout in BLUE_LAYOUTS
    return ParsedReport(
        file="",
        sha256="",
        layout=layout,
        course=survey.course,
        term=survey.term,
        instructors=list(survey.instructors),
        enrollment=survey.enrollment,
        responses_incl_declines=survey.responses_incl_declines,
        declines=None if blue else survey.declines,
        questions=[_question_for(q, layout, survey.enrollment) for q in survey.questions],
        frequencies=[] if layout == "xlsx" else list(survey.frequencies),
        comments=[Comment(prompt=c.prompt, number=c.number, text=c.text) for c in survey.comments],
        warnings=[],
    )


def comment_labels(survey: Survey) -> list[dict[str, object]]:
    """Per-comment labels (themes, tone) for retrieval and sentiment evaluation sets."""
    return [
        {
            "prompt": c.prompt,
            "number": c.number,
            "text": c.text,
            "themes": list(c.themes),
            "tone": c.tone,
        }
        for c in survey.comments
    ]
