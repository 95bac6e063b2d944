"""The job queue: a Postgres table (embedded default) or Kafka through a transactional outbox."""

from __future__ import annotations

from core.settings import Settings
from ingestion.queue.base import Backlog, Job, JobQueue
from ingestion.queue.postgres import PostgresQueue

__all__ = ["Backlog", "Job", "JobQueue", "PostgresQueue", "make_queue"]


def make_queue(settings: Settings) -> JobQueue:
    """The queue the settings name: the Postgres table, or Kafka through the outbox."""
    if settings.queue_backend == "kafka":
        # Start-up speed: aiokafka is imported only when the Kafka backend is chosen.
        from ingestion.queue.kafka import KafkaQueue

        return KafkaQueue(settings)
    return PostgresQueue()
