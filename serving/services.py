"""What the API process holds while it runs: the database, its pool, the stores, the search."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from psycopg_pool import ConnectionPool

from core.blobs import BlobStore
from core.db import Conn, Database, make_pool, open_database
from core.settings import Settings
from ingestion.queue import JobQueue
from rag.answer.ask import Asker, open_asker
from rag.search.searcher import Searcher, open_searcher
from serving.components import Components


@dataclass
class Services:
    settings: Settings
    database: Database
    pool: ConnectionPool[Conn]
    blobs: BlobStore
    queue: JobQueue
    searcher: Searcher
    asker: Asker
    components: Components
    streams: threading.BoundedSemaphore
    """One slot per answer streaming now (settings.max_streams)."""
    asks: threading.BoundedSemaphore
    """One slot per /v1/ask answer being written now (settings.max_asks)."""

    def use_searcher(self, searcher: Searcher) -> None:
        """Put another model in service: each is one reference swap, so requests in flight
        finish on the searcher they took and new ones get the new one (search never stops)."""
        self.asker = replace(self.asker, searcher=searcher)
        self.searcher = searcher

    def close(self) -> None:
        self.pool.close()
        self.database.stop()


def open_services(settings: Settings, components: Components) -> Services:
    """Connect (starting the embedded server and migrating it when that is the default) and
    put the model in service: resolved once here, at start-up."""
    database = open_database(settings, migrate=True)
    pool = make_pool(database.url, max_size=settings.db_pool_max)
    model = components.resolve_model()
    with pool.connection() as conn:
        searcher = open_searcher(conn, model)
    return Services(
        settings=settings,
        database=database,
        pool=pool,
        blobs=components.blobs,
        queue=components.queue,
        searcher=searcher,
        asker=open_asker(settings, searcher),
        components=components,
        streams=threading.BoundedSemaphore(settings.max_streams),
        asks=threading.BoundedSemaphore(settings.max_asks),
    )
