"""The feed pipeline: reads and writes overlap the model, order holds, errors stop every stage."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from embeddings.feeding import feed

STEP_S = 0.05


def test_reads_and_writes_overlap_the_model_and_results_keep_their_order() -> None:
    """Each stage takes STEP_S per item: run one after another, 12 items would take 36 steps;
    overlapped, the model thread is busy nearly all the time and waits only for the first read."""
    written: list[int] = []
    threads: dict[str, set[str]] = {"read": set(), "model": set(), "write": set()}

    def read() -> Iterator[int]:
        for i in range(12):
            threads["read"].add(threading.current_thread().name)
            time.sleep(STEP_S)  # a database read
            yield i

    def model(i: int) -> int:
        threads["model"].add(threading.current_thread().name)
        time.sleep(STEP_S)  # the model (sleep releases the GIL, as ONNX Runtime does)
        return i * 10

    def write(result: int) -> None:
        threads["write"].add(threading.current_thread().name)
        time.sleep(STEP_S)  # a COPY and a commit
        written.append(result)

    stats = feed(read(), model, write)
    assert written == [i * 10 for i in range(12)]
    assert stats.items == 12
    assert threads["model"] == {threading.current_thread().name}
    assert threads["read"].isdisjoint(threads["model"] | threads["write"])
    assert threads["write"].isdisjoint(threads["model"])
    # sequential would be 36 steps; overlapped about 14 (12 model steps, one read, one write)
    assert stats.wall_s < 24 * STEP_S
    # the model waited for the reader about once (the first item), not once per item
    assert stats.starved_s < 4 * STEP_S
    assert stats.model_s >= 12 * STEP_S


def test_a_slow_writer_holds_the_model_back_instead_of_piling_up_results() -> None:
    pending: list[int] = []
    most = 0
    lock = threading.Lock()

    def model(i: int) -> int:
        nonlocal most
        with lock:
            pending.append(i)
            most = max(most, len(pending))
        return i

    def write(i: int) -> None:
        time.sleep(STEP_S / 5)
        with lock:
            pending.remove(i)

    stats = feed(iter(range(30)), model, write, depth=2)
    assert stats.items == 30 and not pending
    assert most <= 4  # the queue's two, one being written, one just made
    assert stats.blocked_s > 0


@pytest.mark.parametrize("stage", ["read", "model", "write"])
def test_an_error_in_any_stage_is_raised_after_every_thread_has_stopped(stage: str) -> None:
    before = threading.active_count()
    written: list[int] = []

    def read() -> Iterator[int]:
        for i in range(100):
            if stage == "read" and i == 5:
                raise RuntimeError("read failed")
            yield i

    def model(i: int) -> int:
        if stage == "model" and i == 5:
            raise RuntimeError("model failed")
        return i

    def write(i: int) -> None:
        if stage == "write" and i == 5:
            raise RuntimeError("write failed")
        written.append(i)

    with pytest.raises(RuntimeError, match=f"{stage} failed"):
        feed(read(), model, write)
    assert threading.active_count() == before  # nothing left running on a shared connection
    assert written == sorted(written) and 5 not in written and len(written) <= 5


def test_the_readers_generator_is_closed_in_its_own_thread_when_the_model_fails() -> None:
    closed_in: list[str] = []

    def read() -> Iterator[int]:
        try:
            yield from range(100)
        finally:
            closed_in.append(threading.current_thread().name)

    def model(i: int) -> int:
        raise ValueError("no")

    with pytest.raises(ValueError):
        feed(read(), model, lambda _: None, name="t")
    assert closed_in == ["t-read"]
