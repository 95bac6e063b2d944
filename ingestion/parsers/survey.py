"""Instructors' own survey exports (`survey-*` layouts): what every format shares.

A survey export is stored like a TRACE report, always marked as a survey (`sections.source_type`):
its course and term come from the upload form (`course`, `term`, `title`) or from the file (a
`Course:` line, a `Course` column holding one value), each free-text answer is a comment whose
prompt is its question, and a column of 1-5 answers (numbers, or the agreement or effectiveness
labels) is summarised as a rating question: counts, mean, median and population std dev over the
rated answers, N/A counted apart. The title is the form's, the file's (a `Title:` line, a
`Title` column, an e-mail's subject) or, failing both, the file's name. Nothing is guessed:
what cannot be mapped fails with its reason (ParseError `missing_field`, `unknown_term`,
`conflicting_field`, `unmapped`, `no_answers`).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.errors import ParseError, UploadRejected
from core.report import (
    Comment,
    Course,
    Layout,
    ParsedReport,
    Question,
    Term,
    normalize_quotes,
    parse_term,
)
from ingestion.parsers.checks import check_survey

COURSE_RE = re.compile(r"^([A-Z]{2,5})\s*(\d{3,4}[A-Z]?)(?:\s*-\s*([A-Z0-9]{1,4}))?$")
NO_RESPONSE = "[No Response]"
SCALES: tuple[dict[str, str], ...] = (
    {
        "strongly agree": "5",
        "agree": "4",
        "neutral": "3",
        "neither agree nor disagree": "3",
        "disagree": "2",
        "strongly disagree": "1",
    },
    {
        "almost always effective": "5",
        "usually effective": "4",
        "sometimes effective": "3",
        "rarely effective": "2",
        "never effective": "1",
    },
)
NOT_APPLICABLE = frozenset({"n/a", "not applicable"})
TITLE_MAX = 200


@dataclass(frozen=True)
class UploadFields:
    """What the uploader said about a survey export (POST /v1/reports form fields)."""

    course: str | None = None
    term: str | None = None
    title: str | None = None

    def given(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def clean_fields(*, course: str | None, term: str | None, title: str | None) -> UploadFields:
    """The form fields, normalised; UploadRejected naming a value that cannot be used."""
    course = " ".join((course or "").split()).upper() or None
    term_label = " ".join((term or "").split()) or None
    title = " ".join((title or "").split()) or None
    if course is not None and COURSE_RE.match(course) is None:
        raise UploadRejected(f"course {course!r} is not like CS5800 or CS5800-01")
    if term_label is not None and parse_term(term_label) is None:
        raise UploadRejected(f"term {term_label!r} is not a term such as `Fall 2025`")
    if title is not None and len(title) > TITLE_MAX:
        raise UploadRejected(f"the title has {len(title)} characters, more than {TITLE_MAX}")
    return UploadFields(course=course, term=term_label, title=title)


def text_of(value: object) -> str:
    """A cell or line as text, whitespace runs as single spaces (as comments are stored)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


@dataclass
class SurveyBuilder:
    """Collects a survey's metadata, rating summaries and comments while a file is read."""

    filename: str
    layout: Layout
    fields: UploadFields
    meta: dict[str, str] = field(default_factory=dict)
    """Course, Term, Title as the file states them."""
    questions: list[Question] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    respondents: int | None = None

    def set_meta(self, key: str, value: str) -> None:
        key = key.strip().rstrip(":").strip().title()
        value = text_of(value)
        known = self.meta.get(key)
        if known is not None and known != value:
            raise ParseError(
                f"the file names two values for {key}: {known!r} and {value!r}",
                field=key,
                reason="conflicting_field",
            )
        self.meta[key] = value

    def prompt(self, text: str) -> str:
        prompt = normalize_quotes(text_of(text))
        if not prompt:
            raise ParseError("a question without text holds answers", reason="unmapped")
        return prompt

    def add_answers(self, prompt: str, answers: list[str]) -> None:
        """A free-text question: each non-blank answer a comment, numbered 1.. in order."""
        number = sum(1 for c in self.comments if c.prompt == prompt)
        for answer in answers:
            text = text_of(answer)
            if not text or text == NO_RESPONSE:
                continue
            number += 1
            self.comments.append(Comment(prompt=prompt, number=number, text=text))

    def add_column(self, prompt: str, answers: list[str]) -> None:
        """A survey column: summarised when it is a 1-5 scale, its answers comments otherwise."""
        distribution = likert(prompt, answers)
        if distribution is None:
            self.add_answers(prompt, answers)
        elif sum(distribution[k] for k in "54321") == 0:
            self.warnings.append(f"{prompt[:60]!r}: only N/A answers, nothing to summarise")
        else:
            self.questions.append(summarise(prompt, distribution))

    def build(self, *, sha256: str) -> ParsedReport:
        course, term = self._identity()
        report = ParsedReport(
            file=self.filename,
            sha256=sha256,
            layout=self.layout,
            course=course,
            term=term,
            instructors=[],
            enrollment=None,
            responses_incl_declines=self.respondents,
            declines=None,
            questions=self.questions,
            frequencies=[],
            comments=self.comments,
            warnings=self.warnings,
        )
        check_survey(report)
        return report

    def _value(self, key: str) -> str | None:
        given = getattr(self.fields, key.lower())
        stated = self.meta.get(key) or None
        if given and stated and _norm(given) != _norm(stated):
            raise ParseError(
                f"the upload form says {key.lower()} {given!r} but the file says {stated!r}",
                field=key.lower(),
                reason="conflicting_field",
            )
        return given or stated

    def _identity(self) -> tuple[Course, Term]:
        where = (
            "give it in the upload form ({0}) or in the file (a `{1}:` line, or a `{1}` column "
            "holding one value)"
        )
        course_text = self._value("Course")
        if not course_text:
            raise ParseError(
                "a survey export needs its course: " + where.format("course", "Course"),
                field="course",
                reason="missing_field",
            )
        match = COURSE_RE.match(course_text.upper())
        if match is None:
            raise ParseError(
                f"course {course_text!r} is not like CS5800 or CS5800-01",
                field="course",
                reason="missing_field",
            )
        term_text = self._value("Term")
        if not term_text:
            raise ParseError(
                "a survey export needs its term: " + where.format("term", "Term"),
                field="term",
                reason="missing_field",
            )
        term = parse_term(term_text)
        if term is None:
            raise ParseError(
                f"{term_text!r} is not a term such as `Fall 2025`",
                field="term",
                reason="unknown_term",
            )
        title = self._value("Title")
        if not title:
            title = self.filename
            self.warnings.append(f"no title in the form or the file: titled {title!r}")
        subject, number, section = match.groups()
        course = Course(
            code=subject + number,
            subject=subject,
            number=number,
            section=section or self.meta.get("Section", ""),
            title=title[:TITLE_MAX],
            crn=None,
        )
        return course, term


def _norm(value: str) -> str:
    return re.sub(r"[\s-]+", "", value).lower()


def likert(prompt: str, answers: list[str]) -> dict[str, int] | None:
    """Counts per scale point (`5`…`1`, `na`) when every answer is on a 1-5 scale; None for a
    free-text column; ParseError for numbers that are not on it (nothing is guessed)."""
    given = [text_of(a) for a in answers if text_of(a) and text_of(a) != NO_RESPONSE]
    if not given:
        return None
    counts = {k: 0 for k in ("5", "4", "3", "2", "1", "na")}
    if all(a in counts and a != "na" for a in given):
        for a in given:
            counts[a] += 1
        return counts
    lowered = [a.lower() for a in given]
    for scale in SCALES:
        if all(a in scale or a in NOT_APPLICABLE for a in lowered) and any(
            a in scale for a in lowered
        ):
            for a in lowered:
                counts[scale.get(a, "na")] += 1
            return counts
    if all(_is_number(a) for a in given):
        odd = next(a for a in given if a not in counts)
        raise ParseError(
            f"column {prompt[:60]!r} holds numbers outside the 1-5 scale ({odd}): only 1-5"
            " rating columns are summarised, and other numbers are not comments",
            field=prompt[:60],
            reason="unmapped",
        )
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def round2(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def summarise(prompt: str, distribution: dict[str, int]) -> Question:
    """A rating question from its counts: mean and std dev to two decimals (half up)."""
    values = [int(k) for k in ("5", "4", "3", "2", "1") for _ in range(distribution[k])]
    return Question(
        section=None,
        text=prompt,
        responses=len(values),
        response_rate=None,
        course_mean=round2(Decimal(sum(values)) / Decimal(len(values))),
        dept_mean=None,
        univ_mean=None,
        course_median=float(statistics.median(values)),
        dept_median=None,
        univ_median=None,
        std_dev=round2(Decimal(str(statistics.pstdev(values)))),
        distribution=distribution,
    )
