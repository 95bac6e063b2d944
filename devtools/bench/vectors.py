"""Synthetic embeddings for `tracelens bench search`: a quarter-million vectors from a few
thousand real ones, shaped like what the service really stores.

Comment vectors come from real embeddings of the generator's comments (see `comment_vectors`).
For the space that embeds each comment with its context (`embedding_text = "context"`: course,
title, term and prompt before the comment), `context_vectors` mixes each comment vector with
real embeddings of its section's header and of its prompt, in proportions fitted by least
squares against real context embeddings of a sample, and reports how close the fit is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from embeddings.base import Embedder, embed_texts, normalize_rows
from embeddings.indexing import embedding_text

DERIVE_SCALE = 0.8
"""How far a derived vector moves along a real difference; calibrated so HNSW recall matches
the real embeddings of the same comments (0.991 vs 0.995 at ef_search 40 on 6k comments)."""
CALIBRATION_SAMPLE = 400
"""Comments whose real context embedding fits (and checks) the context mixture."""


@dataclass(frozen=True)
class CommentVectors:
    vectors: np.ndarray
    embedded: int
    """Distinct comment texts embedded for real."""
    own: np.ndarray
    """True where a comment kept its text's own embedding (not derived)."""


@dataclass(frozen=True)
class ContextFit:
    weights: tuple[float, float, float]
    """(comment, header, prompt) weights of the mixture, before renormalising."""
    cosine_mean: float
    cosine_min: float
    """Cosine between real and emulated context embeddings over the calibration sample."""
    headers: int
    sample: int


def comment_vectors(
    embedder: Embedder,
    texts: Sequence[str],
    groups: Sequence[tuple[str, str]],
    rng: np.random.Generator,
    base_texts: int,
) -> CommentVectors:
    """Embed up to `base_texts` distinct comments; derive the rest from them.

    A derived vector is a real embedding of the same theme and tone, moved by the difference of
    two other such embeddings: noise that stays on the model's manifold. Isotropic Gaussian noise
    does not: it turns each base into a ball of near-ties, and HNSW recall on it falls to ~0.4
    where the real embeddings of the same comments give 0.99 (measured on 6k and 12k comments).
    """
    distinct = list(dict.fromkeys(texts))
    chosen = [distinct[i] for i in rng.permutation(len(distinct))[:base_texts]]
    base = embed_texts(embedder, chosen)
    row_of = {text: i for i, text in enumerate(chosen)}
    by_group: dict[tuple[str, str], list[int]] = {}
    for text, group in zip(texts, groups, strict=True):
        if text in row_of:
            by_group.setdefault(group, []).append(row_of[text])
    everyone = list(range(len(base)))
    picks = np.empty((len(texts), 3), dtype=np.int64)
    moved = np.ones(len(texts), dtype=np.float32)
    for i, (text, group) in enumerate(zip(texts, groups, strict=True)):
        pool = by_group.get(group) or everyone
        a, b, c = (pool[int(j)] for j in rng.integers(len(pool), size=3))
        if text in row_of:  # a comment whose text was embedded keeps the model's own vector
            a, moved[i] = row_of[text], 0.0
        picks[i] = (a, b, c)
    step = (DERIVE_SCALE * moved)[:, None]
    out = base[picks[:, 0]] + step * (base[picks[:, 1]] - base[picks[:, 2]])
    return CommentVectors(normalize_rows(out), len(chosen), moved == 0.0)


def context_vectors(
    embedder: Embedder,
    comments: CommentVectors,
    rows: Sequence[dict[str, str]],
    section_of: Sequence[int],
    rng: np.random.Generator,
) -> tuple[np.ndarray, ContextFit]:
    """Each comment's vector as the service embeds it: with its course, title, term and prompt.

    `rows` holds, per comment, what `embedding_text(row, "context")` reads (course, title, term,
    prompt, text); `section_of` the comment's section index. The mixture
    a * comment + b * header(section) + c * prompt is fitted on comments that kept their own
    embedding, against the real embedding of their full context text.
    """
    headers: dict[int, str] = {}
    for row, section in zip(rows, section_of, strict=True):
        headers.setdefault(section, f"{row['course']} {row['title']}, {row['term']}.")
    order = sorted(headers)
    at = {section: i for i, section in enumerate(order)}
    header_vecs = embed_texts(embedder, [headers[s] for s in order])
    prompts = sorted({row["prompt"] for row in rows})
    prompt_vecs = embed_texts(embedder, prompts)
    prompt_at = {p: i for i, p in enumerate(prompts)}
    h = header_vecs[[at[s] for s in section_of]]
    p = prompt_vecs[[prompt_at[row["prompt"]] for row in rows]]

    own = np.flatnonzero(comments.own)
    sample = rng.choice(own, size=min(CALIBRATION_SAMPLE, len(own)), replace=False)
    real = embed_texts(embedder, [embedding_text(rows[i], "context") for i in sample])
    parts = np.stack([comments.vectors[sample], h[sample], p[sample]], axis=-1)  # (n, dim, 3)
    design = parts.reshape(-1, 3)
    weights, *_ = np.linalg.lstsq(design, real.reshape(-1), rcond=None)
    mixed = normalize_rows(weights[0] * comments.vectors + weights[1] * h + weights[2] * p).astype(
        np.float32
    )
    cosines = np.sum(mixed[sample] * normalize_rows(real), axis=1)
    fit = ContextFit(
        weights=(float(weights[0]), float(weights[1]), float(weights[2])),
        cosine_mean=float(np.mean(cosines)),
        cosine_min=float(np.min(cosines)),
        headers=len(order),
        sample=len(sample),
    )
    return mixed, fit
