"""Two sides of "vs" that differ in time, end to end over the hand-made reports of
test_ask_numbers (real PostgreSQL, the fake embedder, the extractive answerer)."""

from __future__ import annotations

from core.db import Conn
from rag.answer.ask import Asker
from tests.rag.answer import test_ask_numbers as base
from tests.rag.answer.test_ask_numbers import ask

loaded = base.loaded  # the same reports and database as test_ask_numbers
asker_ = base.asker
conn_ = base.conn


def test_two_periods_of_one_course_are_side_by_side(asker_: Asker, conn_: Conn) -> None:
    """ "before 2024 vs since 2024": each period pooled, then the difference (the two read as
    one range were an empty one, "2024 to 2023")."""
    answer = ask(asker_, conn_, "CS5800 overall rating: before 2024 vs since 2024?")
    assert answer.plan["kind"] == "comparison" and answer.plan["between"] == "sides", answer.plan
    values = {f.label: f.value for f in answer.facts}
    assert values["CS5800, up to 2023: overall rating"] == 4.35, values
    assert values["CS5800, since 2024: overall rating"] == 4.38, values
    assert values["difference (up to 2023 minus since 2024)"] == -0.03, values
    assert answer.scope is not None and answer.scope.text == "CS5800 · up to 2023 vs since 2024"


def test_each_side_keeps_its_own_course_and_term(asker_: Asker, conn_: Conn) -> None:
    """ "psyc1101 fall 2022 vs cs5800 spring 2024": each course in its own term, not both courses
    in both terms as a trend."""
    answer = ask(asker_, conn_, "overall rating side by side: psyc1101 fall 2022 vs cs5800 sp24")
    assert answer.plan["between"] == "sides", answer.plan
    values = {f.label: f.value for f in answer.facts}
    assert values["PSYC1101, Fall 2022: overall rating"] == 4.5, values
    assert values["CS5800, Spring 2024: overall rating"] == 4.38, values
    same = ask(asker_, conn_, "cs5800 overall fall 2023 vs spring 2024")  # one course: a trend
    assert same.plan["kind"] == "trend", same.plan


def test_a_side_without_reports_leaves_the_other_with_a_note(asker_: Asker, conn_: Conn) -> None:
    """EECE2322 has no report since 2024 (seen in the UI): the earlier period's value, and a note
    on the side that has none, not a decline of both."""
    answer = ask(asker_, conn_, "EECE2322 overall rating: before 2024 vs since 2024")
    assert answer.route == "quantitative", answer.answer
    assert [f.value for f in answer.facts] == [4.1], answer.facts
    assert "since 2024" in answer.answer.split("\n\n")[-1], answer.answer
