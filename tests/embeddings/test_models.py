"""The real embedders: offline loading, sane similarities, int8 agreeing with fp32, cache reuse."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from core.errors import ConfigError
from embeddings.base import FakeEmbedder, QueryCache, embed_texts
from embeddings.models import (
    CudaFp16Embedder,
    OnnxInt8Embedder,
    SentenceTransformerEmbedder,
    TorchBf16Embedder,
    auto_backend,
    bf16_hardware,
    cpu_features,
    load_embedder,
    make_embedder,
    resolve_backend,
)
from embeddings.onnx_build import DIMENSION, ensure_int8_model, int8_model_path

SUBJECTS = ["The professor", "The instructor", "Dr. Lee", "Our TA"]
GOOD = [
    "explained every concept clearly and patiently",
    "answered emails within a day and gave detailed feedback",
    "made everyone feel welcome in class discussions",
]
BAD = [
    "assigned far too much homework every single week",
    "wrote exams that were unfair and confusing",
    "never posted the syllabus and the course was disorganized",
]


def generated_comments(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [f"{rng.choice(SUBJECTS)} {rng.choice(GOOD + BAD)}."]
        if rng.random() < 0.5:
            parts.append(f"Also, {rng.choice(SUBJECTS).lower()} {rng.choice(GOOD + BAD)}.")
        out.append(" ".join(parts))
    return out


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def fp32() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(threads=2)


@pytest.fixture(scope="module")
def int8(cache_dir: Path) -> OnnxInt8Embedder:
    return OnnxInt8Embedder(cache_dir=cache_dir, threads=2)


def test_fp32_loads_offline_and_gives_normalised_384_dim_vectors(
    fp32: SentenceTransformerEmbedder,
) -> None:
    vectors = fp32.embed_batch(["Great course.", "Too much homework."])
    assert vectors.shape == (2, DIMENSION) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (fp32.model, fp32.backend, fp32.dimension) == ("all-MiniLM-L6-v2", "st-fp32", 384)
    assert fp32.version


@pytest.mark.parametrize("name", ["fp32", "int8"])
def test_close_sentences_score_higher_than_unrelated(
    name: str, request: pytest.FixtureRequest
) -> None:
    embedder = request.getfixturevalue(name)
    a, b, c = embedder.embed_batch(
        [
            "The homework load was far too heavy.",
            "There were way too many assignments each week.",
            "The classroom had comfortable chairs and big windows.",
        ]
    )
    assert a @ b > a @ c + 0.2


def test_int8_agrees_with_fp32(fp32: SentenceTransformerEmbedder, int8: OnnxInt8Embedder) -> None:
    comments = generated_comments(40)
    reference = embed_texts(fp32, comments, batch_size=16)
    fast = embed_texts(int8, comments, batch_size=16)
    assert fast.shape == (40, DIMENSION)
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert float((reference * fast).sum(axis=1).mean()) >= 0.98

    docs = [f"The professor {p}." for p in GOOD + BAD]
    queries = [
        "clear explanations",
        "quick replies to email and useful feedback",
        "inclusive and welcoming",
        "heavy workload",
        "unfair tests",
        "the syllabus was missing and the course disorganized",
    ]
    tops = [
        (e.embed_batch(queries) @ e.embed_batch(docs).T).argmax(axis=1).tolist()
        for e in (fp32, int8)
    ]
    assert tops[0] == list(range(len(queries)))
    assert tops[1] == tops[0]


@pytest.mark.parametrize(("name", "agreement"), [("fp32", 0.9999), ("int8", 0.97)])
def test_embed_texts_preserves_input_order(
    name: str, agreement: float, request: pytest.FixtureRequest
) -> None:
    embedder = request.getfixturevalue(name)
    texts = [*generated_comments(9, seed=8), "Short.", "A much longer comment " * 12]
    batched = embed_texts(embedder, texts, batch_size=4)
    one_by_one = np.vstack([embedder.embed_batch([t]) for t in texts])
    # Dynamic int8 quantises activations per batch, so its rows move a little with batching.
    assert ((batched * one_by_one).sum(axis=1) > agreement).all()
    assert (batched @ one_by_one.T).argmax(axis=1).tolist() == list(range(len(texts)))


def test_int8_keeps_the_feed_forward_outputs_and_embeddings_in_fp32(
    int8: OnnxInt8Embedder,
) -> None:
    import onnx

    nodes = onnx.load(str(int8.model_path)).graph.node
    kinds = [n.op_type for n in nodes]
    fp32 = [n.name for n in nodes if n.op_type == "MatMul"]
    assert len(fp32) == 6 and all("/output/dense/" in n and "/attention/" not in n for n in fp32)
    # the rest is int8: attention in QAttention, its output and the FFN input in MatMulInteger
    assert kinds.count("QAttention") == 6 and kinds.count("MatMulInteger") == 12
    assert "QEmbedLayerNormalization" not in kinds


def test_cached_model_is_reused(cache_dir: Path, int8: OnnxInt8Embedder) -> None:
    path = int8_model_path(cache_dir)
    assert int8.model_path == path and path.is_file()
    before = path.stat().st_mtime_ns
    again = ensure_int8_model(cache_dir)
    assert again.build_seconds is None and again.path == path
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in cache_dir.iterdir()] == [path.name]  # no temp files left behind


def test_factory_caches_per_settings(tmp_path: Path) -> None:
    from core.settings import Settings

    settings = Settings(_env_file=None, state_dir=tmp_path, embedding_backend="fake")
    first = make_embedder(settings)
    assert isinstance(first, FakeEmbedder)
    assert make_embedder(settings) is first
    assert load_embedder("fake", threads=None, cache_dir=settings.model_cache) is first


def test_fake_embedder_is_deterministic() -> None:
    texts = ["Exams were fair.", "exams were FAIR!", "Lectures were boring."]
    a, b = FakeEmbedder().embed_batch(texts), FakeEmbedder().embed_batch(texts)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[0], a[1])
    assert a[0] @ a[2] < a[0] @ a[1]


@pytest.mark.skipif(not bf16_hardware(), reason="this CPU has no bfloat16 matrix units")
def test_bf16_matches_fp32(fp32: SentenceTransformerEmbedder) -> None:
    texts = generated_comments(40)
    bf16 = TorchBf16Embedder(threads=2)
    a, b = embed_texts(fp32, texts), embed_texts(bf16, texts)
    assert b.dtype == np.float32 and b.shape == (40, DIMENSION)
    cosine = (a * b).sum(axis=1)
    assert float(cosine.mean()) >= 0.999 and float(cosine.min()) >= 0.995


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


@pytest.mark.skipif(
    not _cuda(), reason="no CUDA GPU here (`tracelens bench gpu-embed` is run on one)"
)
def test_cuda_fp16_matches_fp32(fp32: SentenceTransformerEmbedder) -> None:
    texts = generated_comments(40)
    a, b = embed_texts(fp32, texts), embed_texts(CudaFp16Embedder(), texts, batch_size=1024)
    assert b.dtype == np.float32 and b.shape == (40, DIMENSION)
    cosine = (a * b).sum(axis=1)
    assert float(cosine.mean()) >= 0.999 and float(cosine.min()) >= 0.995


@pytest.mark.skipif(_cuda(), reason="this machine has a CUDA GPU")
def test_the_gpu_backend_without_a_gpu_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cuda-fp16 needs a CUDA GPU.*choose a CPU backend"):
        load_embedder("cuda-fp16", threads=1, cache_dir=tmp_path)
    assert resolve_backend("auto") != "cuda-fp16"


def test_auto_backend_follows_the_hardware() -> None:
    assert resolve_backend("auto") == auto_backend(cpu_features())[0]
    assert resolve_backend("onnx-int8") == "onnx-int8"


def test_query_cache_embeds_each_query_once() -> None:
    cache = QueryCache(FakeEmbedder(), size=2)
    first = cache.embed_query("Is the  homework heavy?")
    assert cache.embed_query("is the homework heavy?") is first
    cache.embed_query("b")
    cache.embed_query("c")  # evicts the oldest
    assert (cache.hits, cache.misses) == (1, 3)
    cache.embed_query("is the homework heavy?")
    assert cache.misses == 4
