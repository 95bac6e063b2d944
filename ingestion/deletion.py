"""Deleting a report so that nothing of it is left behind, and nothing of anyone else's goes.

In one transaction: the report and its source go, its section is re-merged from the reports
that still describe it (so only what no other report supports disappears), quotes of comments
that disappeared are replaced by "[removed]" in stored conversation answers, a tombstone is
written and the deletion audited. After the commit the file is removed from the blob store;
a crash in between leaves the tombstone, and `collect_blobs` (run after each delete and when a
worker or the API starts) finishes the job. Catalogue rows no section uses any more are swept
in a transaction of their own that skips rows a concurrent upload holds, so it cannot fail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from core.blobs import BlobStore
from core.db import Conn
from core.errors import NotFound
from ingestion.audit import record
from ingestion.store import remerge_section

log = logging.getLogger(__name__)
REMOVED = "[removed]"

_SWEEPS = (
    "DELETE FROM courses WHERE id IN (SELECT id FROM courses c WHERE NOT EXISTS"
    " (SELECT 1 FROM sections s WHERE s.course_id = c.id) FOR UPDATE SKIP LOCKED)",
    "DELETE FROM terms WHERE id IN (SELECT id FROM terms t WHERE NOT EXISTS"
    " (SELECT 1 FROM sections s WHERE s.term_id = t.id) FOR UPDATE SKIP LOCKED)",
    "DELETE FROM instructors WHERE id IN (SELECT id FROM instructors i WHERE NOT EXISTS"
    " (SELECT 1 FROM section_instructors si WHERE si.instructor_id = i.id) AND NOT EXISTS"
    " (SELECT 1 FROM instructor_aliases a WHERE a.instructor_id = i.id AND a.manual)"
    " AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.instructor_id = i.id)"
    " FOR UPDATE SKIP LOCKED)",
    "DELETE FROM questions WHERE id IN (SELECT id FROM questions q WHERE NOT EXISTS"
    " (SELECT 1 FROM question_scores qs WHERE qs.question_id = q.id) FOR UPDATE SKIP LOCKED)",
)


def delete_report(conn: Conn, *, report_id: int, principal: str) -> str:
    """Delete a report and what only it supported; returns its file's sha256 (see module)."""
    with conn.transaction():
        # Lock order matters: take the job row first, so a delete waits for a worker that is
        # storing this report instead of deadlocking with it.
        conn.execute("SELECT id FROM jobs WHERE report_id = %s FOR UPDATE", (report_id,))
        row = conn.execute(
            "SELECT r.sha256, r.filename, rs.section_id FROM reports r"
            " LEFT JOIN report_sources rs ON rs.report_id = r.id WHERE r.id = %s FOR UPDATE OF r",
            (report_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no report with id {report_id}")
        section_id = row["section_id"]
        before = _comment_ids(conn, section_id)
        conn.execute("DELETE FROM reports WHERE id = %s", (report_id,))
        if section_id is not None:
            remerge_section(conn, section_id=int(section_id))
        gone = sorted(before - _comment_ids(conn, section_id))
        redacted = redact_conversations(conn, comment_ids=gone)
        conn.execute(
            "INSERT INTO report_tombstones (report_id, sha256) VALUES (%s, %s)"
            " ON CONFLICT (report_id) DO NOTHING",
            (report_id, row["sha256"]),
        )
        record(
            conn,
            principal=principal,
            action="delete",
            report_id=report_id,
            section_id=section_id,
            details={
                "filename": row["filename"],
                "comments_removed": len(gone),
                "conversation_turns_redacted": redacted,
            },
        )
    sweep_orphans(conn)
    return str(row["sha256"])


def _comment_ids(conn: Conn, section_id: int | None) -> set[int]:
    if section_id is None:
        return set()
    rows = conn.execute("SELECT id FROM comments WHERE section_id = %s", (section_id,))
    return {int(r["id"]) for r in rows.fetchall()}


def redact_conversations(conn: Conn, *, comment_ids: list[int]) -> int:
    """Replace quotes of these comments by "[removed]" in stored answers; returns turns changed."""
    if not comment_ids:
        return 0
    rows = conn.execute(
        "SELECT conversation_id, position, answer FROM conversation_turns t WHERE EXISTS"
        " (SELECT 1 FROM jsonb_array_elements(coalesce(t.answer->'citations', '[]'::jsonb)) c"
        " WHERE (c->'citation'->>'comment_id')::bigint = ANY(%s)) FOR UPDATE",
        (comment_ids,),
    ).fetchall()
    wanted = set(comment_ids)
    for row in rows:
        conn.execute(
            "UPDATE conversation_turns SET answer = %s WHERE conversation_id = %s"
            " AND position = %s",
            (Jsonb(_redacted(row["answer"], wanted)), row["conversation_id"], row["position"]),
        )
    return len(rows)


def _redacted(answer: dict[str, Any], comment_ids: set[int]) -> dict[str, Any]:
    out = dict(answer)
    prose = str(out.get("answer", ""))
    citations = []
    for quote in out.get("citations") or []:
        citation = quote.get("citation") or {}
        if int(citation.get("comment_id", -1)) in comment_ids:
            text = str(quote.get("text", ""))
            if text:
                prose = prose.replace(text, REMOVED)
            quote = {**quote, "text": REMOVED}
        citations.append(quote)
    out["citations"] = citations
    out["answer"] = prose
    return out


def sweep_orphans(conn: Conn) -> None:
    """Delete catalogue rows no section uses, skipping any a concurrent upload has locked."""
    for sql in _SWEEPS:
        try:
            with conn.transaction():
                conn.execute(sql)
        except psycopg.errors.ForeignKeyViolation as exc:  # referenced after all: keep it
            log.info("orphan sweep kept a row: %s", exc)


def collect_blobs(conn: Conn, blobs: BlobStore, *, limit: int = 100) -> int:
    """Remove the files a redaction removed (see ingestion.redaction) and those of deleted
    reports (unless the same bytes were uploaded again); returns the rows worked."""

    def removal(row: dict[str, Any]) -> None:
        blobs.delete(row["sha256"])
        conn.execute(
            "UPDATE blob_removals SET removed_at = now() WHERE sha256 = %s", (row["sha256"],)
        )

    def tombstone(row: dict[str, Any]) -> None:
        used = conn.execute("SELECT 1 FROM reports WHERE sha256 = %s", (row["sha256"],)).fetchone()
        if used is None:
            blobs.delete(row["sha256"])
        conn.execute(
            "UPDATE report_tombstones SET blob_removed = now() WHERE report_id = %s",
            (row["report_id"],),
        )

    return _drain(
        conn,
        "SELECT sha256 FROM blob_removals WHERE removed_at IS NULL"
        " ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED",
        removal,
        limit,
    ) + _drain(
        conn,
        "SELECT report_id, sha256 FROM report_tombstones WHERE blob_removed IS NULL"
        " ORDER BY deleted_at LIMIT 1 FOR UPDATE SKIP LOCKED",
        tombstone,
        limit,
    )


def _drain(conn: Conn, claim: str, work: Callable[[dict[str, Any]], None], limit: int) -> int:
    """Claim one row at a time (skipping rows another process holds) and work it in the same
    transaction, until none is left or `limit` were worked."""
    done = 0
    for _ in range(limit):
        with conn.transaction():
            row = conn.execute(claim).fetchone()
            if row is None:
                break
            work(row)
            done += 1
    return done
