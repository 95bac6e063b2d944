"""The load benchmark in bounded form: locust drives mixed traffic from several principals at a
real API process; every request kind is exercised and none fails (any non-2xx is an error).

The long form (`tracelens bench load`, README) prints the figures; this checks the harness and
that mixed load produces no errors, not the speed (machines are shared and noisy)."""

from __future__ import annotations

from devtools.bench.load import format_load_benchmark, run_load_benchmark

# locust runs in a child process: importing it here would monkey-patch this one with gevent.


def test_mixed_load_from_several_principals_has_no_errors() -> None:
    result = run_load_benchmark(reports=4, users=4, seconds=12)
    stats = result["stats"]
    assert result["locust_exit"] == 0, result["errors_csv"]
    assert stats["Aggregated"]["failures"] == 0, result["errors_csv"]
    for kind in ("search", "ask", "course dashboard", "instructor dashboard"):
        assert stats[kind]["requests"] > 0, f"no {kind} requests in the run"
    assert stats["Aggregated"]["requests"] >= 40
    assert result["rss_before_mb"] > 0 and result["rss_after_mb"] > 0
    text = format_load_benchmark(result)
    assert "requests/s" in text and "search p95 under load" in text
