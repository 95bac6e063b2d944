"""The API client of this browser session, built from the one Settings object."""

from __future__ import annotations

import streamlit as st

from core.settings import Settings
from ui.client import TraceLensApi


@st.cache_resource(show_spinner=False)
def _client(base_url: str, api_key: str | None) -> TraceLensApi:
    """One pooled client per API, shared by every session of the process."""
    return TraceLensApi(base_url, api_key=api_key)


def settings() -> Settings:
    """Read once per browser session (environment and .env), then reused on every rerun."""
    if "settings" not in st.session_state:
        st.session_state["settings"] = Settings()
    current: Settings = st.session_state["settings"]
    return current


def api() -> TraceLensApi:
    current = settings()
    key = current.ui_api_key.get_secret_value() if current.ui_api_key else None
    return _client(current.ui_api_url or current.api_url, key)
