"""A canned LLM server: OpenAI-compatible /v1/chat/completions and Ollama's /api/chat on
127.0.0.1, answering what a test chooses and keeping every request body it was sent."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Canned:
    """What the fake server answers next, and every request body it has seen."""

    reply: str = ""
    status: int = 200
    delay_s: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)


def _pieces(text: str) -> list[str]:
    return re.findall(r"\s*\S+\s*", text) or [text]


def fake_llm_app(canned: Canned) -> Starlette:
    """POST /v1/chat/completions (JSON or SSE) and POST /api/chat (Ollama JSON or NDJSON)."""

    async def received(request: Request) -> Response | None:
        body = await request.json()
        canned.requests.append(body)
        await asyncio.sleep(canned.delay_s)
        if canned.status != 200:
            error = {"error": {"message": "canned failure", "type": "server_error"}}
            return JSONResponse(error, status_code=canned.status)
        return None

    async def openai_chat(request: Request) -> Response:
        if (failure := await received(request)) is not None:
            return failure
        body = canned.requests[-1]
        head = {"id": "chatcmpl-canned", "created": 0, "model": body["model"]}
        if not body.get("stream"):
            message = {"role": "assistant", "content": canned.reply}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
            return JSONResponse(
                {**head, "object": "chat.completion", "choices": [choice], "usage": usage}
            )

        async def sse() -> AsyncIterator[str]:
            for piece in _pieces(canned.reply):
                delta = {"role": "assistant", "content": piece}
                choice = {"index": 0, "delta": delta, "finish_reason": None}
                chunk = {**head, "object": "chat.completion.chunk", "choices": [choice]}
                yield f"data: {json.dumps(chunk)}\n\n"
            done = {"index": 0, "delta": {}, "finish_reason": "stop"}
            last = {**head, "object": "chat.completion.chunk", "choices": [done]}
            yield f"data: {json.dumps(last)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream")

    async def ollama_chat(request: Request) -> Response:
        if (failure := await received(request)) is not None:
            return failure
        body = canned.requests[-1]
        head = {"model": body["model"], "created_at": "2024-01-01T00:00:00Z"}
        last = {**head, "message": {"role": "assistant", "content": ""}, "done": True}
        last |= {"done_reason": "stop", "eval_count": 1, "prompt_eval_count": 1}
        if not body.get("stream", True):
            last["message"]["content"] = canned.reply
            return JSONResponse(last)

        async def ndjson() -> AsyncIterator[str]:
            for piece in _pieces(canned.reply):
                message = {"role": "assistant", "content": piece}
                yield json.dumps({**head, "message": message, "done": False}) + "\n"
            yield json.dumps(last) + "\n"

        return StreamingResponse(ndjson(), media_type="application/x-ndjson")

    return Starlette(
        routes=[
            Route("/v1/chat/completions", openai_chat, methods=["POST"]),
            Route("/api/chat", ollama_chat, methods=["POST"]),
        ]
    )


@dataclass
class FakeLLMServer:
    canned: Canned
    url: str
