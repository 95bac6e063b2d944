"""The words people use for printed numbers and for scope, read without a database (real model)."""

from __future__ import annotations

import pytest

from core.settings import Settings
from embeddings.base import Embedder
from embeddings.models import make_embedder
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.model import Entities
from rag.answer.entities.resolve import resolve
from rag.answer.planning import defaults_of, plan_question
from rag.answer.plans import (
    Average,
    Comparison,
    Distribution,
    HoursPerWeek,
    Overview,
    Ranking,
    Trend,
    Unanswerable,
)
from tests.rag.answer.test_entities import CATALOG, OVERALL

DEFAULTS = defaults_of([(q.id, q.text) for q in CATALOG.questions], list(CATALOG.prompts))


@pytest.fixture(scope="module")
def real_embedder() -> Embedder:
    return make_embedder(Settings(_env_file=None, embedding_backend="st-fp32"))


@pytest.fixture(scope="module")
def index(real_embedder: Embedder) -> MetricIndex:
    return MetricIndex.build(CATALOG, real_embedder)


def read(question: str, index: MetricIndex, previous: Entities | None = None) -> Entities:
    return resolve(question, CATALOG, metric_index=index, previous=previous)


def plan(question: str, index: MetricIndex, previous: Entities | None = None) -> object:
    return plan_question(question, read(question, index, previous), DEFAULTS)


# ---------------------------------------------------------------- printed numbers


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("how many students were enrolled in CS 5800 in Fall 2023?", "enrollment"),
        ("class size of DS2000 in spring 2024", "enrollment"),
        ("whats the headcount for CS3500 fall 2023", "enrollment"),
        ("how many students were invited to fill out the survey for CS5800", "enrollment"),
        ("how many took the survey in CS5800 fall 2023", "responses"),
        ("how many evaluations were completed for CS3500?", "responses"),
        ("how many responses did it get, including declines?", "responses"),
        ("responses excluding declines for CS5800", "respondents"),
        ("how many students declined the evaluation in CS5800?", "declines"),
        ("how many students opted out of the survey in CS5800?", "declines"),
        ("what was the response rate for CS5800 section 2?", "response_rate"),
        ("what % of students responded in DS2000 fall 2023", "response_rate"),
        ("participation rate in the trace survey for CS3500", "response_rate"),
    ],
)
def test_section_figures(index: MetricIndex, question: str, figure: str) -> None:
    ent = read(question, index)
    assert ent.figure == figure and not ent.leftover, ent
    made = plan_question(question, ent, DEFAULTS)
    assert isinstance(made, Average) and made.metric.figure == figure


@pytest.mark.parametrize(
    ("question", "statistic", "text"),
    [
        ("median clarity for CS5800 in fall 2023", "median", "clearly communicated"),
        ("std dev of the overall rating for CS3500", "std_dev", OVERALL),
        ("whats the N for the overall rating in CS5800 section 01?", "responses", OVERALL),
        ("how many answered 'The instructor provided sufficient feedback' in CS5800", "responses",
         "sufficient feedback"),
        ("response rate on the feedback question in CS5800", "response_rate", "feedback"),
    ],
)  # fmt: skip
def test_question_statistics(index: MetricIndex, question: str, statistic: str, text: str) -> None:
    made = plan(question, index)
    assert isinstance(made, Average), made
    assert made.metric.statistic == statistic and text in made.metric.text


def test_distributions_and_option_counts(index: MetricIndex) -> None:
    spread = plan("spread of overall ratings for CS5800 - how many 5s 4s 3s etc", index)
    assert isinstance(spread, Distribution) and spread.options == []
    low = plan("how many disagreed or strongly disagreed that feedback was sufficient", index)
    assert isinstance(low, Distribution) and low.options == [2, 1]
    assert "feedback" in low.metric.text
    top = plan("how many students rated Prof. Nguyen almost always effective", index)
    assert isinstance(top, Distribution) and top.options == [5] and top.metric.text == OVERALL
    best = plan("what share gave Nguyen the top effectiveness rating in CS5800?", index)
    assert isinstance(best, Distribution) and best.options == [5] and best.metric.text == OVERALL
    worst = plan("how many gave CS5800 the lowest possible feedback score", index)
    assert isinstance(worst, Distribution) and worst.options == [1], worst
    assert "feedback" in worst.metric.text
    ranked = plan("who got the top feedback rating in CS5800?", index)  # no one chose: a ranking
    assert isinstance(ranked, Ranking), ranked


def test_feeling_welcome_is_the_inclusive_question(index: MetricIndex) -> None:
    """ "makes everyone feel welcome" names the inclusive question; it asks for no comments."""
    caring = plan("who's the most caring prof, the one who makes everyone feel welcome?", index)
    assert isinstance(caring, Ranking) and "inclusive" in caring.metric.text, caring
    from rag.answer.opinions import OPINION

    assert OPINION.search("the one who makes everyone feel welcome") is None
    assert OPINION.search("how do students feel about okafor?") is not None


def test_hours_words(index: MetricIndex) -> None:
    for question in (
        "how much time does CS5800 take per week",
        "is CS3500 a big time sink? hours per week",
        "how much homework time does DS2000 need",
        "weekly workload for CS5800",
        "share of students doing more than 12 hours a week in CS5800",
    ):
        assert isinstance(plan(question, index), HoursPerWeek), question
    lowest = plan("number of students in the lowest hours bracket (1-4 hrs) in CS5800", index)
    assert isinstance(lowest, HoursPerWeek), lowest  # which bin, not a ranking
    heavy = plan("which course has the heaviest workload?", index)
    assert isinstance(heavy, Ranking) and heavy.metric.kind == "hours" and heavy.entity == "course"
    office = read("how available is Prof. Nguyen in office hours", index)
    assert office.metric is not None and "available" in office.metric.text


# ---------------------------------------------------------------- scope is not metric


def test_scope_phrases_are_not_metrics(index: MetricIndex) -> None:
    pooled = read(
        "What is the average overall teaching effectiveness rating for CS5800 across all terms?",
        index,
    )
    assert pooled.aggregate and pooled.metric is not None and pooled.metric.text == OVERALL
    assert not pooled.leftover
    total = read("total enrollment across both CS5800 sections in fall 2023, in total", index)
    assert total.figure == "enrollment" and not total.leftover and total.aggregate
    best = plan("best instructor overall across all terms", index)
    assert isinstance(best, Ranking) and best.metric.text == OVERALL
    both = plan("Prof. Doe vs Prof. Nguyen overall", index)
    assert isinstance(both, Comparison) and both.metric.text == OVERALL
    since = read("clarity of CS5800 since 2020", index)
    assert since.term_from == 20200 and since.metric is not None
    assert isinstance(plan("overall rating of CS5800 each term", index), Trend)
    per = plan("clarity of CS5800 in fall 2023 per section", index)
    assert isinstance(per, Ranking) and per.entity == "section"
    recent = read("feedback for CS5800 over the last three years", index)
    assert recent.term_from == 20220 and recent.metric is not None  # newest term: Spring 2024
    dept = plan("CS5800 feedback compared with the department", index)
    assert isinstance(dept, Comparison) and dept.between == "dept_univ"
    small = plan("best course by overall rating in fall 2023, ignoring tiny sections", index)
    assert isinstance(small, Ranking) and small.entity == "course" and not small.include_small
    rest = plan("best course by overall rating in fall 2023, leave out CS5800", index)
    assert isinstance(rest, Ranking) and rest.scope.exclude_courses == ["CS5800"]
    # "across every course and term" and "over every term" pool; "for every term" splits
    every = plan("Doe's average clarity across every course and term", index)
    assert isinstance(every, Average), every
    over = plan("over every term, what is the average clarity of CS5800?", index)
    assert isinstance(over, Average), over
    assert isinstance(plan("clarity of CS5800 for every term", index), Trend)


def test_open_questions_plan_an_overview(index: MetricIndex) -> None:
    for question in (
        "is Prof. Nguyen a good teacher?",
        "how is CS5800",
        "tell me about Jane Doe",
        "should I take Algorithms?",
        "is CS3500 hard?",
    ):
        assert isinstance(plan(question, index), Overview), question
    assert isinstance(plan("how has CS5800 changed over the years", index), Trend)
    for question in ("is CS3500 hard?", "is Algorithms an easy class"):  # challenge leads
        hard = plan(question, index)
        assert isinstance(hard, Overview) and "challenging" in hard.headline.text, question
    good = plan("is Prof. Nguyen a good teacher?", index)
    assert isinstance(good, Overview) and good.headline.text == OVERALL
    hardest = plan("which course is the hardest", index)  # ranked by challenge, not overall
    assert isinstance(hardest, Ranking) and "challenging" in hardest.metric.text
    easiest = plan("what is the easiest class", index)
    assert isinstance(easiest, Ranking) and easiest.order == "asc"
    assert isinstance(plan("compare CS5800 and CS3500", index), Comparison)


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("average parking availability for CS 5800", "parking"),
        ("how many students got an A in CS5800", "letter grades"),
        ("how many students got As in CS5800", "grades students received"),
        ("which class has the most A's", "grades students received"),
        ("what was the class average grade in CS5800", "grades students received"),
        ("whats the gpa for cs5800 students", "grades students received"),
        ("How good is the cafeteria food near CS5800?", "cafeteria"),
        ("what will the response rate be next semester for CS5800", "future"),
        ("what's Prof. Nguyen's rate my professor score", "other sites"),
        ("which textbook does CS5800 use", "textbook"),
    ],
)
def test_truly_unknown_metrics_are_declined(index: MetricIndex, question: str, why: str) -> None:
    made = plan(question, index)
    assert isinstance(made, Unanswerable), made
    assert why in made.reason or why in made.searched


# ---------------------------------------------------------------- follow-ups


def test_a_new_course_starts_over_and_a_new_term_keeps_the_course(index: MetricIndex) -> None:
    first = read("which professor had the best overall rating in Fall 2023?", index)
    course = read("what about CS5800?", index, first)
    assert course.courses == ["CS5800"] and course.terms == [] and course.instructors == []
    term = read("and in Spring 2024?", index, read("clarity of Prof. Nguyen in CS5800", index))
    assert term.courses == ["CS5800"] and term.terms == ["Spring 2024"]
    assert [p.id for p in term.instructors] == [5]
    assert term.metric is not None and "clearly" in term.metric.text


def test_sections_terms_and_comparisons_read_the_previous_turn(index: MetricIndex) -> None:
    first = read("overall rating for CS5800 section 1 in Fall 2023", index)
    assert read("and section 2?", index, first).sections == ["02"]
    other = read("what about the other section that term?", index, first)
    assert other.sections == [] and other.exclude_sections == ["01"]
    assert other.terms == ["Fall 2023"]
    by_person = read("clarity for Prof. Nguyen in CS5800 in Fall 2023", index)
    rest = read("what about the other section?", index, by_person)
    assert rest.instructors == [] and [p.id for p in rest.exclude_instructors] == [5]
    spring = read("and in the spring of that year?", index, first)
    assert spring.terms == ["Spring 2023"] and spring.courses == ["CS5800"]
    more = read("and is that more than CS3500?", index, read("hours per week for CS5800", index))
    assert more.courses == ["CS5800", "CS3500"]
    assert isinstance(plan_question("and is that more than CS3500?", more, DEFAULTS), Comparison)


def test_follow_ups_that_widen_or_change_the_statistic(index: MetricIndex) -> None:
    first = read("clarity of CS5800 in Fall 2023 section 1", index)
    wide = read("and across all terms?", index, first)
    assert wide.terms == [] and wide.courses == ["CS5800"] and wide.metric == first.metric
    both = read("and both sections?", index, first)
    assert both.sections == [] and both.terms == ["Fall 2023"]
    median = read("and the median?", index, first)
    assert median.statistic == "median" and median.metric == first.metric
    per = plan_question("per instructor", read("per instructor", index, first), DEFAULTS)
    assert isinstance(per, Ranking) and per.entity == "instructor"


@pytest.mark.parametrize(
    ("question", "held"),
    [
        ("when are Jane Doe's office hours this semester", "schedules"),
        ("what time does CS5800 meet?", "schedules"),
        ("where is the CS5800 final exam?", "schedules"),
    ],
)
def test_a_timetable_is_no_rating(index: MetricIndex, question: str, held: str) -> None:
    """ "when are her office hours": a schedule no report prints, not the availability rating;
    "how available was she outside class" still is."""
    made = plan(question, index)
    assert isinstance(made, Unanswerable) and held in made.reason, made
    rated = plan("how good were Jane Doe's office hours?", index)
    assert not isinstance(rated, Unanswerable), rated


def test_everyday_words_for_declines_and_answers(index: MetricIndex) -> None:
    """ "said no to the eval" is the declines; "how many actually answered the feedback question"
    the question's responses."""
    said_no = read("how many said no to the eval in CS5800 fall 2023", index)
    assert said_no.figure == "declines" and not said_no.leftover, said_no
    answered = plan(
        "how many students actually answered the feedback question in CS5800 fall 2023?", index
    )
    assert isinstance(answered, Average) and answered.metric.statistic == "responses", answered


def test_grading_is_a_rating_and_a_capital_as_is_not_a_grade(index: MetricIndex) -> None:
    """ "grades" the students received are declined; how promptly work was graded is rated."""
    graded = read("were problem sets graded promptly in CS5800", index)
    assert not graded.unprinted
    role = read("As chair, how many students took CS5800 in Fall 2023", index)
    assert not role.unprinted


@pytest.mark.parametrize(
    ("question", "entity"),
    [
        ("of the courses with online sections, which one scores highest on x", "course"),
        ("which instructor had the best section in CS5800", "instructor"),
        ("which section of CS5800 was rated best", "section"),
        ("which of the profs is clearest", "instructor"),
        ("best section of CS5800", "section"),
        ("which semester had the best CS5800 sections", "term"),
        ("which one is best", None),  # a follow-up: the ranking before says what
    ],
)
def test_what_a_ranking_ranks_is_the_noun_which_asks_for(question: str, entity: str) -> None:
    from rag.answer.intent_rules import ranked_entity

    assert ranked_entity(question) == entity
