"""The JSON `tracelens parse FILE --json` must print for a rendered report, built from content.

Built from what the renderer was asked to print, never from reading the PDF back, and checked
against the product's pydantic model so the shape is the contract's.
"""

from __future__ import annotations

from typing import Any

from core.report import ParsedReport
from tests.independent import phrases as P
from tests.independent.content import Report


def comment_text(raw: str) -> str:
    """A comment as the contract gives it: its lines joined by single spaces, blanks dropped."""
    return " ".join(line.strip() for line in raw.splitlines() if line.strip())


def truth(report: Report, *, file: str, sha256: str) -> dict[str, Any]:
    """The expected parse of `report` rendered as `file` whose bytes hash to `sha256`."""
    blue = report.layout == "blue"
    questions = [
        {
            "section": q.section,
            "text": q.text,
            "responses": q.responses,
            "response_rate": None if blue or q.rate_pct is None else q.rate_pct / 100,
            "course_mean": float(q.course_mean),
            "dept_mean": float(q.dept_mean),
            "univ_mean": float(q.univ_mean),
            "course_median": float(q.course_median),
            "dept_median": float(q.dept_median),
            "univ_median": float(q.univ_median),
            "std_dev": None,
            "distribution": dict(q.distribution) if blue else None,
        }
        for q in report.questions
    ]
    comments = []
    for block in report.comments or []:
        for number, text in enumerate(block.comments, 1):
            comments.append({"prompt": block.prompt, "number": number, "text": comment_text(text)})
    data: dict[str, Any] = {
        "file": file,
        "sha256": sha256,
        "layout": report.layout,
        "course": {
            "code": report.code,
            "subject": report.subject,
            "number": report.number,
            "section": report.section,
            "title": report.title,
            "crn": report.crn,
        },
        "term": {"label": report.term, "season": report.season, "year": report.year},
        "instructors": [{"last": last, "first": first} for last, first in report.instructors],
        "enrollment": report.enrollment,
        "responses_incl_declines": report.responded,
        "declines": None if blue else report.declines,
        "questions": questions,
        "frequencies": (
            [{"text": P.HOURS_QUESTION, "bins": dict(report.hours)}] if report.hours else []
        ),
        "comments": comments,
        "warnings": [],
    }
    ParsedReport.model_validate(data)
    return data
