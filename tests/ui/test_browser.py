"""End to end in a real browser: Streamlit as a process, Debian's Chromium driven by Playwright.

Playwright's own browser download is not available here, so the test uses /usr/bin/chromium and
installs Debian's package when it is missing; if it still cannot, the test fails (never skips).
Screenshots go to ARTIFACTS (override with TRACELENS_TEST_ARTIFACTS) and are kept after the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from devtools.processes import Child, free_port
from tests.ui.live import LoadedApi
from ui.launch import streamlit_command

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TRACELENS_TEST_ARTIFACTS", ROOT / ".tracelens/test-artifacts"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
QUESTION = "What do students say about the workload in PSYC1101?"


def install_chromium() -> Path:
    """Debian's chromium: as installed, else `apt-get install`, else after `apt-get update`."""
    attempts = [
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
    ]
    log = []
    for command in attempts:
        if CHROMIUM.exists():
            break
        if shutil.which(command[0]) is None:
            log.append(f"{command[0]} is not available")
            break
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
        log.append(f"$ {' '.join(command)} -> {done.returncode}\n{done.stderr[-2000:]}")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing and could not be installed:\n" + "\n".join(log))
    return CHROMIUM


@pytest.fixture(scope="module")
def chromium() -> Path:
    return install_chromium()


@pytest.fixture
def streamlit_url(ui_api: LoadedApi, tmp_path: Path) -> Iterator[str]:
    """`streamlit run ui/app.py` as a child process, pointed at the live API."""
    port = free_port()
    env = {
        "TRACELENS_UI_API_URL": ui_api.url,
        "TRACELENS_UI_API_KEY": ui_api.key,
        "PYTHONUNBUFFERED": "1",
    }
    url = f"http://127.0.0.1:{port}"
    app = Child(
        "streamlit",
        streamlit_command(host="127.0.0.1", port=port),
        url=f"{url}/_stcore/health",
        env=env,
        log=tmp_path / "streamlit.log",
        timeout_s=60,
    )
    with app:
        yield url


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def test_chat_answers_with_a_citation_in_the_browser(
    chromium: Path, streamlit_url: str, ui_api: LoadedApi, record_property: pytest.RecordProperty
) -> None:
    with ui_api.client(timeout=60) as http:
        expected = http.post("/v1/ask", json={"question": QUESTION}).json()
    first_quote = expected["citations"][0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            page.goto(streamlit_url)
            expect(page.get_by_role("heading", name="Ask TraceLens")).to_be_visible()
            chat = page.get_by_test_id("stChatInputTextArea")
            chat.fill(QUESTION)
            chat.press("Enter")

            answer = page.get_by_test_id("stChatMessage").nth(1)
            shown = expected["answer"].split("\n")[0].replace("**", "")  # as rendered
            expect(answer).to_contain_text(shown[:60])
            expect(answer.get_by_text("Quoted comments")).to_be_visible()
            citation = answer.get_by_test_id("stExpander").first
            expect(citation).to_contain_text("PSYC1101")
            citation.locator("summary").click()  # open it: the quote and its source
            expect(citation).to_contain_text(first_quote["text"][:50])
            expect(citation).to_contain_text(f"section {first_quote['citation']['section']}")
            citation.scroll_into_view_if_needed()
            shots = [screenshot(page, "chat-citation.png")]
            shots.append(ARTIFACTS / "chat-answer.png")  # the whole answer, however tall
            answer.screenshot(path=str(shots[-1]))
            print(f"screenshot: {shots[-1]}")
        finally:
            browser.close()
    for shot in shots:
        record_property("screenshot", str(shot))
        assert shot.stat().st_size > 10_000
