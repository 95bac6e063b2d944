"""Embedding batches that span reports: each report's status stays honest, theme tagging reuses
the comment vectors, and a worker killed mid-batch loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from psycopg import sql

from cli.wiring import model_in_service
from core.blobs import make_blob_store
from core.db import connect
from core.settings import Settings
from embeddings.active import ModelInService, active_space
from embeddings.base import FakeEmbedder
from enrichment.sentiment import split_sentences
from ingestion.intake import accept_file
from ingestion.queue import PostgresQueue
from ingestion.workers.table import Worker
from tests.conftest import settings_env, truth_of, work_queue


def _accept_all(settings: Settings, files: list[Path]) -> dict[int, Path]:
    assert settings.database_dsn
    blobs = make_blob_store(settings)
    with connect(settings.database_dsn, autocommit=True) as conn:
        return {
            int(
                accept_file(
                    conn, blobs=blobs, queue=PostgresQueue(), data=p.read_bytes(), filename=p.name
                ).report["id"]
            ): p
            for p in files
        }


class WatchingEmbedder(FakeEmbedder):
    """The fake embedder, recording each call's texts and what another connection sees then."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.calls: list[list[str]] = []
        self.seen: list[tuple[int, int]] = []
        """(processed reports, stored comments) visible outside the worker, at each call."""

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        with connect(self.url, autocommit=True) as other:
            row = other.execute(
                "SELECT (SELECT count(*) FROM reports WHERE status = 'processed') AS done,"
                " (SELECT count(*) FROM comments) AS comments"
            ).fetchone()
            assert row is not None
            self.seen.append((int(row["done"]), int(row["comments"])))
        return super().embed_batch(texts)


def test_one_batch_spans_reports_and_each_is_processed_only_with_its_vectors(
    settings: Settings, corpus: Path
) -> None:
    assert settings.database_dsn
    files = sorted(corpus.glob("*.pdf"))[:6]
    reports = _accept_all(settings, files)
    embedder = WatchingEmbedder(settings.database_dsn)
    worker = Worker(
        settings=settings,
        url=settings.database_dsn,
        blobs=make_blob_store(settings),
        queue=PostgresQueue(),
        model=ModelInService(embedder=embedder, text_mode="comment"),
        batch_comments=10_000,
        batch_reports=100,
        batch_wait_s=0.05,
    )
    try:
        embedder.calls.clear()
        embedder.seen.clear()
        verdicts = worker.run_batch()
        assert worker.run_batch() == []  # the one batch took every report
    finally:
        worker.close()

    assert sorted(v.report_id for v in verdicts) == sorted(reports)
    assert {v.status for v in verdicts} == {"processed"}
    # while the model ran, nothing of the batch was visible: no report processed, no comment
    assert embedder.seen and set(embedder.seen) == {(0, 0)}
    truths = {rid: truth_of(path) for rid, path in reports.items()}
    comment_texts = [c["text"] for t in truths.values() for c in t["comments"]]
    # one model call held the comments of several reports
    biggest = max(len(t["comments"]) for t in truths.values())
    assert max(len(call) for call in embedder.calls) > biggest
    # a one-sentence comment's vector is reused for its theme: its text reaches the model once
    embedded = Counter(text for call in embedder.calls for text in call)
    one_sentence = {t for t in comment_texts if split_sentences(t) == [t]}
    assert one_sentence and all(embedded[t] == 1 for t in one_sentence)
    with connect(settings.database_dsn) as conn:
        rows = conn.execute(
            "SELECT id, status, embedded_comments FROM reports ORDER BY id"
        ).fetchall()
        space = active_space(conn, model=model_in_service(settings))
        vectors = conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(space.table))
        themes = conn.execute("SELECT count(*) AS n FROM comment_themes").fetchone()
        assert vectors.fetchone() == {"n": len(comment_texts)} == themes
    for row in rows:
        assert row["status"] == "processed"
        assert row["embedded_comments"] == len(truths[row["id"]]["comments"])


def test_theme_tags_with_reused_vectors_equal_tags_from_a_second_pass(
    settings: Settings, corpus: Path
) -> None:
    """The reuse changes no tag: same themes and tone as tagging every sentence afresh."""
    assert settings.database_dsn
    files = sorted(corpus.glob("*.pdf"))[:4]
    _accept_all(settings, files)
    work_queue(settings)  # tags with the vectors the worker just made
    with connect(settings.database_dsn) as conn:
        stored = conn.execute(
            "SELECT comment_id, themes, tone FROM comment_themes ORDER BY comment_id"
        ).fetchall()
        assert stored
        conn.execute("DELETE FROM comment_themes")
        from enrichment.detector import _DETECTORS
        from enrichment.tagging import tag_comments

        _DETECTORS.clear()  # a fresh detector: no sentence cache from the worker's run
        tag_comments(conn, embedder=FakeEmbedder())
        again = conn.execute(
            "SELECT comment_id, themes, tone FROM comment_themes ORDER BY comment_id"
        ).fetchall()
        conn.rollback()
    assert again == stored


def test_kill_9_mid_batch_loses_and_duplicates_nothing(settings: Settings, corpus: Path) -> None:
    assert settings.database_dsn
    files = sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))
    _accept_all(settings, files)
    caught = None
    with connect(settings.database_dsn, autocommit=True) as conn:
        for _ in range(6):
            proc = subprocess.Popen(
                [sys.executable, "-m", "cli", "worker"],
                env=settings_env(settings),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE status = 'processing') AS busy,"
                    " count(*) FILTER (WHERE status = 'processed') AS done FROM reports"
                ).fetchone()
                assert row is not None
                if row["busy"] >= 2 or row["done"] == len(files):
                    break  # a batch holds two reports or more (or all is done)
                time.sleep(0.003)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            busy = conn.execute(
                "SELECT id FROM reports WHERE status = 'processing' ORDER BY id"
            ).fetchall()
            if len(busy) >= 2:
                ids = [r["id"] for r in busy]
                stored = conn.execute(
                    "SELECT count(*) AS n FROM comments WHERE report_id = ANY(%s)", (ids,)
                ).fetchone()
                caught = (ids, stored)
                break
        assert caught is not None, "the worker was never caught holding a batch"
        ids, stored = caught
        assert stored == {"n": 0}  # the killed batch left no comment behind

    work_queue(settings)  # a fresh worker takes the batch the dead one held
    with connect(settings.database_dsn) as conn:
        rows = conn.execute("SELECT status, attempts FROM reports WHERE id = ANY(%s)", (ids,))
        assert all(r["status"] == "processed" and r["attempts"] >= 2 for r in rows.fetchall())
        statuses = conn.execute("SELECT DISTINCT status FROM reports").fetchall()
        comments = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
        space = active_space(conn, model=model_in_service(settings))
        vectors = conn.execute(
            sql.SQL("SELECT count(*) AS n, count(DISTINCT comment_id) AS d FROM {}").format(
                space.table
            )
        ).fetchone()
        jobs = conn.execute("SELECT count(*) AS n FROM jobs").fetchone()
    assert statuses == [{"status": "processed"}]
    total = sum(len(truth_of(f)["comments"]) for f in files)
    assert comments == {"n": total}
    assert vectors == {"n": total, "d": total}  # one vector per comment: none lost, none twice
    assert jobs == {"n": 0}


class SlowEmbedder(FakeEmbedder):
    """The fake embedder taking model-like time, recording when it ran and, at each call, the
    comments of processed reports that have no vector (there must never be one)."""

    def __init__(self, url: str, table: sql.Composable):
        super().__init__()
        self.url = url
        self.table = table
        self.busy: list[tuple[float, float]] = []
        self.unembedded: list[int] = []

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        started = time.monotonic()
        with connect(self.url, autocommit=True) as other:
            row = other.execute(
                sql.SQL(
                    "SELECT count(*) AS n FROM reports r JOIN comments m ON m.report_id = r.id"
                    " WHERE r.status = 'processed'"
                    " AND NOT EXISTS (SELECT 1 FROM {} v WHERE v.comment_id = m.id)"
                ).format(self.table)
            ).fetchone()
            assert row is not None
            self.unembedded.append(int(row["n"]))
        time.sleep(0.12)
        out = super().embed_batch(texts)
        self.busy.append((started, time.monotonic()))
        return out


def _overlaps(one: list[tuple[float, float]], other: list[tuple[float, float]]) -> int:
    """How many intervals of `one` overlap some interval of `other`."""
    return sum(any(a < d and c < b for c, d in other) for a, b in one)


@pytest.mark.parametrize("fill_ahead", [True, False])
def test_the_next_batch_is_parsed_while_this_one_embeds(
    settings: Settings, corpus: Path, fill_ahead: bool
) -> None:
    """With fill_ahead the worker parses and stores the next batch while the model runs (and
    without it never does, so the measure can fail); either way every report ends processed,
    none before its own comments have vectors, each comment with one vector."""
    assert settings.database_dsn
    files = sorted(corpus.glob("*.pdf"))[:8]
    reports = _accept_all(settings, files)
    with connect(settings.database_dsn) as conn:
        table = active_space(conn, model=model_in_service(settings)).table
        conn.commit()
    embedder = SlowEmbedder(settings.database_dsn, table)
    worker = Worker(
        settings=settings,
        url=settings.database_dsn,
        blobs=make_blob_store(settings),
        queue=PostgresQueue(),
        model=ModelInService(embedder=embedder, text_mode="comment"),
        batch_comments=1,  # one report per batch: eight batches
        batch_wait_s=0.0,
        fill_ahead=fill_ahead,
    )
    parses: list[tuple[float, float]] = []
    parse = worker.processor.parser.parse

    def timed_parse(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            time.sleep(0.1)  # a file that takes longer to parse than its rows take to store
            return parse(*args, **kwargs)
        finally:
            parses.append((started, time.monotonic()))

    worker.processor.parser.parse = timed_parse  # type: ignore[method-assign]
    try:
        assert worker.run(until_idle=True) == len(files)
    finally:
        worker.close()

    assert len(parses) == len(files)
    overlapped = _overlaps(parses, embedder.busy)
    if fill_ahead:
        assert overlapped >= len(files) // 2, (overlapped, parses, embedder.busy)
    else:
        assert overlapped == 0
    assert embedder.unembedded and set(embedder.unembedded) == {0}
    truths = {rid: truth_of(path) for rid, path in reports.items()}
    with connect(settings.database_dsn) as conn:
        rows = conn.execute("SELECT id, status, embedded_comments FROM reports").fetchall()
        vectors = conn.execute(
            sql.SQL("SELECT count(*) AS n, count(DISTINCT comment_id) AS d FROM {}").format(table)
        ).fetchone()
    total = sum(len(t["comments"]) for t in truths.values())
    assert vectors == {"n": total, "d": total}
    for row in rows:
        assert row["status"] == "processed"
        assert row["embedded_comments"] == len(truths[row["id"]]["comments"])
