"""Intents read by meaning: a question the word rules read no intent from, or decline for words
they cannot read, is read by its similarity to example questions (a ranking, a trend, ...),
and the answer says so; what the reports cannot hold is still declined."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

from cli.wiring import model_in_service
from core.db import Conn, connect
from core.report import ParsedReport
from core.settings import Settings
from embeddings.base import Embedder
from evaluation.loading import index_stored, store_parsed
from rag.answer.ask import Asker
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.resolve import names_masked, resolve
from rag.answer.intent_examples import EXAMPLES
from rag.answer.intents import IntentIndex, IntentReading, intent_note
from rag.answer.meaning import plan_by_meaning, read_by_meaning
from rag.answer.planning import Defaults, plan_question
from rag.answer.plans import Metric, Overview, Ranking, Trend, Unanswerable
from tests.rag.answer import test_entities as base
from tests.rag.answer.test_ask_numbers import REPORTS, ask

CATALOG = base.CATALOG
real_embedder = base.real_embedder  # the service's embedder, as the entity tests load it
OVERALL = base.OVERALL
DEFAULTS = Defaults(headline=Metric(kind="question", question_id=1, text=OVERALL))


@pytest.fixture(scope="module")
def intents(real_embedder: Embedder) -> IntentIndex:
    return IntentIndex.build(real_embedder)


@pytest.fixture(scope="module")
def metric_index(real_embedder: Embedder) -> MetricIndex:
    return MetricIndex.build(CATALOG, real_embedder)


def _by_meaning(
    question: str, intents: IntentIndex, index: MetricIndex
) -> tuple[object, IntentReading | None]:
    """The rules' plan, or (when they decline) the plan by meaning, as the asker does."""
    entities = read_by_meaning(question, resolve(question, CATALOG, metric_index=index))
    plan = plan_question(question, entities, DEFAULTS)
    if not isinstance(plan, Unanswerable):
        return plan, None
    assert entities.plain is not None
    reading = intents.read(entities.plain, unread=entities.leftover)
    meant = None if reading is None else plan_by_meaning(question, entities, DEFAULTS, reading)
    return (plan, reading) if meant is None else (meant[0], reading)


# Phrasings written for this test, none of them an example: each must read as its intent.
HELD_OUT = [
    ("who is the most highly rated prof around here", "ranking"),
    ("which teacher is number 1", "ranking"),
    ("lowest scoring instructor", "ranking_low"),
    ("X's ratings from one year to the next", "trend"),
    ("did X get worse over time", "trend"),
    ("X versus Y, who wins", "comparison"),
    ("X compared against the department", "comparison"),
    ("how many sections has X taught", "count"),
    ("how many 4s and 5s did X get", "distribution"),
    ("what's X's mean score", "average"),
    ("what r ppl saying about X overall, is it good", "overview"),
    ("how much money does X make", "outside"),
    ("what are the office hours for X", "outside"),
]


@pytest.mark.parametrize(("text", "reading"), HELD_OUT)
def test_unseen_phrasings_read_as_their_intent(
    text: str, reading: str, intents: IntentIndex
) -> None:
    assert all(text.lower() != e.lower() for examples in EXAMPLES.values() for e in examples)
    found = intents.read(text)
    assert found is not None and found.reading == reading, (text, intents.scores(text))


def test_a_reading_must_clear_the_threshold_and_lead_by_the_margin(intents: IntentIndex) -> None:
    """Words that ask for nothing in particular read as no intent."""
    for text in ("CS5800?", "the weather in boston", "banana"):
        assert intents.read(text) is None, (text, intents.scores(text))


def test_names_are_masked_in_the_asker_s_words() -> None:
    """Names read become "X", one per run; the words around them stay as typed ("goat" is not
    corrected into "got")."""
    masked = "who's the got      in   "
    assert names_masked("who's the goat prof in cs", "who's the got prof in cs", masked) == (
        "who's the goat X in X"
    )
    ent = resolve("how has CS 5800 changed in Fall 2023", CATALOG, metric_index=None)
    assert ent.plain == "how has X changed in X"
    ent = resolve("Ramírez or Park, who's better", CATALOG, metric_index=None)
    assert ent.plain == "X or X who's better"  # "Park," is read: one X


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("CS5800 through the semesters", Trend),
        ("Ramírez's numbers semester after semester", Trend),
        ("has CS5800 been on a downhill slide", Trend),
        ("give me the rundown on Ramírez", Overview),
        ("Ramírez?", Overview),  # a name alone: the whole picture
        ("CS5800 fall 2023", Overview),
    ],
)
def test_what_the_rules_decline_is_read_by_meaning(
    question: str, kind: type, intents: IntentIndex, metric_index: MetricIndex
) -> None:
    strict = read_by_meaning(question, resolve(question, CATALOG, metric_index=metric_index))
    assert isinstance(plan_question(question, strict, DEFAULTS), Unanswerable), question
    plan, reading = _by_meaning(question, intents, metric_index)
    assert isinstance(plan, kind), (question, plan, reading)
    assert reading is not None


def test_a_ranking_by_meaning_ranks_the_overall_rating(
    intents: IntentIndex, metric_index: MetricIndex
) -> None:
    """ "best of the bunch": "bunch" is in no rating question, but it is the ranking's wording
    (the question without it reads less as a ranking), so the headline rating is ranked."""
    plan, reading = _by_meaning("best of the bunch among CS profs", intents, metric_index)
    assert isinstance(plan, Ranking) and plan.order == "desc", (plan, reading)
    assert plan.metric.text == OVERALL and plan.scope.subjects == ["CS"]
    assert reading is not None and reading.carried_by == ["bunch"]


def test_a_ranking_from_the_bottom_ranks_lowest_first(metric_index: MetricIndex) -> None:
    question = "which CS prof should i avoid"
    entities = read_by_meaning(question, resolve(question, CATALOG, metric_index=metric_index))
    assert isinstance(plan_question(question, entities, DEFAULTS), Unanswerable)
    low = IntentReading(
        reading="ranking_low", similarity=0.7, margin=0.1, example="who should i avoid",
        carried_by=["avoid"],
    )  # fmt: skip
    meant = plan_by_meaning(question, entities, DEFAULTS, low)
    assert meant is not None and isinstance(meant[0], Ranking), meant
    assert meant[0].order == "asc" and meant[0].entity == "instructor"
    # the same words not carried by the reading name a measure: declined
    unread = low.model_copy(update={"carried_by": []})
    assert plan_by_meaning(question, entities, DEFAULTS, unread) is None


@pytest.mark.parametrize(
    "question",
    [
        "how much does Ramírez earn",
        "is there a waitlist for CS5800",
        "which prof has the best jokes",  # a measure no report prints, in a ranking's words
        "Ramírez's humor over the years",
        "what's Park's phone number",
        "who will teach CS5800 next fall",
        "is Ramírez tenured",
    ],
)
def test_what_the_reports_cannot_hold_stays_declined(
    question: str, intents: IntentIndex, metric_index: MetricIndex
) -> None:
    plan, reading = _by_meaning(question, intents, metric_index)
    assert isinstance(plan, Unanswerable), (question, plan, reading)


def test_the_note_says_how_the_question_was_read() -> None:
    reading = IntentReading(
        reading="ranking", similarity=0.6, margin=0.1, example="best of the bunch",
        carried_by=["cream", "crop"],
    )  # fmt: skip
    assert intent_note(reading) == (
        "the question was read by meaning as asking for a ranking, highest first"
        " (it is closest to “best of the bunch”); “cream”, “crop” read as part of that,"
        " not as a rating"
    )


# ---------------------------------------------------------------- end to end


def _titled(
    report: ParsedReport, name: str, code: str, title: str, *, also: ParsedReport | None = None
) -> ParsedReport:
    """A copy of a report under another course (`also`: its instructor taught it too)."""
    course = report.course.model_copy(update={"code": code, "number": code[-4:], "title": title})
    sha = hashlib.sha256(name.encode()).hexdigest()
    instructors = [*report.instructors, *(also.instructors if also is not None else [])]
    update = {"file": name, "sha256": sha, "course": course, "instructors": instructors}
    return report.model_copy(update=update)


_FUNDAMENTALS = [  # two courses whose titles start alike, taught in different terms
    _titled(REPORTS[0], "g.json", "CS2500", "Fundamentals of Computer Science 1"),
    _titled(REPORTS[2], "h.json", "CS2510", "Fundamentals of Computer Science 2"),
    _titled(REPORTS[3], "i.json", "DS3000", "Foundations of Data Science", also=REPORTS[2]),
]


@pytest.fixture(scope="module")
def loaded(pg_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The hand-made reports of test_ask_numbers, answered with the service's real embedder."""
    import time

    from core.db import with_database
    from tests.conftest import _TEMPLATE

    name = f"intent_{int(time.time() * 1000) % 10_000_000}"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    url = with_database(pg_server.url, name)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        state_dir=tmp_path_factory.mktemp("intent-state"),
        database_url=url,
        embedding_backend="st-fp32",
    )
    with connect(url) as conn:
        for report in [*REPORTS, *_FUNDAMENTALS]:
            store_parsed(
                conn, report, filename=report.file, sha256=report.sha256,
                media_type="application/json", size_bytes=100, processed=True,
            )  # fmt: skip
        conn.commit()
        searcher = index_stored(
            conn,
            embedder=model_in_service(settings).embedder,
            text_mode=settings.embedding_text,
            batch_size=settings.embedding_batch_size,
        )
    yield url, Asker(settings=settings, searcher=searcher, chat_model=None)
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def real(loaded: tuple[str, Asker]) -> Iterator[tuple[Asker, Conn]]:
    with connect(loaded[0]) as conn:
        yield loaded[1], conn


def test_an_answer_by_meaning_says_how_it_was_read(real: tuple[Asker, Conn]) -> None:
    asker, conn = real
    answer = ask(asker, conn, "CS5800 through the semesters")
    assert answer.plan["kind"] == "trend", answer.plan
    assert [f.value for f in answer.facts][:2] == [4.35, 4.38], answer.facts
    assert "read by meaning as asking for a trend over the terms" in answer.answer
    rundown = ask(asker, conn, "give me the rundown on okafor")
    assert rundown.plan.get("ratings", rundown.plan)["kind"] == "overview", rundown.plan
    assert "read by meaning as asking for the whole picture" in rundown.answer
    # what the rules answer is not read again; what the reports lack is still declined
    plain = ask(asker, conn, "overall rating of CS5800 in fall 2023")
    assert "read by meaning" not in plain.answer, plain.answer
    salary = ask(asker, conn, "how much does okafor earn")
    assert salary.route == "unanswerable", salary.answer


@pytest.mark.parametrize(
    "question",
    [
        "as chair: which instructor had the best overall rating in Fall 2023?",
        "as a new student, which instructor had the best overall rating in Fall 2023?",
        "speaking as the department chair - which instructor had the best overall rating in"
        " Fall 2023?",
    ],
)
def test_the_askers_role_is_read_past(question: str, metric_index: MetricIndex) -> None:
    """ "as chair:" says who asks, not what to compute: no word of it is left unread."""
    entities = resolve(question, CATALOG, metric_index=metric_index)
    assert entities.leftover == [], entities.leftover
    plan = plan_question(question, entities, DEFAULTS)
    assert isinstance(plan, Ranking) and plan.scope.terms == ["Fall 2023"], plan


def test_as_of_and_as_for_are_not_roles() -> None:
    ent = resolve("as of Fall 2023, what was the overall rating", CATALOG, metric_index=None)
    assert ent.terms == ["Fall 2023"] or ent.term_to is not None, ent
    ent = resolve("as for CS5800, what was the overall rating", CATALOG, metric_index=None)
    assert ent.courses == ["CS5800"], ent


def test_an_ambiguous_title_s_decline_gives_an_example_with_one_of_its_courses(
    real: tuple[Asker, Conn],
) -> None:
    """ "fundamentals" starts two titles: the decline names both, and its example asks the same
    figure of one of them (the newest section), not of some other course."""
    asker, conn = real
    answer = ask(asker, conn, "response rate of fundamentals")
    assert answer.route == "unanswerable", answer.answer
    assert "“fundamentals” starts the titles of CS2500" in answer.answer, answer.answer
    assert "A question that works: “What was the response rate of CS2510 in Spring 2024?”" in (
        answer.answer
    )


def test_a_co_taught_section_s_answer_says_it_was_co_taught(real: tuple[Asker, Conn]) -> None:
    asker, conn = real
    answer = ask(asker, conn, "overall rating of DS3000 in spring 2024 (the co-taught section)")
    assert answer.plan["metric"]["text"] == OVERALL, answer.plan  # "co-taught" names no rating
    assert (
        "DS3000 section 01, Spring 2024 was co-taught by Hannah Lee and Chinedu Okafor"
        in answer.answer
    ), answer.answer
    alone = ask(asker, conn, "overall rating of DS5110 in spring 2024")
    assert "co-taught" not in alone.answer, alone.answer


def test_a_follow_up_in_words_the_rules_miss_is_read_by_meaning(real: tuple[Asker, Conn]) -> None:
    """After a ranking, "and through the semesters?" repeats no ranking: read by meaning, it
    asks for a trend; "and in spring 2024?" names no intent at all and ranks again."""
    asker, conn = real
    opener = "which instructor had the best overall rating in fall 2023"
    trend = ask(asker, conn, opener, "and through the semesters?")
    assert trend.plan["kind"] == "trend", trend.plan
    assert trend.plan["scope"]["terms"] == [], trend.plan  # every term, not the last one's
    assert len(trend.facts) >= 2, trend.facts
    assert "read by meaning as asking for a trend over the terms" in trend.answer, trend.answer
    again = ask(asker, conn, opener, "and in spring 2024?")
    assert again.plan["kind"] == "ranking", again.plan
    assert "read by meaning" not in again.answer, again.answer


def test_a_reading_by_meaning_keeps_the_comments_asked_after_it(real: tuple[Asker, Conn]) -> None:
    """The number read by meaning comes first; the comments asked after it follow (not the
    comments alone, as when no number is read)."""
    asker, conn = real
    both = ask(asker, conn, "CS5800 through the semesters, and what do students say about it?")
    assert both.route == "mixed" and both.plan["ratings"]["kind"] == "trend", both.plan
