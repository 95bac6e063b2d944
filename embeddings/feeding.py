"""Keeping the model busy: reads before it and writes after it run in threads of their own.

`feed` is a bounded three-stage pipeline: a reader thread produces the next items (database
reads, text preparation), the calling thread runs the model on one item at a time, and a writer
thread consumes the results in order (COPY, checkpoints, commits). The queues between the stages
hold `depth` items each, so memory stays bounded and a slow writer eventually holds the model
back instead of piling up vectors. ONNX Runtime and torch release the GIL while they compute,
so the reader's and writer's Python and socket work runs beside the model.

An error in any stage stops the other two; `feed` joins both threads before it raises, so the
caller may use (or roll back) a connection the stages shared as soon as it returns.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

POLL_S = 0.05
"""How often a stage blocked on a queue looks whether another stage has failed."""


@dataclass
class FeedStats:
    """Where the calling (model) thread's time went; `starved_s` is the figure to keep low."""

    items: int = 0
    model_s: float = 0.0
    """Seconds in the model stage."""
    starved_s: float = 0.0
    """Seconds the model stage waited for the reader (the first item's wait included)."""
    blocked_s: float = 0.0
    """Seconds the model stage waited for room in the writer's queue."""
    read_s: float = 0.0
    write_s: float = 0.0
    wall_s: float = 0.0


class _End:
    """Marks the end of a stage's items."""


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


@dataclass
class _Stage(Generic[In]):
    items: queue.Queue[In | _End | _Failed]
    stop: threading.Event

    def put(self, item: In | _End | _Failed) -> bool:
        """Put, unless the pipeline stopped meanwhile; False when it did."""
        while not self.stop.is_set():
            try:
                self.items.put(item, timeout=POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def get(self) -> In | _End | _Failed | None:
        """The next item, or None when the pipeline stopped meanwhile."""
        while not self.stop.is_set():
            try:
                return self.items.get(timeout=POLL_S)
            except queue.Empty:
                continue
        return None


def feed(
    read: Iterable[In],
    model: Callable[[In], Out],
    write: Callable[[Out], None],
    *,
    depth: int = 2,
    name: str = "feed",
) -> FeedStats:
    """Run `model` on each item of `read` in this thread, `read` and `write` in threads of
    their own; results are written in the order they were read. Returns the timings."""
    stats = FeedStats()
    stop = threading.Event()
    inbox: _Stage[In] = _Stage(queue.Queue(maxsize=depth), stop)
    outbox: _Stage[Out] = _Stage(queue.Queue(maxsize=depth), stop)
    failures: list[BaseException] = []

    def reader() -> None:
        iterator = iter(read)
        try:
            while True:
                started = time.perf_counter()
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                finally:
                    stats.read_s += time.perf_counter() - started
                if not inbox.put(item):
                    return
            inbox.put(_End())
        except BaseException as exc:  # handed to the model thread, which raises it
            inbox.put(_Failed(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:  # a generator's clean-up runs here, not in another thread
                close()

    def writer() -> None:
        try:
            while True:
                result = outbox.get()
                if result is None or isinstance(result, _End):
                    return
                if isinstance(result, _Failed):  # never put there; keeps the types honest
                    raise result.error
                started = time.perf_counter()
                write(result)
                stats.write_s += time.perf_counter() - started
        except BaseException as exc:
            failures.append(exc)
            stop.set()

    threads = [
        threading.Thread(target=reader, name=f"{name}-read", daemon=True),
        threading.Thread(target=writer, name=f"{name}-write", daemon=True),
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        while True:
            waited = time.perf_counter()
            item = inbox.get()
            stats.starved_s += time.perf_counter() - waited
            if item is None:  # the writer failed
                break
            if isinstance(item, _Failed):
                raise item.error
            if isinstance(item, _End):
                outbox.put(_End())
                break
            started = time.perf_counter()
            result = model(item)
            stats.model_s += time.perf_counter() - started
            stats.items += 1
            waited = time.perf_counter()
            if not outbox.put(result):  # the writer failed
                break
            stats.blocked_s += time.perf_counter() - waited
        threads[1].join()  # the writer finishes what it holds
    except BaseException:
        stop.set()
        raise
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        stats.wall_s = time.perf_counter() - began
    if failures:
        raise failures[0]
    return stats


def describe_stats(stats: FeedStats) -> dict[str, Any]:
    """The timings as a flat dict, for logs and MLflow."""
    return {
        "items": stats.items,
        "model_s": round(stats.model_s, 3),
        "starved_s": round(stats.starved_s, 3),
        "blocked_s": round(stats.blocked_s, 3),
        "read_s": round(stats.read_s, 3),
        "write_s": round(stats.write_s, 3),
        "wall_s": round(stats.wall_s, 3),
    }
