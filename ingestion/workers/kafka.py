"""The Kafka worker: a consumer-group member that processes one message at a time.

For each message the report is processed in a database transaction, the transaction commits,
and only then is the offset committed. A worker that dies in between leaves the offset behind,
so the message is delivered again and skipped (the report is already processed): delivery is
at least once, the effect exactly once. Retries back off in place without committing the
offset; a message that keeps failing goes to the dead-letter topic with its error.

A broker that comes back empty (restarted without its storage) has forgotten the group: the
consumer rejoins, finds no committed offsets and starts the recreated topic from the earliest
message, which the relay republishes (`ingestion.workers.relay`). aiokafka retries some commit
errors without end (UnknownTopicOrPartition while the topic is gone), so a commit is bounded:
one that outlasts a session drops the consumer and reconnects, ensuring the topics again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
from datetime import UTC, datetime

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError, KafkaTimeoutError
from aiokafka.structs import ConsumerRecord, TopicPartition

from core.blobs import BlobStore
from core.db import Conn, connect
from core.observability import observe_consumer_lag
from core.settings import Settings
from embeddings.active import ModelInService
from ingestion.processing import Processor, Verdict, backoff_s
from ingestion.queue.kafka import decode_job, ensure_topics, kafka_options
from ingestion.workers.reconnect import OUTAGES, connect_with_backoff

log = logging.getLogger(__name__)

_DONE = ("processed", "failed")


class _Rebalance(ConsumerRebalanceListener):
    """Before partitions move, finish the message in hand so its offset is committed here, and
    ensure the topics (a broker that came back empty gets them as configured before a client's
    metadata request auto-creates them with the broker's defaults)."""

    def __init__(self, worker: KafkaWorker):
        self.worker = worker

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        worker = self.worker
        if worker.current in revoked:
            worker.abandon.set()  # a message waiting out a backoff is left to the new owner
        async with worker.busy:  # wait for the attempt in hand (and its offset commit)
            pass
        if revoked:
            log.info("partitions revoked: %s", _names(revoked))
            await worker.ensure_topics()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("partitions assigned: %s", _names(assigned) or "none")


def _names(tps: set[TopicPartition]) -> str:
    return ", ".join(f"{tp.topic}[{tp.partition}]" for tp in sorted(tps))


class KafkaWorker:
    """A consumer, a DLQ producer and a Processor; reconnects whichever side fails."""

    def __init__(
        self,
        settings: Settings,
        url: str,
        blobs: BlobStore,
        model: ModelInService,
        *,
        session_timeout_ms: int = 10_000,
    ):
        self.settings = settings
        self.url = url
        self.blobs = blobs
        self.model = model
        self.session_timeout_ms = session_timeout_ms
        self.stop = asyncio.Event()
        self.abandon = asyncio.Event()
        self.busy = asyncio.Lock()
        self.current: TopicPartition | None = None
        self.handled = 0
        self.dead_lettered = 0
        self.processor: Processor | None = None
        self.work: Conn | None = None
        self.consumer: AIOKafkaConsumer | None = None
        self.producer: AIOKafkaProducer | None = None
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    async def run(self) -> None:
        """Consume until `stop` is set; a lost broker or database is reconnected with backoff."""
        while not self.stop.is_set():
            connected = await connect_with_backoff(
                self._connect, stop=self.stop, drop=self._drop, who="worker"
            )
            if not connected:
                break
            try:
                await self._consume()
            except OUTAGES as exc:
                log.warning("worker: %s: %s; reconnecting", type(exc).__name__, exc)
                await self._drop(exc)
        await self._close_kafka()
        await self._close_db()

    async def ensure_topics(self) -> None:
        """`ensure_topics` before a rejoin: an outage is logged, and the rejoin goes on."""
        try:
            async with asyncio.timeout(self.session_timeout_ms / 1000):
                await ensure_topics(self.settings)
        except OUTAGES as exc:  # TimeoutError is an OSError
            log.warning("worker: topics not ensured: %s: %s", type(exc).__name__, exc)

    async def _drop(self, exc: BaseException) -> None:
        """Close the side that failed; the other is kept (a broker outage keeps the DB)."""
        if isinstance(exc, psycopg.Error):
            await self._close_db()
        else:
            await self._close_kafka()

    async def _connect(self) -> None:
        if self.processor is None:
            self.processor = await asyncio.to_thread(
                Processor, self.settings, self.url, self.blobs, self.model
            )
            self.work = await asyncio.to_thread(connect, self.url)
        if self.consumer is None:
            await ensure_topics(self.settings)
            options = kafka_options(self.settings)
            producer = AIOKafkaProducer(**options, acks="all", request_timeout_ms=15_000)
            consumer = AIOKafkaConsumer(
                **options,
                group_id=self.settings.kafka_group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=self.session_timeout_ms,
                heartbeat_interval_ms=max(self.session_timeout_ms // 3, 100),
                max_poll_interval_ms=self._max_poll_interval_ms(),
            )
            consumer.subscribe([self.settings.kafka_topic], listener=_Rebalance(self))
            try:
                await producer.start()
                await consumer.start()
            except BaseException:
                await consumer.stop()
                await producer.stop()
                raise
            self.consumer, self.producer = consumer, producer
            log.info("worker %s joined group %s", self.name, self.settings.kafka_group_id)

    def _max_poll_interval_ms(self) -> int:
        """Long enough for one message's every attempt and backoff, so the group keeps us."""
        s = self.settings
        worst = sum(backoff_s(s, n) for n in range(1, s.worker_max_attempts + 1))
        worst += s.worker_max_attempts * (s.parse_timeout_s + 120.0)
        return int(max(300.0, worst) * 1000)

    async def _consume(self) -> None:
        assert self.consumer is not None
        while not self.stop.is_set():
            batch = await self.consumer.getmany(timeout_ms=500, max_records=1)
            for tp, messages in batch.items():
                for message in messages:
                    await self._handle(tp, message)

    async def _handle(self, tp: TopicPartition, message: ConsumerRecord) -> None:
        """See one message through, then commit its offset (or rewind to it if not done)."""
        assert self.consumer is not None
        async with self.busy:
            if tp not in self.consumer.assignment():
                return  # revoked after it was fetched: the new owner has it
            self.current, done = tp, False
            self.abandon.clear()
            try:
                done = await self._see_through(message)
            finally:
                self.current = None
                if not done:
                    with contextlib.suppress(IllegalStateError, AssertionError, KafkaError):
                        self.consumer.seek(tp, message.offset)
            if not done:
                return
            self.handled += 1
            highwater = self.consumer.highwater(tp)
            if highwater is not None:
                observe_consumer_lag(tp.topic, tp.partition, highwater - (message.offset + 1))
            try:
                async with asyncio.timeout(self.session_timeout_ms / 1000):
                    await self.consumer.commit({tp: message.offset + 1})
            except (CommitFailedError, IllegalStateError) as exc:
                # The partition moved on: the new owner gets the message again and skips it.
                log.warning("offset %s of %s not committed: %s", message.offset, tp, exc)
            except TimeoutError:
                # Redelivered to whoever owns the partition next, and skipped there.
                raise KafkaTimeoutError(
                    f"offset {message.offset} of {tp} not committed within "
                    f"{self.session_timeout_ms} ms"
                ) from None

    async def _see_through(self, message: ConsumerRecord) -> bool:
        """True when the message is done with (processed, failed, dead-lettered, skipped)."""
        try:
            report_id = decode_job(message.value)
        except ValueError as exc:
            log.error("undecodable message at %s[%s]@%s: %s", *_where(message), exc)
            await self._dead_letter(message, report_id=None, error=str(exc), attempts=0)
            return True
        failures = 0
        while True:
            try:
                verdict = await asyncio.to_thread(self._process, report_id)
                if verdict is not None and verdict.exhausted:
                    # Before the DB commit: a crash in between re-sends, never loses, the letter.
                    await self._dead_letter(
                        message,
                        report_id=report_id,
                        error=verdict.error or "failed",
                        attempts=verdict.attempts,
                    )
                await asyncio.to_thread(self._commit_db)
            except (KafkaError, OSError):
                await asyncio.to_thread(self._rollback_db)
                raise
            except psycopg.OperationalError:
                await asyncio.to_thread(self._rollback_db)
                if self.work is None or self.work.broken or self.work.closed:
                    raise
                verdict = None  # a deadlock or lock timeout: the connection is fine, try again
                delay = backoff_s(self.settings, failures := failures + 1)
            except Exception:
                await asyncio.to_thread(self._rollback_db)
                log.exception("report %s: unexpected failure; retrying", report_id)
                delay = backoff_s(self.settings, failures := failures + 1)
            else:
                if verdict is None or verdict.status != "retry":
                    return True
                delay = verdict.delay_s
            if await self._interrupted(delay):
                return False  # stopping or revoked while backing off: leave it to redelivery

    def _process(self, report_id: int) -> Verdict | None:
        """Process in `work`'s open transaction; None when the report was already done."""
        assert self.work is not None and self.processor is not None
        row = self.work.execute("SELECT status FROM reports WHERE id = %s", (report_id,)).fetchone()
        if row is not None and row["status"] in _DONE:
            log.info("report %s already %s; redelivery skipped", report_id, row["status"])
            return None
        return self.processor.process(self.work, report_id)

    def _commit_db(self) -> None:
        assert self.work is not None
        self.work.commit()

    def _rollback_db(self) -> None:
        if self.work is not None and not self.work.closed:
            with contextlib.suppress(psycopg.Error):
                self.work.rollback()

    async def _interrupted(self, delay_s: float) -> bool:
        """Wait out a backoff; True if stop or a revocation of this partition came first."""
        waits = [
            asyncio.ensure_future(self.stop.wait()),
            asyncio.ensure_future(self.abandon.wait()),
        ]
        _, pending = await asyncio.wait(waits, timeout=delay_s, return_when="FIRST_COMPLETED")
        for task in pending:
            task.cancel()
        return self.stop.is_set() or self.abandon.is_set()

    async def _dead_letter(
        self,
        message: ConsumerRecord,
        *,
        report_id: int | None,
        error: str,
        attempts: int,
    ) -> None:
        """Publish the failure to the DLQ topic and wait for the broker's acknowledgement."""
        assert self.producer is not None
        letter = {
            "report_id": report_id,
            "error": error,
            "attempts": attempts,
            "topic": message.topic,
            "partition": message.partition,
            "offset": message.offset,
            "key": message.key.decode("utf-8", "replace") if message.key else None,
            "value": None
            if report_id is not None or message.value is None
            else message.value[:2000].decode("utf-8", "replace"),
            "failed_at": datetime.now(UTC).isoformat(),
            "worker": self.name,
        }
        await self.producer.send_and_wait(
            self.settings.kafka_dlq_topic,
            key=message.key,
            value=json.dumps(letter).encode(),
        )
        self.dead_lettered += 1
        log.warning(
            "report %s dead-lettered to %s: %s", report_id, self.settings.kafka_dlq_topic, error
        )

    async def _close_kafka(self) -> None:
        consumer, producer, self.consumer, self.producer = self.consumer, self.producer, None, None
        for client in (consumer, producer):
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.stop(), timeout=10)

    async def _close_db(self) -> None:
        processor, work, self.processor, self.work = self.processor, self.work, None, None
        if processor is not None:
            await asyncio.to_thread(processor.close)
        if work is not None:
            with contextlib.suppress(psycopg.Error):
                work.close()


def _where(message: ConsumerRecord) -> tuple[str, int, int]:
    return message.topic, message.partition, message.offset


def run_kafka_worker(settings: Settings, url: str, blobs: BlobStore, model: ModelInService) -> None:
    """Run until SIGTERM/SIGINT; the message in hand is finished and its offset committed."""

    async def _main() -> None:
        worker = KafkaWorker(settings, url, blobs, model)
        loop = asyncio.get_running_loop()

        def _stop() -> None:
            log.info("worker stopping after the message in hand")
            worker.stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, _stop)
        log.info(
            "kafka worker started: %s -> group %s", settings.kafka_topic, settings.kafka_group_id
        )
        await worker.run()
        log.info(
            "kafka worker stopped: %d message(s) handled, %d dead-lettered",
            worker.handled,
            worker.dead_lettered,
        )

    asyncio.run(_main())
