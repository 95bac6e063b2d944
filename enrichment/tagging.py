"""Themes and tone stored per comment, once, when the comment is stored.

The worker tags a report's comments after storing them (`tag_comments`), and
`tracelens themes backfill` tags those stored before (or by an older detector); reads never
tag: answers and dashboards count what is stored in `comment_themes`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.db import Conn
from embeddings.base import Embedder
from enrichment.detector import DETECTOR_VERSION, detector_for
from enrichment.sentiment import Sentiment, score_comment

TAG_BATCH = 512


BACKFILL_COMMAND = "tracelens themes backfill"
"""Tags comments stored before themes were (or by an older detector version): reads never do."""


def untagged_comments(
    conn: Conn, *, section_ids: Sequence[int] | None = None, ids: Sequence[int] | None = None
) -> list[tuple[int, str, str]]:
    """(id, text, prompt) of comments with no themes from this detector version, or edited."""
    where, params = [], []
    if section_ids is not None:
        where.append("m.section_id = ANY(%s)")
        params.append(list(section_ids))
    if ids is not None:
        where.append("m.id = ANY(%s)")
        params.append(list(ids))
    rows = conn.execute(
        "SELECT m.id, m.text, m.prompt FROM comments m"
        " LEFT JOIN comment_themes ct ON ct.comment_id = m.id"
        " AND ct.detector = %s AND ct.source_md5 = md5(m.text)"
        " WHERE ct.comment_id IS NULL" + "".join(f" AND {w}" for w in where) + " ORDER BY m.id",
        [DETECTOR_VERSION, *params],
    ).fetchall()
    return [(int(r["id"]), str(r["text"]), str(r["prompt"])) for r in rows]


def tag_comments(
    conn: Conn,
    *,
    embedder: Embedder,
    section_ids: Sequence[int] | None = None,
    ids: Sequence[int] | None = None,
    known: Mapping[str, np.ndarray] | None = None,
    tones: Mapping[tuple[str, str], Sentiment] | None = None,
) -> int:
    """Detect and store the themes and tone of comments not tagged yet; returns how many.

    Called by the worker after a report's comments are stored (so answering never embeds
    sentences) and by `backfill_themes`; never by a read (a GET or a question). `known`: the
    vectors `embedder` just made by text (a one-sentence comment is not embedded again);
    `tones`: sentiments already scored, by (text, prompt) (the worker scores them ahead).
    """
    pending = untagged_comments(conn, section_ids=section_ids, ids=ids)
    detector = detector_for(embedder)
    scored = tones or {}
    for start in range(0, len(pending), TAG_BATCH):
        chunk = pending[start : start + TAG_BATCH]
        texts = [text for _, text, _ in chunk]
        themes = detector.detect(texts, prompts=[prompt for _, _, prompt in chunk], known=known)
        rows = []
        for (cid, text, prompt), ts in zip(chunk, themes, strict=True):
            sentiment = scored.get((text, prompt)) or score_comment(text, prompt=prompt)
            rows.append(
                (cid, text, DETECTOR_VERSION, list(ts), sentiment.compound, sentiment.tone,
                 list(sentiment.sentences))
            )  # fmt: skip
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO comment_themes (comment_id, source_md5, detector, themes, compound,"
                " tone, sentences) VALUES (%s, md5(%s), %s, %s, %s, %s, %s)"
                " ON CONFLICT (comment_id) DO UPDATE SET source_md5 = EXCLUDED.source_md5,"
                " detector = EXCLUDED.detector, themes = EXCLUDED.themes,"
                " compound = EXCLUDED.compound, tone = EXCLUDED.tone,"
                " sentences = EXCLUDED.sentences",
                rows,
            )
    return len(pending)


def backfill_themes(conn: Conn, *, embedder: Embedder, batch: int = TAG_BATCH) -> int:
    """Tag every comment without current themes, committing per batch; returns how many.

    Resumable: a killed backfill keeps the batches it committed, and running it again does
    only what is left.
    """
    pending = [cid for cid, _, _ in untagged_comments(conn)]
    done = 0
    for start in range(0, len(pending), batch):
        done += tag_comments(conn, embedder=embedder, ids=pending[start : start + batch])
        conn.commit()
    return done


def stored_tags(conn: Conn, ids: Sequence[int]) -> dict[int, tuple[tuple[str, ...], Sentiment]]:
    """The stored themes and sentiment of the given comments whose text is unchanged since.

    Themes from an older detector version are returned too (stale until the backfill): an
    answer with stale themes beats one that silently counts nothing.
    """
    rows = conn.execute(
        "SELECT ct.comment_id, ct.themes, ct.compound, ct.tone, ct.sentences"
        " FROM comment_themes ct JOIN comments m ON m.id = ct.comment_id"
        " WHERE ct.comment_id = ANY(%s) AND ct.source_md5 = md5(m.text)",
        (list(ids),),
    ).fetchall()
    return {
        int(r["comment_id"]): (
            tuple(r["themes"]),
            Sentiment(float(r["compound"]), r["tone"], tuple(float(x) for x in r["sentences"])),
        )
        for r in rows
    }


def stored_theme_tones(conn: Conn, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Each comment's tone per stored theme (the comment's tone, for each of its themes)."""
    return {
        cid: {t: sentiment.tone for t in themes}
        for cid, (themes, sentiment) in stored_tags(conn, ids).items()
    }
