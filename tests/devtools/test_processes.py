"""The process helper (mirakuru) and `make run`'s supervisor: start, await, stop, restart."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from devtools.processes import Child, free_port
from devtools.stack.supervisor import Supervisor


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_child_is_ready_when_its_url_answers_and_gone_when_stopped(tmp_path: Path) -> None:
    port = free_port()
    server = Child(
        "http.server",
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        url=f"http://127.0.0.1:{port}/",
        log=tmp_path / "server.log",
        timeout_s=30,
    )
    with server:
        assert server.running()
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    assert not server.running() and server.returncode is not None
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_a_child_that_dies_while_starting_is_an_error_naming_it() -> None:
    doomed = Child("the doomed", _python("raise SystemExit(3)"), port=free_port(), timeout_s=30)
    with pytest.raises(RuntimeError, match="the doomed exited with status 3 while starting"):
        doomed.start()


def test_the_supervisor_restarts_a_crashed_child_and_leaves_the_others(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    crashing = Child(
        "crashing",
        _python(
            f"import time; open({str(starts)!r}, 'a').write('x'); time.sleep(0.2); "
            "raise SystemExit(1)"
        ),
    )
    steady = Child("steady", _python("import time; time.sleep(120)"))
    supervisor = Supervisor()
    supervisor.start(steady)
    supervisor.start(crashing)
    pid = steady.pid
    watcher = threading.Thread(target=supervisor.watch, daemon=True)
    watcher.start()
    try:
        deadline = time.monotonic() + 30
        while not (starts.exists() and len(starts.read_text()) >= 3):
            assert time.monotonic() < deadline, "the crashed child was not restarted twice"
            time.sleep(0.1)
        assert steady.running() and steady.pid == pid  # never stopped or restarted
    finally:
        supervisor.stopping = True
        watcher.join(timeout=10)
        supervisor.stop()
    assert not steady.running()
