"""Sentence vectors pooled from the comment's own model pass (embeddings.spans)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from embeddings.base import FakeEmbedder, embed_texts
from embeddings.models import OnnxInt8Embedder
from embeddings.spans import CONTEXT_SHARE, SpanPooler, embed_with_parts, part_spans, pool_spans
from enrichment.sentiment import split_sentences


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_pool_spans_gives_the_whole_text_its_own_vector_and_a_part_less_its_context() -> None:
    # [CLS] good teacher . [SEP] hard exams [SEP] [PAD]: offsets as the tokenizer gives them
    offsets = [(0, 0), (0, 4), (5, 12), (12, 13), (14, 18), (19, 24), (0, 0), (0, 0)]
    special = [1, 0, 0, 0, 0, 0, 1, 0]
    mask = [1, 1, 1, 1, 1, 1, 1, 0]
    hidden = np.arange(8 * 3, dtype=np.float32).reshape(8, 3) % 5 + 1
    whole = hidden[:7].mean(axis=0)

    everything, first, nothing = pool_spans(
        hidden, offsets, special, mask, [(0, 24), (0, 13), (30, 40)]
    )

    assert everything is not None and first is not None
    np.testing.assert_allclose(everything, _unit(whole), rtol=1e-6)
    np.testing.assert_allclose(
        first, _unit(hidden[1:4].mean(axis=0) - CONTEXT_SHARE * whole), rtol=1e-6
    )
    assert nothing is None  # no token inside: the caller embeds it on its own


def test_part_spans_are_found_in_order_and_a_missing_part_is_marked() -> None:
    text = "Great. Great. Exams were hard."
    assert part_spans(text, ["Great.", "Great.", "Exams were hard.", "absent"]) == [
        (0, 6),
        (7, 13),
        (14, 30),
        (0, 0),
    ]


def test_an_embedder_that_cannot_pool_embeds_each_part_on_its_own() -> None:
    fake = FakeEmbedder()
    assert not isinstance(fake, SpanPooler)
    texts = ["The exams were fair. Lectures dragged.", "Loved it."]

    vectors, parts = embed_with_parts(fake, texts, split_sentences)

    np.testing.assert_allclose(vectors, fake.embed_batch(texts))
    for part in ["The exams were fair.", "Lectures dragged.", "Loved it."]:
        np.testing.assert_allclose(parts[part], fake.embed_batch([part])[0])


@pytest.fixture(scope="module")
def int8(tmp_path_factory: pytest.TempPathFactory) -> OnnxInt8Embedder:
    return OnnxInt8Embedder(cache_dir=tmp_path_factory.mktemp("models"), threads=2)


def test_int8_pools_sentences_close_to_their_own_vectors_from_one_pass(
    int8: OnnxInt8Embedder,
) -> None:
    texts = [
        "The professor explained every proof slowly and clearly. The midterm exam was brutal.",
        "Grading took forever and we never got feedback on the labs. Zoom audio kept cutting out.",
        "Great class.",
    ]
    seen: list[str] = []
    run = int8._run

    def counted(batch: Sequence[str]) -> tuple[list[Any], np.ndarray, np.ndarray]:
        seen.extend(batch)
        return run(batch)

    int8._run = counted  # type: ignore[method-assign,assignment]
    try:
        vectors, parts = embed_with_parts(int8, texts, split_sentences)
    finally:
        del int8._run
    # the model saw the comments only: their sentences' vectors came from the same pass
    assert sorted(seen) == sorted(texts)

    np.testing.assert_allclose(vectors, embed_texts(int8, texts), atol=1e-6)
    np.testing.assert_allclose(parts["Great class."], vectors[2], atol=1e-6)
    sentences = [s for t in texts[:2] for s in split_sentences(t)]
    alone = int8.embed_batch(sentences)
    pooled = np.stack([parts[s] for s in sentences])
    cosines = pooled @ alone.T
    # each pooled sentence is nearest its own standalone vector, and close to it
    assert list(cosines.argmax(axis=1)) == list(range(len(sentences)))
    assert float(np.diag(cosines).min()) > 0.7


def test_a_part_past_the_truncation_is_embedded_on_its_own(int8: OnnxInt8Embedder) -> None:
    long = " ".join(["The homework was long."] * 80) + " Zoom kept crashing."
    _, parts = embed_with_parts(int8, [long], split_sentences)
    np.testing.assert_allclose(
        parts["Zoom kept crashing."], int8.embed_batch(["Zoom kept crashing."])[0], atol=1e-6
    )
