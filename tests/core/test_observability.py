"""Metrics, JSON logs and tracing, observed through the real app, worker and command line.

The Prometheus registry is process-global and other tests feed it too, so metric checks read
the change across the test, not absolute values (gauges excepted: they are set, not added).
"""

from __future__ import annotations

import io
import json
import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cli.wiring import model_in_service
from core.blobs import make_blob_store
from core.observability import (
    configure_logging,
    configure_tracing,
    report_id_var,
    request_id_var,
    start_metrics_server,
)
from core.settings import Settings
from devtools.processes import free_port
from ingestion.queue import PostgresQueue
from ingestion.workers.table import Worker
from tests.conftest import settings_env, work_queue

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("fetch", "parse", "store", "embed")
BATCH_STAGES = ("embed",)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _samples(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _labels_of(samples: Samples, name: str) -> list[dict[str, str]]:
    return [dict(labels) for (n, labels) in samples if n == name]


def _upload(api: httpx.Client, path: Path, **headers: str) -> httpx.Response:
    return api.post("/v1/reports", files={"file": (path.name, path.read_bytes())}, headers=headers)


def _two_reports(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*.pdf"))[:1] + sorted(corpus.glob("*.xlsx"))[:1]


def test_metrics_after_uploading_and_processing_reports(
    api: httpx.Client, settings: Settings, corpus: Path
) -> None:
    before = _samples(api.get("/metrics").text)
    files = _two_reports(corpus)
    ids = []
    for path in files:
        response = _upload(api, path)
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    assert work_queue(settings) == len(files)
    reports = [api.get(f"/v1/reports/{i}").json() for i in ids]
    assert all(r["status"] == "processed" for r in reports), reports
    assert api.get("/v1/reports/987654").status_code == 404
    assert api.get("/no/such/path").status_code == 404

    response = api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = _samples(response.text)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    upload = {"method": "POST", "route": "/v1/reports", "status": "202"}
    assert delta("tracelens_http_request_duration_seconds_count", **upload) == len(files)
    assert delta("tracelens_http_request_duration_seconds_sum", **upload) > 0
    assert delta("tracelens_http_request_duration_seconds_bucket", **upload, le="+Inf") == 2
    read = {"method": "GET", "route": "/v1/reports/{report_id}"}
    assert delta("tracelens_http_request_duration_seconds_count", **read, status="200") == 2
    assert delta("tracelens_http_request_duration_seconds_count", **read, status="404") == 1
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert delta("tracelens_http_request_duration_seconds_count", **unmatched) == 1
    routes = {
        labels["route"]
        for labels in _labels_of(after, "tracelens_http_request_duration_seconds_count")
    }
    assert not any(part.isdigit() for r in routes for part in r.split("/")), routes  # raw paths

    assert delta("tracelens_jobs_total", verdict="processed") == len(files)
    assert delta("tracelens_jobs_total", verdict="failed") == 0
    assert delta("tracelens_jobs_total", verdict="retry") == 0
    for stage in STAGES:
        count = delta("tracelens_processing_stage_seconds_count", stage=stage)
        if stage in BATCH_STAGES:  # once per batch, and a batch spans reports
            assert 1 <= count <= len(files), stage
        else:
            assert count == len(files), stage
        assert delta("tracelens_processing_stage_seconds_sum", stage=stage) > 0, stage

    comments = sum(r["embedded_comments"] for r in reports)
    assert comments > 0
    assert delta("tracelens_embedded_comments_total") == comments
    assert delta("tracelens_embedding_seconds_total") > 0

    (model,) = _labels_of(after, "tracelens_embedding_model_info")
    assert model["backend"] == "fake" and model["space"] == reports[0]["embedding_space"]
    assert model["model"] and model["version"]
    assert _value(after, "tracelens_embedding_model_info", **model) == 1

    assert _value(after, "tracelens_queue_depth", queue="postgres") == 0
    assert _value(after, "tracelens_queue_delayed", queue="postgres") == 0
    assert _value(after, "tracelens_queue_lag_seconds", queue="postgres") == 0


def test_queue_depth_and_lag_while_jobs_wait(
    api: httpx.Client, settings: Settings, corpus: Path
) -> None:
    for path in _two_reports(corpus):
        assert _upload(api, path).status_code == 202
    time.sleep(0.2)
    assert settings.database_dsn is not None
    worker = Worker(
        settings=settings,
        url=settings.database_dsn,
        blobs=make_blob_store(settings),
        queue=PostgresQueue(),
        model=model_in_service(settings),
    )
    try:
        worker.measure_queue(idle=True)
        samples = _samples(api.get("/metrics").text)
        assert _value(samples, "tracelens_queue_depth", queue="postgres") == 2
        assert _value(samples, "tracelens_queue_lag_seconds", queue="postgres") >= 0.2
        assert worker.run(until_idle=True) == 2
    finally:
        worker.close()
    samples = _samples(api.get("/metrics").text)
    assert _value(samples, "tracelens_queue_depth", queue="postgres") == 0
    assert _value(samples, "tracelens_queue_lag_seconds", queue="postgres") == 0


def test_request_id_is_echoed_or_made(api: httpx.Client) -> None:
    given = api.get("/healthz", headers={"X-Request-ID": "trace-me.42"})
    assert given.headers["x-request-id"] == "trace-me.42"
    made = api.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    for hostile in ('x" {"severity": "ERROR"}', "a" * 200):
        replaced = api.get("/healthz", headers={"X-Request-ID": hostile})
        assert len(replaced.headers["x-request-id"]) == 32  # a fresh one, not the caller's


@contextmanager
def _json_logs(settings: Settings) -> Iterator[io.StringIO]:
    """Root logging in JSON into a buffer, restored afterwards (pytest owns the root logger)."""
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    handler = configure_logging(settings.model_copy(update={"log_format": "json"}), stream=buffer)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_json_logs_carry_request_and_report_ids(
    api: httpx.Client, settings: Settings, corpus: Path
) -> None:
    with _json_logs(settings) as buffer:
        response = _upload(api, _two_reports(corpus)[0], **{"X-Request-ID": "upload-1"})
        assert response.status_code == 202
        report_id = response.json()["id"]
        assert work_queue(settings) == 1
        try:
            raise ValueError("boom")
        except ValueError:
            token = request_id_var.set("req-x"), report_id_var.set(7)
            logging.getLogger("tests").exception("with a traceback", extra={"attempt": 3})
            request_id_var.reset(token[0])
            report_id_var.reset(token[1])
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line]
    assert lines, "nothing was logged"
    assert all({"time", "severity", "logger", "message"} <= set(line) for line in lines)

    access = [line for line in lines if line["logger"] == "tracelens.access"]
    upload = next(line for line in access if line.get("request_id") == "upload-1")
    assert upload["route"] == "/v1/reports" and upload["status"] == 202
    assert upload["method"] == "POST" and upload["duration_ms"] > 0

    processed = [line for line in lines if line["logger"] == "ingestion.processing"]
    assert processed and all(line["report_id"] == report_id for line in processed)
    assert f"report {report_id} processed" in processed[-1]["message"]
    assert not any("report_id" in line for line in access)  # ids do not leak across contexts

    (error,) = [line for line in lines if line["logger"] == "tests"]
    assert error["severity"] == "ERROR" and error["attempt"] == 3
    assert error["request_id"] == "req-x" and error["report_id"] == 7
    assert "ValueError: boom" in error["exception"]


def test_text_logs_append_the_ids(settings: Settings) -> None:
    buffer = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(settings, stream=buffer)
    try:
        token = report_id_var.set(11)
        logging.getLogger("tests").warning("plain")
        report_id_var.reset(token)
        logging.getLogger("tests").warning("bare")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    first, second = buffer.getvalue().splitlines()
    assert first.endswith("WARNING tests: plain [report_id=11]")
    assert second.endswith("WARNING tests: bare")


def test_worker_metrics_server(settings: Settings) -> None:
    port = free_port()
    server = start_metrics_server(settings.model_copy(update={"metrics_port": port}))
    assert server is not None
    try:
        body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert "tracelens_jobs_total" in body or "# HELP tracelens_jobs_total" in body
        assert "tracelens_processing_stage_seconds" in body
        busy = start_metrics_server(settings.model_copy(update={"metrics_port": port}))
        assert busy is None  # a port in use is logged, not raised
    finally:
        server.shutdown()
        server.server_close()
    assert start_metrics_server(settings) is None  # no metrics_port, no server


def test_tracing_is_off_unless_an_endpoint_is_set(settings: Settings) -> None:
    assert settings.otel_endpoint is None
    assert configure_tracing(settings, service="tests") is False


@contextmanager
def _silent_collector() -> Iterator[str]:
    """An OTLP endpoint that accepts connections and never answers: the worst collector."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def _start(command: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", command],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(proc: subprocess.Popen[str], *, within_s: float) -> list[dict[str, object]]:
    """SIGTERM, a bounded wait for exit, and the JSON log lines it wrote."""
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=within_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail(f"{proc.args} did not exit within {within_s} s of SIGTERM:\n{out[-3000:]}")
    lines = [line for line in out.splitlines() if line.strip()]
    try:
        return [json.loads(line) for line in lines]
    except json.JSONDecodeError:
        pytest.fail("a log line is not JSON:\n" + "\n".join(lines[-40:]))


def _poll(until_s: float, proc: subprocess.Popen[str], check: object) -> None:
    deadline = time.monotonic() + until_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
        try:
            if callable(check) and check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{proc.args} was not ready within {until_s} s")


def test_worker_with_an_unreachable_collector_starts_and_serves_metrics(
    api: httpx.Client, settings: Settings, corpus: Path
) -> None:
    report_id = _upload(api, _two_reports(corpus)[0]).json()["id"]
    port = free_port()
    with _silent_collector() as collector:
        env = {
            **settings_env(settings),
            "TRACELENS_METRICS_PORT": str(port),
            "TRACELENS_OTEL_ENDPOINT": collector,
            "TRACELENS_LOG_FORMAT": "json",
        }
        started = time.monotonic()
        proc = _start("worker", env)

        def processed() -> bool:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            return _value(_samples(text), "tracelens_jobs_total", verdict="processed") == 1

        try:
            _poll(60, proc, processed)
        finally:
            lines = _stop(proc, within_s=30)
        assert time.monotonic() - started < 90
    report = api.get(f"/v1/reports/{report_id}").json()
    assert report["status"] == "processed"
    message = f"report {report_id} processed ({report['layout']})"
    done = next(line for line in lines if line["message"] == message)
    assert done["report_id"] == report_id
    assert len(str(done["trace_id"])) == 32  # tracing is on, spans just go nowhere
    assert any("tracing on" in str(line["message"]) for line in lines)


def test_api_with_an_unreachable_collector_starts_and_answers_promptly(
    settings: Settings,
) -> None:
    port = free_port()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    with _silent_collector() as collector:
        env = {
            **settings_env(settings),
            "TRACELENS_API_PORT": str(port),
            "TRACELENS_OTEL_ENDPOINT": collector,
            "TRACELENS_LOG_FORMAT": "json",
        }
        proc = _start("serve", env)
        url = f"http://127.0.0.1:{port}"
        try:
            _poll(60, proc, lambda: httpx.get(f"{url}/readyz", timeout=2).status_code == 200)
            for _ in range(5):
                began = time.monotonic()
                response = httpx.get(
                    f"{url}/healthz",
                    headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
                    timeout=5,
                )
                assert response.status_code == 200
                assert time.monotonic() - began < 1.0  # exporting never sits in the request
            metrics = httpx.get(f"{url}/metrics", timeout=5).text
        finally:
            lines = _stop(proc, within_s=30)
    health = {"method": "GET", "route": "/healthz", "status": "200"}
    assert _value(_samples(metrics), "tracelens_http_request_duration_seconds_count", **health) == 5
    access = [line for line in lines if line["logger"] == "tracelens.access"]
    traced = [line for line in access if line.get("route") == "/healthz"]
    assert len(traced) == 5 and all(line["trace_id"] == trace_id for line in traced)
    assert all(line.get("request_id") for line in access)
    assert any(str(line["logger"]).startswith("uvicorn") for line in lines)  # JSON too
