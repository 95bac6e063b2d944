"""Questions in plain English: exact numbers from SQL, opinions from cited comments."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from core.errors import TraceLensError
from rag.answer.answers import Answer
from rag.answer.conversations import last_entities
from rag.search.filters import SearchFilters
from serving.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/v1/ask", tags=["ask"])


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    question: str = Field(
        min_length=2,
        max_length=1000,
        examples=["which instructor had the highest overall rating in Fall 2023?"],
    )
    conversation_id: str | None = Field(
        default=None,
        max_length=64,
        description="Continue a conversation: follow-ups resolve against it",
    )
    fresh: bool = Field(
        default=False,
        description="Start this question from no scope: nothing (course, instructor, term) is"
        " inherited from earlier turns, though the conversation continues",
    )
    filters: SearchFilters | None = Field(default=None, strict=False)


@router.post("", response_model=Answer)
def ask(body: AskRequest, services: ServicesDep, principal: PrincipalDep) -> Answer:
    """The answer, the facts it rests on (each with its N), the quoted comments, and the scope
    in force (what a follow-up inherited from earlier turns)."""
    with services.pool.connection() as conn:
        return services.asker.ask(
            conn,
            question=body.question,
            principal=principal.subject,
            conversation_id=body.conversation_id,
            filters=body.filters,
            fresh=body.fresh,
        )


@router.post("/stream")
def ask_stream(
    body: AskRequest, services: ServicesDep, principal: PrincipalDep
) -> StreamingResponse:
    """Server-sent events: `token` events as the answer is written, then one `final` event.

    The final event carries the whole answer with its facts and citations; when `replaced` is
    true the streamed text failed the evidence check and the final answer replaces it.
    """
    if body.conversation_id is not None:  # a bad id is a plain 404, before any event
        with services.pool.connection() as conn:
            last_entities(conn, conversation_id=body.conversation_id, principal=principal.subject)

    def _sse() -> Iterator[str]:
        with services.pool.connection() as conn:
            try:
                for event in services.asker.ask_stream(
                    conn,
                    question=body.question,
                    principal=principal.subject,
                    conversation_id=body.conversation_id,
                    filters=body.filters,
                    fresh=body.fresh,
                ):
                    yield f"event: {event.kind}\ndata: {event.model_dump_json()}\n\n"
            except TraceLensError as exc:  # headers are sent: the failure becomes an event
                error = json.dumps({"code": exc.code, "message": str(exc)})
                yield f"event: error\ndata: {error}\n\n"

    return StreamingResponse(_sse(), media_type="text/event-stream")
