"""Entity resolution: spellings, typos, relative terms, follow-ups, metric mapping, intents."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from core.db import connect
from core.report import ParsedReport
from core.settings import Settings
from devtools.corpus.catalogue import (
    CUSTOM_QUESTIONS,
    FREQUENCY_TEXT,
    ONLINE_QUESTIONS,
    STANDARD_QUESTIONS,
)
from embeddings.base import Embedder
from embeddings.models import make_embedder
from evaluation.loading import parse_and_store
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.model import Catalog, CourseRef, InstructorRef, QuestionRef, TermRef
from rag.answer.entities.resolve import resolve
from rag.answer.planning import plan_question
from rag.answer.plans import (
    Average,
    Comparison,
    Count,
    Distribution,
    HoursPerWeek,
    Ranking,
    Trend,
    Unanswerable,
)

OVERALL = "What is your overall rating of this instructor's teaching effectiveness?"


def _term(label: str, season: str, year: int, index: int) -> TermRef:
    return TermRef(label=label, season=season, year=year, sort_key=year * 10 + index)


def make_catalog() -> Catalog:
    """A small hand-built catalogue: the pure resolver needs no database."""
    texts = [t for _, t in STANDARD_QUESTIONS] + list(ONLINE_QUESTIONS) + list(CUSTOM_QUESTIONS)
    return Catalog(
        courses=(
            CourseRef("CS5800", "CS", "5800", "Algorithms"),
            CourseRef("CS3500", "CS", "3500", "Object-Oriented Design"),
            CourseRef("DS2000", "DS", "2000", "Programming with Data"),
            CourseRef("CS6140", "CS", "6140", "Machine Learning"),
            CourseRef("DS4400", "DS", "4400", "Machine Learning and Data Mining 1"),
        ),
        subjects=("CS", "DS"),
        instructors=(
            InstructorRef(id=1, last="Doe", first="Jane"),
            InstructorRef(id=2, last="Doe", first="John"),
            InstructorRef(id=3, last="Ramírez", first="María"),
            InstructorRef(id=4, last="van der Berg", first="Pieter"),
            InstructorRef(id=5, last="Nguyen", first="Thi Thanh Huong"),
            InstructorRef(id=6, last="Park", first="Ji-woo"),
            InstructorRef(id=7, last="O'Brien-Smith", first="Mary Ann"),
            InstructorRef(id=8, last="Smith", first="John Paul"),
        ),
        terms=(
            _term("Fall 2019", "Fall", 2019, 4),
            _term("Spring 2023", "Spring", 2023, 0),
            _term("Summer 1 2023", "Summer 1", 2023, 1),
            _term("Fall 2023", "Fall", 2023, 4),
            _term("Spring 2024", "Spring", 2024, 0),
        ),
        questions=tuple(QuestionRef(i + 1, t, None) for i, t in enumerate(texts)),
        prompts=(FREQUENCY_TEXT,),
    )


CATALOG = make_catalog()


@pytest.fixture(scope="module")
def real_embedder() -> Embedder:
    return make_embedder(Settings(_env_file=None, embedding_backend="st-fp32"))


@pytest.fixture(scope="module")
def metric_index(real_embedder: Embedder) -> MetricIndex:
    return MetricIndex.build(CATALOG, real_embedder)


def ids(question: str) -> list[int]:
    return [p.id for p in resolve(question, CATALOG, metric_index=None).instructors]


# ---------------------------------------------------------------- courses and subjects


@pytest.mark.parametrize(
    "question",
    [
        "average clarity for CS 5800",
        "average clarity for cs5800",
        "average clarity for CS-5800",
        "average clarity for Cs5800?",
        "average clarity for algorithms",
        "how was Algorithms in Fall 2023",
    ],
)
def test_course_spellings(question: str) -> None:
    ent = resolve(question, CATALOG, metric_index=None)
    assert ent.courses == ["CS5800"] and ent.unknown_courses == []


def test_longest_title_wins_and_codes_with_year_like_numbers() -> None:
    ent = resolve("compare Machine Learning and Data Mining 1 in 2023", CATALOG, metric_index=None)
    assert ent.courses == ["DS4400"] and (ent.term_from, ent.term_to) == (20230, 20239)
    ent = resolve("how many sections of DS2000 were taught in 2023?", CATALOG, metric_index=None)
    assert ent.courses == ["DS2000"] and (ent.term_from, ent.term_to) == (20230, 20239)


def test_unknown_course_and_subjects() -> None:
    ent = resolve("average rating for ZZ 9999", CATALOG, metric_index=None)
    assert ent.unknown_courses == ["ZZ9999"] and ent.courses == []
    ent = resolve("best instructor in CS in Fall 2023", CATALOG, metric_index=None)
    assert ent.subjects == ["CS"] and ent.courses == []
    assert resolve("rating in fall 2023", CATALOG, metric_index=None).unknown_courses == []


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("Is Professor Zhang a good teacher?", ["Zhang"]),
        ("prof. zhang's overall rating in fall 2023", ["Zhang"]),
        ("is Dr Lee any good", ["Lee"]),
        ("is Prof. Ramírez a good teacher?", []),  # known
        ("is Prof. Ramirex a good teacher?", []),  # one letter off a known surname
        ("is the prof good in CS5800?", []),
        ("is the professor really good at explaining?", []),
        ("average rating of the professor of CS5800", []),
    ],
)
def test_a_name_after_a_title_that_no_report_holds(question: str, unknown: list[str]) -> None:
    ent = resolve(question, CATALOG, metric_index=None)
    assert ent.unknown_instructors == unknown
    assert all(u.lower() not in (ent.metric_phrase or "") for u in unknown)


# ---------------------------------------------------------------- terms


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("rating in Fall 2023", ["Fall 2023"]),
        ("rating in FA23", ["Fall 2023"]),
        ("rating in fa 23", ["Fall 2023"]),
        ("rating in Fall '23", ["Fall 2023"]),
        ("rating in Fall ’23", ["Fall 2023"]),
        ("rating in spring 2024", ["Spring 2024"]),
        ("rating in SP24", ["Spring 2024"]),
        ("rating in summer 1 2023", ["Summer 1 2023"]),
        ("rating in summer 2023", ["Summer 1 2023"]),  # only the session with data
        ("rating last spring", ["Spring 2024"]),
        ("rating this fall", ["Fall 2023"]),
        ("rating last term", ["Spring 2024"]),
        ("rating in the most recent semester", ["Spring 2024"]),
        ("rating in Fall 2030", ["Fall 2030"]),  # kept: no data is reported, not dropped
    ],
)
def test_terms(question: str, terms: list[str]) -> None:
    assert resolve(question, CATALOG, metric_index=None).terms == terms


@pytest.mark.parametrize(
    ("question", "bounds"),
    [
        ("trend since 2019", (20190, None)),
        ("trend between 2020 and 2022", (20200, 20229)),
        ("trend from 2020 to 2022", (20200, 20229)),
        ("trend 2020-2022", (20200, 20229)),
        ("ratings before 2021", (None, 20209)),
        ("ratings in 2023", (20230, 20239)),
        ("trend since Fall 2021", (20214, None)),
    ],
)
def test_year_ranges(question: str, bounds: tuple[int | None, int | None]) -> None:
    ent = resolve(question, CATALOG, metric_index=None)
    assert (ent.term_from, ent.term_to) == bounds and ent.terms == []


def test_section() -> None:
    ent = resolve("CS 5800 section 2 in Fall 2023", CATALOG, metric_index=None)
    assert ent.sections == ["02"] and ent.courses == ["CS5800"]


# ---------------------------------------------------------------- instructors


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how does Prof. Ramirez compare", [3]),
        ("how does Dr. María Ramírez compare", [3]),
        ("how does professor ramirez compare", [3]),
        ("how does Prof. Ramires compare", [3]),  # typo
        ("ratings of Nguyn in Fall 2023", [5]),  # typo, capitalised mid-sentence
        ("ratings for van der Berg", [4]),
        ("ratings for Mary Ann O’Brien-Smith", [7]),
        ("ratings for Jane Doe", [1]),
        ("ratings for Doe, John", [2]),
        ("ratings for Prof. Doe", [1, 2]),  # ambiguous: both kept
        ("ratings for John Paul Smith", [8]),
        ("how did Prof. Park do", [6]),
    ],
)
def test_instructor_names(question: str, expected: list[int]) -> None:
    assert ids(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "where can students park near the lab?",
        "Which course had the best feedback in Fall 2023?",
        "What was the Overall rating for Algorithms?",
        "how smooth was the Design course",
        "Who was the most Organized instructor?",
    ],
)
def test_no_false_instructors(question: str) -> None:
    assert ids(question) == []


# ---------------------------------------------------------------- follow-ups


def test_follow_up_keeps_what_is_not_said(metric_index: MetricIndex) -> None:
    first = resolve(
        "average overall rating for CS 5800 in Fall 2023", CATALOG, metric_index=metric_index
    )
    assert first.metric is not None and first.metric.text == OVERALL
    second = resolve("and in Spring 2024?", CATALOG, metric_index=metric_index, previous=first)
    assert second.courses == ["CS5800"] and second.terms == ["Spring 2024"]
    assert second.metric == first.metric
    third = resolve("what about Prof. Nguyen?", CATALOG, metric_index=metric_index, previous=second)
    assert [p.id for p in third.instructors] == [5]
    assert third.courses == ["CS5800"] and third.terms == ["Spring 2024"]
    fourth = resolve(
        "and for CS3500 since 2019?", CATALOG, metric_index=metric_index, previous=third
    )
    assert fourth.courses == ["CS3500"] and fourth.terms == [] and fourth.term_from == 20190
    fifth = resolve("and feedback?", CATALOG, metric_index=metric_index, previous=fourth)
    assert fifth.metric is not None and "feedback" in fifth.metric.text


# ---------------------------------------------------------------- metric mapping (real model)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("which instructor had the highest overall rating in Fall 2023?", OVERALL),
        ("teaching effectiveness of Prof. Doe", OVERALL),
        ("average clarity score for CS 5800", "clearly communicated"),
        ("how does Prof. Doe compare to the department on feedback?", "sufficient feedback"),
        ("how organized were the online materials in CS3500", "organized"),
        # organisation is what every section's syllabus question asks; only the online
        # sections' question names online materials, so it is the reading of last resort
        ("which course is the best organized", "syllabus"),
        ("how disorganised was CS3500 in Fall 2023", "syllabus"),
        ("trend of workload hours in cs5800 since 2019", FREQUENCY_TEXT),
        ("how many hours per week do students spend on CS3500?", FREQUENCY_TEXT),
        ("how intellectually challenging is Algorithms", "intellectually challenging"),
        ("syllabus scores for DS2000", "syllabus"),
        ("which course had the most enthusiastic instructor", "enthusiasm"),
        # both words must be covered: "graded" alone must not pull in "graded promptly"
        ("average fair grading for CS 5800 in Fall 2023", "fairly evaluated"),
        ("how does CS 5800 compare to the department average on fair grading?", "fairly"),
        ("trend of intellectual challenge in CS5800", "intellectually challenging"),
    ],
)
def test_metric_by_similarity(metric_index: MetricIndex, question: str, expected: str) -> None:
    ent = resolve(question, CATALOG, metric_index=metric_index)
    assert ent.metric is not None, ent.metric_phrase
    assert expected in ent.metric.text
    assert ent.metric.kind == ("hours" if expected == FREQUENCY_TEXT else "question")


@pytest.mark.parametrize(
    "question",
    [
        "average parking availability for CS 5800",
        "what was the weather like in Fall 2023",
        "best cafeteria food for CS3500",
        # "teaching" matches a question; "salary" matches nothing, so the ask matches nothing
        "What is the average salary of instructors teaching CS 5800?",
        "average tuition cost for CS3500",
    ],
)
def test_metric_nothing_matches(metric_index: MetricIndex, question: str) -> None:
    ent = resolve(question, CATALOG, metric_index=metric_index)
    assert ent.metric is None and ent.metric_phrase
    plan = plan_question(question, ent)
    assert isinstance(plan, Unanswerable) and ent.metric_phrase in plan.reason


def test_metric_word_coverage(metric_index: MetricIndex) -> None:
    """A shared stem covers a word outright; an off-domain word is foreign to every question."""
    scores = metric_index.scores("fair grading")
    texts = [t.text for t in metric_index.targets]
    fairly = next(i for i, t in enumerate(texts) if "fairly evaluated" in t)
    assert int(scores.argmax()) == fairly
    assert float(metric_index.word_cover("fair")[fairly]) == 1.0  # "fair" ~ "fairly"
    assert metric_index.foreign_words("salary teaching") == ["salary"]
    assert metric_index.foreign_words("overall rating") == []


# ---------------------------------------------------------------- intents


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("which instructor had the highest overall rating in Fall 2023?", Ranking),
        ("top 3 courses by feedback, including small sections", Ranking),
        ("average clarity score for CS 5800", Average),
        ("how does Prof. Doe compare to the department on feedback?", Comparison),
        ("trend of workload hours in cs5800 since 2019", Trend),
        ("how has the overall rating of CS5800 changed since 2019", Trend),
        ("distribution of overall ratings for Algorithms in Spring 2024", Distribution),
        ("how many sections of DS2000 were taught in 2023?", Count),
        ("how many hours per week do students spend on CS3500?", HoursPerWeek),
        ("what is the average rating for ZZ 9999?", Unanswerable),
        ("tell me about CS 5800", Unanswerable),
    ],
)
def test_plan_types(metric_index: MetricIndex, question: str, kind: type) -> None:
    ent = resolve(question, CATALOG, metric_index=metric_index)
    assert isinstance(plan_question(question, ent), kind)


def test_ranking_details(metric_index: MetricIndex) -> None:
    q = "top 3 courses by feedback, including small sections"
    plan = plan_question(q, resolve(q, CATALOG, metric_index=metric_index))
    assert isinstance(plan, Ranking)
    assert (plan.entity, plan.limit, plan.include_small, plan.order) == ("course", 3, True, "desc")
    q = "which professor had the lowest overall rating last spring?"
    plan = plan_question(q, resolve(q, CATALOG, metric_index=metric_index))
    assert isinstance(plan, Ranking)
    assert (plan.entity, plan.order, plan.min_responses) == ("instructor", "asc", 5)
    assert plan.scope.terms == ["Spring 2024"]
    q = "how many instructors taught CS5800?"
    count = plan_question(q, resolve(q, CATALOG, metric_index=metric_index))
    assert isinstance(count, Count) and count.what == "instructors"


# ---------------------------------------------------------------- the catalogue from the database


def test_catalog_load(db_url: str, corpus: Path) -> None:
    reports: list[ParsedReport] = []
    with connect(db_url, autocommit=True) as conn:
        paths = sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))
        parse_and_store(conn, paths)
        for path in paths:
            reports.append(
                ParsedReport.model_validate(json.loads(path.with_suffix(".json").read_text()))
            )
        catalog = Catalog.load(conn)
    assert {c.code for c in catalog.courses} == {r.course.code for r in reports}
    assert set(catalog.subjects) == {r.course.subject for r in reports}
    assert {(p.last, p.first) for p in catalog.instructors} == {
        (p.last, p.first) for r in reports for p in r.instructors
    }
    keys = [t.sort_key for t in catalog.terms]
    assert keys == sorted(keys) and catalog.newest is not None
    assert catalog.newest.label == max(reports, key=lambda r: r.term.sort_key).term.label
    assert {q.text for q in catalog.questions} == {q.text for r in reports for q in r.questions}
    assert set(catalog.prompts) == {f.text for r in reports for f in r.frequencies}
    some = reports[0]
    ent = resolve(
        f"average overall rating for {some.course.code} in {some.term.label}",
        catalog,
        metric_index=None,
    )
    assert ent.courses == [some.course.code] and ent.terms == [some.term.label]


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("what did students say in the lab survey for CS5800?", "survey"),
        ("What did the Lab-Survey say about the homework?", "survey"),
        ("what do students say in the mid-term survey for CS5800?", "survey"),
        ("comments from the midterm feedback form in CS 5800", "survey"),
        ("how many students took the survey for CS5800 in Fall 2023?", None),
        ("what do students say about feedback in CS5800?", None),
        ("what do students say about the labs in CS5800?", None),
    ],
)
def test_a_named_survey_reads_surveys_and_a_bare_survey_is_trace(
    question: str, source: str | None
) -> None:
    catalog = dataclasses.replace(make_catalog(), surveys=("Feedback", "Lab survey"))
    assert resolve(question, catalog, metric_index=None).source == source


def test_a_survey_named_by_its_title_is_that_survey() -> None:
    catalog = dataclasses.replace(make_catalog(), surveys=("Lab survey", "Week 6 pulse check"))
    named = resolve("waht did students say in the week 6 pulse check?", catalog, metric_index=None)
    assert (named.source, named.survey) == ("survey", "Week 6 pulse check")
    generic = resolve("what did the mid-term survey say?", catalog, metric_index=None)
    assert (generic.source, generic.survey) == ("survey", None)


# ---------------------------------------------------------------- how students name things

TITLED = dataclasses.replace(
    CATALOG,
    courses=(
        *CATALOG.courses,
        CourseRef("SOCL1101", "SOCL", "1101", "Introduction to Sociology"),
        CourseRef("CHEM1211", "CHEM", "1211", "General Chemistry 1"),
        CourseRef("ECON1115", "ECON", "1115", "Principles of Macroeconomics"),
        CourseRef("CS2500", "CS", "2500", "Fundamentals of Computer Science 1"),
        CourseRef("CS2510", "CS", "2510", "Fundamentals of Computer Science 2"),
        CourseRef("EECE2322", "EECE", "2322", "Fundamentals of Digital Design and Computer Org"),
        CourseRef("PHIL1145", "PHIL", "1145", "Technology and Human Values"),
    ),
    subjects=("CHEM", "CS", "DS", "ECON", "EECE", "PHIL", "SOCL"),
)


@pytest.mark.parametrize(
    ("question", "courses"),
    [
        ("how is intro socio?", ["SOCL1101"]),
        ("gen chem 1 enrollment in fall 2023", ["CHEM1211"]),
        ("response rate of macro econ in fall 2023", ["ECON1115"]),
        ("fundies 2 overall rating", ["CS2510"]),  # a title's first word and its number
        ("responses for human values in fall 2023", ["PHIL1145"]),  # generic, but only here
        ("how many signed up for tech & human values?", ["PHIL1145"]),
        ("algorithms vs fundies 1, which is rated higher?", ["CS5800", "CS2500"]),
        ("fundies overall rating", []),  # Northeastern's Fundies: CS2500 or CS2510, neither
        ("fundamentals overall rating", []),  # two titles start with "fundamentals": neither
        ("spring 2026 THV responses", ["PHIL1145"]),  # a title's initials
        ("FOCS overall rating", []),  # the initials of two titles: neither
        ("THE best course", []),  # capitals that are no title's initials
        ("best computer science course", []),  # "computer" is in another title too
        ("best intro course", []),  # generic words alone name no course
    ],
)
def test_shortened_titles_name_one_course(question: str, courses: list[str]) -> None:
    assert resolve(question, TITLED, metric_index=None).courses == courses


def test_abbreviations_are_written_out_only_towards_a_title() -> None:
    from rag.answer.entities.courses import expand_abbreviations

    titles = [c.title for c in TITLED.courses]
    assert expand_abbreviations("gen chem and intro socio", titles) == (
        "general chemistry and introduction sociology"
    )
    assert expand_abbreviations("psych bio", titles) == "psych bio"  # no such titles here
    assert expand_abbreviations("socl 1101", titles) == "socl 1101"  # a code stays a code


def test_names_as_typed_without_apostrophe_or_hyphen() -> None:
    for question in ("obrien-smith's overall rating", "obrien smith overall rating"):
        ent = resolve(question, CATALOG, metric_index=None)
        assert [p.last for p in ent.instructors] == ["O'Brien-Smith"], question


def test_a_span_between_two_terms_and_a_drop_over_it() -> None:
    ent = resolve(
        "did the response rate of CS5800 drop between F23 and spring 2024?",
        CATALOG,
        metric_index=None,
    )
    assert (ent.term_from, ent.term_to) == (20234, 20240) and ent.terms == []
    assert ent.breakdown == "term" and ent.figure == "response_rate" and not ent.leftover
    dropped = resolve("how many students dropped CS5800 in fall 2023", CATALOG, metric_index=None)
    assert dropped.breakdown is None and dropped.metric_phrase == "dropped"  # still declined


@pytest.mark.parametrize(
    ("question", "held"),
    [
        ("how many students cheated in CS5800 last year", "academic integrity cases"),
        ("which students gave Jane Doe bad reviews? names pls", "who wrote what"),
        ("list the names of the students who complained", "who wrote what"),
    ],
)
def test_what_no_report_holds(question: str, held: str) -> None:
    ent = resolve(question, CATALOG, metric_index=None)
    assert ent.unprinted and ent.leftover[0].startswith(held)


def test_a_plan_to_take_a_course_next_term_is_no_future_question() -> None:
    planned = "thinking of taking CS5800 next spring, how was it for people?"
    assert not resolve(planned, CATALOG, metric_index=None).future
    asked = "what will the response rate of CS5800 be next semester?"
    assert resolve(asked, CATALOG, metric_index=None).future


def test_the_year_before_shifts_the_last_turns_terms() -> None:
    first = resolve("enrollment of CS5800 in fall 2023", CATALOG, metric_index=None)
    before = resolve("and the year before?", CATALOG, metric_index=None, previous=first)
    assert before.terms == ["Fall 2022"] and before.courses == ["CS5800"]
    after = resolve("what about the following year?", CATALOG, metric_index=None, previous=first)
    assert after.terms == ["Fall 2024"]


@pytest.mark.parametrize(
    ("words", "name"),
    [
        ("Jane Doe", True),
        ("Prof. Ramírez", True),
        ("maria ramirez", True),
        ("Jane Doe's TA", False),
        ("taking Ramírez next fall", False),
        ("a CS student", False),
    ],
)
def test_an_introduction_names_an_instructor_and_nothing_else(words: str, name: bool) -> None:
    from rag.answer.entities.resolve import _only_a_name

    assert _only_a_name(words, CATALOG) is name


def test_a_typo_of_fall_before_a_year_is_that_fall() -> None:
    """ "fal 2023" is too short for spelling correction, so the term reader knows it."""
    assert resolve("overall rating of CS5800 in fal 2023", CATALOG, metric_index=None).terms == [
        "Fall 2023"
    ]


def test_online_sections_say_which_sections_not_what_to_measure() -> None:
    ran = "CS5800 ran two online sections in fall 2023. Enrollment for both put together?"
    ent = resolve(ran, CATALOG, metric_index=None)
    assert ent.figure == "enrollment" and not ent.metric_phrase, ent


def test_the_latest_term_is_the_newest_of_what_is_named() -> None:
    """ "its latest report", "the latest term": the newest term in which the named course or
    person has a section (said in the answer), else the newest of all; "between its first and
    latest term" belongs to a ranking by change and names no term."""
    catalog = dataclasses.replace(
        CATALOG,
        offerings=(("CS5800", 20234, 1), ("CS5800", 20230, 3), ("DS2000", 20240, 3)),
    )
    its = resolve("how is CS5800 doing in its latest report?", catalog, metric_index=None)
    assert its.terms == ["Fall 2023"] and its.read_as, its
    hers = resolve(
        "Ramírez's overall rating in her most recent semester", catalog, metric_index=None
    )
    assert hers.terms == ["Spring 2024"] and not hers.read_as  # the newest of all reports too
    none = resolve("response rate in the latest term", catalog, metric_index=None)
    assert none.terms == ["Spring 2024"]
    first = resolve("CS5800 overall rating in spring 2023", catalog, metric_index=None)
    later = resolve("and in its latest term?", catalog, metric_index=None, previous=first)
    assert later.terms == ["Fall 2023"] and later.courses == ["CS5800"]
    change = "which course's clarity went up the most between its first term and its latest one?"
    ranked = resolve(change, catalog, metric_index=None)
    assert ranked.terms == [] and not ranked.latest and "latest" not in (ranked.metric_phrase or "")


@pytest.mark.parametrize(
    ("follow_up", "term"),
    [
        ("and the spring a year before that?", "Spring 2022"),
        ("and the fall a year later?", "Fall 2024"),
        ("and the spring before that?", "Spring 2023"),  # the nearest spring before Fall 2023
        ("the fall before?", "Fall 2022"),
        ("and the spring after that?", "Spring 2024"),
        ("what about the summer 1 after?", "Summer 1 2024"),
    ],
)
def test_a_season_before_or_after_the_last_turns_term(follow_up: str, term: str) -> None:
    first = resolve("enrollment of CS5800 in fall 2023", CATALOG, metric_index=None)
    shifted = resolve(follow_up, CATALOG, metric_index=None, previous=first)
    assert shifted.terms == [term] and shifted.courses == ["CS5800"], follow_up
    assert not shifted.leftover, shifted.leftover


def test_a_season_before_a_year_is_a_bound_not_a_shift() -> None:
    bound = resolve("enrollment of CS5800 in the spring before 2024", CATALOG, metric_index=None)
    assert bound.term_to is not None and bound.season_step == 0 and bound.year_shift == 0


def test_who_should_i_take_ranks_the_instructors() -> None:
    from rag.answer.intent_rules import detect_intent

    question = "who should I take for CS5800 if I care about clear explanations?"
    intent = detect_intent(question, resolve(question, CATALOG, metric_index=None))
    assert intent is not None and (intent.kind, intent.entity) == ("ranking", "instructor")


def test_her_other_course_is_the_persons_courses_but_the_last() -> None:
    first = resolve("Jane Doe's overall rating in CS5800 fall 2023", CATALOG, metric_index=None)
    other = resolve("what about her other course?", CATALOG, metric_index=None, previous=first)
    assert other.courses == [] and other.exclude_courses == ["CS5800"]
    assert [p.id for p in other.instructors] == [p.id for p in first.instructors]
    assert other.terms == []  # another course: the last turn's term goes too


def test_a_word_several_titles_start_with_is_named_in_the_decline() -> None:
    from rag.answer.declines import missing

    ent = resolve("fundamentals overall rating in fall 2023", TITLED, metric_index=None)
    assert ent.courses == [] and ent.ambiguous_courses == ["fundamentals"]
    said = missing(ent, TITLED)
    assert said == [
        "“fundamentals” starts the titles of CS2500 (Fundamentals of Computer Science 1) and"
        " CS2510 (Fundamentals of Computer Science 2) and EECE2322 (Fundamentals of Digital"
        " Design and Computer Org); name one"
    ]
    assert resolve("fundies 1 overall rating", TITLED, metric_index=None).ambiguous_courses == []
    fundies = resolve("fundies overall rating", TITLED, metric_index=None)  # Northeastern's name
    assert missing(fundies, TITLED) == [  # for Fundamentals of Computer Science, not EECE2322
        "“fundamentals of computer science” starts the titles of CS2500 (Fundamentals of Computer"
        " Science 1) and CS2510 (Fundamentals of Computer Science 2); name one"
    ]


def test_the_person_or_term_named_tells_which_course_a_nickname_means() -> None:
    """ "fundamentals with Ramírez": of the courses "fundamentals" starts, the one she taught; a
    term in which one of them ran tells too; where several still fit, the decline names them
    ("fundies" is Northeastern's Fundamentals of Computer Science: CS2500 or CS2510)."""
    catalog = dataclasses.replace(
        TITLED,
        offerings=(
            ("CS2500", 20234, 1),  # Jane Doe, Fall 2023
            ("EECE2322", 20234, 3),  # María Ramírez, Fall 2023
            ("CS2510", 20240, 1),  # Jane Doe, Spring 2024
        ),
    )
    hers = resolve("fundamentals with ramirez, overall rating?", catalog, metric_index=None)
    assert hers.courses == ["EECE2322"] and hers.ambiguous_courses == []
    assert not hers.metric_phrase or "fundamentals" not in hers.metric_phrase
    spring = resolve("fundies overall rating in spring 2024", catalog, metric_index=None)
    assert spring.courses == ["CS2510"]
    both = resolve("fundies with Jane Doe", catalog, metric_index=None)  # CS2500 and CS2510
    assert both.courses == [] and both.ambiguous_courses == ["fundamentals of computer science"]
    fall = resolve("fundamentals overall rating in fall 2023", catalog, metric_index=None)
    assert fall.courses == [] and fall.ambiguous_courses == ["fundamentals"]
    fundies = resolve("fundies overall rating in fall 2023", catalog, metric_index=None)
    assert fundies.courses == ["CS2500"]  # of CS2500 and CS2510, the one that ran then


def test_a_bare_surname_where_a_person_stands_is_an_instructor() -> None:
    """ "Is Zhang good?", "how's ramirez": a word where a person stands that no dictionary holds
    is a name: a held one (accents aside) is that instructor, another is declined with the
    close names the reports hold."""
    from rag.answer.declines import missing

    assert ids("how's ramirez") == [3]
    assert ids("is nguyen any good?") == [5]
    for question, name in (
        ("Is Zhang good?", "Zhang"),
        ("how's zhang", "Zhang"),
        ("taking CS5800 with zhang?", "Zhang"),
        ("is ramone a good prof?", "Ramone"),
    ):
        ent = resolve(question, CATALOG, metric_index=None)
        assert ent.unknown_instructors == [name] and not ent.metric_phrase, question
    near = resolve("is ramone a good prof?", CATALOG, metric_index=None)
    assert missing(near, CATALOG) == [
        "there is no instructor named Ramone in the reports (close names: María Ramírez)"
    ]
    for question in ("is it good?", "is CS5800 good?", "how's the workload", "is algorithms hard"):
        assert resolve(question, CATALOG, metric_index=None).unknown_instructors == [], question


def test_relative_terms_are_read_against_the_newest_term_held() -> None:
    """The newest term the reports hold (Spring 2024 here) is "now", whatever the wall clock:
    "last fall" is Fall 2023, "last year" 2023, "this year" 2024; each says how it was read."""
    fall = resolve("CS5800 enrollment last fall", CATALOG, metric_index=None)
    assert fall.terms == ["Fall 2023"]
    assert fall.read_as == [
        "“last fall” is Fall 2023 (the newest term in the reports is Spring 2024)"
    ]
    last = resolve("how was CS5800 last year?", CATALOG, metric_index=None)
    assert (last.term_from, last.term_to) == (20230, 20239) and not last.metric_phrase
    assert last.read_as == ["“last year” is 2023 (the newest term in the reports is Spring 2024)"]
    this = resolve("CS5800 overall rating this year", CATALOG, metric_index=None)
    assert (this.term_from, this.term_to) == (20240, 20249)
    past = resolve("CS5800 overall rating over the past year", CATALOG, metric_index=None)
    assert (past.term_from, past.term_to) == (20231, 20240)
    assert past.read_as[0].startswith("“the past year” is Summer 1 2023 to Spring 2024")
    two = resolve("CS5800 over the last two years", CATALOG, metric_index=None)
    assert two.term_from == 20230 and two.read_as == []  # counted years: read as before


@pytest.mark.parametrize(
    "question",
    [
        "has Jane Doe's feedback score held up over the years?",
        "did the response rate of CS5800 slip over time? every term pls",
        "track the clarity score for CS5800 from fall 2019 onward",
        "María Ramírez's 'I learned a lot' numbers over her terms",
        "ok but has the clarity of CS5800 gotten better lately?",
        "has CS5800 become more challenging since 2019?",
    ],
)
def test_words_of_change_over_time_ask_for_a_trend(
    metric_index: MetricIndex, question: str
) -> None:
    """ "held up", "slip", "onward", "over her terms", "lately": a trend of the rating named,
    not words that name no rating."""
    ent = resolve(question, CATALOG, metric_index=metric_index)
    plan = plan_question(question, ent)
    assert isinstance(plan, Trend), (question, plan, ent.leftover)


def test_interjections_and_short_title_words_are_no_metric(metric_index: MetricIndex) -> None:
    """ "yo", "but", "tbh" say nothing to measure; "mgmt", "micro", "dev" shorten title words."""
    from rag.answer.entities.courses import expand_abbreviations

    for question in ("yo how many students in CS5800 fall 2023", "tbh enrollment of CS5800?"):
        ent = resolve(question, CATALOG, metric_index=metric_index)
        assert ent.figure == "enrollment" and not ent.leftover, (question, ent.leftover)
        assert isinstance(plan_question(question, ent), Average)
    titles = ["Principles of Microeconomics", "Database Management", "Software Development"]
    assert expand_abbreviations("schafer's micro", titles) == "schafer's microeconomics"
    assert expand_abbreviations("data mgmt and software dev", titles) == (
        "data management and software development"
    )
    assert expand_abbreviations("micro econ", titles) == "microeconomics"
    assert resolve(
        "response rate of micro in fall 2023", TITLED_MICRO, metric_index=None
    ).courses == ["ECON1116"]


TITLED_MICRO = dataclasses.replace(
    CATALOG,
    courses=(
        *CATALOG.courses,
        CourseRef("ECON1116", "ECON", "1116", "Principles of Microeconomics"),
    ),
    subjects=("CS", "DS", "ECON"),
)
