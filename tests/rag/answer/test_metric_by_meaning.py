"""Rating questions read by meaning: words no question holds are read past when a course,
person or term is named and a number asked, and the answer says how they were read."""

from __future__ import annotations

import pytest

from embeddings.base import Embedder
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.resolve import resolve
from rag.answer.meaning import meaning_note, read_by_meaning
from rag.answer.planning import plan_question
from rag.answer.plans import Comparison, Ranking, Unanswerable
from tests.rag.answer import test_entities as base

CATALOG = base.CATALOG
real_embedder = base.real_embedder  # the service's embedder, as the entity tests load it

CLEAR = "The instructor clearly communicated ideas and information."
INCLUSIVE = "The instructor facilitated a respectful and inclusive learning environment."


@pytest.fixture(scope="module")
def metric_index(real_embedder: Embedder) -> MetricIndex:
    return MetricIndex.build(CATALOG, real_embedder)


def _plan(question: str, index: MetricIndex) -> tuple[object, str | None]:
    entities = read_by_meaning(question, resolve(question, CATALOG, metric_index=index))
    return plan_question(question, entities), meaning_note(entities)


def test_a_paraphrase_with_an_unread_word_answers_and_says_how_it_was_read(
    metric_index: MetricIndex,
) -> None:
    """ "clarity score opposite the department average": "opposite" is in no rating question, so
    the strict reading declines; by meaning it is the clarity question, and the note says so."""
    question = "spring 2024 CS5800: Ramírez's clarity score opposite the department average?"
    strict = resolve(question, CATALOG, metric_index=metric_index)
    assert strict.metric is None and strict.leftover == ["opposite"], strict
    assert isinstance(plan_question(question, strict), Unanswerable)
    plan, note = _plan(question, metric_index)
    assert isinstance(plan, Comparison) and plan.between == "dept_univ", plan
    assert plan.metric.text == CLEAR
    assert plan.scope.courses == ["CS5800"] and plan.scope.terms == ["Spring 2024"]
    assert note == f"“clarity” was read as the rating question “{CLEAR}” (“opposite” not read)"


def test_a_ranking_reads_past_a_word_no_question_holds(metric_index: MetricIndex) -> None:
    question = "in CS5800 and DS2000 which instructor scored highest on inclusive engineering"
    plan, note = _plan(question, metric_index)
    assert isinstance(plan, Ranking) and plan.metric.text == INCLUSIVE, plan
    assert note is not None and "“engineering” not read" in note


@pytest.mark.parametrize(
    "question",
    [
        "Ramírez's clarity and tuition score in CS5800",  # tuition: no report prints it
        "CS5800 salary clarity score",
        "Ramírez's clarity score in CS5800 next fall?",  # a future term
        "online ethics rating for CS5800",  # several online questions, none leads
        "how'd Ramírez's CS5800 evals come out?",  # no number asked, no question meant
    ],
)
def test_what_the_reports_cannot_hold_is_still_declined(
    question: str, metric_index: MetricIndex
) -> None:
    plan, note = _plan(question, metric_index)
    assert isinstance(plan, Unanswerable), (question, plan)
    assert note is None


def test_a_reading_by_meaning_must_lead_the_runner_up(metric_index: MetricIndex) -> None:
    """The same words with an unread word: found by meaning only while the best question
    leads the next of another text by the margin."""
    found = metric_index.by_meaning("clarity next")
    assert found is not None and found.text == CLEAR and found.unread == ["next"]
    assert metric_index.by_meaning("online ethics") is None
    assert metric_index.by_meaning("clarity") is None  # the strict match's business


def test_a_quoted_item_is_the_item_whose_words_it_repeats() -> None:
    """The asker copied the item: every word counts, "instructor" too (the embedding match reads
    it as scope); too few words, or two items holding them alike, name nothing."""
    from embeddings.base import FakeEmbedder
    from rag.answer.entities.metric_index import MetricIndex, _Target

    classmates = "Online course interactions created a sense of community and connection to my"
    targets = [
        _Target("question", 1, f"{classmates} classmates."),
        _Target("question", 2, "Online interactions with my instructor created a sense of"
                " connection in the virtual classroom."),
        _Target("question", 3, "I learned a lot in this course."),
        _Target("question", 4, "The instructor clearly communicated ideas and information."),
    ]  # fmt: skip
    index = MetricIndex(FakeEmbedder(), targets, threshold=0.5)
    quoted = index.quoted("online interactions with my instructor created a sense of connection")
    assert quoted is not None and quoted.question_id == 2, quoted
    learned = index.quoted("I learned a lot")
    assert learned is not None and learned.question_id == 3, learned
    assert index.quoted("the instructor") is None  # one word
    assert index.quoted("online interactions created a sense of connection") is None  # 1 or 2


def test_a_paraphrase_in_quotes_names_no_item_by_its_words() -> None:
    """ "the 'course materials helped' question": "helped" is in both materials items' words
    ("help", "helpful"), so the quote decides nothing and the usual match reads it."""
    from embeddings.base import FakeEmbedder
    from rag.answer.entities.metric_index import MetricIndex, _Target

    targets = [
        _Target("question", 1, "Online course materials were organized to help me navigate"
                " through the course week by week."),
        _Target("question", 2, "Required and additional course materials were helpful in"
                " learning the course content."),
    ]  # fmt: skip
    index = MetricIndex(FakeEmbedder(), targets, threshold=0.5)
    assert index.quoted("course materials helped") is None
    online = index.quoted("online course materials were organized")
    assert online is not None and online.question_id == 1, online
