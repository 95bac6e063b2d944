"""Questions that ask several things at once, and words that only set the scene, end to end over
the hand-made reports of test_ask_numbers (real PostgreSQL, the fake embedder, the extractive
answerer)."""

from __future__ import annotations

from core.db import Conn
from rag.answer.ask import Asker
from rag.answer.several import asks_several
from tests.rag.answer import test_ask_numbers as base
from tests.rag.answer.test_ask_numbers import ask

loaded = base.loaded  # the same reports and database as test_ask_numbers
asker_ = base.asker
conn_ = base.conn


def test_what_counts_as_several_asks() -> None:
    for question in (
        "i work full time. realistic? how many hrs and how tough is it",
        "is CS7180 worth taking as a grad elective? does it build skills for a career",
        "Can you summarise how my overall ratings have developed over time?",
        "who's better overall, and on feedback?",
    ):
        assert asks_several(question), question
    for question in (
        "how many hours a week does CS5800 take?",
        "advising a sophomore who wants gen bio. roughly how many were enrolled in fall 2024?",
        "what was the response rate of DS5110 in spring 2024",
    ):
        assert not asks_several(question), question


def test_several_asks_about_one_course_add_the_whole_picture(asker_: Asker, conn_: Conn) -> None:
    """The measure read leads; the whole picture of the same sections follows, so the rating and
    the class size asked beside the hours are there too. One ask gets its measure alone."""
    several = ask(asker_, conn_, "is CS5800 worth taking? how many hours a week does it take")
    assert several.plan["kind"] == "hours", several.plan
    assert several.facts[0].label == "estimated mean hours per week", several.facts[0]
    values = {f.label: f.value for f in several.facts}
    assert values["overall rating, CS5800 (course mean)"] == 4.36, values
    assert values["enrollment, CS5800 (3 sections)"] == 133, values
    assert "Overall rating in CS5800: **4.36**" in several.answer, several.answer
    one = ask(asker_, conn_, "how many hours a week does CS5800 take?")
    assert not any(f.label.startswith(("overall rating", "enrollment")) for f in one.facts)


def test_two_people_asked_several_things_are_compared_on_each(asker_: Asker, conn_: Conn) -> None:
    """Each measure named is set side by side (rag.answer.measures); with none named, the two
    as wholes (test_ask_numbers)."""
    answer = ask(
        asker_,
        conn_,
        "okafor or lee in cs5800 fall 2023 - who gives better feedback, and how clear are they?",
    )
    assert answer.plan["between"] == "instructors", answer.plan
    assert answer.plan["also"]["between"] == "instructors", answer.plan
    values = {f.label: f.value for f in answer.facts}
    assert values["Chinedu Okafor: provided sufficient feedback"] == 3.9, values
    assert values["Chinedu Okafor: clearly communicated ideas and information"] == 4.6, values


def test_words_that_only_set_the_scene_are_not_read_as_a_measure(
    asker_: Asker, conn_: Conn
) -> None:
    """An unread word in a part that asks nothing, beside a part that asks, is the asker's
    context: "advising a sophomore who wants algorithms." declined the enrollment before."""
    enrolled = ask(
        asker_,
        conn_,
        "advising a sophomore who wants algorithms. how many students were enrolled in cs5800"
        " in fall 2023?",
    )
    assert enrolled.route == "quantitative" and enrolled.facts[0].value == 93, enrolled.answer
    rate = ask(asker_, conn_, "Provost analytics: PSYC1101 response rate in fall 2022")
    assert rate.route == "quantitative" and rate.facts[0].value == 0.35, rate.answer
    dropped = ask(asker_, conn_, "advising a sophomore. how many students dropped cs5800?")
    assert dropped.route == "unanswerable", dropped.answer  # the unread word is in the ask


def test_the_whole_picture_names_rating_questions_not_terms(asker_: Asker, conn_: Conn) -> None:
    """Rated highest and lowest are rating questions; the headline by term (Okafor taught two
    terms) is no item of its own."""
    good = ask(asker_, conn_, "is Professor Okafor a good teacher?")
    assert "Rated highest: clearly communicated" in good.answer, good.answer
    assert "lowest: provided sufficient feedback" in good.answer, good.answer


def test_a_ranking_asked_from_both_ends_gives_both(asker_: Asker, conn_: Conn) -> None:
    """ "top-rated and bottom-rated course": the ranking, then the other way round, each with its
    own lead sentence; one end asked is one ranking."""
    both = ask(asker_, conn_, "fall 2023: top-rated and bottom-rated instructor on overall rating?")
    assert both.plan["kind"] == "ranking" and both.plan["also"]["kind"] == "ranking", both.plan
    assert {both.plan["order"], both.plan["also"]["order"]} == {"asc", "desc"}, both.plan
    firsts = [f.label for f in both.facts if "#1 " in f.label]
    assert any("Okafor" in label for label in firsts), firsts
    assert any("Lee" in label for label in firsts), firsts
    one = ask(asker_, conn_, "top-rated instructor in fall 2023?")
    assert "also" not in one.plan, one.plan


def test_comments_asked_in_other_words_follow_the_number(asker_: Asker, conn_: Conn) -> None:
    """ "can you back it up with comments?", "which student quotes would help?": the comments
    about the ranking's first follow the ranking."""
    for question in (
        "who had the clearest explanations in fall 2023, and can you back it up with comments?",
        "who had the clearest explanations in fall 2023, and which student quotes would help?",
    ):
        answer = ask(asker_, conn_, question)
        assert answer.route == "mixed" and answer.citations, (question, answer.answer)
        assert {c.citation.instructors[0] for c in answer.citations} == {"Okafor, Chinedu"}


def test_an_evaluation_submitted_is_a_response(asker_: Asker, conn_: Conn) -> None:
    answer = ask(asker_, conn_, "how many students submitted an evaluation in PSYC1101 fall 2022?")
    assert answer.route == "quantitative" and answer.facts[0].value == 66, answer.answer


def test_a_follow_up_keeps_what_it_does_not_change(asker_: Asker, conn_: Conn) -> None:
    """ "how many sections?" then "the total enrollment across them?" is the enrollment, not the
    count again; "the share giving a 5 on the overall rating" then "and on feedback?" is the same
    share of another question."""
    total = ask(
        asker_,
        conn_,
        "how many sections did Hannah Lee teach?",
        "what's the total enrollment across them?",
    )
    assert total.plan["kind"] == "average" and total.facts[0].value == 92, total.facts
    share = ask(
        asker_,
        conn_,
        "CS5800 spring 2024 - share of students giving a 5 on the overall rating",
        "and on feedback?",
    )
    assert share.plan["kind"] == "distribution" and share.plan["options"] == [5], share.plan
    assert "feedback" in share.plan["metric"]["text"], share.plan
    assert any(f.label.startswith("share answering") for f in share.facts), share.facts


def test_comments_asked_beside_another_ask_bring_the_whole_picture(
    asker_: Asker, conn_: Conn
) -> None:
    """ "what do students say about the workload in CS5800? is it worth taking?": the comments
    about the workload lead, and the whole picture's ratings come with them; the comments alone
    are asked without it."""
    both = ask(
        asker_, conn_, "what do students say about the workload in CS5800? is it worth taking?"
    )
    assert both.route == "mixed" and both.citations, both.answer
    assert any(f.label == "overall rating, CS5800 (course mean)" for f in both.facts), both.facts
    alone = ask(asker_, conn_, "what do students say about the workload in CS5800?")
    assert not any(f.label == "overall rating, CS5800 (course mean)" for f in alone.facts)


def test_pooled_sections_and_gains_are_read(asker_: Asker, conn_: Conn) -> None:
    """ "when you pool all their sections" ranks the two people, not their sections; "who has
    gained the most ..., first vs most recent term" ranks by change."""
    pooled = ask(
        asker_,
        conn_,
        "CS5800: okafor or lee, whose overall rating is higher when you pool all their sections?",
    )
    assert pooled.plan["kind"] == "ranking" and pooled.plan["entity"] == "instructor", pooled.plan
    gained = ask(
        asker_,
        conn_,
        "looking at the first vs most recent term for each instructor, who has gained the most"
        " on overall rating?",
    )
    assert gained.plan["kind"] == "ranking" and gained.plan["by"] == "change", gained.plan


def test_an_ask_the_reports_cannot_answer_leaves_the_whole_picture(
    asker_: Asker, conn_: Conn
) -> None:
    """EECE2322's report prints no hours per week (seen in the UI with PSYC1101): "worth taking?
    how many hours?" gets the whole picture and a note on the hours, not a decline of both."""
    answer = ask(asker_, conn_, "is EECE2322 worth taking? how many hours a week does it take?")
    assert answer.route == "quantitative", answer.answer
    values = {f.label: f.value for f in answer.facts}
    assert values["overall rating, EECE2322 (course mean)"] == 4.1, values
    assert "No answer for hours per week in EECE2322" in answer.answer, answer.answer
    alone = ask(asker_, conn_, "how many hours a week does EECE2322 take?")
    assert alone.route == "unanswerable", alone.answer
