"""The long-running services: the REST API, the worker and the outbox relay.

Imports inside the commands are for start-up speed: `tracelens --help` loads none of them.
"""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Serve the REST API (docs at /docs)."""
    # start-up speed: the web stack loads only for this command
    import uvicorn

    from cli.wiring import api_components, load_settings
    from core.observability import configure_tracing
    from serving.app import create_app

    settings = load_settings()
    configure_tracing(settings, service="tracelens-api")
    uvicorn.run(
        create_app(settings, api_components(settings)),
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level="info",
        log_config=None,  # uvicorn's records go through the root handler (text or JSON)
        access_log=False,  # serving.middleware writes the access log, with route and request id
    )


def worker() -> None:
    """Process queued reports until stopped (SIGTERM finishes the job in hand)."""
    # start-up speed: the worker loads only for this command
    from cli.wiring import load_settings, model_in_service
    from core.blobs import make_blob_store
    from core.db import database
    from core.observability import configure_tracing, start_metrics_server
    from ingestion.queue import PostgresQueue
    from ingestion.workers.kafka import run_kafka_worker
    from ingestion.workers.table import run_worker

    settings = load_settings()
    start_metrics_server(settings)
    configure_tracing(settings, service="tracelens-worker")
    model = model_in_service(settings)
    blobs = make_blob_store(settings)
    with database(settings, migrate=True) as db:
        if settings.queue_backend == "kafka":
            run_kafka_worker(settings, db.url, blobs, model)
        else:
            run_worker(settings, db.url, blobs, PostgresQueue(), model)


def relay() -> None:
    """Publish the outbox to Kafka (queue_backend kafka) until stopped."""
    # start-up speed: the relay loads only for this command
    from cli.wiring import load_settings
    from core.db import database
    from core.observability import configure_tracing, start_metrics_server
    from ingestion.workers.relay import run_relay

    settings = load_settings()
    start_metrics_server(settings)
    configure_tracing(settings, service="tracelens-relay")
    with database(settings, migrate=True) as db:
        run_relay(settings, db.url)
