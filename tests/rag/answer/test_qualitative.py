"""The qualitative route on the embedded PostgreSQL with a loaded corpus and the real embedder."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from psycopg import sql

from cli.wiring import model_in_service
from core.db import Conn, connect
from core.settings import Settings
from enrichment.detector import DETECTOR_VERSION
from enrichment.sentiment import score_comment
from enrichment.tagging import BACKFILL_COMMAND, backfill_themes
from enrichment.theme_definitions import GENERAL
from rag.answer.dashboards import course_themes
from rag.answer.qualitative import (
    asked_tone,
    carries_content,
    detector_for,
    pick_quotes,
    qualitative_evidence,
    theme_summary,
)
from rag.search.filters import SearchFilters
from rag.search.searcher import Searcher, open_searcher
from tests.conftest import load_reports


@pytest.fixture
def loaded(settings: Settings, corpus: Path) -> Iterator[tuple[Conn, Searcher]]:
    """The session corpus (12 reports) ingested and embedded with all-MiniLM-L6-v2."""
    real = settings.model_copy(update={"embedding_backend": "auto"})
    assert real.database_dsn
    load_reports(real, sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx")))
    with connect(real.database_dsn) as conn:
        yield conn, open_searcher(conn, model_in_service(real))


def _largest_course(conn: Conn) -> str:
    row = conn.execute(
        "SELECT c.code, count(*) AS n FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id GROUP BY c.code ORDER BY n DESC, c.code LIMIT 1"
    ).fetchone()
    assert row is not None
    return str(row["code"])


def _course_comments(conn: Conn, code: str) -> dict[int, dict]:  # type: ignore[type-arg]
    rows = conn.execute(
        "SELECT m.id, m.text, m.prompt, m.number, s.report_id, s.section, t.label AS term"
        " FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " WHERE c.code = %s",
        (code,),
    ).fetchall()
    return {int(r["id"]): dict(r) for r in rows}


def test_counts_quotes_and_citations(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    code = _largest_course(conn)
    evidence = qualitative_evidence(
        conn,
        searcher=searcher,
        question=f"what do students say about workload in {code}?",
        filters=SearchFilters(course=code),
    )
    assert evidence.route == "qualitative"
    stored = _course_comments(conn, code)

    # Counts: recomputed from the stored comments with the same detector.
    detector = detector_for(searcher.queries.embedder)
    ids = sorted(stored)
    detected = detector.detect(
        [stored[i]["text"] for i in ids], prompts=[stored[i]["prompt"] for i in ids]
    )
    expected = Counter(t for themes in detected for t in themes)
    assert evidence.themes[0].name == "workload"
    assert {t.name: t.count for t in evidence.themes} == {
        name: n for name, n in expected.items()
    } | {"workload": expected["workload"]}
    assert all(t.of == len(stored) for t in evidence.themes)
    counts = [t.count for t in evidence.themes[1:]]
    assert counts == sorted(counts, reverse=True)
    workload = [
        score_comment(stored[i]["text"]).compound
        for i, ts in zip(ids, detected, strict=True)
        if "workload" in ts
    ]
    assert evidence.themes[0].sentiment == pytest.approx(sum(workload) / len(workload), abs=1e-3)
    assert evidence.plan["scope"] == {
        "comments": len(stored),
        "counted": len(stored),
        "sampled": False,
    }
    assert evidence.plan["theme"] == "workload"
    assert evidence.searched == f"{len(stored)} comments on {code}"

    # Quotes: up to k distinct comments on the asked theme, of this course only, each citation
    # matching the stored row.
    assert 1 <= len(evidence.quotes) <= 5
    assert len({q.citation.comment_id for q in evidence.quotes}) == len(evidence.quotes)
    assert all(q.theme == "workload" for q in evidence.quotes)
    for quote in evidence.quotes:
        row = stored[quote.citation.comment_id]
        assert quote.text == row["text"]
        c = quote.citation
        assert (c.course_code, c.term, c.section, c.prompt, c.comment_number, c.report_id) == (
            code,
            row["term"],
            row["section"],
            row["prompt"],
            row["number"],
            row["report_id"],
        )
        assert quote.sentiment == pytest.approx(score_comment(row["text"]).compound, abs=1e-3)


def test_counts_track_the_generator_labels(loaded: tuple[Conn, Searcher], corpus: Path) -> None:
    """Over the whole (small) corpus, each theme's count is near the labelled count.

    Counts run high: the detector counts comments that *mention* a theme, the labels what a
    sentence was written about ("it showed up on the exam" is labelled pace). Measured on three
    generated corpora: -9% to +69% per theme (exams, workload and clarity the highest); on this
    one inclusivity counts 52 of 66 labelled (-21%) with st-fp32, the reference, and with
    openvino-int8 (onnx-int8's vectors happened to clear -20%).
    """
    from evaluation.labelled import load_labelled_comments

    conn, searcher = loaded
    labels = Counter(t for c in load_labelled_comments(corpus) for t in c.themes)
    evidence = qualitative_evidence(
        conn, searcher=searcher, question="what do students think?", filters=SearchFilters()
    )
    assert evidence.plan["theme"] == GENERAL
    for theme in evidence.themes:
        if labels[theme.name] >= 20:
            assert 0.75 * labels[theme.name] <= theme.count <= 1.8 * labels[theme.name], theme


def test_the_worker_stores_themes_and_answers_count_them_all(
    loaded: tuple[Conn, Searcher],
) -> None:
    """Every processed comment has its themes stored, so a corpus-wide scope is counted whole
    (no sample) and answering embeds no comment sentences."""
    conn, searcher = loaded
    total = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
    tagged = conn.execute(
        "SELECT count(*) AS n FROM comment_themes WHERE detector = %s", (DETECTOR_VERSION,)
    ).fetchone()
    assert total is not None and tagged is not None and total["n"] == tagged["n"] > 40

    calls: list[int] = []
    detector = detector_for(searcher.queries.embedder)
    original = detector.embedder.embed_batch

    def counting(texts: list[str]) -> object:
        calls.append(len(texts))
        return original(texts)

    detector.embedder.embed_batch = counting  # type: ignore[method-assign]
    try:
        evidence = qualitative_evidence(
            conn, searcher=searcher, question="is the pace too fast?", filters=SearchFilters()
        )
    finally:
        del detector.embedder.embed_batch
    assert sum(calls) <= 1  # the question (for search and its theme); no comment is embedded
    assert evidence.plan["scope"] == {
        "comments": total["n"],
        "counted": total["n"],
        "sampled": False,
    }
    assert all(t.of == total["n"] for t in evidence.themes)
    assert evidence.themes[0].name == "pace"
    assert evidence.searched == f"{total['n']} comments across all courses"


def _fingerprint(conn: Conn) -> dict[str, str]:
    """Every table's rows, hashed: equal fingerprints mean nothing was written."""
    tables = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    out = {}
    for row in tables:
        name = sql.Identifier(row["tablename"])
        found = conn.execute(
            sql.SQL(
                "SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h"
                " FROM {} t"
            ).format(name)
        ).fetchone()
        assert found is not None
        out[row["tablename"]] = f"{found['n']}:{found['h']}"
    return out


def test_asking_and_the_themes_dashboard_write_nothing(loaded: tuple[Conn, Searcher]) -> None:
    """A question and a GET of a course's themes read stored tags: comments without them are
    left out and said so (never tagged on the fly), and the database is unchanged after."""
    conn, searcher = loaded
    code = _largest_course(conn)
    before = qualitative_evidence(
        conn, searcher=searcher, question="how is the workload?", filters=SearchFilters(course=code)
    )
    removed = conn.execute(
        "DELETE FROM comment_themes WHERE comment_id IN (SELECT m.id FROM comments m"
        " JOIN sections s ON s.id = m.section_id JOIN courses c ON c.id = s.course_id"
        " WHERE c.code = %s ORDER BY m.id LIMIT 5)",
        (code,),
    ).rowcount
    conn.commit()
    snapshot = _fingerprint(conn)

    again = qualitative_evidence(
        conn, searcher=searcher, question="how is the workload?", filters=SearchFilters(course=code)
    )
    dashboard = course_themes(conn, code=code)
    conn.commit()
    assert _fingerprint(conn) == snapshot

    total = before.plan["scope"]["comments"]
    assert removed == 5
    assert again.plan["scope"] == {"comments": total, "counted": total - 5, "sampled": True}
    assert again.searched.startswith(f"{total - 5} of {total} comments on {code}")
    assert BACKFILL_COMMAND in again.searched
    assert all(t.of == total - 5 for t in again.themes)
    assert (dashboard["comments"], dashboard["counted"], dashboard["sampled"]) == (
        total,
        total - 5,
        True,
    )

    # The explicit backfill tags exactly what was missing; counts are whole again.
    assert backfill_themes(conn, embedder=searcher.queries.embedder) == 5
    after = qualitative_evidence(
        conn, searcher=searcher, question="how is the workload?", filters=SearchFilters(course=code)
    )
    assert after.themes == before.themes and after.plan["scope"] == before.plan["scope"]


def test_themes_of_an_older_detector_are_read_as_stale(loaded: tuple[Conn, Searcher]) -> None:
    """After a detector change the stored themes still answer (flagged stale) until the
    backfill recomputes them; nothing is recomputed by the read."""
    conn, searcher = loaded
    code = _largest_course(conn)
    fresh = course_themes(conn, code=code)
    conn.execute("UPDATE comment_themes SET detector = 'older'")
    conn.commit()
    stale = course_themes(conn, code=code)
    assert stale["stale"] == stale["counted"] == fresh["counted"] == fresh["comments"]
    assert stale["themes"] == fresh["themes"]
    evidence = qualitative_evidence(
        conn, searcher=searcher, question="how is the workload?", filters=SearchFilters(course=code)
    )
    assert evidence.plan["scope"]["stale"] == fresh["comments"]
    assert "older detector" in evidence.searched
    still = conn.execute("SELECT count(*) AS n FROM comment_themes WHERE detector = 'older'")
    row = still.fetchone()
    assert row is not None and row["n"] > 0
    assert backfill_themes(conn, embedder=searcher.queries.embedder) == row["n"]
    assert course_themes(conn, code=code)["stale"] == 0


def test_pick_quotes_quotes_only_the_asked_theme() -> None:
    from rag.search.hybrid import Citation, Hit, Scores

    def hit(i: int) -> Hit:
        citation = Citation(
            report_id=1, comment_id=i, course_code="CS5800", course_title="Algorithms",
            term="Fall 2023", section="01", instructors=[], prompt="p", comment_number=i,
        )  # fmt: skip
        scores = Scores(vector=None, text=None, fused=1.0 / (i + 1))
        return Hit(text=f"comment {i}", scores=scores, citation=citation)

    hits = [hit(i) for i in range(6)]
    themes = [("pace",), ("exams",), ("pace", "exams"), (), ("workload",), ("exams",)]
    vectors = np.eye(6, dtype=np.float32)
    assert pick_quotes(hits, themes, vectors, asked="exams", k=5) == [1, 2, 5]
    assert pick_quotes(hits, themes, vectors, asked="clarity", k=5) == []
    assert pick_quotes(hits, themes, vectors, asked=GENERAL, k=3) == [0, 1, 2]
    # complaints are answered with complaints; with none of that tone, with what there is
    tones = ["positive", "negative", "mixed", "positive", None, "positive"]
    negative = pick_quotes(
        hits, themes, vectors, asked=GENERAL, k=5, hit_tones=tones, tone="negative"
    )
    assert negative == [1, 2]
    assert pick_quotes(
        hits, themes, vectors, asked="exams", k=5, hit_tones=tones, tone="positive"
    ) == [2, 5]
    assert pick_quotes(
        hits, themes, vectors, asked="pace", k=5, hit_tones=["positive"] * 6, tone="negative"
    ) == [0, 2]


@pytest.mark.parametrize(
    ("question", "tone"),
    [
        ("what are the complaints about Okafor", "negative"),
        ("main criticisms of CS5800", "negative"),
        ("what do students dislike about the labs", "negative"),
        ("what did students praise in PSYC1101", "positive"),
        ("strengths of this course", "positive"),
        ("what did students like most about the class", "positive"),
        ("strengths and weaknesses of Lee", None),
        ("what do students say about the pace of CS5800", None),
    ],
)
def test_asked_tone(question: str, tone: str | None) -> None:
    assert asked_tone(question) == tone


def test_empty_scope_is_unanswerable(loaded: tuple[Conn, Searcher]) -> None:
    conn, searcher = loaded
    evidence = qualitative_evidence(
        conn,
        searcher=searcher,
        question="what do students say about exams?",
        filters=SearchFilters(course="ZZ 9999", term="Fall 2023"),
    )
    assert evidence.route == "unanswerable"
    assert evidence.quotes == [] and evidence.themes == []
    assert evidence.searched == "comments on ZZ 9999 in Fall 2023"
    assert evidence.plan["scope"]["comments"] == 0


def test_theme_summary_orders_and_keeps_the_asked_theme() -> None:
    sentiments = [score_comment(t) for t in ("Great!", "Awful.", "Fine.")]
    themes = theme_summary([("pace",), ("pace", "exams"), ()], sentiments, asked="workload")
    assert [(t.name, t.count, t.of) for t in themes] == [
        ("workload", 0, 3),
        ("pace", 2, 3),
        ("exams", 1, 3),
    ]
    assert themes[0].sentiment is None and themes[1].tone == "mixed"
    assert themes[2].tone == "negative"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("ok", False),
        ("n/a", False),
        ("N/A", False),
        ("good", False),
        ("none", False),
        ("-", False),
        ("Great class overall.", False),
        ("Nothing to add.", False),
        ("way too fast. eigenvalues were done in like 2 lectures", True),
        ("Lee is very clear and precise", True),
        ("more office hours please", True),
    ],
)
def test_content_free_comments_are_told_apart(text: str, content: bool) -> None:
    assert carries_content(text) is content


def test_content_free_comments_are_never_quoted() -> None:
    """A bare "ok" ranks high for a vague question, but says nothing: an untagged comment is
    quoted only when it has content; a tagged one always (its theme is its content)."""
    from rag.search.hybrid import Citation, Hit, Scores

    texts = ["ok", "n/a", "The problem sets were long but fair.", "-", "good", "Rushed.", "none"]

    def hit(i: int) -> Hit:
        citation = Citation(
            report_id=1, comment_id=i, course_code="CS5800", course_title="Algorithms",
            term="Fall 2023", section="01", instructors=[], prompt="p", comment_number=i,
        )  # fmt: skip
        scores = Scores(vector=None, text=None, fused=1.0 / (i + 1))
        return Hit(text=texts[i], scores=scores, citation=citation)

    hits = [hit(i) for i in range(len(texts))]
    themes: list[tuple[str, ...]] = [(), (), ("workload",), (), (), ("pace",), ()]
    vectors = np.eye(len(texts), dtype=np.float32)
    assert pick_quotes(hits, themes, vectors, asked=GENERAL, k=5) == [2, 5]
    assert pick_quotes(hits, themes, vectors, asked="pace", k=5) == [5]
