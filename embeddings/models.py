"""The real all-MiniLM-L6-v2 embedders (fp32 baseline, bf16, int8 ONNX) and the factory."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ConfigError
from embeddings.base import Embedder, FakeEmbedder, normalize_rows
from embeddings.onnx_build import (
    DIMENSION,
    MAX_SEQ_LENGTH,
    MODEL_NAME,
    ensure_int8_model,
    go_offline,
    model_dir,
    model_version,
)

if TYPE_CHECKING:
    from core.settings import Settings

logger = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    """Plain sentence-transformers in fp32 on CPU: the reference every faster backend is held to."""

    model = MODEL_NAME
    backend = "st-fp32"
    dimension = DIMENSION

    def __init__(self, *, threads: int | None = None):
        go_offline()
        # start-up speed: torch and sentence-transformers take seconds to import, and only
        # this backend needs them
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            torch.set_num_threads(threads)
        self.version = model_version()
        self._model = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)
        self._model.max_seq_length = MAX_SEQ_LENGTH

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=len(texts),
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalize_rows(np.asarray(vectors, dtype=np.float32))  # in fp32, even for bf16


class TorchBf16Embedder(SentenceTransformerEmbedder):
    """The same model in bfloat16, for CPUs with AMX or AVX512-BF16 matrix units.

    On such CPUs it is the fastest backend measured here, and its vectors match fp32's to a
    cosine of 0.9999 (int8 loses more: about 0.99, and about 2% of nDCG@10).
    """

    backend = "torch-bf16"

    def __init__(self, *, threads: int | None = None):
        go_offline()
        # start-up speed: torch and sentence-transformers take seconds to import, and only
        # this backend needs them
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            torch.set_num_threads(threads)
        self.version = model_version()
        self._model = SentenceTransformer(
            str(model_dir()),
            device="cpu",
            local_files_only=True,
            model_kwargs={"torch_dtype": torch.bfloat16},
        )
        self._model.max_seq_length = MAX_SEQ_LENGTH


def bf16_hardware() -> bool:
    """True when the CPU multiplies bfloat16 natively (AMX tiles or AVX512-BF16)."""
    try:
        import torch  # start-up speed: torch loads only when a backend is chosen

        cpu: Any = torch.cpu
        return bool(cpu._is_amx_tile_supported() or cpu._is_avx512_bf16_supported())
    except (ImportError, AttributeError):
        return False


def resolve_backend(backend: str, *, bf16: bool | None = None) -> str:
    """`auto` is torch-bf16 on bf16 hardware and onnx-int8 elsewhere; other names stand.
    `bf16`: whether the CPU has bf16 units (probed when None)."""
    if backend != "auto":
        return backend
    has_bf16 = bf16_hardware() if bf16 is None else bf16
    return "torch-bf16" if has_bf16 else "onnx-int8"


def backend_choice(backend: str, *, bf16: bool | None = None) -> str:
    """The line a process prints at start: the backend it embeds with, and why."""
    chosen = resolve_backend(backend, bf16=bf16)
    if backend != "auto":
        return f"embedding backend {chosen} (configured)"
    has_bf16 = bf16_hardware() if bf16 is None else bf16
    why = "this CPU has bf16 units" if has_bf16 else "no bf16 units on this CPU: int8"
    return f"embedding backend {chosen} (auto: {why})"


class OnnxInt8Embedder:
    """The int8 ONNX Runtime model: about 2× the fp32 throughput on CPU, no torch at run time.

    Tokenises with the model's own fast tokenizer and mean-pools + L2-normalises exactly like the
    sentence-transformers pipeline (Transformer → mean Pooling → Normalize).
    """

    model = MODEL_NAME
    backend = "onnx-int8"
    dimension = DIMENSION

    def __init__(self, *, cache_dir: Path, threads: int | None = None):
        # start-up speed: ONNX Runtime loads only for this backend
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.version = model_version()
        built = ensure_int8_model(cache_dir)
        self.model_path = built.path
        self.build_seconds = built.build_seconds
        # tokenizer.json ships with fixed 128-token padding/truncation; the model's own limit is
        # 256 (sentence_bert_config.json) and padding to the longest text in a batch is cheaper.
        self._tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.inter_op_num_threads = 1
        if threads is not None:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            str(self.model_path), options, providers=["CPUExecutionProvider"]
        )

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden: np.ndarray = self._session.run(None, feeds)[0]
        return mean_pool(hidden, mask)


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling over real tokens, then L2 normalisation."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden.astype(np.float32) * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    return normalize_rows(summed / counts)


def make_embedder(settings: Settings) -> Embedder:
    """The configured backend, loaded once per process (loading and first build are slow)."""
    logger.info("%s", backend_choice(settings.embedding_backend))
    return load_embedder(
        resolve_backend(settings.embedding_backend),
        threads=settings.embedding_threads,
        cache_dir=settings.model_cache,
    )


@functools.lru_cache(maxsize=8)
def load_embedder(backend: str, *, threads: int | None, cache_dir: Path) -> Embedder:
    """One instance per (backend, threads, cache directory); embedders are read-only after init."""
    if backend == "fake":
        return FakeEmbedder()
    if backend == "st-fp32":
        return SentenceTransformerEmbedder(threads=threads)
    if backend == "torch-bf16":
        return TorchBf16Embedder(threads=threads)
    if backend == "onnx-int8":
        return OnnxInt8Embedder(cache_dir=cache_dir, threads=threads)
    raise ConfigError(f"unknown embedding backend {backend!r}")


def describe(embedder: Embedder) -> dict[str, Any]:
    """The embedding space a vector belongs to, for logs and benchmark output."""
    return {
        "model": embedder.model,
        "version": embedder.version,
        "backend": embedder.backend,
        "dimension": embedder.dimension,
    }
