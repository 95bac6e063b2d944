"""The outbox relay: publishes committed outbox rows to Kafka, then marks them sent.

Rows are taken with FOR UPDATE SKIP LOCKED (so several relays can run), produced with
acks=all, and marked sent in the same transaction only after the broker confirmed every one.
A relay that dies or loses the broker rolls back, so the rows are published again: delivery is
at least once, and the workers' idempotence makes a duplicate harmless. Uploads only ever
touch PostgreSQL, so they keep being accepted while the broker is down.

A broker can also come back empty (restarted without its storage, as in-memory Tansu does, or
a new cluster): the rows marked sent are then gone from it. Before publishing, and every poll
while idle, the relay looks for its marker topic (`ingestion.queue.kafka.marker_topic`); when
it is missing the relay recreates the topics, marks the outbox rows of every unfinished report
unsent again, and only then creates the marker, so a crash in between redrives again rather
than losing jobs. Where the relay may not create topics (the chart's Strimzi topics and ACLs),
it redrives once at start, warns, and leaves the cluster's durability to the cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time

import psycopg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from psycopg.rows import DictRow, dict_row

from core.settings import Settings
from ingestion.queue.kafka import (
    OUTBOX_CHANNEL,
    broker_forgot,
    ensure_topics,
    kafka_options,
    mark_broker,
    marker_topic,
)
from ingestion.workers.reconnect import OUTAGES, connect_with_backoff

log = logging.getLogger(__name__)

AsyncConn = psycopg.AsyncConnection[DictRow]

RETENTION_DAYS = 7
"""Sent rows are kept this long (to answer "was report N published, when?"), then pruned."""
_PRUNE_EVERY_S = 3600.0

# Batches take this lock shared, a redrive exclusive: a batch that a lost broker acknowledged
# is marked sent before the redrive looks for sent rows (several relays may run).
_BATCH_LOCK = "SELECT pg_advisory_xact_lock_shared(hashtext('tracelens_outbox'))"
_REDRIVE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('tracelens_outbox'))"

_REDRIVE = (
    "UPDATE outbox o SET sent_at = NULL FROM reports r"
    " WHERE o.topic = %s AND o.sent_at IS NOT NULL AND o.key = r.id::text"
    " AND r.status IN ('queued', 'processing')"
)


class Relay:
    """One relay process: a producer, a working connection and a listening connection."""

    def __init__(
        self,
        settings: Settings,
        url: str,
        *,
        batch_size: int = 500,
        backoff_s: float = 0.5,
        backoff_max_s: float = 30.0,
        request_timeout_ms: int = 15_000,
    ):
        self.settings = settings
        self.url = url
        self.batch_size = batch_size
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.request_timeout_ms = request_timeout_ms
        self.stop = asyncio.Event()
        self.published = 0
        self._producer: AIOKafkaProducer | None = None
        self._work: AsyncConn | None = None
        self._listen: AsyncConn | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._pruned_at = 0.0
        self._checked_at = 0.0
        self._may_mark = True
        self.redriven = 0

    async def run(self) -> None:
        """Publish until `stop` is set; every failure is rolled back, backed off and retried."""
        while not self.stop.is_set():
            connected = await connect_with_backoff(
                self._connect,
                stop=self.stop,
                drop=self._drop,
                who="relay",
                then="retrying",
                base_s=self.backoff_s,
                max_s=self.backoff_max_s,
            )
            if not connected:
                break
            try:
                await self._check_broker()
                sent = await self.publish_batch()
                if sent < self.batch_size:
                    await self._prune()
                    await self._wait_for_rows()
            except OUTAGES as exc:
                log.warning("relay: %s: %s; retrying", type(exc).__name__, exc)
                await self._drop(exc)
        await self._disconnect(kafka=True, db=True)

    async def _drop(self, exc: BaseException) -> None:
        failed_db = isinstance(exc, psycopg.Error)
        await self._disconnect(kafka=not failed_db, db=failed_db)

    async def publish_batch(self) -> int:
        """Publish one batch of unsent rows; returns how many were delivered and marked sent."""
        assert self._work is not None and self._producer is not None
        producer, ids = self._producer, []
        try:
            async with self._work.transaction():
                await self._work.execute(_BATCH_LOCK)
                cur = await self._work.execute(
                    "SELECT id, topic, key, payload FROM outbox WHERE sent_at IS NULL"
                    " ORDER BY id FOR UPDATE SKIP LOCKED LIMIT %s",
                    (self.batch_size,),
                )
                rows = await cur.fetchall()
                if not rows:
                    return 0
                ids = [row["id"] for row in rows]
                # Queue them all, then wait for every acknowledgement (batched, still acks=all).
                deliveries = [
                    await producer.send(
                        row["topic"],
                        key=row["key"].encode(),
                        value=json.dumps(row["payload"]).encode(),
                    )
                    for row in rows
                ]
                await asyncio.gather(*deliveries)
                await self._work.execute(
                    "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL"
                    " WHERE id = ANY(%s)",
                    (ids,),
                )
        except (KafkaError, OSError) as exc:
            await self._record_failure(ids, f"{type(exc).__name__}: {exc}")
            raise
        self.published += len(ids)
        log.info("relay: published %d message(s), outbox ids %d..%d", len(ids), ids[0], ids[-1])
        return len(ids)

    async def _check_broker(self) -> None:
        """Republish every unfinished report when the broker lost what was published to it.

        Checked before a batch, at most once a poll interval: a batch published in between to
        a broker that just came back empty is redriven by the next check (its reports are
        unfinished), never lost.
        """
        assert self._work is not None and self._admin is not None
        if not self._may_mark or time.monotonic() - self._checked_at < self.settings.worker_poll_s:
            return
        if await broker_forgot(self.settings, self._admin):
            await ensure_topics(self.settings, self._admin)
            async with self._work.transaction():
                await self._work.execute(_REDRIVE_LOCK)
                cur = await self._work.execute(_REDRIVE, (self.settings.kafka_topic,))
            # Only now: a crash before this line redrives again rather than losing the jobs.
            self._may_mark = await mark_broker(self.settings, self._admin)
            if not self._may_mark:
                log.warning(
                    "relay: not allowed to create the marker topic %s: a broker that comes back"
                    " empty goes unnoticed from now on (the topics are an operator's)",
                    marker_topic(self.settings),
                )
            self.redriven += cur.rowcount
            log.log(
                logging.WARNING if cur.rowcount else logging.INFO,
                "relay: the broker holds no marker for %s (new, or restarted without its data);"
                " republishing %d unfinished report(s)",
                self.settings.kafka_topic,
                cur.rowcount,
            )
        self._checked_at = time.monotonic()

    async def _record_failure(self, ids: list[int], error: str) -> None:
        """Count the failed try on the rows (the batch itself was rolled back)."""
        if not ids or self._work is None or self._work.closed:
            return
        with contextlib.suppress(psycopg.Error):
            await self._work.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = %s"
                " WHERE id = ANY(%s) AND sent_at IS NULL",
                (error[:1000], ids),
            )
            await self._work.commit()

    async def _connect(self) -> None:
        if self._work is None or self._work.closed:
            self._work = await psycopg.AsyncConnection.connect(self.url, row_factory=dict_row)
        if self._listen is None or self._listen.closed:
            self._listen = await psycopg.AsyncConnection.connect(
                self.url, autocommit=True, row_factory=dict_row
            )
            await self._listen.execute(f"LISTEN {OUTBOX_CHANNEL}")
        if self._producer is None:
            admin = AIOKafkaAdminClient(**kafka_options(self.settings), request_timeout_ms=10_000)
            producer = AIOKafkaProducer(
                **kafka_options(self.settings),
                acks="all",
                linger_ms=5,
                request_timeout_ms=self.request_timeout_ms,
            )
            try:
                await admin.start()
                await ensure_topics(self.settings, admin)
                await producer.start()
            except BaseException:
                await producer.stop()
                await admin.close()
                raise
            self._producer, self._admin, self._checked_at = producer, admin, 0.0
            log.info("relay: connected to Kafka at %s", self.settings.kafka_bootstrap_servers)

    async def _disconnect(self, *, kafka: bool, db: bool) -> None:
        """Drop what failed; the other side is kept (a broker outage keeps the DB sessions)."""
        if kafka and self._producer is not None:
            producer, admin, self._producer, self._admin = self._producer, self._admin, None, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=5)
            if admin is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(admin.close(), timeout=5)
        if db:
            for conn in (self._work, self._listen):
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close()
            self._work = self._listen = None

    async def _wait_for_rows(self) -> None:
        """Sleep until an upload's NOTIFY, the poll interval, or stop (whichever comes first)."""
        assert self._listen is not None
        listen = self._listen

        async def _notified() -> None:
            async for _ in listen.notifies(timeout=self.settings.worker_poll_s, stop_after=1):
                break

        waiter = asyncio.ensure_future(_notified())
        stopper = asyncio.ensure_future(self.stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not waiter.done():
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError, psycopg.Error):
                await waiter
        else:
            waiter.result()  # a lost connection surfaces here and reconnects

    async def _prune(self) -> None:
        if time.monotonic() - self._pruned_at < _PRUNE_EVERY_S or self._work is None:
            return
        self._pruned_at = time.monotonic()
        cur = await self._work.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NOT NULL"
            " AND sent_at < now() - make_interval(days => %s) LIMIT 10000)",
            (RETENTION_DAYS,),
        )
        await self._work.commit()
        if cur.rowcount:
            log.info("relay: pruned %d sent outbox row(s)", cur.rowcount)


def run_relay(settings: Settings, url: str) -> None:
    """Run until SIGTERM/SIGINT; a batch in flight is finished (or rolled back) first."""

    async def _main() -> None:
        relay = Relay(settings, url)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, relay.stop.set)
        log.info("relay started: outbox -> %s", settings.kafka_topic)
        await relay.run()
        log.info("relay stopped after publishing %d message(s)", relay.published)

    asyncio.run(_main())
