"""The real all-MiniLM-L6-v2 embedders (fp32 baseline, bf16, two int8) and the factory."""

from __future__ import annotations

import functools
import logging
import threading
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
from embeddings.openvino_build import ensure_openvino_int8_model, quiet_openvino
from embeddings.spans import Span, pool_spans

if TYPE_CHECKING:
    from core.settings import Settings

logger = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    """Plain sentence-transformers in fp32 on CPU: the reference every faster backend is held to."""

    model = MODEL_NAME
    backend = "st-fp32"
    dimension = DIMENSION
    device = "cpu"

    def __init__(self, *, threads: int | None = None):
        go_offline()
        # start-up speed: torch and sentence-transformers take seconds to import, and only
        # this backend needs them
        import torch
        from sentence_transformers import SentenceTransformer

        self._require(torch)
        if threads is not None:
            torch.set_num_threads(threads)
        self.version = model_version()
        self._model = SentenceTransformer(
            str(model_dir()), device=self.device, local_files_only=True
        )
        self._cast()
        self._model.max_seq_length = MAX_SEQ_LENGTH

    def _require(self, torch: Any) -> None:
        """Stop where this machine cannot run the backend (every CPU runs fp32)."""

    def _cast(self) -> None:
        """float32 whatever the file holds (transformers loads the file's dtype); not
        model_kwargs, whose dtype keyword moved between transformers releases."""
        self._model.float()

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

    Its vectors match fp32's to a cosine of 0.9999 (int8 loses more: about 0.99, and 1-2% of
    nDCG@10); `auto` picks it on AMX only (auto_backend says why).
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


class CudaFp16Embedder(SentenceTransformerEmbedder):
    """The model in float16 on a CUDA GPU, for re-embedding in bulk (`reembed_batch_size` of
    1024 or more: a GPU is fed by large batches, and the CPU's 64 leave it mostly idle).

    Chosen by settings only (`embedding_backend: cuda-fp16`), never by `auto`: its vectors form
    their own space, like every backend's. `tracelens bench gpu-embed` measures it on a GPU
    machine against fp32 on that machine's CPU.
    """

    backend = "cuda-fp16"
    half = True
    """Cast the weights to float16 on the GPU (False keeps fp32 there: a bench reference)."""

    device = "cuda"  # tokenising and pooling stay on the CPU, with `threads`

    def _require(self, torch: Any) -> None:
        if not torch.cuda.is_available():
            raise ConfigError(
                f"embedding backend {self.backend} needs a CUDA GPU, and torch "
                f"{torch.__version__} sees none; choose a CPU backend (auto) on this machine"
            )

    def _cast(self) -> None:
        if self.half:
            self._model.half()
        else:
            super()._cast()


CPUINFO = Path("/proc/cpuinfo")


@functools.lru_cache(maxsize=1)
def cpu_features() -> frozenset[str]:
    """The CPU's feature flags as Linux lists them (empty where /proc/cpuinfo is missing);
    read from the file, not torch, so choosing a backend imports nothing heavy."""
    try:
        for line in CPUINFO.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("flags"):
                return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def bf16_hardware(features: frozenset[str] | None = None) -> bool:
    """True when the CPU multiplies bfloat16 natively (AMX tiles or AVX512-BF16)."""
    flags = cpu_features() if features is None else features
    return bool({"amx_bf16", "avx512_bf16"} & flags)


INT8_UNITS = ("avx512_vnni", "avx_vnni", "amx_int8")
"""Flags of int8 dot-product instructions (ONNX Runtime's u8s8 kernels use them)."""


def auto_backend(features: frozenset[str]) -> tuple[str, str]:
    """The backend `auto` picks on a CPU with these flags, and why.

    AMX tiles: torch-bf16 (oneDNN's AMX bf16 kernels; not measured on the machines here).
    Everywhere else: openvino-int8. `tracelens bench embed` on an AMD EPYC with AVX512-VNNI and
    AVX512-BF16 measured it about 2x onnx-int8 and faster than torch-bf16; without bf16 units
    bf16 is emulated and slowest of all. Without VNNI (an AVX2-only AMD EPYC, 2 threads) it
    measured level with fp32 (0.99x, nDCG@10 +0.33%) and onnx-int8 1.71x but -1.49% nDCG@10,
    outside the 1% quality bound: openvino-int8 stays the pick there for its quality.
    """
    if "amx_bf16" in features:
        return "torch-bf16", "AMX bf16 tiles"
    units = [flag for flag in INT8_UNITS if flag in features]
    if units:
        also = " (AVX512-BF16 too, measured slower)" if "avx512_bf16" in features else ""
        return "openvino-int8", f"int8 dot-product units {'+'.join(units)}{also}"
    return "openvino-int8", "no AMX or VNNI units: about fp32's speed, at fp32's quality"


def resolve_backend(backend: str, *, features: frozenset[str] | None = None) -> str:
    """`auto` is chosen by the CPU's features (auto_backend); other names stand."""
    if backend != "auto":
        return backend
    return auto_backend(cpu_features() if features is None else features)[0]


def backend_choice(backend: str, *, features: frozenset[str] | None = None) -> str:
    """The line a process prints at start: the backend it embeds with, and why."""
    if backend != "auto":
        return f"embedding backend {backend} (configured)"
    chosen, why = auto_backend(cpu_features() if features is None else features)
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

        self.version = model_version()
        built = ensure_int8_model(cache_dir)
        self.model_path = built.path
        self.build_seconds = built.build_seconds
        self._tokenizer = batch_tokenizer()
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
        _, hidden, mask = self._run(texts)
        return mean_pool(hidden, mask)

    def embed_batch_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """The texts' vectors and their spans' (embeddings.spans), from one model pass."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        encodings, hidden, mask = self._run(texts)
        pooled = [
            pool_spans(h, e.offsets, e.special_tokens_mask, e.attention_mask, s)
            for h, e, s in zip(hidden, encodings, spans, strict=True)
        ]
        return mean_pool(hidden, mask), pooled

    def _run(self, texts: Sequence[str]) -> tuple[list[Any], np.ndarray, np.ndarray]:
        """The encodings, the last hidden state and the attention mask of one batch."""
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return encodings, self._infer(feeds), mask

    def _infer(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        hidden: np.ndarray = self._session.run(None, feeds)[0]
        return hidden


class OpenVinoInt8Embedder(OnnxInt8Embedder):
    """Static int8 in OpenVINO (embeddings/openvino_build.py): about 2× onnx-int8 on CPU.

    Tokenising and pooling are onnx-int8's. Unquantised operations run in fp32 on every CPU
    (OpenVINO would pick bf16 where the CPU has it), so vectors do not depend on the machine.
    """

    backend = "openvino-int8"

    def __init__(self, *, cache_dir: Path, threads: int | None = None):
        quiet_openvino()
        # start-up speed: OpenVINO loads only for this backend
        import openvino as ov

        self.version = model_version()
        built = ensure_openvino_int8_model(cache_dir)
        self.model_path = built.path
        self.build_seconds = built.build_seconds
        self._tokenizer = batch_tokenizer()
        config: dict[str, Any] = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}
        if threads is not None:
            config["INFERENCE_NUM_THREADS"] = threads
        self._compiled = ov.Core().compile_model(str(self.model_path), "CPU", config)
        self._inputs = [port.get_any_name() for port in self._compiled.inputs]
        self._local = threading.local()  # an infer request serves one thread at a time

    def _infer(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        hidden: np.ndarray = request.infer({name: feeds[name] for name in self._inputs})[0]
        return hidden


def batch_tokenizer() -> Any:
    """The model's fast tokenizer, truncating at the model's limit and padding to the longest
    text of a batch (tokenizer.json ships with fixed 128-token padding and truncation; the
    model's own limit is 256, sentence_bert_config.json, and padding to the longest is cheaper)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_SEQ_LENGTH)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


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
    if backend == "cuda-fp16":
        return CudaFp16Embedder(threads=threads)
    if backend == "onnx-int8":
        return OnnxInt8Embedder(cache_dir=cache_dir, threads=threads)
    if backend == "openvino-int8":
        return OpenVinoInt8Embedder(cache_dir=cache_dir, threads=threads)
    raise ConfigError(f"unknown embedding backend {backend!r}")


def describe(embedder: Embedder) -> dict[str, Any]:
    """The embedding space a vector belongs to, for logs and benchmark output."""
    return {
        "model": embedder.model,
        "version": embedder.version,
        "backend": embedder.backend,
        "dimension": embedder.dimension,
    }
