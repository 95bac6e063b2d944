"""An instructor's dashboard: their means on each question, and across courses and terms."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui import charts
from ui.client import ApiError
from ui.connection import api

st.title("Instructor dashboard")


def _show(data: dict[str, Any]) -> None:
    rows = data["by_course_term"]
    a, b, c = st.columns(3)
    a.metric("Sections", data["sections"])
    b.metric("Courses", len({r["course_code"] for r in rows}))
    c.metric("Terms", len({r["term"] for r in rows}))
    st.caption(f"Means across sections are {data['method']}.")

    texts = [q["question"] for q in data["questions"]]
    if not texts:
        st.info("The reports hold no scores for this instructor.")
        return
    overall = next((i for i, t in enumerate(texts) if "overall" in t.lower()), 0)
    chosen = st.selectbox("Question", texts, index=overall)
    mine = [r for r in rows if r["question"] == chosen]
    st.subheader("Across courses and terms")
    st.altair_chart(charts.instructor_trend(mine), width="stretch")
    table = pd.DataFrame(
        [
            {
                "Term": r["term"],
                "Course": f"{r['course_code']} {r['course_title']}",
                "Sections": r["sections"],
                "N": r["responses"],
                "Mean": r["course_mean"],
                "Dept mean": r["dept_mean"],
            }
            for r in mine
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")

    st.subheader("Every question, against the department and university")
    chart = charts.score_comparison(data["questions"], own="This instructor")
    st.altair_chart(chart, width="stretch")


try:
    people = api().instructors()
except ApiError as exc:
    st.error(str(exc))
    st.stop()
if not people:
    st.info("No instructors yet: upload some reports first.")
    st.stop()

labels = {p["id"]: f"{p['last']}, {p['first']} ({p['sections']} sections)" for p in people}
busiest = max(range(len(people)), key=lambda i: people[i]["sections"])
person = st.selectbox("Instructor", list(labels), index=busiest, format_func=labels.__getitem__)
try:
    dashboard = api().instructor_dashboard(person)
except ApiError as exc:
    st.error(str(exc))
else:
    _show(dashboard)
