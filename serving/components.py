"""What the composition root (cli.wiring) hands the API: its stores, and how to resolve the model
in service, once at start-up and again when told to reload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.blobs import BlobStore
from embeddings.active import ModelInService
from ingestion.queue import JobQueue


@dataclass(frozen=True)
class Components:
    blobs: BlobStore
    queue: JobQueue
    resolve_model: Callable[[], ModelInService]
