"""TraceLens in the browser: `streamlit run ui/app.py`. Pages talk to the REST API only."""

from __future__ import annotations

import streamlit as st

from ui.connection import api

st.set_page_config(page_title="TraceLens", page_icon=":material/insights:", layout="wide")

page = st.navigation(
    {
        "Ask": [
            st.Page("views/chat.py", title="Chat", icon=":material/chat:", default=True),
            st.Page("views/search.py", title="Search comments", icon=":material/search:"),
        ],
        "Dashboards": [
            st.Page("views/course.py", title="Courses", icon=":material/school:"),
            st.Page("views/instructor.py", title="Instructors", icon=":material/person:"),
        ],
        "Reports": [
            st.Page("views/upload.py", title="Upload", icon=":material/upload_file:"),
        ],
    }
)
with st.sidebar:
    st.markdown("### TraceLens")
    st.caption(f"Northeastern TRACE course evaluations · API {api().base_url}")
page.run()
