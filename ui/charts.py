"""Altair charts of scores, trends, hours, themes and answers, each with labelled axes.

Pure functions from API rows to charts, so the pages stay layout only and the charts can be
checked (axis titles, data) without a browser.
"""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import pandas as pd

from ui.text import shorten

SCORE_SCALE = alt.Scale(domain=[1, 5])
SCORE_AXIS = "Mean score (1 = lowest, 5 = highest)"
TONE_COLORS = alt.Scale(
    domain=["positive", "mixed", "neutral", "negative"],
    range=["#2e7d32", "#f9a825", "#9e9e9e", "#c62828"],
)
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)
_BINS = ("5", "4", "3", "2", "1", "na")


def score_comparison(questions: list[dict[str, Any]], *, own: str = "This course") -> alt.Chart:
    """Each question's course (or instructor) mean beside the department and university means."""
    rows = []
    for q in questions:
        label = shorten(q["question"], 60)
        for who, key in (
            (own, "course_mean"),
            ("Department", "dept_mean"),
            ("University", "univ_mean"),
        ):
            if q.get(key) is not None:
                rows.append(
                    {
                        "question": label,
                        "full": q["question"],
                        "who": who,
                        "mean": q[key],
                        "responses": q["responses"],
                    }
                )
    order = [shorten(q["question"], 60) for q in questions]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(clip=True)
        .encode(
            # The labels are the questions; a title beside them collides with long labels.
            y=alt.Y("question:N", sort=order, title=None, axis=alt.Axis(labelLimit=380)),
            x=alt.X("mean:Q", scale=SCORE_SCALE, title=SCORE_AXIS),
            yOffset=alt.YOffset("who:N", sort=[own, "Department", "University"]),
            color=alt.Color("who:N", title="Mean of", sort=[own, "Department"]),
            tooltip=[
                alt.Tooltip("full:N", title="Question"),
                "who:N",
                alt.Tooltip("mean:Q", format=".2f"),
                alt.Tooltip("responses:Q", title="N"),
            ],
        )
        .properties(height=30 * len(order))
    )


def distribution(dist: dict[str, int]) -> alt.Chart:
    """How many students gave each answer, 5 (highest) to 1, and N/A."""
    labels = {"5": "5 (highest)", "4": "4", "3": "3", "2": "2", "1": "1 (lowest)", "na": "N/A"}
    rows = [{"answer": labels[b], "students": int(dist.get(b) or 0)} for b in _BINS]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=alt.X("answer:N", sort=[labels[b] for b in _BINS], title="Answer"),
            y=alt.Y("students:Q", title="Students", axis=COUNT_AXIS),
            tooltip=["answer:N", "students:Q"],
        )
    )


def term_trend(by_term: list[dict[str, Any]], by_section: list[dict[str, Any]]) -> alt.LayerChart:
    """The course mean per term (weighted over sections) as a line, each section as a point."""
    terms = [r["term"] for r in sorted(by_term, key=lambda r: r["sort_key"])]
    x = alt.X("term:N", sort=terms, title="Term")
    y = alt.Y("course_mean:Q", scale=SCORE_SCALE, title=SCORE_AXIS)
    line = (
        alt.Chart(pd.DataFrame(by_term))
        .mark_line(point=True)
        .encode(
            x=x,
            y=y,
            tooltip=[
                "term:N",
                alt.Tooltip("course_mean:Q", title="course mean"),
                "sections:Q",
                alt.Tooltip("responses:Q", title="N"),
            ],
        )
    )
    points = (
        alt.Chart(pd.DataFrame(by_section))
        .mark_circle(size=70, opacity=0.5, color="#888")
        .encode(
            x=x,
            y=y,
            tooltip=[
                "term:N",
                "section:N",
                alt.Tooltip("course_mean:Q", title="section mean"),
                alt.Tooltip("responses:Q", title="N"),
            ],
        )
    )
    layers = [line, points]
    if any(r.get("dept_mean") is not None for r in by_term):
        layers.append(
            alt.Chart(pd.DataFrame(by_term))
            .mark_line(strokeDash=[4, 3], color="#999")
            .encode(
                x=x,
                y=alt.Y("dept_mean:Q", scale=SCORE_SCALE, title=SCORE_AXIS),
                tooltip=["term:N", alt.Tooltip("dept_mean:Q", title="dept mean")],
            )
        )
    return alt.LayerChart(layer=layers)


def hours(bins: list[dict[str, Any]]) -> alt.Chart:
    """Students per band of hours a week spent outside class."""
    order = [b["bin"] for b in bins]
    return (
        alt.Chart(pd.DataFrame(bins))
        .mark_bar()
        .encode(
            x=alt.X("bin:N", sort=order, title="Hours per week outside class"),
            y=alt.Y("count:Q", title="Students", axis=COUNT_AXIS),
            tooltip=[alt.Tooltip("bin:N", title="hours"), alt.Tooltip("count:Q", title="students")],
        )
    )


def themes(items: list[dict[str, Any]]) -> alt.Chart:
    """How many comments mention each theme, coloured by the tone of those comments."""
    names = [t["name"] for t in items]
    return (
        alt.Chart(pd.DataFrame(items))
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort=names, title="Theme"),
            x=alt.X("count:Q", title="Comments mentioning it", axis=COUNT_AXIS),
            color=alt.Color("tone:N", scale=TONE_COLORS, title="Tone"),
            tooltip=[
                "name:N",
                "count:Q",
                "of:Q",
                "tone:N",
                alt.Tooltip("sentiment:Q", format=".2f"),
            ],
        )
    )


def instructor_trend(rows: list[dict[str, Any]]) -> alt.Chart:
    """One instructor's mean on one question per term, a line per course."""
    terms = [r["term"] for r in sorted(rows, key=lambda r: r["sort_key"])]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=80))
        .encode(
            x=alt.X("term:N", sort=list(dict.fromkeys(terms)), title="Term"),
            y=alt.Y("course_mean:Q", scale=SCORE_SCALE, title=SCORE_AXIS),
            color=alt.Color("course_code:N", title="Course"),
            tooltip=[
                "course_code:N",
                "course_title:N",
                "term:N",
                "sections:Q",
                alt.Tooltip("responses:Q", title="N"),
                alt.Tooltip("course_mean:Q", format=".2f"),
            ],
        )
    )


_TREND_LABEL = re.compile(r"^(?P<term>(?:Full Summer|[A-Z][a-z]+)(?: \d)? \d{4})(?=$|: | \()")


def _value_axis(plan: dict[str, Any]) -> tuple[str, Any]:
    """The title and scale of a ranking's, comparison's or trend's values: a rating's 1-5 scale,
    else hours per week or a section figure (enrollment, responses, rate) on their own scale."""
    metric = plan.get("metric") or {}
    if metric.get("kind") == "hours":
        return "Hours per week", alt.Undefined
    if metric.get("kind") == "section":
        return str(metric.get("figure") or "value").replace("_", " ").capitalize(), alt.Undefined
    if metric.get("statistic") == "std_dev":
        return "Std dev of the scores", alt.Undefined
    return SCORE_AXIS, SCORE_SCALE


def answer_chart(answer: dict[str, Any]) -> alt.Chart | None:
    """A chart for a quantitative answer: ranking and comparison bars, a trend line, a
    distribution or hours histogram; None when the facts are a single number or not numbers.
    Where two measures were asked (hours and rating), the first measure's facts are charted."""
    if answer.get("route") != "quantitative":
        return None
    plan = answer.get("plan") or {}
    kind = plan.get("kind")
    facts = answer.get("facts", [])[: plan.get("first_facts")]
    facts = [f for f in facts if isinstance(f.get("value"), int | float)]
    axis_title, axis_scale = _value_axis(plan)
    if kind == "trend":
        rows = [
            {"term": m["term"], "value": f["value"], "n": f["n"]}
            for f in facts
            if (m := _TREND_LABEL.match(f["label"]))
        ]
        if len(rows) < 2:
            return None
        return (
            alt.Chart(pd.DataFrame(rows))
            .mark_line(point=True)
            .encode(
                x=alt.X("term:N", sort=None, title="Term"),
                y=alt.Y("value:Q", scale=axis_scale, title=axis_title),
                tooltip=["term:N", "value:Q", alt.Tooltip("n:Q", title="N")],
            )
        )
    if kind == "ranking":
        facts = [f for f in facts if f["label"].startswith("#")]
    elif kind == "comparison":
        facts = [
            f
            for f in facts
            if "minus" not in f["label"]
            and f["label"] != "sections"
            and not f["label"].startswith("difference")
        ]
    elif kind == "distribution":
        facts = [f for f in facts if f["label"] != "N/A"]
    elif kind == "hours":
        facts = [
            f
            for f in facts
            if f["label"].endswith(" hours per week")
            and not f["label"].startswith(("estimated", "share at"))
        ]
    else:
        return None
    if len(facts) < 2:
        return None
    rows = [
        {"label": shorten(f["label"].split(": ")[0], 50), "value": f["value"], "n": f["n"]}
        for f in facts
    ]
    counts = kind in ("distribution", "hours")
    titles = {"ranking": "Ranked", "comparison": "Compared", "distribution": "Answer"}
    value = alt.X(
        "value:Q",
        title="Students" if counts else axis_title,
        scale=alt.Undefined if counts else axis_scale,
    )
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(clip=True)
        .encode(
            y=alt.Y(
                "label:N",
                sort=None,
                title=titles.get(kind, "Hours per week"),
                axis=alt.Axis(labelLimit=300),
            ),
            x=value,
            tooltip=["label:N", "value:Q", alt.Tooltip("n:Q", title="N")],
        )
    )
