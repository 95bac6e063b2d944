"""PostgreSQL: connections and the pool (connection), the embedded server (embedded), migrations
(migrate). Data functions import what they need from here."""

from core.db.connection import Conn, Timeouts, connect, like_escape, make_pool, with_database
from core.db.embedded import (
    Database,
    database,
    database_connection,
    embedded_running,
    open_database,
    scratch_database,
    start_embedded,
    stop_embedded,
)

__all__ = [
    "Conn",
    "Database",
    "Timeouts",
    "connect",
    "database",
    "database_connection",
    "embedded_running",
    "like_escape",
    "make_pool",
    "open_database",
    "scratch_database",
    "start_embedded",
    "stop_embedded",
    "with_database",
]
