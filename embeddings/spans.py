"""Vectors of the parts of a text (its sentences) from the model pass that embeds the whole text.

Theme tagging judges each sentence of a comment on its own vector. Embedding every sentence again
after the comment cost the worker a third more model time than the comments themselves
(`tracelens bench pipeline`: 8.3 s of ONNX Runtime beside 27.3 s for the comments). An embedder
that can pool spans (`SpanPooler`: the int8 ONNX one, which sees the model's token vectors and
the tokenizer's character offsets) gives each sentence the mean of the comment's contextual token
vectors inside it, less half the comment's mean (CONTEXT_SHARE): a sentence's tokens have seen
their neighbours, and without that correction a comment's main theme bled into its other
sentences. A sentence that is the whole comment gets exactly the comment's vector.

`tracelens eval themes` micro-F1 (generated / independent DEV / all) with onnx-int8, sentences
embedded on their own: 0.860 / 0.821 / 0.814; pooled: 0.816 / 0.824 / 0.817; pooled less half
the comment: 0.849 / 0.815 / 0.811; and with the sentences whose theme the pooled vector leaves
in doubt embedded on their own (enrichment.detector.POOLED_DOUBT): 0.856 / 0.821 / 0.814. With
openvino-int8, on their own 0.861 / 0.832 / 0.812, pooled with the doubtful ones embedded again
0.855 / 0.832 / 0.812. (Dynamic int8 scales each batch's activations on their own, so onnx-int8
moves by about ±0.006 between runs.) A part the pooler cannot place (past the model's 256-token
truncation, or not found in the text) and every part under an embedder that cannot pool is
embedded on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from embeddings.base import Embedder, embed_texts, length_batches

Span = tuple[int, int]
"""Character offsets [start, end) of a part within its text."""

CONTEXT_SHARE = 0.5
"""How much of its text's mean vector a part's pooled vector gives back (see above)."""


@runtime_checkable
class SpanPooler(Protocol):
    """An embedder that also pools character spans of its texts from the same forward pass."""

    def embed_batch_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """The texts' vectors, and each span's (None where no token lies inside it)."""
        ...


def pool_spans(
    hidden: np.ndarray,
    offsets: Sequence[tuple[int, int]],
    special: Sequence[int],
    mask: Sequence[int],
    spans: Sequence[Span],
) -> list[np.ndarray | None]:
    """Each span's vector (L2-normalised), None for a span no token lies inside.

    `hidden` (tokens × dimension) is one text's last hidden state; `offsets`, `special` and
    `mask` are the tokenizer's character offsets, special-token mask and attention mask. A span
    holding every word token is the text's own mean-pooled vector; another is the mean of its
    tokens less CONTEXT_SHARE × the text's mean.
    """
    starts = np.array([o[0] for o in offsets])
    ends = np.array([o[1] for o in offsets])
    real = np.asarray(mask, dtype=bool)
    words = real & ~np.asarray(special, dtype=bool) & (ends > starts)
    whole = hidden[real].astype(np.float32).mean(axis=0)
    out: list[np.ndarray | None] = []
    for start, end in spans:
        inside = words & (starts >= start) & (ends <= end)
        count = int(inside.sum())
        if not count:
            out.append(None)
            continue
        if count == int(words.sum()):
            vector = whole
        else:
            vector = hidden[inside].astype(np.float32).mean(axis=0) - CONTEXT_SHARE * whole
        norm = float(np.linalg.norm(vector))
        out.append(vector / norm if norm else vector)
    return out


def part_spans(text: str, parts: Sequence[str]) -> list[Span]:
    """Where each part lies in `text`, searched in order; (0, 0) for a part not found."""
    out, at = [], 0
    for part in parts:
        start = text.find(part, at)
        if start < 0:
            out.append((0, 0))
            continue
        out.append((start, start + len(part)))
        at = start + len(part)
    return out


def embed_with_parts(
    embedder: Embedder,
    texts: Sequence[str],
    split: Callable[[str], list[str]],
    *,
    batch_size: int = 64,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The texts' vectors (input order) and, by part text, a vector for each part `split`
    finds in them — pooled from the same model pass where the embedder can (SpanPooler),
    embedded on their own otherwise. A text `split` finds nothing in is a part of itself."""
    parts = [split(t) or [t] for t in texts]
    vectors = np.empty((len(texts), embedder.dimension), dtype=np.float32)
    pooled: dict[str, np.ndarray] = {}
    if isinstance(embedder, SpanPooler) and texts:
        spans = [part_spans(t, p) for t, p in zip(texts, parts, strict=True)]
        for idx in length_batches([len(t) for t in texts], batch_size=batch_size):
            batch, rows = embedder.embed_batch_spans(
                [texts[i] for i in idx], [spans[i] for i in idx]
            )
            vectors[idx] = batch
            for i, row in zip(idx, rows, strict=True):
                for part, vector in zip(parts[i], row, strict=True):
                    if vector is not None:
                        pooled.setdefault(part, vector)
    elif texts:
        vectors = embed_texts(embedder, texts, batch_size=batch_size)
    for text, vector in zip(texts, vectors, strict=True):
        if text not in pooled:
            pooled[text] = vector  # a one-part text: its part is the text itself
    alone = list(dict.fromkeys(p for ps in parts for p in ps if p not in pooled))
    if alone:
        pooled.update(zip(alone, embed_texts(embedder, alone, batch_size=batch_size), strict=True))
    return vectors, pooled
