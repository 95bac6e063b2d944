"""Redacting a comment after publication (admins): its text goes everywhere, its number stays."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ingestion.deletion import collect_blobs
from ingestion.redaction import redact_comment
from serving.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/v1/comments", tags=["comments"])


class RedactRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=3, max_length=500, examples=["the instructor's request of 2025-03-02"]
    )


class Redacted(BaseModel):
    comment_id: int
    section_id: int
    prompt: str
    number: int = Field(description="The comment's number: it stays, so counts stay honest")
    redacted_at: datetime
    already: bool = Field(description="It had been redacted before; nothing changed now")
    files_removed: int = Field(
        description="Uploaded files that held the comment, now deleted from the blob store (the "
        "reports keep their parsed rows)"
    )


@router.post("/{comment_id}/redact", response_model=Redacted)
async def redact(
    comment_id: int, body: RedactRequest, services: ServicesDep, principal: PrincipalDep
) -> Redacted:
    """Remove the comment's text, its vectors in every space, its theme tags, its copies in
    stored conversations and the uploaded files that hold it; the audit log keeps who, when and
    why, never the text."""

    def _redact() -> Redacted:
        with services.pool.connection() as conn:
            done = redact_comment(
                conn, comment_id=comment_id, reason=body.reason, principal=principal.subject
            )
            collect_blobs(conn, services.blobs)
        return Redacted.model_validate(done)

    return await run_in_threadpool(_redact)
