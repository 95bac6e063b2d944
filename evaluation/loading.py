"""A corpus loaded for evaluation the way the worker would: parsed reports stored, and every
comment embedded and tagged in bulk (the worker's embed and themes steps, without the queue)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.db import Conn
from core.report import ParsedReport
from embeddings.base import Embedder, QueryCache
from embeddings.indexing import embed_sections
from embeddings.spaces import ensure_space
from enrichment.tagging import tag_comments
from ingestion.parse import parse_path
from ingestion.queue import PostgresQueue
from ingestion.reports import create_report
from ingestion.store import store_report
from rag.search.searcher import Searcher


def store_parsed(
    conn: Conn,
    parsed: ParsedReport,
    *,
    filename: str,
    sha256: str,
    media_type: str,
    size_bytes: int,
    processed: bool = False,
) -> int:
    """Store one parsed report as the worker would (its report row, then its section); returns
    the section id. `processed` also records the worker's verdict on the report row."""
    created = create_report(
        conn,
        queue=PostgresQueue(),
        sha256=sha256,
        filename=filename,
        media_type=media_type,
        size_bytes=size_bytes,
    )
    report_id = created.report["id"]
    with conn.transaction():
        section_id = store_report(conn, report_id=report_id, parsed=parsed)
        if processed:  # what the worker records once a report is stored
            conn.execute(
                "UPDATE reports SET status = 'processed', layout = %s WHERE id = %s",
                (parsed.layout, report_id),
            )
    return section_id


def parse_and_store(conn: Conn, paths: Iterable[Path]) -> list[ParsedReport]:
    """Parse each report file in-process and store it as the worker would, in the given order
    (the worker does the same per job, through the queue and the sandboxed parser)."""
    out = []
    for path in paths:
        parsed = parse_path(path)
        store_parsed(
            conn,
            parsed,
            filename=path.name,
            sha256=parsed.sha256,
            media_type="application/octet-stream",
            size_bytes=path.stat().st_size,
        )
        out.append(parsed)
    return out


def index_stored(conn: Conn, *, embedder: Embedder, text_mode: str, batch_size: int) -> Searcher:
    """Embed and tag every stored comment (the worker's steps, in bulk); the searcher over them."""
    space = ensure_space(conn, embedder=embedder, text_mode=text_mode)
    embed_sections(conn, space=space, embedder=embedder, batch_size=batch_size)
    tag_comments(conn, embedder=embedder)
    conn.commit()
    return Searcher(space=space, queries=QueryCache(embedder))
