"""Parsing in a child process, so a pathological file can be cut off at the time cap.

A hung or crashed parse (a PDF that loops the text layer, a native-library fault) must not
take the worker with it: the child is killed and the report fails with the reason.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess

from core.errors import ParseError, TraceLensError
from core.report import ParsedReport


class ParseTimeout(ParseError):
    code = "parse_timeout"

    def __init__(self, message: str):
        super().__init__(message, reason="timeout")


def _serve(conn: Connection) -> None:
    from ingestion.parse import parse_report

    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        data, filename, max_pages = request
        try:
            parsed = parse_report(data, filename=filename, max_pages=max_pages)
            conn.send(("ok", parsed.model_dump_json()))
        except ParseError as exc:
            conn.send(("parse_error", str(exc), exc.reason))
        except TraceLensError as exc:
            conn.send(("parse_error", str(exc), "unreadable"))
        except Exception as exc:  # any other parser fault is still this file's fault
            conn.send(("parse_error", f"parser failed: {type(exc).__name__}: {exc}", "crash"))


class ParserProcess:
    """A long-lived child that parses one file at a time, restarted after a kill or crash."""

    def __init__(self, *, timeout_s: float):
        self.timeout_s = timeout_s
        self._ctx = mp.get_context("spawn")
        self._proc: SpawnProcess | None = None
        self._conn: Connection | None = None

    def _ensure(self) -> Connection:
        if self._proc is None or not self._proc.is_alive() or self._conn is None:
            self.close()
            parent, child = self._ctx.Pipe()
            self._proc = self._ctx.Process(target=_serve, args=(child,), daemon=True)
            self._proc.start()
            child.close()
            self._conn = parent
        return self._conn

    def parse(self, data: bytes, *, filename: str, max_pages: int | None) -> ParsedReport:
        conn = self._ensure()
        conn.send((data, filename, max_pages))
        if not conn.poll(self.timeout_s):
            self.close()
            raise ParseTimeout(f"parsing took longer than the {self.timeout_s:g} s cap")
        try:
            status, payload, *reason = conn.recv()
        except EOFError:
            self.close()
            raise ParseError(
                "the parser process died while reading this file", reason="crash"
            ) from None
        if status != "ok":
            raise ParseError(payload, reason=reason[0] if reason else "unreadable")
        return ParsedReport.model_validate_json(payload)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(timeout=5)
            self._proc = None
