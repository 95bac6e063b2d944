"""Chat over the surveys: streamed answers with their facts, chart and quoted comments.

The conversation id from the API is kept in the session, so follow-ups ("and in Fall 2023?")
resolve against the earlier turns exactly as they do over the REST API.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import streamlit as st

from ui.answer_view import show_answer_details
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

with st.sidebar:
    if st.button("New conversation", icon=":material/add_comment:", disabled=not state.messages):
        state.messages = []
        state.conversation_id = None
        st.rerun()

for message in state.messages:
    with st.chat_message(message["role"]):
        if message.get("error"):
            st.error(message["error"])
        else:
            st.markdown(message["content"])
        if message.get("answer"):
            show_answer_details(message["answer"])

picked: str | None = None
examples = st.empty()
if not state.messages:
    with examples.container():
        st.markdown("**Try one of these:**")
        columns = st.columns(2)
        for i, example in enumerate(EXAMPLES):
            if columns[i % 2].button(example, key=f"example_{i}", width="stretch"):
                picked = example

question = st.chat_input("Ask about courses, instructors or what students said") or picked


def _answer(question: str) -> None:
    """Stream the answer's tokens, then show the final answer's details and remember the turn."""
    final: dict[str, Any] = {}

    def tokens(events: Iterator[StreamEvent]) -> Iterator[str]:
        for event in events:
            if event.kind == "token":
                yield event.data["text"]
            elif event.kind == "final":
                final.update(event.data)

    try:
        events = api().ask_stream(question, conversation_id=state.conversation_id)
        with st.spinner("Reading the reports…"):  # until the first words arrive
            first = list(itertools.islice(events, 1))
        streamed = st.write_stream(tokens(itertools.chain(first, events)))
        if not final:
            raise ApiError("The answer stream ended before the answer was complete; ask again.")
    except ApiError as exc:
        st.error(str(exc))
        state.messages.append({"role": "assistant", "content": "", "error": str(exc)})
        return
    answer = final["answer"]
    text = answer["answer"]
    if final.get("replaced") or streamed != text:
        st.info("The wording above failed the evidence check; this is the checked answer.")
        st.markdown(text)
    show_answer_details(answer)
    state.conversation_id = answer.get("conversation_id") or state.conversation_id
    state.messages.append({"role": "assistant", "content": text, "answer": answer})


if question:
    examples.empty()
    state.messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        _answer(question)
