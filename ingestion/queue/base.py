"""The job queue's interface: how an accepted report reaches a worker, whatever carries it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.db import Conn


@dataclass(frozen=True)
class Job:
    id: int
    report_id: int


@dataclass(frozen=True)
class Backlog:
    """What is waiting: jobs available now, jobs delayed (backing off), the oldest one's wait."""

    depth: int
    delayed: int
    lag_s: float


class JobQueue(Protocol):
    """A queue every backend implements in full: enqueue inside the caller's transaction (the
    report row and its job commit or vanish together), and say what is waiting.

    How a worker takes jobs is the backend's own: the table worker claims rows of a
    PostgresQueue (ingestion.workers.table), the Kafka worker consumes the topic the relay
    publishes a KafkaQueue's outbox to (ingestion.workers.kafka, ingestion.workers.relay).
    """

    backend: str

    def enqueue(self, conn: Conn, *, report_id: int) -> None: ...

    def backlog(self, conn: Conn) -> Backlog: ...
