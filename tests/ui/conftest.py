"""The UI tests' API: one live server over the loaded sample corpus, shared by the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import Database
from tests.ui.live import LoadedApi, fake_settings, loaded_api, own_database


@pytest.fixture(scope="session")
def ui_api(
    pg_server: Database, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedApi]:
    """Read-mostly: the UI tests ask and search, but upload only into their own databases."""
    with own_database(pg_server) as url:
        settings = fake_settings(tmp_path_factory.mktemp("ui-state"), url)
        with loaded_api(settings, corpus) as live:
            yield live


@pytest.fixture
def ui_env(ui_api: LoadedApi, monkeypatch: pytest.MonkeyPatch) -> LoadedApi:
    """Point the app (run in this process by AppTest) at the live API."""
    monkeypatch.setenv("TRACELENS_UI_API_URL", ui_api.url)
    monkeypatch.setenv("TRACELENS_UI_API_KEY", ui_api.key)
    return ui_api
