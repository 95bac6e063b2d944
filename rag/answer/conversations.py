"""Conversation storage: each turn's question, answer and the entities follow-ups build on."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg.types.json import Jsonb

from core.db import Conn
from core.errors import NotFound


def start_conversation(conn: Conn, *, principal: str) -> str:
    row = conn.execute(
        "INSERT INTO conversations (principal) VALUES (%s) RETURNING id", (principal,)
    ).fetchone()
    assert row is not None
    return str(row["id"])


def last_entities(conn: Conn, *, conversation_id: str, principal: str) -> dict[str, Any] | None:
    """The entities of the conversation's latest turn (None for a new conversation)."""
    try:
        key = uuid.UUID(conversation_id)
    except ValueError:
        raise NotFound(f"no conversation {conversation_id!r}") from None
    owner = conn.execute("SELECT principal FROM conversations WHERE id = %s", (key,)).fetchone()
    if owner is None or owner["principal"] != principal:
        raise NotFound(f"no conversation {conversation_id!r}")
    row = conn.execute(
        "SELECT entities FROM conversation_turns WHERE conversation_id = %s"
        " ORDER BY position DESC LIMIT 1",
        (key,),
    ).fetchone()
    return row["entities"] if row else None


def add_turn(
    conn: Conn,
    *,
    conversation_id: str,
    question: str,
    route: str,
    answer: dict[str, Any],
    entities: dict[str, Any] | None,
) -> None:
    key = uuid.UUID(conversation_id)
    conn.execute(
        "INSERT INTO conversation_turns (conversation_id, position, question, route, answer,"
        " entities) SELECT %s, coalesce(max(position), 0) + 1, %s, %s, %s, %s"
        " FROM conversation_turns WHERE conversation_id = %s",
        (key, question, route, Jsonb(answer), Jsonb(entities) if entities else None, key),
    )
    conn.execute("UPDATE conversations SET updated_at = now() WHERE id = %s", (key,))


def get_conversation(conn: Conn, *, conversation_id: str, principal: str) -> dict[str, Any]:
    last_entities(conn, conversation_id=conversation_id, principal=principal)  # ownership check
    turns = conn.execute(
        "SELECT position, question, route, answer, created_at FROM conversation_turns"
        " WHERE conversation_id = %s ORDER BY position",
        (uuid.UUID(conversation_id),),
    ).fetchall()
    return {"id": conversation_id, "turns": [dict(t) for t in turns]}
