"""Student-comment vocabulary and composer: thousands of distinct, labelled comments."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from enrichment.theme_definitions import THEMES

Tone = Literal["positive", "negative", "mixed", "neutral"]


_ADV = ("really ", "very ", "", "incredibly ", "super ", "quite ")

_POS: dict[str, tuple[str, ...]] = {
    "workload": (
        "The workload was manageable, about {hours} hours a week outside of class.",
        "Homework was challenging but fair, and each assignment built on the last one.",
        "The {n} problem sets were well paced and never felt like busywork.",
        "Assignments were {adv}reasonable in length and clearly tied to what we covered.",
        "I liked that the projects were spread out so nothing piled up at the end of the term.",
    ),
    "clarity": (
        "{instr} explains {topic} more clearly than any textbook I have read.",
        "Lectures were {adv}clear and the examples were worked in full.",
        "Complicated ideas like {topic} were broken down step by step.",
        "Every lecture had a clear goal and the slides were easy to follow afterwards.",
        "The way {instr} connected {topic} to real applications made it click for me.",
    ),
    "feedback": (
        "Feedback on homework came back within a week and was {adv}detailed.",
        "{instr} wrote helpful comments on every draft, not just a grade.",
        "Office hours were {adv}helpful and {instr} never made me feel dumb for asking.",
        "Grades were posted quickly and the rubric was always explained.",
    ),
    "exams": (
        "Exams were fair and matched the practice problems closely.",
        "The midterm covered exactly what was emphasized in lecture.",
        "I appreciated the {n} practice exams posted before each test.",
        "Tests were hard but the curve and the partial credit were generous.",
    ),
    "organisation": (
        "The course was {adv}well organized and the Canvas page was easy to navigate.",
        "Deadlines were posted on day 1 and never changed.",
        "Everything from the syllabus to the final project was {adv}well structured.",
        "Weekly modules made it easy to know what was expected of us.",
    ),
    "inclusivity": (
        "{instr} made everyone feel welcome and encouraged quieter students to speak.",
        "The classroom felt {adv}respectful, and different viewpoints were taken seriously.",
        "{instr} was understanding about accommodations and personal circumstances.",
        "Group work was set up so that everyone had a voice.",
    ),
    "pace": (
        "The pace was just right, fast enough to stay interesting but never rushed.",
        "We spent enough time on {topic} before moving on.",
        "{instr} slowed down whenever the class looked lost.",
    ),
    "enthusiasm": (
        "{instr} is {adv}passionate about {topic} and it is contagious.",
        "You can tell {instr} loves teaching this material.",
        "The energy in lecture was great, even at 8 a.m.",
        "{instr}'s enthusiasm made me actually want to come to class.",
    ),
    "online logistics": (
        "The recorded lectures were {adv}helpful when I had to miss class.",
        "Zoom sessions ran smoothly and the breakout rooms were well used.",
        "Materials were posted on Canvas ahead of time, which made the online format work.",
        "Online office hours were easy to join and {instr} was always there on time.",
    ),
}

_NEG: dict[str, tuple[str, ...]] = {
    "workload": (
        "The workload was {adv}heavy, often more than {hours} hours a week.",
        "Too many assignments were due in the same week as other midterms.",
        "{n} homeworks plus a project plus weekly quizzes was too much for a 4-credit course.",
        "The problem sets took far longer than the syllabus suggested.",
    ),
    "clarity": (
        "Lectures were {adv}hard to follow and jumped between topics without explanation.",
        "{instr} often skipped steps when working through {topic}.",
        "The slides were dense and the explanations in class did not add much.",
        "I left most lectures more confused about {topic} than when I came in.",
    ),
    "feedback": (
        "We got almost no feedback on assignments until the end of the term.",
        "Grades for HW{n} took over a month to come back.",
        "It was hard to know how we were doing because feedback was so vague.",
        "Emails to {instr} often went unanswered for days.",
    ),
    "exams": (
        "Exams did not reflect the homework at all.",
        "3 midterms and a cumulative final felt excessive.",
        "The final was {adv}long and there was not enough time to finish.",
        "Exam questions were worded in confusing ways.",
    ),
    "organisation": (
        "The Canvas page was disorganized and deadlines kept changing.",
        "It was never clear what would be covered on exams.",
        "Assignments were posted late, sometimes {n} days before they were due.",
        "The course felt {adv}disorganized, with the schedule changing week to week.",
    ),
    "inclusivity": (
        "Some students dominated discussion and {instr} did not step in.",
        "A few comments in class made some of us feel unwelcome.",
        "Questions from students who were struggling were sometimes brushed off.",
    ),
    "pace": (
        "The pace was {adv}fast, especially in the second half of the term.",
        "We rushed through {topic} in one lecture and it showed up heavily on the exam.",
        "The first weeks dragged, then everything was crammed into the last month.",
    ),
    "enthusiasm": (
        "{instr} seemed uninterested in teaching and mostly read from the slides.",
        "Lectures felt monotone and it was hard to stay engaged.",
        "It did not feel like {instr} wanted to be there.",
    ),
    "online logistics": (
        "The Zoom audio was often bad and recordings were posted late.",
        "Online quizzes crashed twice and were not reopened.",
        "It was hard to ask questions in the online sessions.",
        "Links on Canvas were broken for the first {n} weeks.",
    ),
}

_SELF_POS = (
    ("Going to office hours earlier would have helped, they were {adv}useful.", "feedback"),
    ("I should have done the readings before class; the lectures built on them well.", "clarity"),
    ("Honestly nothing, the course was set up well and I put in the work.", "organisation"),
    ("I could have asked more questions, {instr} was always happy to help.", "feedback"),
)
_SELF_NEG = (
    (
        "I should have started the projects earlier; they take much longer than you think.",
        "workload",
    ),
    (
        "Spent about {hours} hours a week and still fell behind, I should have asked for help.",
        "pace",
    ),
    ("I could have studied more for the exams, but they were hard to prepare for.", "exams"),
)

_OPENERS = {
    "positive": (
        "Great class overall.",
        "Took this as an elective and loved it.",
        "One of the best courses I have taken at Northeastern.",
    ),
    "negative": (
        "Not a great experience.",
        "I was disappointed by this course.",
        "This class needs some work.",
    ),
    "mixed": (
        "Mixed feelings about this one.",
        "Some good, some bad.",
        "Hard to rate this course.",
    ),
}
_CLOSERS = {
    "positive": (
        "Would recommend!",
        "10/10 would take again.",
        "Thank you for a great semester!",
        "I would take another class with {instr}.",
    ),
    "negative": (
        "I would not recommend this section.",
        "Hope this changes next year.",
        "Would not take again.",
    ),
    "mixed": (
        "Overall it was fine.",
        "It is a decent course with some fixable problems.",
        "3/5 overall.",
    ),
}
_NEUTRAL = ("N/A", "None.", "Nothing to add.", "No comment.", "n/a", "Nothing really.")
_EXTRAS = (
    " — just my two cents.",
    " (seriously).",
    " Gracias, señor — ¡excelente!",
    " The café study group helped a lot.",
    " My naïve expectation was that it would be easy.",
    " Über helpful TAs too.",
)

_TOPICS: dict[str, tuple[str, ...]] = {
    "CS": ("dynamic programming", "recursion", "graph algorithms", "pointers", "type systems"),
    "DS": ("regression", "data cleaning", "cross-validation", "gradient descent"),
    "EECE": ("Fourier transforms", "circuit analysis", "op-amps", "state machines"),
    "MATH": ("eigenvalues", "integration by parts", "proofs by induction", "series"),
    "PHYS": ("rotational motion", "electric fields", "Gauss's law", "wave optics"),
    "ENGW": ("rhetorical analysis", "peer review", "thesis statements", "citation"),
    "ECON": ("elasticity", "game theory", "the IS-LM model", "market failures"),
    "PSYC": ("research methods", "cognitive development", "statistics for psychology"),
    "BIOL": ("gene expression", "cell signaling", "evolution", "lab technique"),
    "ME": ("fluid dynamics", "vibrations", "CAD modeling", "thermodynamics"),
}
_DEFAULT_TOPICS = ("the core material", "the main concepts", "the harder topics")


@dataclass(frozen=True)
class ComposedComment:
    """One generated comment with the labels a retrieval or sentiment set needs."""

    text: str
    themes: tuple[str, ...]
    tone: Tone


@dataclass(frozen=True)
class CommentContext:
    """What a comment may mention: instructor name forms, course subject, whether online."""

    instructor_names: tuple[str, ...]
    subject: str
    online: bool


def _fill(rng: random.Random, template: str, ctx: CommentContext) -> str:
    """Fill template slots with varied values (numbers, names, topics, adverbs)."""
    topics = _TOPICS.get(ctx.subject, _DEFAULT_TOPICS)
    text = template.format(
        hours=rng.choice(("5", "8", "10", "12", "15", "20")),
        n=rng.randint(2, 9),
        instr=rng.choice(ctx.instructor_names),
        topic=rng.choice(topics),
        adv=rng.choice(_ADV),
    )
    return text[0].upper() + text[1:]


def _sentence(rng: random.Random, theme: str, positive: bool, ctx: CommentContext) -> str:
    """One themed sentence of the wanted polarity."""
    pool = _POS[theme] if positive else _NEG[theme]
    return _fill(rng, rng.choice(pool), ctx)


def _pick_themes(rng: random.Random, prompt_kind: str, ctx: CommentContext, k: int) -> list[str]:
    """Themes for one comment; the prompt biases them (inclusive, online)."""
    base = [t for t in THEMES if t != "online logistics" or ctx.online]
    chosen = rng.sample(base, k=min(k, len(base)))
    focus = {"inclusive": "inclusivity", "online": "online logistics"}.get(prompt_kind)
    if focus and focus not in chosen:
        chosen[0] = focus
    return chosen


def _tone_of(polarities: list[bool]) -> Tone:
    if all(polarities):
        return "positive"
    if not any(polarities):
        return "negative"
    return "mixed"


def _stylise(rng: random.Random, text: str) -> str:
    """Apply the typographic variants real comments show: curly quotes, dashes, accents."""
    roll = rng.random()
    if roll < 0.2:
        text = text.replace("'", "’")
    elif roll < 0.28:
        text = text.replace("'", "’") + " As the TA put it, “start early.”"
    elif roll < 0.38:
        text = text + rng.choice(_EXTRAS)
    return text


def compose_comment(
    rng: random.Random, prompt_kind: str, p_positive: float, ctx: CommentContext, *, long: bool
) -> ComposedComment:
    """Compose one comment for a prompt kind (strengths/improve/inclusive/online/self)."""
    if rng.random() < 0.05:
        return ComposedComment(rng.choice(_NEUTRAL), (), "neutral")
    if prompt_kind == "self":
        return _self_comment(rng, p_positive, ctx)
    k = rng.randint(5, 8) if long else rng.choice((1, 1, 2, 2, 3))
    themes = _pick_themes(rng, prompt_kind, ctx, k)
    shift = {"strengths": 0.25, "improve": -0.3}.get(prompt_kind, 0.0)
    p = min(0.97, max(0.03, p_positive + shift))
    polarities = [rng.random() < p for _ in themes]
    sentences = [_sentence(rng, t, pol, ctx) for t, pol in zip(themes, polarities, strict=True)]
    tone = _tone_of(polarities)
    if rng.random() < 0.08 and tone == "mixed":
        pros = [s.rstrip(".") for s, pol in zip(sentences, polarities, strict=True) if pol]
        cons = [s.rstrip(".") for s, pol in zip(sentences, polarities, strict=True) if not pol]
        text = "Pros: " + " ".join(f"{i}) {s}" for i, s in enumerate(pros, 1))
        text += " Cons: " + " ".join(f"{i}) {s}" for i, s in enumerate(cons, 1))
    else:
        if long or rng.random() < 0.25:
            sentences.insert(0, _fill(rng, rng.choice(_OPENERS[tone]), ctx))
        if long or rng.random() < 0.2:
            sentences.append(_fill(rng, rng.choice(_CLOSERS[tone]), ctx))
        text = " ".join(sentences)
    if long:
        text += " " + " ".join(
            _sentence(rng, t, pol, ctx) for t, pol in zip(themes, polarities, strict=True)
        )
    if rng.random() < 0.04:
        text = (
            f"{rng.randint(2, 4)} {rng.choice(('midterms', 'projects', 'quizzes'))} "
            f"this term. {text}"
        )
    return ComposedComment(_stylise(rng, text), tuple(dict.fromkeys(themes)), tone)


def _self_comment(rng: random.Random, p_positive: float, ctx: CommentContext) -> ComposedComment:
    """A 'what I could have done' reflection; its tone is what it implies about the course."""
    positive = rng.random() < p_positive
    template, theme = rng.choice(_SELF_POS if positive else _SELF_NEG)
    text = _fill(rng, template, ctx)
    return ComposedComment(_stylise(rng, text), (theme,), "positive" if positive else "negative")
