"""Length-aware batches: every text once, short ones together, the long tail apart."""

from __future__ import annotations

import random

import numpy as np

from embeddings.base import PADDED_CHARS_PER_TEXT, FakeEmbedder, embed_texts, length_batches


def _padded(lengths: list[int], batches: list[list[int]]) -> int:
    return sum(len(b) * max(lengths[i] for i in b) for b in batches)


def test_every_index_once_shortest_first_within_the_limits() -> None:
    rng = random.Random(4)
    # comment-like lengths: mostly short, a long tail up to the model's limit
    lengths = [min(int(rng.lognormvariate(4.6, 0.8)), 1200) for _ in range(256)]
    batches = length_batches(lengths, batch_size=64)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        assert len(batch) <= 64
        assert len(batch) == 1 or len(batch) * longest <= 64 * PADDED_CHARS_PER_TEXT
    # far less padding than fixed batches of 64 over the same sorted pool
    fixed = [flat[i : i + 64] for i in range(0, len(flat), 64)]
    real = sum(lengths)
    assert _padded(lengths, batches) < 1.25 * real < _padded(lengths, fixed)


def test_short_texts_fill_whole_batches() -> None:
    assert [len(b) for b in length_batches([20] * 200, batch_size=64)] == [64, 64, 64, 8]


def test_embed_texts_returns_rows_in_the_input_order() -> None:
    texts = ["x" * n + f" word{n}" for n in (900, 3, 40, 400, 41, 5, 1000)]
    fake = FakeEmbedder()
    assert np.array_equal(embed_texts(fake, texts, batch_size=2), fake.embed_batch(texts))
