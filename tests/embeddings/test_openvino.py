"""The int8 OpenVINO embedder: built offline and quietly, close to fp32, batch-independent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from embeddings.base import embed_texts
from embeddings.models import OpenVinoInt8Embedder, SentenceTransformerEmbedder, load_embedder
from embeddings.onnx_build import DIMENSION
from embeddings.openvino_build import (
    KEPT_FP32_LAYERS,
    calibration_texts,
    ensure_openvino_int8_model,
    openvino_model_dir,
)
from tests.embeddings.test_models import BAD, GOOD, generated_comments


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ov-models")


@pytest.fixture(scope="module")
def int8(cache_dir: Path, home: Path) -> Iterator[OpenVinoInt8Embedder]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))  # where OpenVINO's telemetry would keep its client id
        embedder = OpenVinoInt8Embedder(cache_dir=cache_dir, threads=2)
    yield embedder


@pytest.fixture(scope="module")
def fp32() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(threads=2)


def test_build_leaves_one_model_and_no_telemetry_files(
    int8: OpenVinoInt8Embedder, cache_dir: Path, home: Path
) -> None:
    target = openvino_model_dir(cache_dir)
    assert int8.model_path == target / "model.xml"
    assert int8.build_seconds is not None and int8.build_seconds > 0
    assert sorted(p.name for p in target.iterdir()) == ["model.bin", "model.xml"]
    assert [p.name for p in cache_dir.iterdir()] == [target.name]  # no build directory left
    assert list(home.iterdir()) == []  # NNCF's usage reporting never started
    again = ensure_openvino_int8_model(cache_dir)
    assert again.build_seconds is None and again.path == int8.model_path


def test_agrees_with_fp32(fp32: SentenceTransformerEmbedder, int8: OpenVinoInt8Embedder) -> None:
    comments = generated_comments(40)
    reference = embed_texts(fp32, comments, batch_size=16)
    fast = embed_texts(int8, comments, batch_size=16)
    assert fast.shape == (40, DIMENSION) and fast.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert float((reference * fast).sum(axis=1).mean()) >= 0.99

    docs = [f"The professor {p}." for p in GOOD + BAD]
    queries = ["clear explanations", "heavy workload", "unfair tests"]
    expected = [0, 3, 4]
    assert (int8.embed_batch(queries) @ int8.embed_batch(docs).T).argmax(axis=1).tolist() == (
        expected
    )


def test_a_text_gets_the_same_vector_in_any_batch(int8: OpenVinoInt8Embedder) -> None:
    texts = [*generated_comments(9, seed=8), "Short.", "A much longer comment " * 12]
    batched = embed_texts(int8, texts, batch_size=4)
    one_by_one = np.vstack([int8.embed_batch([t]) for t in texts])
    # Activation scales are fixed at build time (dynamic int8 moves rows with the batch: 0.97)
    assert ((batched * one_by_one).sum(axis=1) > 0.9995).all()


def test_only_the_kept_feed_forward_outputs_stay_unquantised(
    int8: OpenVinoInt8Embedder,
) -> None:
    import openvino as ov

    model = ov.Core().read_model(str(int8.model_path))
    quantised_input = {
        op.get_friendly_name(): any(
            port.get_source_output().get_node().get_type_name() == "FakeQuantize"
            for port in op.inputs()
        )
        for op in model.get_ops()
        if op.get_type_name() == "MatMul"
        and "/output/dense/" in op.get_friendly_name()
        and "/attention/" not in op.get_friendly_name()
    }
    assert len(quantised_input) == 6
    kept = sorted(name for name, quantised in quantised_input.items() if not quantised)
    assert kept == [f"/inner/encoder/layer.{i}/output/dense/MatMul" for i in KEPT_FP32_LAYERS]


def test_calibration_reaches_the_length_limit_and_is_fixed() -> None:
    texts = calibration_texts()
    assert texts == calibration_texts()  # the recipe is reproducible
    assert min(len(t) for t in texts) < 60 and max(len(t) for t in texts) > 1000


def test_the_factory_loads_it_by_name(int8: OpenVinoInt8Embedder, cache_dir: Path) -> None:
    loaded = load_embedder("openvino-int8", threads=2, cache_dir=cache_dir)
    assert loaded.backend == "openvino-int8"
    np.testing.assert_allclose(
        loaded.embed_batch(["Great course."]), int8.embed_batch(["Great course."]), atol=1e-6
    )
