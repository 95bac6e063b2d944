"""What entity resolution finds in a question: courses, terms, people, the metric, the intent.

Everything is matched against the catalogue the reports produced (never a fixed list), so a
name or code the reports do not hold is reported as unknown instead of guessed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from core.db import Conn


@dataclass(frozen=True)
class CourseRef:
    code: str
    subject: str
    number: str
    title: str


@dataclass(frozen=True)
class TermRef:
    label: str
    season: str
    year: int
    sort_key: int


@dataclass(frozen=True)
class QuestionRef:
    id: int
    text: str
    heading: str | None


class InstructorRef(BaseModel):
    id: int
    last: str
    first: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Catalog:
    """What the reports hold, loaded once per answer so names resolve to real rows."""

    courses: tuple[CourseRef, ...]
    subjects: tuple[str, ...]
    instructors: tuple[InstructorRef, ...]
    terms: tuple[TermRef, ...]
    questions: tuple[QuestionRef, ...]
    prompts: tuple[str, ...]
    surveys: tuple[str, ...] = ()
    """Titles of instructors' own surveys: naming one asks about surveys ("the lab survey")."""
    offerings: tuple[tuple[str, int, int | None], ...] = ()
    """(course code, term sort key, instructor id) of every TRACE section: which course a
    nickname means when the person or term named tells ("fundies with Okafor")."""
    blue_from: int | None = None
    """The first term (sort key) with a report in the Blue layout: "after the switch to Blue"."""

    @classmethod
    def load(cls, conn: Conn) -> Catalog:
        courses = conn.execute(
            "SELECT code, subject, number, title FROM courses ORDER BY code"
        ).fetchall()
        people = conn.execute(
            "SELECT id, last_name, first_name FROM instructors ORDER BY id"
        ).fetchall()
        terms = conn.execute(
            "SELECT label, season, year, sort_key FROM terms ORDER BY sort_key"
        ).fetchall()
        questions = conn.execute(  # what TRACE prints; surveys' own rating columns are apart
            "SELECT q.id, q.text, q.heading FROM questions q WHERE EXISTS (SELECT 1"
            " FROM question_scores qs JOIN sections s ON s.id = qs.section_id"
            " WHERE qs.question_id = q.id AND s.source_type = 'trace') ORDER BY q.id"
        ).fetchall()
        prompts = conn.execute(
            "SELECT DISTINCT prompt FROM frequency_counts ORDER BY prompt"
        ).fetchall()
        surveys = conn.execute(
            "SELECT DISTINCT title FROM sections WHERE source_type = 'survey' ORDER BY title"
        ).fetchall()
        offerings = conn.execute(
            "SELECT DISTINCT c.code, t.sort_key, si.instructor_id FROM sections s"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " LEFT JOIN section_instructors si ON si.section_id = s.id"
            " WHERE s.source_type = 'trace' ORDER BY 1, 2, 3"
        ).fetchall()
        blue = conn.execute(
            "SELECT min(t.sort_key) AS first FROM sections s JOIN reports r ON r.id = s.report_id"
            " JOIN terms t ON t.id = s.term_id WHERE s.source_type = 'trace'"
            " AND r.layout LIKE 'blue%%'"
        ).fetchone()
        return cls(
            courses=tuple(CourseRef(**r) for r in courses),
            subjects=tuple(sorted({r["subject"] for r in courses})),
            instructors=tuple(
                InstructorRef(id=r["id"], last=r["last_name"], first=r["first_name"])
                for r in people
            ),
            terms=tuple(TermRef(**r) for r in terms),
            questions=tuple(QuestionRef(**r) for r in questions),
            prompts=tuple(r["prompt"] for r in prompts),
            surveys=tuple(r["title"] for r in surveys if r["title"]),
            offerings=tuple((r["code"], r["sort_key"], r["instructor_id"]) for r in offerings),
            blue_from=blue["first"] if blue else None,
        )

    @property
    def newest(self) -> TermRef | None:
        return self.terms[-1] if self.terms else None

    def newest_of(
        self, courses: list[str], subjects: list[str], instructor_ids: set[int]
    ) -> TermRef | None:
        """The newest term in which the named courses, subjects and people have a section."""
        taught = self.terms_of(courses, subjects, instructor_ids)
        return taught[-1] if taught else None

    def terms_of(
        self, courses: list[str], subjects: list[str], instructor_ids: set[int]
    ) -> list[TermRef]:
        """The terms, oldest first, in which the named courses, subjects and people have a
        section."""
        keys = {
            key
            for code, key, person in self.offerings
            if (not courses or code in courses)
            and (not subjects or any(code.startswith(s) for s in subjects))
            and (not instructor_ids or person in instructor_ids)
        }
        return [t for t in self.terms if t.sort_key in keys]

    def stepped(
        self, label: str, step: int, courses: list[str], instructor_ids: set[int]
    ) -> TermRef | None:
        """The term `step` terms after (before, if negative) `label` in which the courses and
        people have a section: "the term after that" skips a summer CS5800 was not taught in."""
        keys = sorted(
            {
                key
                for code, key, person in self.offerings
                if (not courses or code in courses)
                and (not instructor_ids or person in instructor_ids)
            }
        )
        start = next((t.sort_key for t in self.terms if t.label == label), None)
        if start is None:
            return None
        later = [k for k in keys if k > start] if step > 0 else [k for k in keys if k < start][::-1]
        if len(later) < abs(step):
            return None
        return next((t for t in self.terms if t.sort_key == later[abs(step) - 1]), None)


class MetricRef(BaseModel):
    """A rating question (by id) or the hours-per-week frequency block (by prompt)."""

    kind: Literal["question", "hours"]
    question_id: int | None = None
    text: str
    phrase: str = Field(description="The words of the question that matched")
    similarity: float
    unread: list[str] = Field(
        default_factory=list, description="Words read past: the question was found by meaning"
    )


class Intent(BaseModel):
    """What the previous turn computed, so a bare follow-up ("and in Spring 2024?") repeats it."""

    kind: str
    entity: str | None = None
    order: str | None = None
    what: str | None = None
    by: str | None = Field(default=None, description="A ranking by 'change' (who improved most)")


class Entities(BaseModel):
    courses: list[str] = Field(default_factory=list, description="Course codes such as CS5800")
    unknown_courses: list[str] = Field(default_factory=list)
    ambiguous_courses: list[str] = Field(
        default_factory=list, description="Title words several courses start with ('fundies')"
    )
    unknown_instructors: list[str] = Field(
        default_factory=list, description="Names after a title ('Prof. Zhang') no report holds"
    )
    subjects: list[str] = Field(default_factory=list)
    instructors: list[InstructorRef] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list, description="Exact term labels")
    read_as: list[str] = Field(
        default_factory=list,
        description="How relative words were read ('last fall' as Fall 2025, the newest fall)",
    )
    term_from: int | None = Field(default=None, description="First term sort key (inclusive)")
    term_to: int | None = Field(default=None, description="Last term sort key (inclusive)")
    seasons: list[str] = Field(
        default_factory=list, description="'every fall', 'spring semesters only': stored seasons"
    )
    exclude_seasons: list[str] = Field(
        default_factory=list, description="'excluding the summer sessions': seasons left out"
    )
    sections: list[str] = Field(default_factory=list)
    metric: MetricRef | None = None
    metric_phrase: str | None = Field(
        default=None, description="Words left for the metric; set with metric None = no match"
    )
    intent: Intent | None = None
    # What the vocabulary read (rag.answer.entities.reading): printed figures, statistics and
    # scope phrases.
    figure: str | None = Field(default=None, description="enrollment, responses, declines, ...")
    statistic: str | None = Field(default=None, description="mean, median, std_dev, ...")
    options: list[int] = Field(default_factory=list, description="Scale options asked, 5 first")
    hours: bool = False
    hours_focus: str | None = Field(default=None, description="A bin ('17-20') or '13+' asked")
    versus_dept: bool = False
    breakdown: str | None = Field(default=None, description="term or section")
    aggregate: bool = False
    overall_word: bool = False
    small_excluded: bool = False
    future: bool = False
    outside: bool = False
    source: Literal["trace", "survey"] | None = Field(
        default=None,
        description="Reports of one kind only: 'the mid-term survey' reads instructors' surveys",
    )
    survey: str | None = Field(
        default=None, description="The one survey a question names by its title"
    )
    unprinted: bool = Field(default=False, description="Asks for what no report prints (grades)")
    exclude_courses: list[str] = Field(default_factory=list)
    exclude_subjects: list[str] = Field(default_factory=list)
    exclude_instructors: list[InstructorRef] = Field(default_factory=list)
    exclude_sections: list[str] = Field(default_factory=list)
    other_section: bool = False
    other_course: bool = Field(
        default=False, description="'her other course': the person's courses but the last one"
    )
    same_term: bool = False
    refers_to_person: bool = Field(
        default=False, description="'his', 'her', 'that person': someone an earlier turn named"
    )
    answered: list[InstructorRef] = Field(
        default_factory=list,
        description="The people this turn's answer singled out (a ranking's first, the one who"
        " taught): whom 'his', 'her', 'that person' mean in the next turn",
    )
    refers_to_course: bool = Field(
        default=False, description="'there', 'that course', 'it': a course an earlier turn ranked"
    )
    answered_course: str | None = Field(
        default=None,
        description="The course this turn's answer put first in a ranking: what 'there', 'that"
        " class', 'it' mean in the next turn",
    )
    season_of_that_year: str | None = None
    year_shift: int = Field(
        default=0, description="'and the year before?': the previous turn's terms a year earlier"
    )
    latest: bool = Field(
        default=False,
        description="'its latest term', 'her most recent report': the newest term of what is named",
    )
    earliest: bool = Field(
        default=False,
        description="'the first term it was offered': the oldest term of what is named",
    )
    last_terms: int | None = Field(
        default=None, description="'its last three terms': that many newest terms of what is named"
    )
    season_step: int = Field(
        default=0, description="'the fall before that': the nearest such season before (-1)"
    )
    term_step: int = Field(
        default=0,
        exclude=True,
        description="'the term after that' (1), 'the semester before' (-1)",
    )
    versus_previous: bool = False
    narrow: bool = Field(default=False, description="'only in CS2500': narrows the last scope")
    without_them: bool = Field(
        default=False, description="'and excluding them?': the last turn's count less its declines"
    )
    all_terms: bool = Field(default=False, description="'across all terms': no term is inherited")
    all_sections: bool = Field(default=False, description="'both sections': none is inherited")
    leftover: list[str] = Field(
        default_factory=list, description="Content words nothing above understood"
    )
    evaluative: bool = Field(default=False, description="Words of an open question ('good')")
    difficulty: bool = Field(default=False, description="'hardest', 'easier': how challenging")
    by_meaning: MetricRef | None = Field(
        default=None, description="The rating question the leftover words mean, read past some"
    )
    challenge: MetricRef | None = Field(
        default=None, description="The question about challenge, for rankings by difficulty"
    )
    topic: str | None = Field(
        default=None, description="The opinion question a comments follow-up keeps asking"
    )
    plain: str | None = Field(
        default=None,
        exclude=True,
        description="The question with its names masked as 'X': what intents are read from",
    )
    measure_named: bool = Field(
        default=False,
        exclude=True,
        description="The question itself names what to measure (not inherited from the last turn)",
    )
    names_someone: bool = Field(
        default=False,
        exclude=True,
        description="The question itself names a course, person or section (not inherited)",
    )
    carried: list[Literal["courses", "instructors", "sections"]] = Field(
        default_factory=list,
        exclude=True,
        description="Kinds of scope a follow-up took from the last turn, not from its own words",
    )
    spelled: str | None = Field(
        default=None,
        exclude=True,
        description="The question with misspelt words corrected ('wich prof had the higest' is"
        " 'which prof had the highest'): what the wording rules read",
    )

    def names_measure(self) -> bool:
        """Whether the question says what to measure (else a follow-up repeats the last one)."""
        return bool(
            self.metric
            or self.metric_phrase
            or self.figure
            or self.statistic
            or self.hours
            or self.options
        )

    def names_scope(self) -> bool:
        return bool(
            self.courses
            or self.unknown_courses
            or self.unknown_instructors
            or self.subjects
            or self.instructors
            or self.terms
            or self.term_from is not None
            or self.term_to is not None
            or self.sections
        )
