"""The qualitative route: what students say, as theme counts, sentiment and diverse quotes.

"What do students say about workload in CS5800?" is answered from every comment the filters
select (the scope): how many mention each theme ("14 of 83 comments mention workload") and how
they feel about it, plus k quotes found by hybrid search within the same filters, preferring
comments on the asked theme and chosen by MMR so they do not repeat each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from psycopg import sql

from core.db import Conn
from embeddings.base import Embedder, embed_texts
from embeddings.spaces import Space
from rag.answers import Evidence, Quote, Theme
from rag.filters import SearchFilters, compile_filters
from rag.mmr import DEFAULT_LAMBDA, mmr_select
from rag.search import Hit
from rag.searcher import Searcher
from rag.sentiment import Sentiment, mean_tone, score_comment
from rag.themes import GENERAL, THEMES, ThemeDetector

SCOPE_CAP = 300
"""Most comments whose themes are counted per question: sentence-level detection embeds every
sentence at question time (about 150 sentences a second on two CPU cores), so a corpus-wide
scope is counted over a fixed pseudo-random sample of this size, and the plan says so."""

SEARCH_DEPTH = 50
"""Hits retrieved as quote candidates before MMR picks k."""

_FROM = sql.SQL(
    " FROM comments m JOIN sections s ON s.id = m.section_id"
    " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
)


@dataclass(frozen=True)
class ScopeComment:
    id: int
    text: str


_DETECTORS: dict[int, ThemeDetector] = {}


def detector_for(embedder: Embedder) -> ThemeDetector:
    """One detector per embedder, so its prototypes are embedded once per process.

    Keyed by identity: embedders are loaded once per process (embeddings.models.load_embedder).
    """
    detector = _DETECTORS.get(id(embedder))
    if detector is None or detector.embedder is not embedder:
        detector = _DETECTORS[id(embedder)] = ThemeDetector(embedder)
    return detector


def describe_scope(filters: SearchFilters) -> str:
    """The filters in words, for `searched` ("comments on CS 5800 in Fall 2023")."""
    f = filters
    parts = []
    if f.course:
        parts.append(f"on {f.course}")
    elif f.subject:
        parts.append(f"on {f.subject} courses")
    if f.section:
        parts.append(f"section {f.section}")
    if f.instructor or f.instructor_id is not None:
        parts.append(f"for instructor {f.instructor or f'#{f.instructor_id}'}")
    if f.term:
        parts.append(f"in {f.term}")
    if f.term_from or f.term_to:
        parts.append(f"from {f.term_from or 'the first term'} to {f.term_to or 'the latest'}")
    if f.prompt:
        parts.append(f"answering prompts like {f.prompt!r}")
    if f.min_score is not None:
        parts.append(f"in sections scoring at least {f.min_score}")
    return "comments " + (" ".join(parts) if parts else "across all courses")


def scope_comments(
    conn: Conn, *, filters: SearchFilters, cap: int | None = None
) -> tuple[int, list[ScopeComment]]:
    """How many comments the filters select, and those counted: all, or a fixed sample of `cap`.

    The sample orders by a hash of the id, so it spreads over courses and terms and is the same
    for the same data (counts do not change between two askings).
    """
    cap = SCOPE_CAP if cap is None else cap
    where, params = compile_filters(filters)
    row = conn.execute(
        sql.SQL("SELECT count(*) AS n") + _FROM + sql.SQL(" WHERE ") + where, params
    ).fetchone()
    total = int(row["n"]) if row else 0
    if total == 0:
        return 0, []
    order = sql.SQL("m.id") if total <= cap else sql.SQL("md5(m.id::text), m.id")
    rows = conn.execute(
        sql.SQL("SELECT m.id, m.text")
        + _FROM
        + sql.SQL(" WHERE ")
        + where
        + sql.SQL(" ORDER BY ")
        + order
        + sql.SQL(" LIMIT %s"),
        [*params, cap],
    ).fetchall()
    return total, [ScopeComment(int(r["id"]), str(r["text"])) for r in rows]


def comment_vectors(
    conn: Conn, *, space: Space, ids: Sequence[int], texts: Sequence[str], embedder: Embedder
) -> np.ndarray:
    """The comments' vectors from the space; any not embedded yet are embedded now."""
    rows = conn.execute(
        sql.SQL(
            "SELECT comment_id, embedding::real[] AS embedding FROM {} WHERE comment_id = ANY(%s)"
        ).format(space.table),
        (list(ids),),
    ).fetchall()
    stored = {int(r["comment_id"]): np.asarray(r["embedding"], dtype=np.float32) for r in rows}
    out = np.zeros((len(ids), space.dimension), dtype=np.float32)
    missing = [i for i, cid in enumerate(ids) if cid not in stored]
    for i, cid in enumerate(ids):
        if cid in stored:
            out[i] = stored[cid]
    if missing:
        out[missing] = embed_texts(embedder, [texts[i] for i in missing])
    return out


def theme_summary(
    themes: Sequence[Sequence[str]], sentiments: Sequence[Sentiment], *, asked: str
) -> list[Theme]:
    """Count and sentiment of each theme over the scope; the asked theme first (even at 0)."""
    out = []
    for name in THEMES:
        members = [s for ts, s in zip(themes, sentiments, strict=True) if name in ts]
        if not members and name != asked:
            continue
        mean, tone = mean_tone(members)
        out.append(
            Theme(
                name=name,
                count=len(members),
                of=len(themes),
                sentiment=round(mean, 3) if mean is not None else None,
                tone=tone,
            )
        )
    out.sort(key=lambda t: (t.name != asked, -t.count, THEMES.index(t.name)))
    return out


def pick_quotes(
    hits: Sequence[Hit],
    hit_themes: Sequence[Sequence[str]],
    vectors: np.ndarray,
    *,
    asked: str,
    k: int,
    lambda_: float = DEFAULT_LAMBDA,
) -> list[int]:
    """Indices of the hits to quote: on-theme hits first (MMR among them), then others (MMR)."""
    on = [i for i, ts in enumerate(hit_themes) if asked == GENERAL or asked in ts]
    off = [i for i in range(len(hits)) if i not in set(on)]
    chosen: list[int] = []
    for pool in (on, off):
        if len(chosen) >= k or not pool:
            continue
        relevance = [hits[i].scores.fused for i in pool]
        picked = mmr_select(relevance, vectors[pool], k - len(chosen), lambda_=lambda_)
        chosen.extend(pool[p] for p in picked)
    return chosen


def qualitative_evidence(
    conn: Conn,
    *,
    searcher: Searcher,
    question: str,
    filters: SearchFilters,
    k: int = 5,
    detector: ThemeDetector | None = None,
) -> Evidence:
    """Theme counts with sentiment over the filtered comments, and k diverse cited quotes."""
    embedder = searcher.queries.embedder
    detector = detector or detector_for(embedder)
    asked = detector.question_theme(question)
    scope_words = describe_scope(filters)
    total, scope = scope_comments(conn, filters=filters)
    plan: dict[str, Any] = {
        "route": "qualitative",
        "filters": filters.model_dump(exclude_none=True),
        "theme": asked,
        "scope": {"comments": total, "counted": len(scope), "sampled": len(scope) < total},
        "k": k,
    }
    if total == 0:
        return Evidence(route="unanswerable", plan=plan, searched=scope_words)

    texts = [c.text for c in scope]
    themes = detector.detect(texts)
    sentiments = [score_comment(t) for t in texts]
    by_id = {c.id: (ts, s) for c, ts, s in zip(scope, themes, sentiments, strict=True)}

    hits = searcher.search(conn, query=question, k=SEARCH_DEPTH, filters=filters, mode="hybrid")
    unseen = [h for h in hits if h.citation.comment_id not in by_id]
    for hit, ts in zip(unseen, detector.detect([h.text for h in unseen]), strict=True):
        by_id[hit.citation.comment_id] = (ts, score_comment(hit.text))
    hit_themes = [by_id[h.citation.comment_id][0] for h in hits]
    vectors = comment_vectors(
        conn,
        space=searcher.space,
        ids=[h.citation.comment_id for h in hits],
        texts=[h.text for h in hits],
        embedder=embedder,
    )
    quotes = []
    for i in pick_quotes(hits, hit_themes, vectors, asked=asked, k=k):
        hit = hits[i]
        ts, sentiment = by_id[hit.citation.comment_id]
        theme = asked if asked in ts else (ts[0] if ts else None)
        quotes.append(
            Quote(
                text=hit.text,
                citation=hit.citation,
                theme=theme,
                sentiment=round(sentiment.compound, 3),
            )
        )

    plan["search"] = {"mode": "hybrid", "depth": SEARCH_DEPTH, "hits": len(hits)}
    plan["quotes"] = {"selection": "mmr", "lambda": DEFAULT_LAMBDA, "prefer_theme": asked}
    plan["detector"] = {"unit": detector.unit, "lexicon": detector.use_lexicon}
    counted = (
        f"{total} {scope_words}"
        if len(scope) == total
        else f"a fixed sample of {len(scope)} of {total} {scope_words}"
    )
    return Evidence(
        route="qualitative",
        plan=plan,
        quotes=quotes,
        themes=theme_summary(themes, sentiments, asked=asked),
        searched=counted,
    )
