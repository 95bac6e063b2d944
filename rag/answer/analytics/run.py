"""Running a plan: the quantitative route's evidence (facts with their N) for a question."""

from __future__ import annotations

from core.db import Conn
from rag.answer.analytics.averages import run_average
from rag.answer.analytics.changes import run_change
from rag.answer.analytics.distributions import run_count, run_distribution, run_hours
from rag.answer.analytics.overview import run_overview
from rag.answer.analytics.rankings import run_comparison, run_ranking, run_trend
from rag.answer.answers import Evidence
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.model import Catalog, Entities
from rag.answer.entities.resolve import resolve
from rag.answer.planning import intent_of, plan_question
from rag.answer.plans import (
    Average,
    Comparison,
    Count,
    Distribution,
    Overview,
    Plan,
    Ranking,
    Trend,
    Unanswerable,
)


def run_plan(conn: Conn, *, plan: Plan) -> Evidence:
    """Run one typed plan; no matching rows gives route "unanswerable" naming what was sought."""
    if isinstance(plan, Ranking):
        return run_change(conn, plan) if plan.by == "change" else run_ranking(conn, plan)
    if isinstance(plan, Average):
        return run_average(conn, plan)
    if isinstance(plan, Comparison):
        return run_comparison(conn, plan)
    if isinstance(plan, Trend):
        return run_trend(conn, plan)
    if isinstance(plan, Distribution):
        return run_distribution(conn, plan)
    if isinstance(plan, Count):
        return run_count(conn, plan)
    if isinstance(plan, Overview):
        return run_overview(conn, plan)
    return run_hours(conn, plan)


def quantitative_evidence(
    conn: Conn,
    *,
    question: str,
    catalog: Catalog,
    metric_index: MetricIndex,
    previous: Entities | None = None,
) -> tuple[Evidence, Entities]:
    """Question in, evidence and the resolved entities out (keep them for the next turn)."""
    entities = resolve(question, catalog, metric_index=metric_index, previous=previous)
    plan = plan_question(question, entities)
    if isinstance(plan, Unanswerable):
        return Evidence(
            route="unanswerable", plan=plan.model_dump(), searched=plan.reason
        ), entities
    evidence = run_plan(conn, plan=plan)
    return evidence, entities.model_copy(update={"intent": intent_of(plan)})
