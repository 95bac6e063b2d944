"""A course's dashboard: question means against the department and university, distributions,
the trend across terms and sections, hours per week, and the comments' themes with their tone."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import charts
from ui.client import ApiError
from ui.connection import api

st.title("Course dashboard")


@st.cache_data(ttl=60, show_spinner=False)
def _dashboard(base_url: str, code: str) -> dict[str, Any]:
    """Cached a minute per API and course, so changing the question redraws at once."""
    return api().course_dashboard(code)


@st.cache_data(ttl=300, show_spinner=False)
def _themes(base_url: str, code: str) -> dict[str, Any]:
    """Cached longer: comments stored before themes were tagged at ingest are tagged first."""
    return api().course_themes(code)


def _show(data: dict[str, Any]) -> None:
    a, b, c = st.columns(3)
    a.metric("Sections", data["sections"])
    b.metric("Terms", data["terms"])
    c.metric("Questions", len(data["questions"]))
    st.caption(f"Means across sections are {data['method']}.")

    st.subheader("Each question against the department and university")
    st.altair_chart(charts.score_comparison(data["questions"]), width="stretch")

    texts = [q["question"] for q in data["questions"]]
    chosen = st.selectbox("Question", texts, index=_overall_index(texts))
    question = next(q for q in data["questions"] if q["question"] == chosen)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Trend across terms** (N = {question['responses']})")
        by_term = [r for r in data["by_term"] if r["question"] == chosen]
        by_section = [r for r in data["by_section"] if r["question"] == chosen]
        st.altair_chart(charts.term_trend(by_term, by_section), width="stretch")
        st.caption("Line: the course mean per term; grey dots: sections; dashed: department.")
    with right:
        st.markdown("**Distribution of answers**")
        if question["distribution"]:
            st.altair_chart(charts.distribution(question["distribution"]), width="stretch")
        else:
            st.info("These reports print no distribution for this question.")

    left, right = st.columns(2)
    with left:
        st.subheader("Hours per week")
        if not data["frequencies"]:
            st.info("These reports print no hours-per-week block.")
        for block in data["frequencies"]:
            st.altair_chart(charts.hours(block["bins"]), width="stretch")
            mean = block["estimated_mean"]
            st.caption(
                f"{block['prompt']} N = {block['n']} students in {block['sections']} sections"
                + (f"; about {mean:g} hours on average (from bin midpoints)." if mean else ".")
            )
    with right:
        st.subheader("What the comments talk about")
        _show_themes(data["code"])


def _show_themes(code: str) -> None:
    """Drawn last: the scores above are already on screen while the themes are counted."""
    try:
        with st.spinner("Counting the comments' themes and tone…"):
            themes = _themes(api().base_url, code)
    except ApiError as exc:
        st.error(str(exc))
        return
    if not themes["themes"]:
        st.info(f"No comment themes found in the {themes['comments']} comments of this course.")
        return
    st.altair_chart(charts.themes(themes["themes"]), width="stretch")
    sample = " (the rest have no themes stored yet)" if themes["sampled"] else ""
    tones = ", ".join(f"{n} {tone}" for tone, n in themes["tones"].items() if n)
    st.caption(f"{themes['counted']} of {themes['comments']} comments{sample}: {tones}.")


def _overall_index(texts: list[str]) -> int:
    """Open on the overall-rating question when the reports have one."""
    return next((i for i, t in enumerate(texts) if "overall" in t.lower()), 0)


try:
    courses = api().courses()
except ApiError as exc:
    st.error(str(exc))
    st.stop()
if not courses:
    st.info("No courses yet: upload some reports first.")
    st.stop()

labels = {c["code"]: f"{c['code']} · {c['title']} ({c['sections']} sections)" for c in courses}
busiest = max(range(len(courses)), key=lambda i: courses[i]["sections"])  # most to show
code = st.selectbox("Course", list(labels), index=busiest, format_func=labels.__getitem__)
try:
    with st.spinner("Reading the scores…"):
        dashboard = _dashboard(api().base_url, code)
except ApiError as exc:
    st.error(str(exc))
else:
    _show(dashboard)
