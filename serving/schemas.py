"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class InstructorRef(BaseModel):
    id: int
    last: str
    first: str


class ReportSummary(BaseModel):
    """What was extracted, once the report is processed."""

    section_id: int
    source_type: Literal["trace", "survey"] = Field(
        description="`survey` for an instructor's own survey export, `trace` for a TRACE report"
    )
    course_code: str
    section: str
    title: str = Field(description="the course title; a survey export's own title")
    term: str
    crn: str | None
    enrollment: int | None
    responses_incl_declines: int | None
    declines: int | None
    instructors: list[InstructorRef]
    questions: int = Field(description="rating questions this report printed")
    comments: int = Field(description="comments this report printed")
    sources: int = Field(1, description="reports that describe this section (merged)")
    conflicts: int = Field(0, description="values those reports disagree on")


class ReportOut(BaseModel):
    id: int
    status: str
    status_url: str
    filename: str
    sha256: str
    media_type: str
    size_bytes: int
    layout: str | None = Field(
        description="collegenet, blue, xlsx, blue-html (a saved Blue page), or survey-csv,"
        " survey-xlsx, survey-docx, survey-txt, survey-eml (survey exports)"
    )
    form_course: str | None = Field(None, description="the upload form's course, if given")
    form_term: str | None = Field(None, description="the upload form's term, if given")
    form_title: str | None = Field(None, description="the upload form's title, if given")
    error: str | None
    error_code: str | None = Field(
        None, description="why it failed, as a stable code (checksum, comment_count, …)"
    )
    attempts: int
    warnings: list[str]
    embedded_comments: int
    embedding_space: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    file_removed_at: datetime | None = Field(
        None,
        description="when a redaction deleted the uploaded file (it held a redacted comment); "
        "the parsed rows stay",
    )
    summary: ReportSummary | None

    @classmethod
    def from_row(cls, row: dict[str, Any], *, status_url: str) -> ReportOut:
        summary = None
        if row.get("section_id") is not None:
            summary = ReportSummary.model_validate(row)
        fields = {k: row[k] for k in cls.model_fields if k in row}
        return cls(**fields, status_url=status_url, summary=summary)


class UploadAccepted(BaseModel):
    id: int
    status: str
    status_url: str
    duplicate: bool
    error: str | None = None
    error_code: str | None = None
    hint: str | None = Field(None, description="what to do next, for a file that failed before")


class ReportList(BaseModel):
    items: list[ReportOut]
    total: int
    limit: int
    offset: int
