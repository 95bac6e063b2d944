"""Parse-speed benchmark: our pypdfium2 parser against pdfminer.six text extraction, same PDFs,
in process and as a whole `tracelens parse` process (start-up included)."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

import pypdfium2 as pdfium
from pdfminer.high_level import extract_text

from core.errors import ParseError
from ingestion.parsers.pdf import parse_pdf

TARGET_SPEEDUP = 10.0
TARGET_PAGES_PER_S = 100.0


def _page_count(data: bytes) -> int:
    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def run_parse_benchmark(corpus_dir: Path, *, rounds: int = 3) -> dict[str, Any]:
    """Time parse_pdf, pdfminer's extract_text and a whole `tracelens parse` process over every
    *.pdf in corpus_dir, back to back, `rounds` times.

    Each round measures the three within seconds of each other, so a round's ratios hold when
    the machine's load changes during the run; the figures are the rounds' medians (of times
    and of the per-round ratios), and each round is kept in `rounds` for the record.
    """
    files = sorted(Path(corpus_dir).glob("*.pdf"))
    blobs = [(f.name, f.read_bytes()) for f in files]
    pages = sum(_page_count(data) for _, data in blobs)
    failures = 0
    each: list[dict[str, float]] = []
    for _ in range(rounds):
        failures = 0
        start = time.perf_counter()
        for name, data in blobs:
            try:
                parse_pdf(data, filename=name, sha256=hashlib.sha256(data).hexdigest())
            except ParseError:
                failures += 1
        ours = time.perf_counter() - start
        start = time.perf_counter()
        for _, data in blobs:
            extract_text(io.BytesIO(data))
        miner = time.perf_counter() - start
        whole = _whole_process_seconds([Path(corpus_dir) / name for name, _ in blobs])
        each.append({"ours": ours, "pdfminer": miner, "whole": whole})
    ours, miner, whole = (median(r[k] for r in each) for k in ("ours", "pdfminer", "whole"))
    in_process = median(r["pdfminer"] / r["ours"] for r in each if r["ours"])
    whole_speedup = median(r["pdfminer"] / r["whole"] for r in each if r["whole"])
    ours_rate = pages / ours if ours else 0.0
    miner_rate = pages / miner if miner else 0.0
    return {
        "rounds": each,
        "whole_process_seconds": whole,
        "whole_process_speedup": whole_speedup,
        "files": len(blobs),
        "pages": pages,
        "parse_failures": failures,
        "ours_seconds": ours,
        "ours_pages_per_s": ours_rate,
        "pdfminer_seconds": miner,
        "pdfminer_pages_per_s": miner_rate,
        "speedup": in_process,
        "meets_targets": ours_rate >= TARGET_PAGES_PER_S
        and miner_rate > 0
        and in_process >= TARGET_SPEEDUP
        and whole_speedup >= TARGET_SPEEDUP,
    }


def _whole_process_seconds(files: list[Path]) -> float:
    """Wall time of `tracelens parse FILES --json` as a fresh process, start-up included."""
    cli = Path(sys.executable).with_name("tracelens")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "cli"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "parse", *map(str, files), "--json"], capture_output=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"tracelens parse failed: {done.stderr.decode()[-500:]}")
    return seconds


def format_parse_benchmark(result: dict[str, Any]) -> str:
    """A short human-readable summary of run_parse_benchmark's result."""
    rounds = "; ".join(
        f"{r['pdfminer'] / r['ours']:.1f}x / {r['pdfminer'] / r['whole']:.1f}x"
        for r in result["rounds"]
        if r["ours"] and r["whole"]
    )
    return (
        f"{result['files']} PDFs, {result['pages']} pages "
        f"({result['parse_failures']} parse failures); medians of {len(result['rounds'])} "
        "rounds, each timing the three back to back\n"
        f"  ours (pypdfium2): {result['ours_pages_per_s']:8.1f} pages/s "
        f"({result['ours_seconds']:.3f} s)\n"
        f"  pdfminer.six:     {result['pdfminer_pages_per_s']:8.1f} pages/s "
        f"({result['pdfminer_seconds']:.3f} s)\n"
        f"  whole process (`tracelens parse --json`, start-up included): "
        f"{result['whole_process_seconds']:.3f} s, "
        f"{result['whole_process_speedup']:.1f}x pdfminer.six\n"
        f"  each round, in process / whole process: {rounds}\n"
        f"  speed-up: {result['speedup']:.1f}x in process "
        f"(targets: >= {TARGET_SPEEDUP:.0f}x in process and whole, "
        f">= {TARGET_PAGES_PER_S:.0f} pages/s: "
        f"{'met' if result['meets_targets'] else 'NOT met'})"
    )


if __name__ == "__main__":
    print(format_parse_benchmark(run_parse_benchmark(Path(sys.argv[1]))))
