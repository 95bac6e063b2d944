"""Hybrid search against the embedded PostgreSQL with pgvector (deterministic fake embedder)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from psycopg import sql

import rag.search.hybrid
from cli.wiring import model_in_service
from core.db import Conn, connect
from core.settings import Settings
from embeddings.base import FakeEmbedder, embed_texts
from embeddings.indexing import embed_sections, embedding_text
from embeddings.spaces import drop_space, ensure_space, list_spaces
from ingestion.deletion import delete_report
from rag.search.filters import SearchFilters
from rag.search.searcher import Searcher, open_searcher
from tests.conftest import load_reports


@pytest.fixture
def loaded(settings: Settings, corpus: Path) -> Iterator[tuple[Conn, Searcher]]:
    assert settings.database_dsn
    load_reports(settings, sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx")))
    with connect(settings.database_dsn) as conn:
        yield conn, open_searcher(conn, model_in_service(settings))


def _truth_comments(corpus: Path) -> dict[tuple[str, str, str, str, int], str]:
    out = {}
    for path in corpus.glob("*.json"):
        if path.name.endswith(".labels.json"):
            continue
        t = json.loads(path.read_text(encoding="utf-8"))
        for c in t["comments"]:
            key = (
                t["course"]["code"],
                t["term"]["label"],
                t["course"]["section"],
                c["prompt"],
                c["number"],
            )
            out[key] = c["text"]
    return out


def _section_comment_counts(conn: Conn) -> list[dict]:  # type: ignore[type-arg]
    return conn.execute(
        "SELECT c.code, count(*) AS n FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id GROUP BY c.code ORDER BY n DESC"
    ).fetchall()


def test_hits_carry_correct_citations(loaded: tuple[Conn, Searcher], corpus: Path) -> None:
    conn, searcher = loaded
    truth = _truth_comments(corpus)
    hits = searcher.search(conn, query="the homework load was heavy", k=10)
    assert len(hits) == 10
    for hit in hits:
        c = hit.citation
        key = (c.course_code, c.term, c.section, c.prompt, c.comment_number)
        assert truth[key] == hit.text
        assert hit.scores.fused > 0
        assert hit.scores.vector is not None or hit.scores.text is not None
    fused = [h.scores.fused for h in hits]
    assert fused == sorted(fused, reverse=True)


def test_text_leg_finds_the_words(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    hits = searcher.search(conn, query="midterm", k=5, mode="text")
    assert hits and all("midterm" in h.text.lower() for h in hits)
    assert all(h.scores.vector is None and h.scores.text for h in hits)


@pytest.mark.parametrize("exact_limit", [rag.search.hybrid.EXACT_SCAN_LIMIT, 0])
def test_selective_filter_still_returns_k(
    loaded: tuple[Conn, Searcher], monkeypatch: pytest.MonkeyPatch, exact_limit: int
) -> None:
    """Both paths: exact scan of the filtered rows, and the HNSW iterative scan."""
    monkeypatch.setattr(rag.search.hybrid, "EXACT_SCAN_LIMIT", exact_limit)
    conn, searcher = loaded
    smallest = [r for r in _section_comment_counts(conn) if r["n"] >= 5][-1]
    for mode in ("vector", "hybrid"):
        hits = searcher.search(
            conn, query="lectures", k=5, filters=SearchFilters(course=smallest["code"]), mode=mode
        )
        assert len(hits) == 5, mode
        assert {h.citation.course_code for h in hits} == {smallest["code"]}


def test_filter_matching_nothing_returns_nothing(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    for filters in (
        SearchFilters(course="ZZ 9999"),
        SearchFilters(term="Winter 2015"),
        SearchFilters(instructor="Nobody, Anyone"),
        SearchFilters(min_score=5.0, course="ZZ9999"),
    ):
        for mode in ("hybrid", "vector", "text"):
            assert searcher.search(conn, query="homework", k=5, filters=filters, mode=mode) == []


def test_combined_filters_all_hold(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    row = conn.execute(
        "SELECT c.code, i.last_name, i.first_name, t.label FROM sections s"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " JOIN section_instructors si ON si.section_id = s.id"
        " JOIN instructors i ON i.id = si.instructor_id"
        " WHERE EXISTS (SELECT 1 FROM comments m WHERE m.section_id = s.id"
        "   AND m.prompt ILIKE '%strengths%') LIMIT 1"
    ).fetchone()
    assert row is not None
    filters = SearchFilters(
        course=row["code"].lower(),
        instructor=f"{row['first_name']} {row['last_name']}",
        term_from=row["label"],
        term_to=row["label"],
        prompt="strengths",
    )
    hits = searcher.search(conn, query="great professor", k=50, filters=filters)
    assert hits
    for hit in hits:
        assert hit.citation.course_code == row["code"]
        assert hit.citation.term == row["label"]
        assert f"{row['last_name']}, {row['first_name']}" in hit.citation.instructors
        assert "strengths" in hit.citation.prompt
    expected = conn.execute(
        "SELECT count(*) AS n FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " WHERE c.code = %s AND t.label = %s AND m.prompt ILIKE '%%strengths%%'"
        " AND EXISTS (SELECT 1 FROM section_instructors si JOIN instructors i"
        " ON i.id = si.instructor_id WHERE si.section_id = s.id AND i.last_name = %s)",
        (row["code"], row["label"], row["last_name"]),
    ).fetchone()
    assert expected is not None and len(hits) == min(50, expected["n"])


def test_min_score_filter(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    hits = searcher.search(conn, query="lectures", k=30, filters=SearchFilters(min_score=4.0))
    for hit in hits:
        score = conn.execute(
            "SELECT avg(qs.course_mean) AS m FROM question_scores qs JOIN sections s"
            " ON s.id = qs.section_id WHERE s.report_id = %s",
            (hit.citation.report_id,),
        ).fetchone()
        assert score is not None and score["m"] >= 4.0


def test_ann_agrees_with_exact_search(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    table = searcher.space.table
    rows = conn.execute(
        sql.SQL(
            "SELECT v.comment_id, m.text, m.prompt, c.code AS course, s.title, t.label AS term"
            " FROM {} v JOIN comments m ON m.id = v.comment_id"
            " JOIN sections s ON s.id = m.section_id JOIN courses c ON c.id = s.course_id"
            " JOIN terms t ON t.id = s.term_id"
        ).format(table)
    ).fetchall()
    texts = [embedding_text(r, searcher.space.text_mode) for r in rows]  # what was embedded
    vectors = embed_texts(FakeEmbedder(), texts)
    for query in ("exams were unfair", "office hours helpful", "too fast"):
        q = FakeEmbedder().embed_batch([query])[0]
        exact = [rows[i]["comment_id"] for i in np.argsort(-(vectors @ q))[:10]]
        hits = searcher.search(conn, query=query, k=10, mode="vector")
        got = [h.citation.comment_id for h in hits]
        assert len(set(got) & set(exact)) >= 9


def test_spaces_coexist_and_drop(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    small = FakeEmbedder(dimension=64)
    small.backend = "fake-64"
    other = ensure_space(conn, embedder=small, text_mode="context")
    assert embed_sections(conn, space=other, embedder=small) > 0
    conn.commit()
    spaces = {s["name"]: s for s in list_spaces(conn)}
    assert spaces[other.name]["vectors"] == spaces[searcher.space.name]["vectors"] > 0
    assert spaces[other.name]["dimension"] == 64
    alt = Searcher(space=other, queries=searcher.queries)
    alt.queries = type(searcher.queries)(small)
    assert len(alt.search(conn, query="workload", k=5, mode="vector")) == 5
    assert len(searcher.search(conn, query="workload", k=5, mode="vector")) == 5
    drop_space(conn, name=other.name)
    assert other.name not in {s["name"] for s in list_spaces(conn)}


def test_deleting_a_report_removes_its_vectors(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    table = searcher.space.table
    before = conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(table)).fetchone()
    report = conn.execute(
        "SELECT s.report_id, count(m.id) AS n FROM sections s JOIN comments m"
        " ON m.section_id = s.id GROUP BY s.report_id ORDER BY n DESC LIMIT 1"
    ).fetchone()
    assert before is not None and report is not None
    conn.commit()
    delete_report(conn, report_id=report["report_id"], principal="test")
    after = conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(table)).fetchone()
    assert after is not None and after["n"] == before["n"] - report["n"]
    hits = searcher.search(conn, query="lectures", k=100)
    assert all(h.citation.report_id != report["report_id"] for h in hits)
