"""The Embedder interface: one required batch method, plus the batching and caching around it."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension.

    `model`, `version` and `backend` name the embedding space the vectors belong to; vectors
    from different spaces are never compared.
    """

    model: str
    version: str
    backend: str
    dimension: int

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """One (len(texts), dimension) float32 array, rows L2-normalised."""
        ...


PADDED_CHARS_PER_TEXT = 160
"""A batch's texts, each padded to its longest, hold at most batch_size × this many characters."""
LENGTH_SPREAD = 1.3
LENGTH_SLACK = 40
"""…and its longest text is at most 1.3 × its shortest + 40 characters long."""


def embed_texts(embedder: Embedder, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """Embed in batches of similar length, returning rows in the input order."""
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    out = np.empty((len(texts), embedder.dimension), dtype=np.float32)
    for idx in length_batches([len(t) for t in texts], batch_size=batch_size):
        out[idx] = embedder.embed_batch([texts[i] for i in idx])
    return out


def length_batches(lengths: Sequence[int], *, batch_size: int) -> list[list[int]]:
    """Indexes into `lengths`, shortest first, cut into batches that waste little on padding.

    A model pays for every padded token, and attention for its square: comments run from three
    words to the 256-token limit, so fixed-size batches of length-sorted texts still padded a
    long tail's neighbours to its length (2.4× the real tokens in a pool of 256 comments; half
    the throughput). A batch closes at `batch_size` texts, at `batch_size` ×
    PADDED_CHARS_PER_TEXT padded characters, or when the next text is much longer than its
    first (LENGTH_SPREAD, LENGTH_SLACK); long texts go in small batches of their own.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    budget = batch_size * PADDED_CHARS_PER_TEXT
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        size = lengths[i]
        if current and (
            len(current) >= batch_size
            or (len(current) + 1) * size > budget
            or size > LENGTH_SPREAD * lengths[current[0]] + LENGTH_SLACK
        ):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


class QueryCache:
    """An LRU cache of query embeddings: people ask the same things again and again."""

    def __init__(self, embedder: Embedder, *, size: int = 2048):
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # API threads share one cache
        self.hits = 0
        self.misses = 0

    def embed_query(self, text: str) -> np.ndarray:
        key = " ".join(text.split()).lower()
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return cached
            self.misses += 1
        vector = self.embedder.embed_batch([text])[0]
        with self._lock:
            self._cache[key] = vector
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vector


class FakeEmbedder:
    """Deterministic bag-of-words hashing vectors, for unit tests of ranking and storage only.

    Texts sharing words get similar vectors, so ranking tests mean something, with no model.
    """

    model = "fake-hashing"
    version = "1"
    backend = "fake"

    def __init__(self, dimension: int = 384):
        self.dimension = dimension

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in "".join(c if c.isalnum() else " " for c in text.lower()).split():
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dimension] += (
                    1.0 if digest[4] & 1 else -1.0
                )
        return normalize_rows(out)


class ModelIdentity(Protocol):
    """What names an embedding space; every Embedder has it (weights need not be loaded)."""

    @property
    def model(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def backend(self) -> str: ...
    @property
    def dimension(self) -> int: ...


def identity(model: ModelIdentity) -> tuple[str, str, str, int]:
    """(model, version, backend, dimension): vectors are comparable only when these match."""
    return (model.model, model.version, model.backend, model.dimension)
