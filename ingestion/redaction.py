"""Redacting one comment everywhere it is held, in one transaction (TRACE: faculty may have
comments redacted after publication).

The comment keeps its row and number (so a prompt's count stays honest) and loses its text;
its vectors go from every table keyed by comment id (each embedding space's, whatever their
layout), and so do its theme tags; its copy in the parsed report kept for merging is blanked,
so no later re-merge brings it back; quotes of it in stored conversations become "[removed]";
the uploaded files that hold it are marked removed and queued for deletion from the blob store
(`collect_blobs` deletes them once this commits: the parsed rows are all the report needs from
then on); and the audit log records who redacted which comment and why, never the text.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from psycopg.types.json import Json, Jsonb

from core.db import Conn
from core.errors import NotFound, TraceLensError
from ingestion.audit import record
from ingestion.deletion import REMOVED, redact_conversations


def redact_comment(conn: Conn, *, comment_id: int, reason: str, principal: str) -> dict[str, Any]:
    """Remove the comment's text and every copy of it (see the module); idempotent."""
    reason = " ".join(reason.split())
    if not reason:
        raise TraceLensError("a redaction needs a reason")
    with conn.transaction():
        row = conn.execute(
            "SELECT m.id, m.section_id, m.prompt, m.number, m.text, m.redacted_at, s.report_id"
            " FROM comments m JOIN sections s ON s.id = m.section_id WHERE m.id = %s"
            " FOR UPDATE OF m",
            (comment_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no comment with id {comment_id}")
        out = {
            "comment_id": comment_id,
            "section_id": row["section_id"],
            "prompt": row["prompt"],
            "number": row["number"],
        }
        if row["redacted_at"] is not None:
            return {**out, "redacted_at": row["redacted_at"], "already": True, "files_removed": 0}
        text = str(row["text"])
        redacted = conn.execute(
            "UPDATE comments SET text = '', redacted_at = now() WHERE id = %s"
            " RETURNING redacted_at",
            (comment_id,),
        ).fetchone()
        assert redacted is not None
        removed = _delete_keyed_rows(conn, comment_id)
        sources = _blank_sources(conn, row["section_id"], row["prompt"], int(row["number"]))
        files = _remove_files(conn, sources)
        turns = redact_conversations(conn, comment_ids=[comment_id])
        turns += _redact_copies(conn, text)
        record(
            conn,
            principal=principal,
            action="redact",
            report_id=row["report_id"],
            section_id=row["section_id"],
            details={
                **{k: v for k, v in out.items() if k != "section_id"},
                "reason": reason,
                "rows_removed": removed,
                "sources_blanked": len(sources),
                "files_removed": files,
                "conversation_turns_redacted": turns,
            },
        )
    return {**out, "redacted_at": redacted["redacted_at"], "already": False, "files_removed": files}


def _delete_keyed_rows(conn: Conn, comment_id: int) -> dict[str, int]:
    """Delete the comment's rows from every table keyed by comment_id: each space's vectors,
    its theme tags, and whatever later tables hold per comment."""
    tables = conn.execute(
        "SELECT c.table_name FROM information_schema.columns c"
        " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
        " AND t.table_name = c.table_name"
        " WHERE c.table_schema = current_schema() AND c.column_name = 'comment_id'"
        " AND t.table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()
    removed = {}
    for table in tables:
        name = str(table["table_name"])
        done = conn.execute(
            sql.SQL("DELETE FROM {} WHERE comment_id = %s").format(sql.Identifier(name)),
            (comment_id,),
        )
        if done.rowcount:
            removed[name] = done.rowcount
    return removed


def _blank_sources(conn: Conn, section_id: int, prompt: str, number: int) -> list[int]:
    """Blank the comment in the parsed reports kept for merging (json: key order is kept);
    returns the ids of the reports that held it."""
    rows = conn.execute(
        "SELECT report_id, parsed FROM report_sources WHERE section_id = %s FOR UPDATE",
        (section_id,),
    ).fetchall()
    changed = []
    for r in rows:
        parsed = r["parsed"]
        hit = False
        for comment in parsed.get("comments") or []:
            if comment.get("prompt") == prompt and comment.get("number") == number:
                comment["text"] = ""
                hit = True
        if hit:
            conn.execute(
                "UPDATE report_sources SET parsed = %s WHERE report_id = %s",
                (Json(parsed), r["report_id"]),
            )
            changed.append(int(r["report_id"]))
    return changed


def _remove_files(conn: Conn, report_ids: list[int]) -> int:
    """Mark these reports' uploaded files removed and queue them for deletion from the store."""
    rows = conn.execute(
        "UPDATE reports SET file_removed_at = now() WHERE id = ANY(%s)"
        " AND file_removed_at IS NULL RETURNING sha256",
        (report_ids,),
    ).fetchall()
    for r in rows:
        conn.execute(
            "INSERT INTO blob_removals (sha256) VALUES (%s) ON CONFLICT DO NOTHING", (r["sha256"],)
        )
    return len(rows)


def _redact_copies(conn: Conn, text: str) -> int:
    """Stored answers that hold the text anywhere else (a paraphrase-free copy in prose)."""
    if len(text) < 3:
        return 0
    rows = conn.execute(
        "SELECT conversation_id, position, answer FROM conversation_turns"
        " WHERE strpos(answer::text, %s) > 0 FOR UPDATE",
        (_json_fragment(text),),
    ).fetchall()
    for row in rows:
        conn.execute(
            "UPDATE conversation_turns SET answer = %s WHERE conversation_id = %s"
            " AND position = %s",
            (Jsonb(_replace(row["answer"], text)), row["conversation_id"], row["position"]),
        )
    return len(rows)


def _json_fragment(text: str) -> str:
    """The text as it appears inside a JSON string (jsonb's text form escapes these)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _replace(value: Any, text: str) -> Any:
    if isinstance(value, str):
        return value.replace(text, REMOVED)
    if isinstance(value, list):
        return [_replace(v, text) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, text) for k, v in value.items()}
    return value
