"""Build the int8 OpenVINO model once per cache directory: export, quantise statically, save.

The recipe (measured in `tracelens bench embed`): the same ONNX export as onnx-int8, then NNCF's
post-training quantisation for transformers (SmoothQuant, per-channel int8 weights, activations
quantised with fixed scales calibrated on CALIBRATION_TEXTS) and OpenVINO's CPU kernels at fp32
for what stays unquantised. Fixed activation scales need no per-batch min/max pass, and a text's
vector no longer depends on the batch it was embedded with (ONNX Runtime's dynamic int8 moved
nDCG@10 from -0.9% to +0.04% between batch 32 and 64 on the same texts).

Layer 0's feed-forward output MatMul stays fp32: keeping it lifts the cosine to fp32 from
0.9963 to 0.9973 on four generated corpora; keeping layer 5's instead changed nothing (0.9963),
keeping all six gave 0.9989 at 0.6× the speed. Measured on one thread, process CPU time, against
ONNX Runtime's int8 (130 comments per CPU second): this recipe 265, fp32 in OpenVINO 91.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.calibration import CALIBRATION_SENTENCES
from embeddings.onnx_build import MAX_SEQ_LENGTH, MODEL_NAME, BuiltModel, export_fp32, model_version
from embeddings.onnx_build import logger as build_logger

OPENVINO_RECIPE = "ov-nncf-int8-l0ffn32"
"""Names the build recipe in the directory name, so a changed recipe never reuses an old model."""
KEPT_FP32_LAYERS = (0,)
"""Layers whose feed-forward output MatMul is not quantised (see the module docstring)."""
CALIBRATION_SAMPLES = 300
CALIBRATION_BATCH = 8


def openvino_model_dir(cache_dir: Path) -> Path:
    return cache_dir / f"{MODEL_NAME}-{model_version()}-{OPENVINO_RECIPE}"


def ensure_openvino_int8_model(cache_dir: Path) -> BuiltModel:
    """The cached model.xml (its weights in model.bin beside it), building it first if missing."""
    target = openvino_model_dir(cache_dir)
    if (target / "model.xml").is_file():
        return BuiltModel(target / "model.xml", None)
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=cache_dir))
    try:
        exported = work / "fp32.onnx"
        export_fp32(exported)
        built = work / "model"
        quantise_openvino(exported, built)
        try:
            os.replace(built, target)  # a directory: atomic, and fails if a racer finished first
        except OSError:
            if not (target / "model.xml").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    build_logger.warning("built %s in %.1f s (first use in %s)", target.name, seconds, cache_dir)
    return BuiltModel(target / "model.xml", seconds)


def quiet_openvino() -> None:
    """Keep OpenVINO and NNCF from reporting usage; call before importing either.

    `import openvino` alone writes a client id and counters under ~/intel, and NNCF reports
    usage unless told it runs in CI. Both fall back to stubs when the telemetry package cannot
    be imported, which None in sys.modules ensures: nothing is written and nothing is sent.
    """
    os.environ["NNCF_CI"] = "1"
    sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]


def quantise_openvino(src: Path, out_dir: Path) -> None:
    """NNCF post-training int8 of the exported model, saved as out_dir/model.xml + model.bin."""
    quiet_openvino()
    # start-up speed: the build tools load only while building the model
    import nncf
    import openvino as ov

    model = ov.Core().read_model(str(src))
    kept = [
        op.get_friendly_name()
        for op in model.get_ops()
        if op.get_type_name() == "MatMul"
        and any(f"/layer.{i}/output/dense/" in op.get_friendly_name() for i in KEPT_FP32_LAYERS)
        and "/attention/" not in op.get_friendly_name()
    ]
    if len(kept) != len(KEPT_FP32_LAYERS):
        raise RuntimeError(f"expected {len(KEPT_FP32_LAYERS)} feed-forward outputs, found {kept}")
    data = list(calibration_batches())
    quantised = nncf.quantize(
        model,
        nncf.Dataset(data),
        model_type=nncf.ModelType.TRANSFORMER,
        subset_size=len(data),
        ignored_scope=nncf.IgnoredScope(names=kept),
    )
    out_dir.mkdir()
    ov.save_model(quantised, str(out_dir / "model.xml"))


def calibration_texts(count: int = CALIBRATION_SAMPLES, seed: int = 0) -> list[str]:
    """One to sixteen calibration sentences each, so lengths reach the 256-token limit."""
    rng = random.Random(seed)
    return [
        " ".join(rng.sample(CALIBRATION_SENTENCES, rng.choice((1, 1, 1, 2, 2, 3, 4, 6, 10, 16))))
        for _ in range(count)
    ]


def calibration_batches() -> Iterator[dict[str, Any]]:
    """Model inputs for the calibration texts, in batches of similar length."""
    from tokenizers import Tokenizer

    from embeddings.onnx_build import model_dir

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_SEQ_LENGTH)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    texts = sorted(calibration_texts(), key=len)
    for start in range(0, len(texts), CALIBRATION_BATCH):
        encodings = tokenizer.encode_batch(texts[start : start + CALIBRATION_BATCH])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        yield {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
