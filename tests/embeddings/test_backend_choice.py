"""`auto` picks the backend by the CPU's features and says which, and why, at start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.settings import Settings
from embeddings.models import backend_choice, bf16_hardware, make_embedder, resolve_backend


def test_auto_is_int8_without_bf16_units_and_bf16_with_them() -> None:
    assert resolve_backend("auto", bf16=False) == "onnx-int8"
    assert resolve_backend("auto", bf16=True) == "torch-bf16"
    assert resolve_backend("st-fp32", bf16=True) == "st-fp32"  # a named backend stands
    assert backend_choice("auto", bf16=False) == (
        "embedding backend onnx-int8 (auto: no bf16 units on this CPU: int8)"
    )
    assert backend_choice("onnx-int8") == "embedding backend onnx-int8 (configured)"


def test_the_choice_is_logged_when_the_model_is_made(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(_env_file=None, state_dir=tmp_path, embedding_backend="auto")
    with caplog.at_level(logging.INFO, logger="embeddings.models"):
        embedder = make_embedder(settings)
    expected = "torch-bf16" if bf16_hardware() else "onnx-int8"
    assert embedder.backend == expected
    assert f"embedding backend {expected} (auto: " in caplog.text
