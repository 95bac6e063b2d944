"""Search signals (theme tags, vocabulary expansion) on the embedded PostgreSQL with pgvector.

The fake embedder keeps these fast and deterministic: each test checks what one leg adds by
asking a query that the vector and full-text legs alone cannot answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import rag.search.hybrid
from cli.wiring import model_in_service
from core.db import Conn, connect
from core.settings import Settings
from enrichment.theme_definitions import THEMES
from rag.search.filters import SearchFilters
from rag.search.fusion import THEME_GAP
from rag.search.hybrid import QuerySignals, search, search_legs
from rag.search.searcher import PLAIN, Searcher, Signals, open_searcher
from rag.search.theme_vocabulary import VOCABULARY
from tests.conftest import load_reports

NONSENSE = "qqzx vvkw"
"""A query no comment shares a word with: the text leg finds nothing."""


@pytest.fixture
def loaded(settings: Settings, corpus: Path) -> Iterator[tuple[Conn, Searcher]]:
    assert settings.database_dsn
    load_reports(settings, sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx")))
    with connect(settings.database_dsn) as conn:
        yield conn, open_searcher(conn, model_in_service(settings))


def _course_with_tags(conn: Conn) -> tuple[str, list[int]]:
    """A course whose comments are stored as workload ones, except 3 stored as pace ones."""
    row = conn.execute(
        "SELECT c.code FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id GROUP BY c.code HAVING count(*) >= 30"
        " ORDER BY c.code LIMIT 1"
    ).fetchone()
    assert row is not None
    code = str(row["code"])
    conn.execute(
        "UPDATE comment_themes ct SET themes = ARRAY['workload'] FROM comments m"
        " JOIN sections s ON s.id = m.section_id JOIN courses c ON c.id = s.course_id"
        " WHERE ct.comment_id = m.id AND c.code = %s",
        (code,),
    )
    ids = [
        int(r["id"])
        for r in conn.execute(
            "SELECT m.id FROM comments m JOIN sections s ON s.id = m.section_id"
            " JOIN courses c ON c.id = s.course_id WHERE c.code = %s ORDER BY md5(m.id::text)"
            " LIMIT 3",
            (code,),
        ).fetchall()
    ]
    conn.execute(
        "UPDATE comment_themes SET themes = ARRAY['pace'] WHERE comment_id = ANY(%s)", (ids,)
    )
    conn.commit()
    return code, ids


def test_theme_leg_finds_the_comments_tagged_with_the_theme(
    loaded: tuple[Conn, Searcher],
) -> None:
    """Every comment tagged with the query's theme is reached, ranked above untagged ones, and
    the leg scores them by the query's vector."""
    conn, searcher = loaded
    code, tagged = _course_with_tags(conn)
    vector = searcher.queries.embed_query(NONSENSE)
    filters = SearchFilters(course=code)
    plain = search(
        conn, space=searcher.space, query=NONSENSE, query_vector=vector, k=3, filters=filters
    )
    themed = search(
        conn,
        space=searcher.space,
        query=NONSENSE,
        query_vector=vector,
        k=3,
        filters=filters,
        signals=QuerySignals(theme="pace", theme_weight=2.0),
    )
    assert {h.citation.comment_id for h in themed} == set(tagged)
    assert {h.citation.comment_id for h in plain} != set(tagged)
    for hit in themed:
        assert hit.scores.vector is not None and hit.citation.course_code == code
    # Only hybrid search takes signals: a vector search is unchanged by them.
    vector_only = search(
        conn,
        space=searcher.space,
        query=NONSENSE,
        query_vector=vector,
        k=3,
        filters=filters,
        mode="vector",
        signals=QuerySignals(theme="pace", theme_weight=2.0),
    )
    assert [h.citation.comment_id for h in vector_only] == [
        h.citation.comment_id
        for h in search(
            conn,
            space=searcher.space,
            query=NONSENSE,
            query_vector=vector,
            k=3,
            filters=filters,
            mode="vector",
        )
    ]


def test_theme_leg_ignores_tags_of_an_edited_comment(loaded: tuple[Conn, Searcher]) -> None:
    """Tags describe the text they were computed from: after an edit they no longer count."""
    conn, searcher = loaded
    code, tagged = _course_with_tags(conn)
    conn.execute("UPDATE comments SET text = text || ' (edited)' WHERE id = %s", (tagged[0],))
    conn.commit()
    hits = search(
        conn,
        space=searcher.space,
        query=NONSENSE,
        query_vector=searcher.queries.embed_query(NONSENSE),
        k=2,
        filters=SearchFilters(course=code),
        signals=QuerySignals(theme="pace", theme_weight=2.0),
    )
    assert {h.citation.comment_id for h in hits} == set(tagged[1:])


@pytest.mark.parametrize("exact_limit", [rag.search.hybrid.EXACT_SCAN_LIMIT, 0])
def test_expansion_leg_reaches_the_theme_words(
    loaded: tuple[Conn, Searcher], monkeypatch: pytest.MonkeyPatch, exact_limit: int
) -> None:
    """Words of the theme's vocabulary find comments that share none of the query's words,
    whether the scope is ranked whole (small) or through the bounded pool (large)."""
    monkeypatch.setattr(rag.search.hybrid, "EXACT_SCAN_LIMIT", exact_limit)
    conn, searcher = loaded
    vector = searcher.queries.embed_query(NONSENSE)
    hits = search(
        conn,
        space=searcher.space,
        query=NONSENSE,
        query_vector=vector,
        k=5,
        signals=QuerySignals(expansion=("midterm", "exam"), expansion_weight=2.0),
    )
    assert len(hits) == 5
    assert all(("midterm" in h.text.lower() or "exam" in h.text.lower()) for h in hits)
    plain = search(conn, space=searcher.space, query=NONSENSE, query_vector=vector, k=5)
    assert all(h.scores.text is None for h in plain)


def test_searcher_derives_signals_from_the_query(loaded: tuple[Conn, Searcher]) -> None:
    _, searcher = loaded
    vector = searcher.queries.embed_query("is the pace too fast")
    found = searcher.query_signals("is the pace too fast", vector, Signals())
    assert found.theme == "pace" and tuple(found.expansion) == VOCABULARY["pace"]
    assert searcher.query_signals("is the pace too fast", vector, PLAIN) == QuerySignals()
    only_tags = searcher.query_signals("is the pace too fast", vector, Signals(expansion=False))
    assert only_tags.theme == "pace" and not only_tags.expansion
    general = searcher.query_signals(
        "what do students think", searcher.queries.embed_query("what do students think"), Signals()
    )
    assert general == QuerySignals()


def test_every_theme_has_a_vocabulary_of_single_words() -> None:
    assert set(VOCABULARY) == set(THEMES)
    for words in VOCABULARY.values():
        assert len(words) >= 10 and all(w and " " not in w for w in words)
        assert len(set(words)) == len(words)


def test_signals_change_nothing_when_the_query_has_no_theme(
    loaded: tuple[Conn, Searcher],
) -> None:
    conn, searcher = loaded
    query = "what do students think"
    with_signals = searcher.search(conn, query=query, k=10)
    plain = searcher.search(conn, query=query, k=10, signals=PLAIN)
    assert [h.citation.comment_id for h in with_signals] == [h.citation.comment_id for h in plain]
    assert np.isclose(with_signals[0].scores.fused, plain[0].scores.fused)


def test_a_misread_theme_loses_both_its_legs(loaded: tuple[Conn, Searcher]) -> None:
    """A query asked in one comment's words, with a theme whose tagged comments lie far from it:
    beyond `theme_gap` the theme and expansion legs are dropped and the hits are the plain
    ones; within it both legs still lift the tagged comments."""
    conn, searcher = loaded
    code, tagged = _course_with_tags(conn)
    row = conn.execute(
        "SELECT m.id, m.text FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id WHERE c.code = %s AND NOT m.id = ANY(%s)"
        " ORDER BY m.id LIMIT 1",
        (code, tagged),
    ).fetchone()
    assert row is not None
    query = str(row["text"])
    vector = searcher.queries.embed_query(query)
    texts = [
        str(r["text"])
        for r in conn.execute(
            "SELECT text FROM comments WHERE id = ANY(%s) ORDER BY id", (tagged,)
        ).fetchall()
    ]
    nearest_tagged = float((searcher.queries.embedder.embed_batch(texts) @ vector).max())
    gap = float(vector @ vector) - nearest_tagged  # the query's own comment is the nearest
    assert gap > 0.02
    filters = SearchFilters(course=code)

    def ids(signals: QuerySignals | None) -> list[int]:
        hits = search(
            conn,
            space=searcher.space,
            query=query,
            query_vector=vector,
            k=3,
            filters=filters,
            signals=signals,
        )
        return [h.citation.comment_id for h in hits]

    def theme(theme_gap: float | None) -> QuerySignals:
        words = tuple(w.strip(".,!?;:()") for w in texts[0].split()[:6] if w.strip(".,!?;:()"))
        return QuerySignals(
            theme="pace",
            expansion=words,
            theme_weight=3.0,
            expansion_weight=3.0,
            theme_gap=theme_gap,
        )

    plain = ids(None)
    assert row["id"] in plain
    assert ids(theme(gap - 0.01)) == plain
    kept = ids(theme(gap + 0.01))
    assert kept != plain and set(kept) & set(tagged)
    assert ids(theme(None)) == kept

    def legs(theme_gap: float) -> tuple[bool, list[int], list[int], list[int]]:
        found = search_legs(
            conn,
            space=searcher.space,
            query=query,
            query_vector=vector,
            k=3,
            filters=filters,
            signals=theme(theme_gap),
        )
        return found.theme_dropped, found.themed, found.expanded, found.fused[:3]

    assert legs(gap - 0.01) == (True, [], [], plain)
    dropped, themed, expanded, fused = legs(gap + 0.01)
    assert not dropped and set(themed) == set(tagged) and expanded and fused == kept


def test_the_searcher_passes_its_theme_gap_on(loaded: tuple[Conn, Searcher]) -> None:
    _, searcher = loaded
    vector = searcher.queries.embed_query("is the pace too fast")
    assert searcher.query_signals("is the pace too fast", vector, Signals()).theme_gap == (
        THEME_GAP
    )
    never = searcher.query_signals("is the pace too fast", vector, Signals(theme_gap=None))
    assert never.theme == "pace" and never.theme_gap is None
