"""The second measure a question asks for beside the one its plan measures (pure rules)."""

from __future__ import annotations

from rag.answer.planning import Defaults
from rag.answer.plans import Comparison, Metric, Scope, Trend
from rag.answer.second_measure import second_plan

OVERALL = Metric(kind="question", question_id=1, text="overall rating of teaching effectiveness")
CHALLENGE = Metric(kind="question", question_id=2, text="The course was intellectually challenging")
HOURS = Metric(kind="hours", text="hours per week outside of class")
DEFAULTS = Defaults(headline=OVERALL, hours=HOURS)
TWO = Scope(courses=["ECON1116", "PSYC1101"])


def test_easier_or_harder_adds_the_hours_to_the_challenge_rating() -> None:
    plan = Comparison(metric=CHALLENGE, scope=TWO, between="courses")
    for question in ("which is the easier gen ed, econ or psych", "is econ harder than psych?"):
        second = second_plan(question, plan, DEFAULTS)
        assert isinstance(second, Comparison) and second.metric == HOURS, (question, second)
    assert second_plan("which is more intellectually challenging?", plan, DEFAULTS) is None


def test_ratings_and_workload_over_the_years_are_both_trends() -> None:
    hours = Trend(metric=HOURS, scope=Scope(courses=["EECE2322"]))
    second = second_plan("how have its ratings and its workload moved?", hours, DEFAULTS)
    assert isinstance(second, Trend) and second.metric == OVERALL, second
    assert second_plan("how has its workload moved over the years?", hours, DEFAULTS) is None
