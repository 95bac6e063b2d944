"""Chat over the surveys: streamed answers with their facts, chart and quoted comments.

The conversation id from the API is kept in the session, so follow-ups ("and in Fall 2023?")
resolve against the earlier turns exactly as they do over the REST API. Above each answer the
scope in force is shown (what a follow-up inherited); "Clear scope" makes the next question start
from none, in the same conversation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import streamlit as st

from ui.answer_view import (
    ALL_SOURCES,
    SOURCES,
    answer_markdown,
    facts_table,
    no_autolinks,
    show_answer_details,
)
from ui.client import ApiError, StreamEvent
from ui.connection import api

EXAMPLES = (
    "Which instructor had the highest overall rating in Fall 2023?",
    "What do students say about the workload in PSYC1101?",
    "How many hours per week do students spend on CS7180?",
    "How did the overall rating of CS7180 change over time?",
)

st.title("Ask TraceLens")
st.caption(
    "Numbers come from the score tables, each with the N behind it; opinions come from the "
    "comments, quoted with their course, term and section."
)

state = st.session_state
state.setdefault("messages", [])
state.setdefault("conversation_id", None)
state.setdefault("fresh", False)


def scope_line(answer: dict[str, Any]) -> str | None:
    """ "Scope: CS5800 · Fall 2023" for an answer that carries its scope."""
    scope = answer.get("scope") or {}
    text = scope.get("text")
    return f"Scope: {text}" if text else None


with st.sidebar:
    st.radio(
        "Answer from",
        list(SOURCES),
        key="chat_source",
        help="TRACE reports, instructors' own surveys (uploaded exports), or both; numbers"
        " always come from one kind, never pooled",
    )
    if st.button("New conversation", icon=":material/add_comment:", disabled=not state.messages):
        state.messages = []
        state.conversation_id = None
        state.fresh = False
        st.rerun()

typed = st.chat_input("Ask about courses, instructors or what students said")
last_answer = max((i for i, m in enumerate(state.messages) if m.get("answer")), default=None)
for index, message in enumerate(state.messages):
    with st.chat_message(message["role"]):
        line = scope_line(message["answer"]) if message.get("answer") else None
        if line:
            st.caption(line)
        if message.get("error"):
            st.error(message["error"])
        elif message.get("answer"):
            st.markdown(answer_markdown(message["answer"]))
        else:
            st.markdown(message["content"])
        if message.get("answer"):
            show_answer_details(message["answer"])
        inherited = line is not None and not line.endswith(": all reports")
        offer = index == last_answer and inherited and not state.fresh and not typed
        if offer and st.button(
            "Clear scope", key=f"clear_scope_{index}", icon=":material/filter_alt_off:"
        ):
            state.fresh = True
            st.rerun()
if state.fresh and state.messages:
    st.caption("The next question starts from no scope (no course, instructor or term kept).")

picked: str | None = None
examples = st.empty()
if not state.messages:
    with examples.container():
        st.markdown("**Try one of these:**")
        columns = st.columns(2)
        for i, example in enumerate(EXAMPLES):
            if columns[i % 2].button(example, key=f"example_{i}", width="stretch"):
                picked = example

question = typed or picked


CHECKED = "Checked against the evidence"
REPLACED = (
    "The model's wording failed the evidence check; the answer below is composed from the"
    " evidence alone"
)


def _checked(checking: StreamEvent, events: Iterator[StreamEvent], final: dict[str, Any]) -> None:
    """While the model writes and the guard reads: a checking state with the facts. The model's
    words arrive only once checked; the final event says whether they were kept."""
    message = checking.data.get("message") or "Checking the answer against the evidence…"
    with st.status(message, expanded=True) as status:
        facts = checking.data.get("facts") or []
        if facts:
            st.dataframe(facts_table(facts), hide_index=True, width="stretch")
        for event in events:  # the tokens are the final answer's text, rendered from it below
            if event.kind == "final":
                final.update(event.data)
        label = REPLACED if final.get("replaced") else CHECKED
        status.update(label=label, state="complete", expanded=False)


def _answer(question: str) -> None:
    """Stream the answer's tokens, then show the final answer's details and remember the turn.
    A model's answer is shown only after the evidence check, with no link or image."""
    final: dict[str, Any] = {}

    def tokens(events: Iterator[StreamEvent]) -> Iterator[str]:
        for event in events:
            if event.kind == "token":
                yield no_autolinks(event.data["text"])  # pieces end at whitespace
            elif event.kind == "final":
                final.update(event.data)

    scope_slot = st.empty()  # filled from the final event: the scope arrives with the answer
    streamed: str | None = None
    try:
        fresh, state.fresh = state.fresh, False
        source = SOURCES[state.get("chat_source") or ALL_SOURCES]
        events = api().ask_stream(
            question,
            conversation_id=state.conversation_id,
            fresh=fresh,
            filters={"source": source} if source else None,
        )
        with st.spinner("Reading the reports…"):  # until the first event arrives
            first = list(itertools.islice(events, 1))
        if first and first[0].kind == "checking":
            _checked(first[0], events, final)
        else:
            written = st.write_stream(tokens(itertools.chain(first, events)))
            streamed = written if isinstance(written, str) else None
        if not final:
            raise ApiError("The answer stream ended before the answer was complete; ask again.")
    except ApiError as exc:
        st.error(str(exc))
        state.messages.append({"role": "assistant", "content": "", "error": str(exc)})
        return
    answer = final["answer"]
    text = answer["answer"]
    line = scope_line(answer)
    if line:
        scope_slot.caption(line)
    if streamed != answer_markdown(answer):  # a model's checked text, or a stream cut short
        st.markdown(answer_markdown(answer))
    show_answer_details(answer)
    state.conversation_id = answer.get("conversation_id") or state.conversation_id
    state.messages.append({"role": "assistant", "content": text, "answer": answer})
    if line and not line.endswith(": all reports"):  # the same key the history renders it with
        index = len(state.messages) - 1
        st.button("Clear scope", key=f"clear_scope_{index}", icon=":material/filter_alt_off:")


if question:
    examples.empty()
    state.messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        _answer(question)
