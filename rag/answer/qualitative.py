"""The qualitative route: what students say, as theme counts, sentiment and diverse quotes.

"What do students say about workload in CS5800?" is answered from every comment the filters
select (the scope): how many mention each theme ("14 of 83 comments mention workload") and how
they feel about it, counted in SQL over the themes and tone stored with each comment
(enrichment.tagging.tag_comments, run by the worker and by `tracelens themes backfill`), plus k
quotes found by hybrid search within the same filters: on an asked theme only comments on it,
chosen by MMR so they do not repeat each other.

Answering reads only: a comment without stored themes (stored before migration 0006, or edited
since) is left out of the counts, and the plan and `searched` say how many were counted and how
to tag the rest. Themes stored by an older detector version are still read (stale, and said so)
until the backfill replaces them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from psycopg import sql

from core.auth.access import EVERYTHING, Access
from core.db import Conn
from embeddings.base import Embedder, embed_texts
from embeddings.spaces import Space
from enrichment.detector import DETECTOR_VERSION, ThemeDetector, detector_for
from enrichment.sentiment import TONES, Sentiment, mean_tone, tone_of_counts
from enrichment.tagging import BACKFILL_COMMAND, stored_tags
from enrichment.theme_definitions import GENERAL, THEMES
from rag.answer.answers import Evidence, Quote, Theme
from rag.search.filters import SearchFilters, compile_filters
from rag.search.hybrid import Hit
from rag.search.mmr import DEFAULT_LAMBDA, mmr_select
from rag.search.searcher import Searcher

SCOPE_CAP = 300
"""Comments `scope_comments` returns at most (a fixed sample beyond that)."""

SEARCH_DEPTH = 50
"""Hits retrieved as quote candidates before MMR picks k."""


_NEGATIVE_ASK = re.compile(
    r"\b(complain\w*|criticis\w*|criticiz\w*|dislike[ds]?|negatives?|problems?|issues?|"
    r"weakness\w*|downsides?|drawbacks?|cons|bad\s+things|hate[ds]?|wrong|worst\s+things|"
    r"unhappy|upset|frustrat\w*|annoy\w*|disappoint\w*|destroy\w*|brutal|nightmare|"
    r"(?:like|liked|enjoy\w*)\s+(?:the\s+)?least)\b",
    re.I,
)
_POSITIVE_ASK = re.compile(
    r"\b(prais\w*|positives?|strengths?|upsides?|pros|good\s+things|best\s+things|"
    r"(?:like|liked|love|loved|enjoy|enjoyed)\s+(?:about|most|best)|appreciat\w*|enjoy\w*)\b",
    re.I,
)
_TONES_OF: dict[str, tuple[str, ...]] = {
    "negative": ("negative", "mixed"),
    "positive": ("positive", "mixed"),
}
"""The stored tones that answer an ask for complaints (negative) or praise (positive)."""


def asked_tone(question: str) -> str | None:
    """'what are the complaints about X': negative; 'what do students praise': positive; a
    question that asks for both, or neither, None."""
    negative = _NEGATIVE_ASK.search(question) is not None
    positive = _POSITIVE_ASK.search(question) is not None
    if negative == positive:
        return None
    return "negative" if negative else "positive"


_FROM = sql.SQL(
    " FROM comments m JOIN sections s ON s.id = m.section_id"
    " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
)


@dataclass(frozen=True)
class ScopeComment:
    id: int
    text: str


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
    if f.survey:
        parts.append(f"in the survey {f.survey!r}")
    elif f.source is not None:
        parts.append("in TRACE reports" if f.source == "trace" else "in instructors' own surveys")
    return "comments " + (" ".join(parts) if parts else "across all courses")


def scope_comments(
    conn: Conn, *, filters: SearchFilters, cap: int | None = None, access: Access = EVERYTHING
) -> tuple[int, list[ScopeComment]]:
    """How many comments the filters select, and those counted: all, or a fixed sample of `cap`.

    The sample orders by a hash of the id, so it spreads over courses and terms and is the same
    for the same data (counts do not change between two askings).
    """
    cap = SCOPE_CAP if cap is None else cap
    where, params = compile_filters(filters, access)
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


_CONTENT_FREE = frozenset(
    """a an the and or of to in on it its this that is was were be i im my me you we it's
    ok okay k na n none nothing no nope yes yeah yep idk nah fine good great nice cool bad
    awesome excellent amazing solid decent alright thanks thank overall all everything really
    very so much pretty class course prof professor instructor comment comments add more
    anything else""".split()  # noqa: SIM905
)
"""Words that say nothing about a course on their own: "ok", "n/a", "good class", "none"."""


def carries_content(text: str) -> bool:
    """Whether a comment says something a quote can show: at least two words that are not
    filler ("ok", "n/a", "good", "none", "-" and "Great class overall." do not)."""
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower())
    return sum(1 for w in words if w not in _CONTENT_FREE) >= 2


def pick_quotes(
    hits: Sequence[Hit],
    hit_themes: Sequence[Sequence[str]],
    vectors: np.ndarray,
    *,
    asked: str,
    k: int,
    lambda_: float = DEFAULT_LAMBDA,
    hit_tones: Sequence[str | None] | None = None,
    tone: str | None = None,
) -> list[int]:
    """Indices of the hits to quote, by MMR: on an asked theme only hits on that theme, and
    for an asked tone (complaints, praise) only hits of that tone when there are any.

    Quoting an off-theme comment to fill k answers a question nobody asked (and a reader takes
    it as evidence about the theme), so an asked theme with few comments gets fewer quotes. A
    comment with no theme is quoted only when it carries content (never a bare "ok" or "n/a").
    """
    pool = [i for i, ts in enumerate(hit_themes) if asked == GENERAL or asked in ts]
    pool = [i for i in pool if hit_themes[i] or carries_content(hits[i].text)]
    if tone is not None and hit_tones is not None:
        toned = [i for i in pool if hit_tones[i] in _TONES_OF[tone]]
        pool = toned or pool
    if not pool or k <= 0:
        return []
    relevance = [hits[i].scores.fused for i in pool]
    picked = mmr_select(relevance, vectors[pool], k, lambda_=lambda_)
    return [pool[p] for p in picked]


_TAGGED = sql.SQL(
    " LEFT JOIN comment_themes ct ON ct.comment_id = m.id AND ct.source_md5 = md5(m.text)"
)
"""The comment's stored themes, whatever detector version stored them, if its text is unchanged."""


class ScopeCounts(NamedTuple):
    total: int
    """Comments the filters select."""
    tagged: int
    """Of which with stored themes (these are counted)."""
    current: int
    """Of which tagged by this detector version (the rest are stale until the backfill)."""


def scope_counts(conn: Conn, *, filters: SearchFilters, access: Access = EVERYTHING) -> ScopeCounts:
    """How many comments the filters select, how many have stored themes, and how many current."""
    where, params = compile_filters(filters, access)
    row = conn.execute(
        sql.SQL(
            "SELECT count(*) AS total, count(ct.comment_id) AS tagged,"
            " count(ct.comment_id) FILTER (WHERE ct.detector = %s) AS current"
        )
        + _FROM
        + _TAGGED
        + sql.SQL(" WHERE ")
        + where,
        [DETECTOR_VERSION, *params],
    ).fetchone()
    if row is None:
        return ScopeCounts(0, 0, 0)
    return ScopeCounts(int(row["total"]), int(row["tagged"]), int(row["current"]))


def counted_words(counts: ScopeCounts, scope_words: str) -> str:
    """What was counted, in words, with what to run when some comments have no themes yet."""
    total, tagged, current = counts
    if tagged == total:
        stale = (
            f" ({tagged - current} with themes from an older detector)" if current < tagged else ""
        )
        return f"{total} {scope_words}{stale}"
    return (
        f"{tagged} of {total} {scope_words} (the rest have no themes stored yet;"
        f" `{BACKFILL_COMMAND}` tags them)"
    )


def stored_tones(
    conn: Conn, *, filters: SearchFilters, access: Access = EVERYTHING
) -> dict[str, int]:
    """How many of the scope's tagged comments are of each tone."""
    where, params = compile_filters(filters, access)
    rows = conn.execute(
        sql.SQL("SELECT ct.tone, count(*) AS n")
        + _FROM
        + _TAGGED
        + sql.SQL(" WHERE ct.comment_id IS NOT NULL AND ")
        + where
        + sql.SQL(" GROUP BY ct.tone"),
        params,
    ).fetchall()
    found = {r["tone"]: int(r["n"]) for r in rows}
    return {tone: found.get(tone, 0) for tone in TONES}


def stored_theme_summary(
    conn: Conn,
    *,
    filters: SearchFilters,
    asked: str,
    of: int,
    access: Access = EVERYTHING,
    tone: str | None = None,
) -> list[Theme]:
    """theme_summary over the scope's `of` tagged comments, from stored themes, in SQL; for an
    asked tone (complaints, praise) only themes with comments of that tone, most first."""
    where, params = compile_filters(filters, access)
    rows = conn.execute(
        sql.SQL(
            "SELECT th AS theme, count(*) AS n, avg(ct.compound) AS mean,"
            " count(*) FILTER (WHERE ct.tone = 'positive') AS positive,"
            " count(*) FILTER (WHERE ct.tone = 'negative') AS negative,"
            " count(*) FILTER (WHERE ct.tone = 'mixed') AS mixed,"
            " count(*) FILTER (WHERE ct.tone = 'neutral') AS neutral"
        )
        + _FROM
        + sql.SQL(
            " JOIN comment_themes ct ON ct.comment_id = m.id AND ct.source_md5 = md5(m.text)"
            " CROSS JOIN LATERAL unnest(ct.themes) AS th WHERE "
        )
        + where
        + sql.SQL(" GROUP BY th"),
        params,
    ).fetchall()
    found = {r["theme"]: r for r in rows}
    toned = {name: int(r[tone]) if tone is not None else 0 for name, r in found.items()}
    out = []
    for name in THEMES:
        r = found.get(name)
        if r is None or (tone is not None and not toned[name] and name != asked):
            if r is None and name == asked:  # praise asked: no theme praised by nobody
                zero = 0 if tone is not None else None
                out.append(Theme(name=name, count=0, of=of, sentiment=None, tone=None, toned=zero))
            continue
        counts = {tone: int(r[tone]) for tone in ("positive", "negative", "mixed", "neutral")}
        out.append(
            Theme(
                name=name,
                count=int(r["n"]),
                of=of,
                sentiment=round(float(r["mean"]), 3),
                tone=tone_of_counts(counts),
                toned=toned[name] if tone is not None else None,
            )
        )
    out.sort(key=lambda t: (t.name != asked, -toned.get(t.name, 0), -t.count, THEMES.index(t.name)))
    return out


def qualitative_evidence(
    conn: Conn,
    *,
    searcher: Searcher,
    question: str,
    filters: SearchFilters,
    k: int = 5,
    detector: ThemeDetector | None = None,
    theme: str | None = None,
) -> Evidence:
    """Theme counts with sentiment over the filtered comments, and k diverse cited quotes;
    `theme` when the caller already knows it (else the detector reads it from the question)."""
    embedder = searcher.queries.embedder
    detector = detector or detector_for(embedder)
    asked = theme or detector.question_theme(question, searcher.queries.embed_query(question))
    tone = asked_tone(question)
    scope_words = describe_scope(filters)
    counts = scope_counts(conn, filters=filters, access=searcher.access)
    total, tagged = counts.total, counts.tagged
    plan: dict[str, Any] = {
        "route": "qualitative",
        "filters": filters.model_dump(exclude_none=True),
        "theme": asked,
        "tone": tone,
        "scope": {"comments": total, "counted": tagged, "sampled": tagged < total},
        "k": k,
    }
    if counts.current < tagged:
        plan["scope"]["stale"] = tagged - counts.current
    if total == 0:
        return Evidence(route="unanswerable", plan=plan, searched=scope_words)

    hits = searcher.search(conn, query=question, k=SEARCH_DEPTH, filters=filters, mode="hybrid")
    ids = [h.citation.comment_id for h in hits]
    tags = stored_tags(conn, ids)  # a hit without stored themes is quoted only on GENERAL
    hit_themes = [tags[i][0] if i in tags else () for i in ids]
    # Only hits on the asked theme can be quoted: fetch just their vectors for MMR.
    pool = [i for i, ts in enumerate(hit_themes) if asked == GENERAL or asked in ts]
    vectors = np.zeros((len(hits), searcher.space.dimension), dtype=np.float32)
    if pool:
        vectors[pool] = comment_vectors(
            conn,
            space=searcher.space,
            ids=[ids[i] for i in pool],
            texts=[hits[i].text for i in pool],
            embedder=embedder,
        )
    quotes = []
    hit_tones = [tags[i][1].tone if i in tags else None for i in ids]
    for i in pick_quotes(
        hits, hit_themes, vectors, asked=asked, k=k, hit_tones=hit_tones, tone=tone
    ):
        hit = hits[i]
        ts = hit_themes[i]
        sentiment = tags[ids[i]][1] if ids[i] in tags else None
        theme = asked if asked in ts else (ts[0] if ts else None)
        quotes.append(
            Quote(
                text=hit.text,
                citation=hit.citation,
                theme=theme,
                sentiment=round(sentiment.compound, 3) if sentiment else None,
            )
        )

    plan["search"] = {"mode": "hybrid", "depth": SEARCH_DEPTH, "hits": len(hits)}
    plan["quotes"] = {"selection": "mmr", "lambda": DEFAULT_LAMBDA, "theme_only": asked}
    plan["detector"] = {"unit": detector.unit, "version": DETECTOR_VERSION, "stored": True}
    counted = counted_words(counts, scope_words)
    return Evidence(
        route="qualitative",
        plan=plan,
        quotes=quotes,
        themes=stored_theme_summary(
            conn, filters=filters, asked=asked, of=tagged, access=searcher.access, tone=tone
        ),
        searched=counted,
    )
