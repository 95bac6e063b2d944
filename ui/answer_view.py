"""How an answer is shown under its text: the facts with their N, a chart, themes, the quotes.

Shared by the chat page for live answers and for the conversation history on every rerun.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from ui import charts
from ui.text import escape_markdown, shorten

Answer = dict[str, Any]


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


_LINK_MARKUP = re.compile(r"([\\\[\]<>$])")
_AUTOLINK = re.compile(r"(?<=\w):(?=//)|(?<=\bwww)\.|@", re.IGNORECASE)


def no_autolinks(text: str) -> str:
    """Markdown with every bare URL, www. address and e-mail address broken by an escape, so
    the chat never turns one into a link (the text reads the same)."""
    return _AUTOLINK.sub(lambda m: "\\" + m.group(), text)


def model_markdown(text: str) -> str:
    """A model's answer as the chat renders it: its emphasis and lists kept, but no link, image,
    HTML or math, since a rendered link or image can carry data out. The guard refuses these
    already; this is the second wall."""
    return no_autolinks(_LINK_MARKUP.sub(r"\\\1", text))


def answer_markdown(answer: Answer) -> str:
    """The answer's text for st.markdown: extractive text is markdown whose data is escaped
    already (rag.answer.extractive); a model's text goes through `model_markdown`."""
    text = str(answer.get("answer") or "")
    if str(answer.get("answerer") or "extractive").startswith("extractive"):
        return no_autolinks(text)
    return model_markdown(text)


def facts_table(facts: list[dict[str, Any]]) -> pd.DataFrame:
    """Facts as rows a person reads: what, the value, the N it rests on, where it comes from."""
    return pd.DataFrame(
        [
            {
                "Fact": f["label"],
                "Value": _value(f["value"]),
                "N": "" if f.get("n") is None else str(f["n"]),
                "Source": f["source"],
            }
            for f in facts
        ],
        columns=["Fact", "Value", "N", "Source"],
    )


ALL_SOURCES = "All reports"
SOURCES: dict[str, str | None] = {
    ALL_SOURCES: None,
    "TRACE reports": "trace",
    "Instructors' surveys": "survey",
}
"""What search and chat may read, as the `source` filter."""


def citation_line(citation: dict[str, Any]) -> str:
    """Course, term, section, instructors and prompt of a quoted comment, on one line. Every
    field is uploaded data (a survey's title and questions too), so it is escaped, never markup.
    """
    c = {k: escape_markdown(str(v)) for k, v in citation.items() if isinstance(v, (str, int))}
    people = "; ".join(escape_markdown(p) for p in citation.get("instructors") or [])
    people = people or "instructor not named"
    if citation.get("source") == "survey":
        return (
            f"{c['course_code']} · instructor's survey “{c.get('survey')}” · "
            f"{c['term']} · question: “{c['prompt']}” · "
            f"answer {c['comment_number']}"
        )
    return (
        f"{c['course_code']} {c['course_title']} · {c['term']} · "
        f"section {c['section']} · {people} · prompt: “{c['prompt']}” · "
        f"comment {c['comment_number']}"
    )


def show_citations(quotes: list[dict[str, Any]]) -> None:
    st.markdown(f"**Quoted comments** ({len(quotes)})")
    for i, quote in enumerate(quotes, start=1):
        citation = quote["citation"]
        code, term, section = (
            escape_markdown(str(citation[k])) for k in ("course_code", "term", "section")
        )
        text = escape_markdown(shorten(quote["text"], 60))
        where = f"§{section}"
        if citation.get("source") == "survey":  # an instructor's own survey, named
            where = f"survey “{escape_markdown(str(citation.get('survey')))}”"
        title = f"[{i}] {code} · {term} · {where}: “{text}”"
        with st.expander(title):
            st.markdown(f"> {escape_markdown(quote['text'])}")  # student text: never markup
            st.caption(citation_line(citation))
            if quote.get("theme"):
                st.caption(f"Theme: {quote['theme']}")


def show_answer_details(answer: Answer) -> None:
    """Everything behind the answer's text; the text itself is written by the caller."""
    facts = answer.get("facts") or []
    if facts:
        st.markdown("**Facts** (N = responses or comments each value rests on)")
        st.dataframe(facts_table(facts), hide_index=True, width="stretch")
    chart = charts.answer_chart(answer)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
    themes = answer.get("themes") or []
    if themes:
        st.markdown("**Themes in the comments**")
        st.altair_chart(charts.themes(themes), width="stretch")
    quotes = answer.get("citations") or []
    if quotes:
        show_citations(quotes)
