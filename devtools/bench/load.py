"""`tracelens bench load`: mixed search, ask and dashboard traffic from several principals
against one real API process, driven by locust (headless) on 127.0.0.1.

Everything is real and local: the embedded PostgreSQL, a generated corpus uploaded over HTTP and
processed by a worker (stopped before the load, so it takes no CPU from the API), API keys of
several analysts and viewers, and the API as `tracelens serve` runs it. The baseline from the
same run is search alone: one client, one request at a time, before the load. Rate limits are
raised for the run: it measures what the API sustains, not what the limiter lets through.

Figures: requests/s sustained, p50/p95 per request kind, errors (any non-2xx), the search p95
under load against the unloaded one, and the API process's resident memory before and after.
"""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from core.auth.keys import create_key
from core.db import connect, start_embedded
from core.db.migrate import migrate
from devtools.bench.pipeline import upload_all, wait_processed
from devtools.corpus.writer import write_corpus
from devtools.processes import Child, free_port
from devtools.stack.supervisor import cli_command

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
ANALYSTS = 4
VIEWERS = 2
UNLOADED_SEARCHES = 30


def _rss_mb(pid: int) -> float:
    """Resident memory of a process in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _keys(url: str, role: str, count: int) -> list[str]:
    with connect(url) as conn:
        keys = [create_key(conn, name=f"load-{role}-{n}", roles=[role])[0] for n in range(count)]
        conn.commit()
    return keys


def _unloaded_search_ms(client: httpx.Client) -> list[float]:
    times = []
    for n in range(UNLOADED_SEARCHES):
        started = time.perf_counter()
        client.post("/v1/search", json={"query": f"is the homework load heavy {n}", "k": 10})
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _stats(csv_path: Path) -> dict[str, dict[str, float]]:
    """locust's summary CSV as {name: {requests, failures, rps, p50, p95}}."""
    out: dict[str, dict[str, float]] = {}
    with csv_path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["Name"]] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
            }
    return out


def run_load_benchmark(*, reports: int, users: int, seconds: int, seed: int = 31) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="tl-bench-load-", dir="/tmp"))
    logs = root / "logs"
    logs.mkdir()
    db = start_embedded(root / "pgdata")
    children: list[Child] = []
    try:
        with connect(db.url) as conn:
            migrate(conn)
        files = write_corpus(root / "corpus", reports=reports, seed=seed)
        port = free_port()
        env = {
            "TRACELENS_DATABASE_URL": db.url,
            "TRACELENS_STATE_DIR": str(root / "state"),
            "TRACELENS_API_PORT": str(port),
            "TRACELENS_RATE_LIMIT_SEARCH": "1000000/minute",
            "TRACELENS_RATE_LIMIT_ASK": "1000000/minute",
            "TRACELENS_RATE_LIMIT_UPLOAD": "1000000/minute",
        }
        base = f"http://127.0.0.1:{port}"
        api = Child(
            "the API", cli_command("serve"), url=f"{base}/readyz", env=env, log=logs / "api.log"
        )
        children.append(api.start())
        worker = Child("the worker", cli_command("worker"), env=env, log=logs / "worker.log")
        children.append(worker.start())
        uploader = _keys(db.url, "uploader", 1)[0]
        with httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {uploader}"}
        ) as client:
            upload_all(client, files)
        with connect(db.url) as conn:
            failed = wait_processed(conn, len(files), alive=lambda: worker.running())
            if failed:
                reasons = conn.execute(
                    "SELECT DISTINCT error FROM reports WHERE status = 'failed'"
                ).fetchall()
                raise RuntimeError(
                    f"{failed} of {len(files)} reports failed to parse: "
                    + "; ".join(str(r["error"]) for r in reasons)
                )
            courses = [r["code"] for r in conn.execute("SELECT code FROM courses").fetchall()]
            people = [str(r["id"]) for r in conn.execute("SELECT id FROM instructors").fetchall()]
        worker.stop()
        children.remove(worker)
        analysts = _keys(db.url, "analyst", ANALYSTS)
        viewers = _keys(db.url, "viewer", VIEWERS)
        headers = {"Authorization": f"Bearer {analysts[0]}"}
        with httpx.Client(base_url=base, timeout=60, headers=headers) as client:
            _unloaded_search_ms(client)  # warm-up: the model's first calls, the caches
            unloaded = _unloaded_search_ms(client)
        rss_before = _rss_mb(api.pid)
        prefix = root / "load"
        locust_env = {
            **os.environ,
            "TRACELENS_LOAD_ANALYST_KEYS": ",".join(analysts),
            "TRACELENS_LOAD_VIEWER_KEYS": ",".join(viewers),
            "TRACELENS_LOAD_COURSES": ",".join(courses),
            "TRACELENS_LOAD_INSTRUCTORS": ",".join(people),
        }
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
        command += ["-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", base]
        command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
        run = subprocess.run(
            command,
            env=locust_env,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=False,
        )
        stats_file = prefix.with_name("load_stats.csv")
        if not stats_file.exists():
            raise RuntimeError(f"locust wrote no statistics (exit {run.returncode}): {run.stderr}")
        stats = _stats(stats_file)
        rss_after = _rss_mb(api.pid)
        return {
            "reports": len(files),
            "failed_reports": failed,
            "users": users,
            "seconds": seconds,
            "principals": ANALYSTS + VIEWERS,
            "unloaded_search_p95_ms": _p95(unloaded),
            "stats": stats,
            "rss_before_mb": rss_before,
            "rss_after_mb": rss_after,
            "locust_exit": run.returncode,
            "errors_csv": (prefix.with_name("load_failures.csv")).read_text()
            if prefix.with_name("load_failures.csv").exists()
            else "",
        }
    finally:
        for child in reversed(children):
            child.stop()
        db.stop()
        shutil.rmtree(root, ignore_errors=True)


def format_load_benchmark(result: dict[str, Any]) -> str:
    stats = result["stats"]
    total = stats["Aggregated"]
    lines = [
        f"load: {result['users']} users ({result['principals']} principals) for "
        f"{result['seconds']} s over {result['reports']} reports "
        f"({result['failed_reports']} failed to parse)",
        f"  sustained          {total['rps']:.1f} requests/s, "
        f"{int(total['requests'])} requests, {int(total['failures'])} errors "
        f"(error rate {total['failures'] / max(total['requests'], 1):.3f})",
    ]
    for name in ("search", "ask", "course dashboard", "instructor dashboard"):
        if name in stats:
            s = stats[name]
            lines.append(
                f"  {name:<20} {int(s['requests']):>6} requests  p50 {s['p50']:.0f} ms  "
                f"p95 {s['p95']:.0f} ms  errors {int(s['failures'])}"
            )
    if "search" in stats:
        loaded, alone = stats["search"]["p95"], result["unloaded_search_p95_ms"]
        lines.append(
            f"  search p95 under load {loaded:.0f} ms vs alone {alone:.0f} ms "
            f"(baseline, same run): {loaded / alone:.1f}x; target <= 100 ms: "
            f"{'ok' if loaded <= 100 else 'not met'}"
        )
    lines.append(
        f"  API memory (RSS)   {result['rss_before_mb']:.0f} MiB before, "
        f"{result['rss_after_mb']:.0f} MiB after"
    )
    if result["errors_csv"].count("\n") > 1:
        lines.append("  errors:\n" + result["errors_csv"])
    return "\n".join(lines)
