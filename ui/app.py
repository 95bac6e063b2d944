"""TraceLens in the browser: `streamlit run ui/app.py`. Pages talk to the REST API only."""

from __future__ import annotations

import streamlit as st

from ui.client import JSON, ApiError
from ui.connection import api

st.set_page_config(page_title="TraceLens", page_icon=":material/insights:", layout="wide")

READERS = {"viewer", "instructor", "analyst", "admin"}
COMMENT_READERS = {"instructor", "analyst", "admin"}
UPLOADERS = {"uploader", "admin"}


def signed_in() -> JSON | None:
    """The API's view of this app's key; a page that says what to do when it is refused."""
    try:
        return api().me()
    except ApiError as exc:
        if exc.status not in (401, 403):
            return None  # the API is down or failing: each page says so itself
        st.title("TraceLens cannot sign in to the API")
        if exc.status == 401:
            st.error(f"The API refused this app's key: it is missing, unknown or revoked. ({exc})")
        else:
            st.error(f"The API knows this app's key but its roles may not do this. ({exc})")
        st.markdown(
            "Give the app a valid key in `TRACELENS_UI_API_KEY` and restart it. An admin"
            " creates one with\n\n"
            '    tracelens keys create --role viewer --name "dean\'s office"\n\n'
            "(roles: viewer, instructor `--instructor ID`, analyst, uploader, admin). `make run`"
            " creates a local admin key on its first start and hands it to the app."
        )
        st.stop()
    return None


me = signed_in()
roles = set(me["roles"]) if me else READERS | UPLOADERS
pages: dict[str, list[st.Page]] = {}
if roles & READERS:
    ask = [st.Page("views/chat.py", title="Chat", icon=":material/chat:", default=True)]
    if roles & COMMENT_READERS:
        ask.append(st.Page("views/search.py", title="Search comments", icon=":material/search:"))
    pages["Ask"] = ask
    pages["Dashboards"] = [
        st.Page("views/course.py", title="Courses", icon=":material/school:"),
        st.Page("views/instructor.py", title="Instructors", icon=":material/person:"),
    ]
if roles & UPLOADERS:
    pages["Reports"] = [
        st.Page(
            "views/upload.py",
            title="Upload",
            icon=":material/upload_file:",
            default=not roles & READERS,
        ),
    ]
page = st.navigation(pages)
with st.sidebar:
    st.markdown("### TraceLens")
    st.caption(f"Northeastern TRACE course evaluations · API {api().base_url}")
    if me:
        st.caption(f"Signed in as {me['subject']} ({', '.join(me['roles'])})")
page.run()
