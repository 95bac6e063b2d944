"""The Kafka backend of the queue: an outbox row per upload, the message format, client options.

An upload never talks to Kafka: `KafkaQueue.enqueue` writes an outbox row in the upload's own
transaction (so the report row and its message commit or vanish together) and the relay
(`ingestion.workers.relay`) publishes it. Workers consume the topic
(`ingestion.workers.kafka`).
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
)

from core.db import Conn
from core.errors import ConfigError
from core.settings import Settings
from ingestion.queue.base import Backlog

log = logging.getLogger(__name__)

OUTBOX_CHANNEL = "tracelens_outbox"
"""NOTIFY channel that wakes the relay when an outbox row commits."""

SCHEMA_VERSION = 1
_SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_NOT_ALLOWED = (TopicAuthorizationFailedError.errno, ClusterAuthorizationFailedError.errno)


class KafkaQueue:
    """Enqueue writes the outbox row; the relay publishes it and the consumer group takes it."""

    backend = "kafka"

    def __init__(self, settings: Settings):
        self.topic = settings.kafka_topic

    def enqueue(self, conn: Conn, *, report_id: int) -> None:
        conn.execute(
            "INSERT INTO outbox (topic, key, payload) VALUES (%s, %s, %s::jsonb)",
            (self.topic, str(report_id), json.dumps(job_payload(report_id))),
        )
        conn.execute(f"NOTIFY {OUTBOX_CHANNEL}")

    def backlog(self, conn: Conn) -> Backlog:
        """Outbox rows not yet published, and the oldest one's age: what to watch while the
        broker is down (what waits in the topic is the consumer group's lag, exported by the
        workers)."""
        row = conn.execute(
            "SELECT count(*) AS pending, coalesce(extract(epoch FROM now() - min(created_at)),"
            " 0) AS oldest_s FROM outbox WHERE sent_at IS NULL"
        ).fetchone()
        if row is None:
            return Backlog(depth=0, delayed=0, lag_s=0.0)
        return Backlog(depth=row["pending"], delayed=0, lag_s=float(row["oldest_s"]))


def job_payload(report_id: int) -> dict[str, int]:
    """The message value: versioned, so a later schema can be told apart from this one."""
    return {"v": SCHEMA_VERSION, "report_id": report_id}


def decode_job(value: bytes | None) -> int:
    """The report id in a job message; ValueError (naming the value) when it is not one."""
    if value is None:
        raise ValueError("message has no value")
    try:
        body = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"message value is not JSON: {value[:80]!r} ({exc})") from None
    if not isinstance(body, dict) or body.get("v") != SCHEMA_VERSION:
        raise ValueError(f"message is not a version {SCHEMA_VERSION} job: {value[:80]!r}")
    report_id = body.get("report_id")
    if not isinstance(report_id, int) or isinstance(report_id, bool) or report_id <= 0:
        raise ValueError(f"message has no valid report_id: {value[:80]!r}")
    return report_id


def kafka_options(settings: Settings) -> dict[str, Any]:
    """aiokafka client keyword arguments (bootstrap, SASL, TLS) shared by every client we make."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {
        "bootstrap_servers": [s.strip() for s in settings.kafka_bootstrap_servers.split(",")],
        "security_protocol": protocol,
        "client_id": "tracelens",
    }
    if protocol.startswith("SASL_"):
        mechanism = (settings.kafka_sasl_mechanism or "").upper()
        if mechanism not in _SASL_MECHANISMS:
            raise ConfigError(
                f"kafka_security_protocol {protocol} needs kafka_sasl_mechanism, one of "
                f"{', '.join(_SASL_MECHANISMS)}; got {settings.kafka_sasl_mechanism!r}"
            )
        if not settings.kafka_sasl_username or settings.kafka_sasl_password is None:
            raise ConfigError(
                f"kafka_sasl_mechanism {mechanism} needs kafka_sasl_username and "
                "kafka_sasl_password"
            )
        options |= {
            "sasl_mechanism": mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
        }
    if protocol in ("SSL", "SASL_SSL"):
        cafile = settings.kafka_ssl_cafile
        if cafile is not None and not cafile.is_file():
            raise ConfigError(f"kafka_ssl_cafile {cafile} does not exist")
        # The system trust store, plus the given CA (a private cluster's) when there is one.
        options["ssl_context"] = ssl.create_default_context(
            cafile=str(cafile) if cafile is not None else None
        )
    elif settings.kafka_ssl_cafile is not None:
        log.warning("kafka_ssl_cafile is ignored: kafka_security_protocol is %s", protocol)
    return options


def marker_topic(settings: Settings) -> str:
    """The relay's marker: an empty topic created once the broker holds the job topic and every
    unfinished job. A broker without it (new, restarted without its storage, the topic deleted)
    holds none of what the outbox says was sent."""
    return f"{settings.kafka_topic}.marker"


@asynccontextmanager
async def kafka_admin(settings: Settings) -> AsyncIterator[AIOKafkaAdminClient]:
    """An admin client with our connection options, closed on the way out."""
    admin = AIOKafkaAdminClient(**kafka_options(settings), request_timeout_ms=10_000)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def ensure_topics(settings: Settings, admin: AIOKafkaAdminClient | None = None) -> None:
    """Create the job topic (kafka_partitions partitions) and the DLQ if they do not exist."""
    if admin is None:
        async with kafka_admin(settings) as own:
            await ensure_topics(settings, own)
        return
    existing = set(await admin.list_topics())
    wanted = {settings.kafka_topic: settings.kafka_partitions, settings.kafka_dlq_topic: 1}
    missing = {t: n for t, n in wanted.items() if t not in existing}
    if not await _create(admin, missing):
        raise ConfigError(f"not allowed to create Kafka topics {', '.join(missing)}")
    described = await admin.describe_topics([settings.kafka_topic])
    partitions = len(described[0].get("partitions", [])) if described else 0
    if 0 < partitions != settings.kafka_partitions:
        # Made by someone else first: an operator, or a client's metadata request on a broker
        # that auto-creates topics (with its default partition count).
        log.warning(
            "topic %s has %d partitions, not kafka_partitions=%d: at most %d workers will be busy",
            settings.kafka_topic,
            partitions,
            settings.kafka_partitions,
            partitions,
        )


async def broker_forgot(settings: Settings, admin: AIOKafkaAdminClient) -> bool:
    """True when the broker lacks the job topic or the marker (asked without auto-creating)."""
    topics = set(await admin.list_topics())
    return not {settings.kafka_topic, marker_topic(settings)} <= topics


async def mark_broker(settings: Settings, admin: AIOKafkaAdminClient) -> bool:
    """Create the marker: from now on the broker holds what the relay publishes. False where we
    may not create topics (an operator's, as the chart's Strimzi KafkaTopics are)."""
    return await _create(admin, {marker_topic(settings): 1})


async def _create(admin: AIOKafkaAdminClient, topics: dict[str, int]) -> bool:
    """Create these topics (name: partitions); one that exists already is no error. False when
    the broker refused for lack of rights."""
    if not topics:
        return True
    # Three replicas where the cluster has three brokers (a lost broker loses no jobs).
    cluster = await admin.describe_cluster()
    replicas = max(1, min(3, len(cluster.get("brokers", []))))
    response = await admin.create_topics([NewTopic(t, n, replicas) for t, n in topics.items()])
    codes = {code for _, code, _ in response.topic_errors}
    for topic, code, message in response.topic_errors:
        if code and code not in (TopicAlreadyExistsError.errno, *_NOT_ALLOWED):
            raise ConfigError(f"creating Kafka topic {topic!r} failed: {message} ({code})")
    if codes & set(_NOT_ALLOWED):
        return False
    log.info("created Kafka topics %s", ", ".join(topics))
    return True
