"""The app signs in with its key: a clear page when the API refuses it, pages by role."""

from __future__ import annotations

import pytest

from tests.conftest import make_key
from tests.ui.apptest import app
from tests.ui.live import LoadedApi


def _titles(at: object) -> list[str]:
    return [t.value for t in at.title]  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", ["", "tl_000000000000_not-a-key"])
def test_a_refused_key_shows_what_to_do(
    ui_env: LoadedApi, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("TRACELENS_UI_API_KEY", key)
    at = app()
    assert _titles(at) == ["TraceLens cannot sign in to the API"]
    assert "missing, unknown or revoked" in at.error[0].value
    assert any("TRACELENS_UI_API_KEY" in m.value for m in at.markdown)


def test_pages_follow_the_roles(ui_env: LoadedApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACELENS_UI_API_KEY", make_key(ui_env.settings, "viewer"))
    at = app()
    assert _titles(at) == ["Ask TraceLens"]
    assert any("(viewer)" in c.value for c in at.sidebar.caption)
    monkeypatch.setenv("TRACELENS_UI_API_KEY", make_key(ui_env.settings, "uploader"))
    at = app()
    assert _titles(at) == ["Upload reports"]
