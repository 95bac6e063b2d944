"""Child processes started, awaited and stopped through one helper, on mirakuru.

`make run`'s supervisor, the scale-out stack, the pipeline benchmarks and the test fixtures all
start their processes as a `Child`: mirakuru runs the command in a process group of its own,
waits until an HTTP URL answers 2xx or a TCP port accepts connections (failing at once, with
the exit status, if the process dies first), and stops the whole group (SIGTERM, then SIGKILL
after the timeout) on the way out. An ASGI app that a test serves in its own process (the live
API, fake LLM servers) runs as an `AppServer`, awaited the same way.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import uvicorn
from mirakuru import HTTPExecutor, SimpleExecutor, TCPExecutor
from mirakuru.exceptions import (
    AlreadyRunning,
    ProcessExitedWithError,
    ProcessFinishedWithError,
    TimeoutExpired,
)
from pydantic import SecretStr

from core.settings import Settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Child:
    """A named child process and how to tell it is ready: a URL, a TCP port, or neither."""

    name: str
    command: list[str]
    url: str | None = None
    """Ready when a GET of this URL answers 2xx."""
    port: int | None = None
    """Ready when 127.0.0.1:port accepts connections."""
    env: dict[str, str] = field(default_factory=dict)
    """Variables added to this process's environment."""
    log: Path | int | None = None
    """Where stdout and stderr go: a file (appended to), subprocess.DEVNULL, or None (ours)."""
    timeout_s: float = 90.0
    """How long it may take to become ready, and to stop before it is killed."""
    _executor: SimpleExecutor | None = field(default=None, init=False, repr=False)
    _process: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)
    _out: IO[str] | None = field(default=None, init=False, repr=False)

    def start(self) -> Child:
        """Start the process and return once it is ready; RuntimeError (naming it) otherwise."""
        self._executor = self._make_executor()
        try:
            self._executor.start()
            self._process = self._executor.process
        except ProcessExitedWithError as exc:
            self._close_log()
            raise RuntimeError(
                f"{self.name} exited with status {exc.exit_code} while starting"
            ) from None
        except TimeoutExpired:
            self._close_log()
            raise RuntimeError(f"{self.name} was not ready within {self.timeout_s:g} s") from None
        except AlreadyRunning:
            self._close_log()
            raise RuntimeError(f"something else already serves {self.url or self.port}") from None
        return self

    def _make_executor(self) -> SimpleExecutor:
        if isinstance(self.log, Path):
            self.log.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.log.open("a", encoding="utf-8")
            out: IO[str] | int | None = self._out
        else:
            out = self.log
        options: dict[str, Any] = {
            "timeout": self.timeout_s,
            "envvars": self.env,
            "stdin": subprocess.DEVNULL,
            "stdout": out,
            "stderr": subprocess.STDOUT if out is not None else None,
        }
        if self.url is not None:
            return HTTPExecutor(self.command, self.url, method="GET", **options)
        if self.port is not None:
            return TCPExecutor(self.command, "127.0.0.1", self.port, **options)
        return SimpleExecutor(self.command, **options)

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit status once the process has ended (also after stop or kill)."""
        return self._process.poll() if self._process is not None else None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError(f"{self.name} was not started")
        return int(self._process.pid)

    def stop(self) -> None:
        """SIGTERM to the process group; SIGKILL after `timeout_s` (an exit status is no error)."""
        if self._executor is not None:
            try:
                self._executor.stop()
            except ProcessFinishedWithError:
                pass  # it ended with a status of its own: it is stopped all the same
            finally:
                self._executor.kill()
        self._close_log()

    def kill(self) -> None:
        """SIGKILL to the process group at once (what a crash looks like)."""
        if self._executor is not None:
            self._executor.kill()
        self._close_log()

    def restart(self) -> Child:
        """Start again after the process ended (or stop it first)."""
        self.stop()
        return self.start()

    def _close_log(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def __enter__(self) -> Child:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def settings_env(settings: Settings) -> dict[str, str]:
    """The TRACELENS_* variables that give a child process these same settings."""
    return {
        f"TRACELENS_{name.upper()}": _env_value(value)
        for name, value in settings.model_dump(exclude_none=True).items()
    }


def _env_value(value: Any) -> str:
    """A setting as pydantic-settings reads it back: secrets in clear, lists as JSON."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


class AppServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread, ready on return."""

    def __init__(self, app: Any, *, port: int | None = None, timeout_s: float = 30.0):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.timeout_s = timeout_s
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> AppServer:
        self.thread.start()
        deadline = time.monotonic() + self.timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the app on port {self.port} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
