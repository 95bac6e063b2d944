"""Upload TRACE reports and survey exports (several at once) and watch each one until it is
processed or failed.

Statuses are polled in a fragment that reruns every POLL_S seconds while any report is still
queued or processing, and stops polling once all are done; the rest of the page stays still.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui.client import ApiError
from ui.connection import api, settings

POLL_S = 1.0
DONE = ("processed", "failed", "rejected")
LABELS = {  # words, not emoji: they read the same in every browser and font
    "queued": "queued",
    "processing": "processing…",
    "processed": "processed",
    "failed": "failed",
    "rejected": "rejected at upload",
}

TYPES = ["pdf", "xlsx", "html", "htm", "csv", "docx", "eml", "txt"]
"""What the API takes (it decides by content): TRACE PDFs, Excel exports and saved Blue pages,
and survey exports (CSV, Excel, Word, e-mail, plain text)."""

st.title("Upload reports")
st.caption(
    "TRACE reports as PDF, Excel (xlsx) or a saved Blue web page (HTML), and your own survey "
    "exports: Google Forms, Qualtrics or Microsoft Forms responses (CSV, xlsx), or comments in "
    "a Word document, an e-mail (.eml) or a text file. Each is checked at once, then parsed, "
    "stored and its comments embedded by the worker; the same file uploaded twice is recognised."
)

state = st.session_state
state.setdefault("uploads", [])
state.setdefault("uploader_key", 0)

files = st.file_uploader(
    "Reports and survey exports",
    type=TYPES,
    accept_multiple_files=True,
    key=f"uploader_{state.uploader_key}",
    max_upload_size=max(1, settings().max_upload_bytes // 2**20),  # MB, as the API's cap
)
with st.expander("Survey exports: course, term and title"):
    st.caption(
        "A TRACE report names its own course and term. A survey export that does not (no "
        "`Course:`/`Term:` lines or columns) needs them here; they apply to every file sent."
    )
    survey = {
        "course": st.text_input("Course", placeholder="CS5800-01", key="survey_course"),
        "term": st.text_input("Term", placeholder="Fall 2025", key="survey_term"),
        "title": st.text_input("Title", placeholder="Mid-term feedback", key="survey_title"),
    }
if st.button(
    f"Send {len(files)} file{'s' if len(files) != 1 else ''}" if files else "Send",
    type="primary",
    disabled=not files,
    icon=":material/upload:",
):
    for file in files:
        entry: dict[str, Any] = {"file": file.name, "id": None, "status": "queued", "detail": ""}
        try:
            accepted = api().upload(file.name, file.getvalue(), fields=survey)
        except ApiError as exc:
            entry.update(status="rejected", detail=str(exc))
        else:
            entry.update(id=accepted["id"], status=accepted["status"])
            if accepted.get("duplicate"):
                entry["detail"] = "uploaded before: showing that report"
        state.uploads.append(entry)
    state.uploader_key += 1  # a fresh, empty uploader
    st.rerun()


def _refresh(entry: dict[str, Any]) -> None:
    """The report's current status; its error when it failed, what it held when processed."""
    report = api().report(entry["id"])
    entry["status"] = report["status"]
    if report["status"] == "failed":
        entry["detail"] = report.get("error") or "failed without a reason"
    elif report["status"] == "processed" and report.get("summary"):
        summary = report["summary"]
        kind = "survey: " if summary.get("source_type") == "survey" else ""
        entry["detail"] = (
            f"{kind}{summary['course_code']} §{summary['section']} {summary['term']}: "
            f"{summary['questions']} questions, {summary['comments']} comments"
        )


def _pending() -> bool:
    return any(e["status"] not in DONE for e in state.uploads)


@st.fragment(run_every=POLL_S if _pending() else None)
def statuses() -> None:
    try:
        for entry in state.uploads:
            if entry["status"] not in DONE:
                _refresh(entry)
    except ApiError as exc:
        st.error(str(exc))
    table = pd.DataFrame(
        [
            {
                "File": e["file"],
                "Report": e["id"],
                "Status": LABELS[e["status"]],
                "Detail": e["detail"],
            }
            for e in state.uploads
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    done = sum(e["status"] in DONE for e in state.uploads)
    if done < len(state.uploads):
        st.progress(done / len(state.uploads), text=f"{done} of {len(state.uploads)} done")
    else:
        failed = sum(e["status"] != "processed" for e in state.uploads)
        st.success(
            f"All {len(state.uploads)} done"
            + (f"; {failed} could not be read (see Detail)." if failed else ".")
        )
        if st.session_state.get("_polling"):
            st.session_state["_polling"] = False
            st.rerun()  # a full rerun stops the fragment's timer
    st.session_state["_polling"] = done < len(state.uploads)


if state.uploads:
    st.subheader("Status")
    statuses()
    if not _pending() and st.button("Clear the list", icon=":material/clear_all:"):
        state.uploads = []
        st.rerun()
