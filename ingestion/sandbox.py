"""Parsing in a confined child process, so a hostile or pathological file cannot take the
worker, its memory, its secrets or the network with it.

The child (ingestion.parse_child) runs with an empty environment (no database URL, LLM key or
Kafka password to read), an address-space cap, a CPU budget per file, no network where the
platform allows, and the parse caps of ingestion.limits. A file that runs past the wall-clock
cap, the CPU budget or the memory cap is cut off and its report fails with that reason; the
child is restarted for the next file.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from dataclasses import asdict

from core.errors import ParseError
from core.report import ParsedReport
from ingestion.limits import ParseLimits
from ingestion.parse_child import read_frame, write_frame
from ingestion.parsers.partition import OFFLINE_ENV
from ingestion.parsers.survey import UploadFields

CHILD_ENV = {
    "PATH": "/usr/bin:/bin",
    "PYTHONUTF8": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    **OFFLINE_ENV,  # unstructured's telemetry off from the first import
}
RECYCLE_AFTER = 500
"""Files one child parses before a fresh one takes over (bounds slow memory growth)."""


class ParseTimeout(ParseError):
    code = "parse_timeout"

    def __init__(self, message: str):
        super().__init__(message, reason="timeout")


class ParserProcess:
    """A long-lived confined child that parses one file at a time, restarted after a kill."""

    def __init__(
        self,
        *,
        timeout_s: float,
        limits: ParseLimits | None = None,
        memory_mb: int = 1024,
    ):
        self.timeout_s = timeout_s
        self.limits = limits or ParseLimits()
        self.memory_mb = memory_mb
        self._proc: subprocess.Popen[bytes] | None = None
        self._parsed = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None or self._parsed >= RECYCLE_AFTER:
            self.close()
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ingestion.parse_child",
                    json.dumps(asdict(self.limits)),
                    str(self.timeout_s),
                    str(self.memory_mb),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=CHILD_ENV,
                cwd="/",
                close_fds=True,
            )
            self._parsed = 0
        return self._proc

    def parse(
        self, data: bytes, *, filename: str, fields: UploadFields | None = None
    ) -> ParsedReport:
        """Parse one file in the child; `fields` are a survey upload's form fields."""
        proc = self._ensure()
        assert proc.stdin is not None and proc.stdout is not None
        self._parsed += 1
        request = {"filename": filename, "fields": (fields or UploadFields()).given()}
        try:
            write_frame(proc.stdin, json.dumps(request).encode())
            write_frame(proc.stdin, data)
        except BrokenPipeError:
            raise self._died() from None
        ready, _, _ = select.select([proc.stdout], [], [], self.timeout_s)
        if not ready:
            self.close()
            raise ParseTimeout(f"parsing took longer than the {self.timeout_s:g} s cap")
        reply = read_frame(proc.stdout)
        if reply is None:
            raise self._died()
        answer = json.loads(reply)
        if answer["status"] != "ok":
            raise ParseError(answer["message"], reason=answer["reason"])
        return ParsedReport.model_validate(answer["report"])

    def _died(self) -> ParseError:
        """The child ended mid-file: say which cap ended it, when one did."""
        proc = self._proc
        code = proc.wait(timeout=5) if proc is not None else None
        self.close()
        if code == -signal.SIGXCPU:
            return ParseTimeout(f"the parse used more than its {self.timeout_s:g} s of CPU")
        if code == -signal.SIGXFSZ:
            return ParseError("the parser tried to write a file", reason="crash")
        return ParseError(
            f"the parser process died while reading this file (exit {code})", reason="crash"
        )

    def close(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
