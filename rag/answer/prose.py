"""The sentence an extractive answer leads with: the answer itself, in a person's words.

Each plan kind has one template filled only from the evidence (its plan and its facts), so the
sentence carries no number the facts do not hold; details stay in the facts that follow.
"""

from __future__ import annotations

import math
import re
from typing import Any

from rag.answer.answers import Evidence, Fact
from rag.answer.plans import Metric, Scope

SMALL_N = 10


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else "no value"
    return str(value)


def _value(value: Any, metric: Metric | None) -> str:
    """A value as read: rates as a percentage with the fraction, means as printed."""
    if metric is not None and metric.is_rate and isinstance(value, (int, float)):
        return f"**{round(float(value) * 100)}%** (a fraction of {_num(value)})"
    return f"**{_num(value)}**"


def _n(n: int | None, unit: str = "response") -> str:
    if n is None:
        return ""
    noun = unit if n == 1 else f"{unit}s"
    care = "; few responses, read with care" if unit == "response" and n < SMALL_N else ""
    return f" ({n} {noun}{care})"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _metric(plan: dict[str, Any], key: str = "metric") -> Metric | None:
    raw = plan.get(key)
    return Metric.model_validate(raw) if isinstance(raw, dict) else None


def _scope(plan: dict[str, Any]) -> str:
    """The scope after a noun: "in CS5800, Fall 2023", "for Chinedu Okafor"."""
    raw = plan.get("scope")
    return Scope.model_validate(raw).phrase() if isinstance(raw, dict) else "in the reports"


def _described(plan: dict[str, Any], *, none: str = "all reports") -> str:
    """The scope on its own: "CS5800, Fall 2023", "Chinedu Okafor" (`none` without one)."""
    raw = plan.get("scope")
    return Scope.model_validate(raw).describe() if isinstance(raw, dict) else none


def _first(facts: list[Fact], start: str) -> Fact | None:
    return next((f for f in facts if f.label.startswith(start)), None)


def lead_sentence(evidence: Evidence) -> str | None:
    """One sentence that answers, or None when no template fits (the facts then lead)."""
    plan, facts = evidence.plan, evidence.facts
    if not facts:
        return None
    if "first_facts" in plan:  # two measures asked (rag.answer.second_measure): both lead
        first = evidence.model_copy(
            update={"plan": {k: v for k, v in plan.items() if k != "first_facts"},
                    "facts": facts[: plan["first_facts"]]}
        )  # fmt: skip
        leads = [lead_sentence(first), plan.get("also_lead")]
        return " ".join(lead for lead in leads if lead) or None
    kind = plan.get("kind")
    if kind == "mixed":  # ratings and comments: the ratings' sentence leads
        return lead_sentence(evidence.model_copy(update={"plan": plan.get("ratings") or {}}))
    builder = {
        "average": _average,
        "ranking": _ranking,
        "comparison": _comparison,
        "trend": _trend,
        "distribution": _distribution,
        "hours": _hours,
        "overview": _overview,
        "count": _count,
    }.get(str(kind))
    return builder(plan, facts) if builder else None


def _average(plan: dict[str, Any], facts: list[Fact]) -> str | None:
    metric = _metric(plan)
    if metric is None:
        return None
    head = facts[0]
    if head.label.startswith("sections"):
        return None
    where = _described(plan, none="")
    pooled = f"{metric.label}, {where}"
    if head.label != pooled and not head.label.startswith(f"{pooled} ("):  # one per section
        sections = [f for f in facts if f.label.startswith(f"{metric.label}, ")]
        listed = ", ".join(f"{f.label.split(', ', 1)[-1]}: {_num(f.value)}" for f in sections[:6])
        more = f" and {len(sections) - 6} more" if len(sections) > 6 else ""
        why = (
            " (a median of several sections is no median of their answers)"
            if (metric.statistic == "median")
            else ""
        )
        return f"{_cap(metric.label)} {_scope(plan)}, per section{why}: {listed}{more}."
    unit = "answer" if metric.kind == "hours" else "response"
    n = "" if metric.kind == "section" and not metric.is_rate else _n(head.n, unit)
    return f"{_cap(metric.label)} {_scope(plan)}: {_value(head.value, metric)}{n}."


def _ranking(plan: dict[str, Any], facts: list[Fact]) -> str | None:
    metric, top = _metric(plan), _first(facts, "#1 ")
    if metric is None or top is None:
        return None
    if plan.get("ranked_by") == "workload comments":
        who = top.label.removeprefix("#1 ").split(":")[0]
        return (
            f"No report {_scope(plan)} prints hours per week; by what students wrote, {who} has"
            f" the heaviest workload: **{_num(top.value)}** of its comments are critical of the"
            f" workload ({top.n} comments)."
        )
    if plan.get("by") == "change":
        return _change(plan, metric, top)
    who = top.label.removeprefix("#1 ").removesuffix(" (tied)")
    word = "highest" if plan.get("order", "desc") == "desc" else "lowest"
    if metric.kind == "hours":
        word = "most" if word == "highest" else "fewest"
    tied = ", tied with others" if top.label.endswith("(tied)") else ""
    n = _n(top.n) if metric.kind != "section" or metric.is_rate else ""
    return (
        f"{who} had the {word} {metric.spoken} {_scope(plan)}:"
        f" {_value(top.value, metric)}{n}{tied}."
    )


_CHANGED = re.compile(r"^#1 (?P<who>.+), change from (?P<first>.+) \((?P<v1>[^()]+)\) to"
                      r" (?P<last>.+) \((?P<v2>[^()]+)\)(?P<tied> \(tied\))?$")  # fmt: skip


def _change(plan: dict[str, Any], metric: Metric, top: Fact) -> str | None:
    """ "José Núñez improved the most on overall rating: from 3.5 in Fall 2021 to 4.2 …"."""
    m = _CHANGED.match(top.label)
    if m is None or not isinstance(top.value, (int, float)):
        return None
    up = plan.get("order", "desc") == "desc"
    if up:
        verb = "improved the most" if top.value > 0 else "declined the least (no one improved)"
    else:
        verb = "dropped the most" if top.value < 0 else "improved the least (no one dropped)"
    tied = ", tied with others" if m["tied"] else ""
    on = metric.spoken.removeprefix("rating on ")  # "on “clearly communicated ideas …”"
    where = _scope(plan)
    where = "" if where == "in all reports" else f" {where}"
    return (
        f"{m['who']} {verb} on {on}{where}: from {m['v1']} in {m['first']}"
        f" to **{m['v2']}** in {m['last']}, a change of {_num(top.value)}{_n(top.n)}{tied}."
    )


def _comparison(plan: dict[str, Any], facts: list[Fact]) -> str | None:
    metric = _metric(plan)
    if metric is None:
        return None
    if plan.get("between") == "dept_univ":
        if metric.statistic == "median":
            parts = [f"{f.label} {_num(f.value)}" for f in facts[:3]]
            return f"{_cap(metric.label)} {_scope(plan)}: " + ", ".join(parts) + "."
        return _against(metric, _scope(plan), facts)
    named = [f for f in facts if f.label.endswith(f": {metric.label}")]
    parts = [f"{f.label.rsplit(': ', 1)[0]} {_value(f.value, metric)}{_n(f.n)}" for f in named]
    text = f"{_cap(metric.label)}: " + "; ".join(parts) + "."
    return text + _widest_gaps([f for f in facts if f not in named and ": " in f.label])


def _widest_gaps(facts: list[Fact], shown: int = 3) -> str:
    """For a comparison as a whole: the rating questions on which the two differ most, and the
    hours per week ("Widest gaps: clarity (A 4.43, B 4.05); ... Hours per week: A 12.1, B 9.6.")."""
    by_label: dict[str, list[Fact]] = {}
    for f in facts:
        if isinstance(f.value, (int, float)):
            by_label.setdefault(f.label.rsplit(": ", 1)[1], []).append(f)
    pairs = {k: v for k, v in by_label.items() if len(v) == 2}
    gap = {k: abs(float(v[0].value) - float(v[1].value)) for k, v in pairs.items()}
    hours = pairs.get("hours per week")

    def said(fs: list[Fact]) -> str:
        return ", ".join(f"{f.label.rsplit(': ', 1)[0]} {_num(f.value)}" for f in fs)

    text = ""
    widest = sorted((k for k in pairs if k != "hours per week"), key=lambda k: -gap[k])[:shown]
    if widest:
        text += " Widest gaps: " + "; ".join(f"{k} ({said(pairs[k])})" for k in widest) + "."
    if hours:
        text += f" Hours per week: {said(hours)}."
    return text


def _against(metric: Metric, where: str, facts: list[Fact]) -> str:
    head = facts[0]
    text = f"{_cap(metric.label)} {where}: {_value(head.value, metric)}{_n(head.n)}"
    others = [
        f"{_num(f.value)} for the {f.label.removesuffix(' mean')}"
        for f in facts[1:]
        if f.label in ("department mean", "university mean")
    ]
    return text + (", against " + " and ".join(others) if others else "") + "."


def _trend(plan: dict[str, Any], facts: list[Fact]) -> str | None:
    metric = _metric(plan)
    ends = next((i for i, f in enumerate(facts) if f.label.startswith("change ")), len(facts))
    terms = facts[:ends]  # the trend's own terms: facts of another ask may follow its change
    if metric is None or not terms:
        return None
    first, last = terms[0], terms[-1]
    if len(terms) == 1:
        return f"{_cap(metric.label)} {_scope(plan)}, {first.label}: {_value(first.value, metric)}."
    return (
        f"{_cap(metric.label)} {_scope(plan)} went from {_num(first.value)} in"
        f" {first.label} to {_value(last.value, metric)} in {last.label}"
        f" ({len(terms)} terms)."
    )


def _distribution(plan: dict[str, Any], facts: list[Fact]) -> str | None:
    metric = _metric(plan)
    if metric is None:
        return None
    head = facts[0]
    if head.label.startswith("answered "):
        chosen = head.label.removeprefix("answered ")
        return (
            f"**{head.value}** of {head.n} responses to {metric.label} {_scope(plan)}"
            f" were {chosen}."
        )
    shown = ", ".join(
        f"{f.label.split(' ', 1)[0]}: {f.value}" for f in facts if f.label[:1].isdigit()
    )
    return f"Answers to {metric.label} {_scope(plan)} ({head.n} responses): {shown}."


def _plural(count: Any, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"


def _count(plan: dict[str, Any], facts: list[Fact]) -> str | None:
    """ "Who taught" and "how many courses": the people or courses, with their sections; other
    counts lead with the fact."""
    if plan.get("what") == "courses" and facts:
        where = _described(plan)
        listed = [
            f"{f.label.removesuffix(' (sections)')} ({f.value} {_plural(f.value, 'section')})"
            for f in facts[1:]
        ]
        head = facts[0]
        return f"{where[:1].upper()}{where[1:]}: **{head.value}** course" + (
            f"{'' if head.value == 1 else 's'} ({head.n} sections)"
            + (": " + ", ".join(listed) if listed else "")
            + "."
        )
    if plan.get("what") == "sections" and facts and facts[0].label.startswith("sections"):
        where = _described(plan)
        value = int(facts[0].value)
        count = f"**{value}** {_plural(value, 'section')}"
        return f"{where[:1].upper()}{where[1:]}: {count} in the reports."
    people = [f for f in facts if f.label.startswith("taught by ")]
    if plan.get("what") != "instructors" or not people:
        return None
    names = [
        f"{f.label.removeprefix('taught by ').removesuffix(' (sections)')} ({f.value}"
        f" section{'' if f.value == 1 else 's'})"
        for f in people
    ]
    where = _described(plan)
    if len(people) == 1:
        return f"{where[:1].upper()}{where[1:]} was taught by {names[0]}."
    place = "the reports" if where == "all reports" else where
    return f"**{len(people)}** instructors taught {place}: " + ", ".join(names) + "."


def _hours(plan: dict[str, Any], facts: list[Fact]) -> str | None:
    common, mean = _first(facts, "most common"), _first(facts, "estimated mean")
    if common is None:
        return None
    head = facts[0]
    if plan.get("focus") and head is not mean and head is not common:
        if head.label.startswith("share at "):
            what = head.label.removeprefix("share at ")
            return (
                f"{_cap(_scope(plan))}, **{round(float(head.value) * 100)}%** of answers"
                f" (a fraction of {_num(head.value)}) reported {what} ({head.n} answers)."
            )
        return f"{_cap(_scope(plan))}, **{head.value}** of {head.n} answers reported {head.label}."
    text = f"{_cap(_scope(plan))}, students most often reported {common.value}"
    if mean is not None:
        text += f"; estimated mean **{_num(mean.value)}** hours per week{_n(mean.n, 'answer')}"
    return text + "."


def _overview(plan: dict[str, Any], facts: list[Fact]) -> str | None:
    headline = _metric(plan, "headline")
    if headline is None:
        return None
    text = _against(headline, _scope(plan), facts)
    rate = next((f for f in facts if f.label.startswith("response rate")), None)
    if rate is not None and isinstance(rate.value, float):
        text = f"{text[:-1]}; {round(rate.value * 100)}% of those enrolled answered it."
    rated = [
        f for f in facts if f.source.startswith("question_scores: ") and "question:" in f.source
    ][1:]
    by_term = f"{headline.label}, "  # the headline by term is no rating question of its own
    rated = [
        f
        for f in rated
        if isinstance(f.value, float)
        and "mean" not in f.label
        and f is not rate
        and not f.label.startswith(by_term)
    ]
    if len(rated) >= 2:
        best = max(rated, key=lambda f: f.value)
        worst = min(rated, key=lambda f: f.value)
        text += (
            f" Rated highest: {best.label} ({_num(best.value)}{_dept(best, facts)});"
            f" lowest: {worst.label} ({_num(worst.value)}{_dept(worst, facts)})."
        )
    change = next((f for f in facts if f.label.startswith(f"{headline.label}, change ")), None)
    if change is not None:  # "overall rating, change Fall 2021 to Fall 2025"
        first, last = change.label.removeprefix(f"{headline.label}, change ").split(" to ", 1)
        ends = (f"{headline.label}, {first}", f"{headline.label}, {last}")
        terms = [f for f in facts if f.label.startswith(ends)]
        if len(terms) >= 2:
            text += (
                f" By term, {headline.label} went from {_num(terms[0].value)} ({first}) to"
                f" {_num(terms[-1].value)} ({last})."
            )
    return text


def _dept(item: Fact, facts: list[Fact]) -> str:
    """ ", department 4.03" after an item's mean where the facts hold its department mean."""
    dept = next((f for f in facts if f.label == f"{item.label}, department mean"), None)
    return f", department {_num(dept.value)}" if dept is not None else ""
