"""Questions in plain English: exact numbers from SQL, opinions from cited comments."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from core.errors import Overloaded, TraceLensError
from rag.answer.answers import Answer
from rag.answer.ask import Prepared
from rag.answer.synthesis import FinalEvent
from rag.search.filters import SearchFilters
from serving.deps import Principal, PrincipalDep, ServicesDep, reader_asker
from serving.services import Services

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
    in force (what a follow-up inherited from earlier turns). At most `max_asks` answers are
    written at once; beyond that the answer is 503 with Retry-After."""
    _take(services.asks)
    try:
        prepared = _prepare(body, services, principal)
        answer = services.asker.write(prepared)  # the model writes with no connection held
        with services.pool.connection() as conn:
            services.asker.remember(conn, prepared, answer)
        return answer
    finally:
        services.asks.release()


@router.post("/stream")
def ask_stream(
    body: AskRequest, services: ServicesDep, principal: PrincipalDep
) -> StreamingResponse:
    """Server-sent events: `token` events with the answer's text, then one `final` event.

    When an LLM writes, a `checking` event with the facts comes first and the model's words are
    held until the evidence check passes; the tokens are then its text, or the extractive answer
    (the final event's `replaced` is true, with the `violations`). The final event carries the
    whole answer with its facts and citations. At most `max_streams` answers stream at once;
    beyond that the answer is 503 with Retry-After.
    """
    _take(services.streams)
    try:  # the evidence is gathered before the first byte: a bad id or filter is a plain 4xx
        prepared = _prepare(body, services, principal)
    except BaseException:
        services.streams.release()
        raise

    def _sse() -> Iterator[str]:
        try:
            for event in services.asker.write_stream(prepared):  # no connection held
                if isinstance(event, FinalEvent):
                    with services.pool.connection() as conn:
                        services.asker.remember(conn, prepared, event.answer)
                yield f"event: {event.kind}\ndata: {event.model_dump_json()}\n\n"
        except TraceLensError as exc:  # headers are sent: the failure becomes an event
            error = json.dumps({"code": exc.code, "message": str(exc)})
            yield f"event: error\ndata: {error}\n\n"
        finally:
            services.streams.release()

    return StreamingResponse(_sse(), media_type="text/event-stream")


def _take(slots: threading.BoundedSemaphore) -> None:
    """One of the answers that may be written at once, or 503 busy at once (never a wait that
    would hold a server thread)."""
    if not slots.acquire(blocking=False):
        raise Overloaded("too many answers are being written; retry shortly", retry_after=2)


def _prepare(body: AskRequest, services: Services, principal: Principal) -> Prepared:
    """The question's evidence, gathered on a connection that goes back to the pool at once."""
    with services.pool.connection() as conn:
        return reader_asker(services, principal).prepare(  # reads what the principal may
            conn,
            question=body.question,
            principal=principal.subject,
            conversation_id=body.conversation_id,
            filters=body.filters,
            fresh=body.fresh,
        )
