"""`auto` picks the backend by the CPU's features and says which, and why, at start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.settings import Settings
from embeddings.models import (
    auto_backend,
    backend_choice,
    cpu_features,
    make_embedder,
    resolve_backend,
)

EPYC = frozenset(["avx2", "avx512f", "avx512_bf16", "avx512_vnni"])
"""The flags that matter on the 2-core AMD EPYC the benchmarks ran on."""
SAPPHIRE_RAPIDS = frozenset(
    ["avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "amx_bf16", "amx_int8"]
)
CLOUD_AVX2 = frozenset(["avx2", "fma"])


def test_auto_is_bf16_on_amx_and_int8_everywhere_else() -> None:
    assert resolve_backend("auto", features=SAPPHIRE_RAPIDS) == "torch-bf16"
    # int8 with VNNI measured faster than bf16 beside AVX512-BF16 (tracelens bench embed)
    assert resolve_backend("auto", features=EPYC) == "openvino-int8"
    assert resolve_backend("auto", features=CLOUD_AVX2) == "openvino-int8"
    assert resolve_backend("auto", features=frozenset()) == "openvino-int8"
    assert resolve_backend("st-fp32", features=SAPPHIRE_RAPIDS) == "st-fp32"  # a name stands
    assert backend_choice("auto", features=EPYC) == (
        "embedding backend openvino-int8 (auto: int8 dot-product units avx512_vnni"
        " (AVX512-BF16 too, measured slower))"
    )
    assert backend_choice("auto", features=SAPPHIRE_RAPIDS) == (
        "embedding backend torch-bf16 (auto: AMX bf16 tiles)"
    )
    assert backend_choice("onnx-int8") == "embedding backend onnx-int8 (configured)"


def test_the_choice_is_logged_when_the_model_is_made(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(_env_file=None, state_dir=tmp_path, embedding_backend="auto")
    with caplog.at_level(logging.INFO, logger="embeddings.models"):
        embedder = make_embedder(settings)
    expected, why = auto_backend(cpu_features())
    assert embedder.backend == expected
    assert f"embedding backend {expected} (auto: {why})" in caplog.text
