"""The search page run by AppTest against the live API: filters, highlighting, paging, errors."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from tests.ui.apptest import app
from tests.ui.live import LoadedApi


def search(at: AppTest, query: str, **filters: str) -> AppTest:
    fields = {t.label: t for t in at.text_input}
    fields["Search for"].input(query)
    for label, value in filters.items():
        fields[label].input(value)
    at.button(key="FormSubmitter:search-Search").click().run()
    assert not at.exception, at.exception
    return at


def results(at: AppTest) -> list[tuple[str, str]]:
    """(highlighted text, citation) of each hit shown: the bordered boxes of the main area."""
    hits = []
    for block in at.main.children.values():
        if not isinstance(block, Block):
            continue
        markdown, caption = block.markdown, block.caption
        if markdown and caption and re.match(r"\*\*\d+\.\*\* ", markdown[0].value):
            hits.append((markdown[0].value, caption[0].value))
    return hits


def test_filters_narrow_and_matched_words_are_highlighted(ui_env: LoadedApi) -> None:
    at = search(app("views/search.py"), "well organized", Course="psyc 1101")
    hits = results(at)
    assert hits
    assert all(citation.startswith("PSYC1101 ") for _, citation in hits)
    assert any(":orange-background[organized]" in text for text, _ in hits)
    expected = sum(len(t["comments"]) for t in ui_env.truths if t["course"]["code"] == "PSYC1101")
    assert len(hits) == min(expected, 10)


def test_the_source_filter_reads_trace_reports_or_surveys_only(ui_env: LoadedApi) -> None:
    at = search(app("views/search.py"), "the course was great")
    everything = results(at)
    at.radio(key="search_source").set_value("TRACE reports")
    at.button(key="FormSubmitter:search-Search").click().run()
    assert results(at) == everything  # the loaded corpus holds TRACE reports only
    at.radio(key="search_source").set_value("Instructors' surveys")
    at.button(key="FormSubmitter:search-Search").click().run()
    assert results(at) == []
    assert any("No comments match" in i.value for i in at.info)


def test_results_are_paged(ui_env: LoadedApi) -> None:
    at = search(app("views/search.py"), "the course was great")
    first = results(at)
    assert len(first) == 10
    assert any(m.value.startswith("Page 1 of ") for m in at.markdown)
    at.button[[b.label for b in at.button].index("Next")].click().run()
    second = results(at)
    assert len(second) >= 1 and second[0] != first[0]
    assert second[0][0].startswith("**11.**")
    at.button[[b.label for b in at.button].index("Previous")].click().run()
    assert results(at) == first


def test_a_bad_filter_shows_the_api_message(ui_env: LoadedApi) -> None:
    at = search(app("views/search.py"), "workload", **{"From term": "Autumn 20"})
    [error] = at.error
    assert "'Autumn 20' is not a TRACE term" in error.value
    assert not results(at)


def test_no_matches_say_so(ui_env: LoadedApi) -> None:
    at = search(app("views/search.py"), "workload", Course="ZZ 9999")
    assert not at.error
    assert at.info[0].value.startswith("No comments match")
