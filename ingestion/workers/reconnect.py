"""Reconnecting after an outage (a broker or the database gone): tries with jittered backoff.

The Kafka worker and the outbox relay each hold a database session and a Kafka client; either
may fail at any time. They connect through `connect_with_backoff`, which drops what failed
before each new try and waits a random, growing delay (tenacity's full-jitter exponential), so
workers restarted together do not hammer a recovering broker in step. A stop request ends the
wait at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import psycopg
from aiokafka.errors import KafkaError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_random_exponential

log = logging.getLogger(__name__)

OUTAGES: tuple[type[BaseException], ...] = (KafkaError, OSError, psycopg.OperationalError)
"""What a lost broker or database raises; anything else is a bug, not an outage."""


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less when `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def connect_with_backoff(
    connect: Callable[[], Awaitable[None]],
    *,
    stop: asyncio.Event,
    drop: Callable[[BaseException], Awaitable[None]],
    who: str,
    then: str = "reconnecting",
    base_s: float = 0.5,
    max_s: float = 30.0,
) -> bool:
    """Call `connect` until it succeeds; after each outage `drop` what failed and back off
    (logged as "`who`: error; `then` in N s").

    Returns False when `stop` was set before a connection was made.
    """

    async def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s: %s: %s; %s in %.1f s", who, type(exc).__name__, exc, then, delay)
        if exc is not None:
            await drop(exc)

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(OUTAGES),
        wait=wait_random_exponential(multiplier=base_s, max=max_s),
        stop=lambda _: stop.is_set(),
        sleep=lambda seconds: wait_or_stop(stop, seconds),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        await retrying(connect)
    except OUTAGES:
        return False  # stopped while the outage lasted
    return True
