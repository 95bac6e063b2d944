"""Search the comments: hybrid retrieval with exact filters, matched words highlighted, paged.

The API returns at most 100 hits per query and has no offset, so one request fetches them all
and the pages are cut here; changing the query or a filter starts again at page 1.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.answer_view import SOURCES, citation_line
from ui.client import ApiError
from ui.connection import api
from ui.text import highlight

PAGE_SIZE = 10
MAX_HITS = 100

st.title("Search comments")
st.caption("Finds comments by meaning and by their words; filters are exact.")

state = st.session_state
state.setdefault("search_hits", None)
state.setdefault("search_page", 0)

with st.form("search"):
    query = st.text_input("Search for", placeholder="is the homework load heavy")
    left, middle, right = st.columns(3)
    subject = left.text_input("Subject", placeholder="CS")
    course = middle.text_input("Course", placeholder="CS 5800")
    instructor = right.text_input("Instructor", placeholder="Doe, Jane")
    left, middle, right = st.columns(3)
    term_from = left.text_input("From term", placeholder="Fall 2021")
    term_to = middle.text_input("To term", placeholder="Spring 2024")
    prompt = right.text_input("Comment prompt", placeholder="strengths")
    source = st.radio("From", list(SOURCES), horizontal=True, key="search_source")
    submitted = st.form_submit_button("Search", type="primary", icon=":material/search:")


def _filters() -> dict[str, Any]:
    given = {
        "subject": subject,
        "course": course,
        "instructor": instructor,
        "term_from": term_from,
        "term_to": term_to,
        "prompt": prompt,
    }
    chosen: dict[str, Any] = {
        name: value.strip() for name, value in given.items() if value and value.strip()
    }
    if SOURCES[source]:
        chosen["source"] = SOURCES[source]
    return chosen


if submitted:
    if not query.strip():
        st.warning("Type something to search for.")
    else:
        try:
            result = api().search(query.strip(), k=MAX_HITS, filters=_filters())
        except ApiError as exc:
            st.error(str(exc))
            state.search_hits = None
        else:
            state.search_hits = {"query": query.strip(), "hits": result["hits"]}
            state.search_page = 0

found = state.search_hits
if found is not None:
    hits = found["hits"]
    if not hits:
        st.info(f"No comments match “{found['query']}” with these filters.")
    else:
        pages = (len(hits) + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(state.search_page, pages - 1)
        first = page * PAGE_SIZE
        shown = hits[first : first + PAGE_SIZE]
        more = " (the best 100)" if len(hits) == MAX_HITS else ""
        st.markdown(
            f"**{len(hits)} comments**{more} for “{found['query']}” · "
            f"showing {first + 1}–{first + len(shown)}"
        )
        for number, hit in enumerate(shown, start=first + 1):
            with st.container(border=True):
                st.markdown(f"**{number}.** " + highlight(hit["text"], found["query"]))
                st.caption(citation_line(hit["citation"]))
        back, where, forward = st.columns([1, 2, 1])
        if back.button("Previous", disabled=page == 0, icon=":material/chevron_left:"):
            state.search_page = page - 1
            st.rerun()
        where.markdown(f"Page {page + 1} of {pages}", text_alignment="center")
        if forward.button("Next", disabled=page >= pages - 1, icon=":material/chevron_right:"):
            state.search_page = page + 1
            st.rerun()
