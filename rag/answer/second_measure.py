"""Questions that ask for the hours and the rating in one breath: "CS7180 or CS5800: which is
lighter, and which is better rated?", "is THV chill? how many hrs a week and do people actually
like it", "how have my sections gone over the years, and is the workload creeping up?".

The rules read one measure per question; where the plan measures one of the two and the words ask
for the other too, the same plan is run again for the other, and its facts follow the first's."""

from __future__ import annotations

import re
from typing import Any

from rag.answer.answers import Evidence, Fact
from rag.answer.planning import Defaults
from rag.answer.plans import Average, Comparison, HoursPerWeek, Metric, Plan, Ranking, Trend
from rag.answer.prose import lead_sentence

RATED_TOO = re.compile(
    r"\b(?:better|best|higher|highest|well|worse|lower)[\s-]+rated\b"
    r"|\boverall\s+(?:rating|score|quality|impression)s?\b"
    r"|\b(?:do|does|did)\s+(?:people|students|they|folks|ppl|kids)\s+(?:actually\s+|really\s+)?"
    r"(?:like|enjoy|rate)\b"
    r"|\bhow\s+(?:has|have|did)\s+(?:\S+\s+){1,5}?(?:gone|go|been\s+received)\b"
    r"|\bhow\s+(?:\S+\s+){1,6}?(?:has|have|had)\s+(?:gone|been\s+received)\b"
    r"|\bratings?\b(?=[^?.!]{0,30}\b(?:workload|hours?|hrs)\b)"
    r"|\b(?:workload|hours?|hrs)\b[^?.!]{0,30}\bratings?\b",
    re.I,
)
"""Words asking how a course or person is rated, beside a question about hours."""

EASIER = re.compile(r"\b(?:easy|easier|easiest|hard|harder|hardest|difficult|tough\w*)\b", re.I)
"""How hard a course is: its challenge rating, and the hours it takes beside it."""

HOURS_TOO = re.compile(
    r"\bworkload\b|\bhours?\b|\bhrs\b|\blighter\b|\bheavier\b|\beasier\s+on\s+time\b"
    r"|\btime\s+commitment\b",
    re.I,
)
"""Words asking about the hours of work, beside a question about the rating."""


TREND_TOO = re.compile(
    r"\b(?:getting|got|gotten|get)\s+(?:any\s+)?(?:better|worse)\b|\bimprov(?:ing|ed|ement)\b"
    r"|\bover\s+(?:the\s+)?(?:terms|semesters|years)\b|\btrend(?:s|ing)?\b"
    r"|\b(?:gone|going|went)\s+(?:up|down)\b",
    re.I,
)
"""Words asking how a measure moved over time, beside a comparison with the department ("my
clarity against the department, and is it getting any better over the terms?")."""


def second_plan(question: str, plan: Plan, defaults: Defaults) -> Plan | None:
    """The plan for the other measure the question asks about too, or None; beside a comparison
    with the department, the same measure by term where the words ask how it moved."""
    metric = getattr(plan, "metric", None)
    if isinstance(plan, Comparison) and plan.between == "dept_univ" and TREND_TOO.search(question):
        return Trend(metric=plan.metric, scope=plan.scope)
    hours_asked = isinstance(plan, HoursPerWeek) or (
        isinstance(metric, Metric) and metric.kind == "hours"
    )
    if hours_asked and defaults.headline is not None and RATED_TOO.search(question):
        if isinstance(plan, HoursPerWeek):
            return Average(metric=defaults.headline, scope=plan.scope)
        return _with_metric(plan, defaults.headline)
    headline = defaults.headline
    rated = (
        isinstance(metric, Metric)
        and headline is not None
        and (metric.kind, metric.question_id, metric.statistic)
        == (headline.kind, headline.question_id, headline.statistic)
    )
    if rated and defaults.hours is not None and HOURS_TOO.search(question):
        if isinstance(plan, Average):
            return HoursPerWeek(prompt=defaults.hours.text, scope=plan.scope)
        return _with_metric(plan, defaults.hours)
    challenge = isinstance(metric, Metric) and "challeng" in metric.text.lower()
    if challenge and defaults.hours is not None and EASIER.search(question):
        # "which is the easier gen ed, econ or psych": how challenging, and the hours it takes
        return _with_metric(plan, defaults.hours)
    return None


def measure_label(plan: Plan) -> str:
    """What the second plan measures, in the words its facts use."""
    metric = getattr(plan, "metric", None)
    return metric.label if isinstance(metric, Metric) else "hours per week"


def _with_metric(plan: Plan, metric: Metric) -> Plan | None:
    if isinstance(plan, (Comparison, Trend, Ranking)) and not (
        isinstance(plan, Comparison) and plan.whole
    ):
        return plan.model_copy(update={"metric": metric})
    return None


def both_measures(first: Evidence, second: Evidence, measure: str) -> Evidence:
    """The first answer with the second measure's facts after its own, each labelled with what
    it measures where its label does not say."""
    facts = [
        f if measure in f.label else f.model_copy(update={"label": f"{measure}: {f.label}"})
        for f in second.facts
    ]
    return followed_by(first, second, facts)


def followed_by(first: Evidence, second: Evidence, facts: list[Fact]) -> Evidence:
    """The first answer with `facts` (the second's, as shown) after its own; both answers' lead
    sentences lead (prose.lead_sentence reads `first_facts` and `also_lead`)."""
    lead, also = lead_sentence(second), second.plan
    if "first_facts" in first.plan:  # a third measure (rag.answer.measures): its lead joins
        lead = " ".join(s for s in (first.plan.get("also_lead"), lead) if s) or None
        also = _appended(first.plan["also"], second.plan)
    plan = {
        **first.plan,
        "also": also,
        # the lead sentence reads the first plan's facts
        "first_facts": first.plan.get("first_facts", len(first.facts)),
        "also_lead": lead,
    }
    return first.model_copy(
        update={
            "facts": [*first.facts, *facts],
            "plan": plan,
            "searched": f"{first.searched}; {second.searched}",
        }
    )


def _appended(chain: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """`chain` (a plan and the plans under its "also") with `plan` as the last one's "also"."""
    inner = chain.get("also")
    return {**chain, "also": _appended(inner, plan) if isinstance(inner, dict) else plan}
