"""Parse-speed benchmark: our pypdfium2 parser against pdfminer.six text extraction, same PDFs,
in process and as a whole `tracelens parse` process (start-up included)."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import time
from pathlib import Path
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


def run_parse_benchmark(corpus_dir: Path) -> dict[str, Any]:
    """Time parse_pdf and pdfminer's extract_text back to back over every *.pdf in corpus_dir."""
    files = sorted(Path(corpus_dir).glob("*.pdf"))
    blobs = [(f.name, f.read_bytes()) for f in files]
    pages = sum(_page_count(data) for _, data in blobs)
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
    ours_rate = pages / ours if ours else 0.0
    miner_rate = pages / miner if miner else 0.0
    return {
        "whole_process_seconds": whole,
        "whole_process_speedup": miner / whole if whole else 0.0,
        "files": len(blobs),
        "pages": pages,
        "parse_failures": failures,
        "ours_seconds": ours,
        "ours_pages_per_s": ours_rate,
        "pdfminer_seconds": miner,
        "pdfminer_pages_per_s": miner_rate,
        "speedup": ours_rate / miner_rate if miner_rate else 0.0,
        "meets_targets": ours_rate >= TARGET_PAGES_PER_S
        and miner_rate > 0
        and ours_rate / miner_rate >= TARGET_SPEEDUP
        and miner / whole >= TARGET_SPEEDUP,
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
    return (
        f"{result['files']} PDFs, {result['pages']} pages "
        f"({result['parse_failures']} parse failures)\n"
        f"  ours (pypdfium2): {result['ours_pages_per_s']:8.1f} pages/s "
        f"({result['ours_seconds']:.3f} s)\n"
        f"  pdfminer.six:     {result['pdfminer_pages_per_s']:8.1f} pages/s "
        f"({result['pdfminer_seconds']:.3f} s)\n"
        f"  whole process (`tracelens parse --json`, start-up included): "
        f"{result['whole_process_seconds']:.3f} s, "
        f"{result['whole_process_speedup']:.1f}x pdfminer.six\n"
        f"  speed-up: {result['speedup']:.1f}x in process "
        f"(targets: >= {TARGET_SPEEDUP:.0f}x in process and whole, "
        f">= {TARGET_PAGES_PER_S:.0f} pages/s: "
        f"{'met' if result['meets_targets'] else 'NOT met'})"
    )


if __name__ == "__main__":
    print(format_parse_benchmark(run_parse_benchmark(Path(sys.argv[1]))))
