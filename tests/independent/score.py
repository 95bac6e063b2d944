"""`python -m tests.independent.score DIR`: run `tracelens parse --json` on DIR's PDFs, compare.

The product is a black box here: its CLI is run as a subprocess (from inside DIR, on the bare
file names) and its JSON Lines are compared with the `<name>.truth.json` files.

Definitions:
- exact: every field equal except `warnings`, which is ignored (the truth says `[]`, but a
  parser may warn about something harmless). Floats are equal within 1e-9.
- field accuracy: the JSON is flattened to leaf paths (dict keys; list items by index, so the
  i-th question or comment of the parse is compared with the i-th of the truth; an empty list
  is one leaf). Accuracy = leaves present on both sides with equal values / leaves on either
  side. An error counts as 0 of the truth's leaves. Reported over all reports and over the
  reports that parsed without error.
- error: the CLI printed `{"file", "error"}` for the file, or nothing at all.
- silent loss: parsed without error but with fewer questions, comments or frequency blocks
  than the truth holds.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

IGNORED = ("warnings",)


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Flatten JSON to {path: scalar}; empty lists and dicts are leaves of their own."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(leaves(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, item in enumerate(value):
            out.update(leaves(item, f"{path}[{i}]"))
        return out
    return {path: value}


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= 1e-9
    return bool(a == b) and type(a) is type(b)


def _top(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def compare(truth: dict[str, Any], parsed: dict[str, Any] | None) -> tuple[int, int, list[str]]:
    """(matching leaves, leaves on either side, paths that differ)."""
    want = {k: v for k, v in leaves(truth).items() if _top(k) not in IGNORED}
    if parsed is None:
        return 0, len(want), sorted(want)
    got = {k: v for k, v in leaves(parsed).items() if _top(k) not in IGNORED}
    paths = set(want) | set(got)
    bad = sorted(p for p in paths if p not in want or p not in got or not same(want[p], got[p]))
    return len(paths) - len(bad), len(paths), bad


def default_cli() -> str:
    here = Path(sys.executable).parent / "tracelens"
    return str(here) if here.exists() else shutil.which("tracelens") or "tracelens"


def run_parser(cli: str, folder: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """The CLI's object per file name; files it printed nothing for are retried one by one."""
    results: dict[str, dict[str, Any]] = {}

    def invoke(batch: list[str]) -> str:
        proc = subprocess.run(
            [cli, "parse", *batch, "--json"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        for line in proc.stdout.splitlines():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict) and "file" in obj:
                results[Path(str(obj["file"])).name] = obj
        return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""

    invoke(names)
    for name in [n for n in names if n not in results]:
        tail = invoke([name])
        results.setdefault(name, {"file": name, "error": f"no output from the CLI: {tail}"})
    return results


def score(folder: Path, cli: str) -> dict[str, Any]:
    truths = {
        p.name.removesuffix(".truth.json"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.truth.json"))
    }
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    parsed = run_parser(cli, folder, sorted(truths))
    rows = []
    for name, truth in truths.items():
        result = parsed[name]
        error = result.get("error") if "error" in result else None
        ok, total, bad = compare(truth, None if error is not None else result)
        loss = []
        if error is None:
            for key in ("questions", "comments", "frequencies"):
                if len(result.get(key) or []) < len(truth[key]):
                    loss.append(key)
        rows.append(
            {
                "file": name,
                "layout": truth["layout"],
                "exact": error is None and not bad,
                "error": error,
                "matched": ok,
                "leaves": total,
                "differs": bad,
                "loss": loss,
                "axes": manifest.get(name, {"layout": truth["layout"]}),
            }
        )
    return {"reports": rows}


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "0/0"


def summary(rows: list[dict[str, Any]]) -> str:
    n = len(rows)
    parsed = [r for r in rows if r["error"] is None]
    out = [f"reports: {n}"]
    out.append(f"exact (all fields but warnings): {_pct(sum(r['exact'] for r in rows), n)}")
    matched, total = sum(r["matched"] for r in rows), sum(r["leaves"] for r in rows)
    out.append(
        f"field accuracy, all reports: {matched}/{total} ({100 * matched / max(total, 1):.1f}%)"
    )
    pm, pt = sum(r["matched"] for r in parsed), sum(r["leaves"] for r in parsed)
    out.append(f"field accuracy, parsed reports only: {pm}/{pt} ({100 * pm / max(pt, 1):.1f}%)")
    out.append(f"parse errors: {_pct(n - len(parsed), n)}")
    lossy = [r for r in parsed if r["loss"]]
    out.append(
        f"silent loss (parsed, but fewer questions/comments/frequencies): {_pct(len(lossy), n)}"
    )
    for key in ("questions", "comments", "frequencies"):
        out.append(f"  fewer {key}: {sum(key in r['loss'] for r in parsed)}")
    wrong = [r for r in parsed if not r["exact"] and not r["loss"]]
    out.append(f"parsed, nothing lost, but some field wrong: {_pct(len(wrong), n)}")
    for layout in sorted({r["layout"] for r in rows}):
        sub = [r for r in rows if r["layout"] == layout]
        errs = sum(r["error"] is not None for r in sub)
        out.append(
            f"  {layout}: exact {_pct(sum(r['exact'] for r in sub), len(sub))}, errors {errs}"
        )
    fields = Counter(re.sub(r"\[\d+\]", "[]", p) for r in parsed for p in r["differs"])
    if fields:
        out.append("most often wrong fields (parsed reports; count of leaves):")
        out += [f"  {count:5d}  {field}" for field, count in fields.most_common(15)]
    reasons = Counter(re.sub(r"\d+", "N", str(r["error"]))[:110] for r in rows if r["error"])
    if reasons:
        out.append("error messages (digits as N):")
        out += [f"  {count:3d}  {reason}" for reason, count in reasons.most_common(12)]
    out.append("by style axis (value: exact/n, parse errors, field accuracy):")
    by_axis: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        for axis, value in r["axes"].items():
            by_axis[axis][value].append(r)
    for axis in sorted(by_axis):
        parts = []
        for value in sorted(by_axis[axis]):
            sub = by_axis[axis][value]
            errs = sum(r["error"] is not None for r in sub)
            acc = 100 * sum(r["matched"] for r in sub) / max(sum(r["leaves"] for r in sub), 1)
            parts.append(f"{value}: {sum(r['exact'] for r in sub)}/{len(sub)}, {errs}e, {acc:.0f}%")
        out.append(f"  {axis:18s} " + " | ".join(parts))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cli", default=default_cli(), help="the tracelens executable")
    parser.add_argument("--json-out", type=Path, help="also write per-report results here")
    args = parser.parse_args()
    result = score(args.folder, args.cli)
    print(summary(result["reports"]))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
