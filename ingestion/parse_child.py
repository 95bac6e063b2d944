"""The parse sandbox's child: `python -m ingestion.parse_child LIMITS CPU_S MEMORY_MB`.

It confines itself before it reads any file: an address-space cap, no file bigger than 1 MiB
written, few open files, no network (a network namespace of its own where the platform allows:
running as root on Linux), and a CPU budget per file. Its environment is empty (the parent
starts it so). Requests and replies are length-prefixed frames on stdin and stdout.
"""

from __future__ import annotations

import ctypes
import json
import resource
import struct
import sys
from typing import IO

CLONE_NEWNET = 0x40000000


def read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack(">Q", head)
    return stream.read(size)


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(struct.pack(">Q", len(payload)))
    stream.write(payload)
    stream.flush()


def confine(memory_mb: int) -> None:
    """Limits the rest of this process lives under (CPU is set per file in `serve`)."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.unshare(CLONE_NEWNET)  # needs CAP_SYS_ADMIN; elsewhere the network stays
    except (OSError, AttributeError):
        pass


def serve(cpu_s: float) -> None:
    """Parse one file per request until stdin closes."""
    # No parser needs torch, but spaCy's thinc imports it whenever it is installed (for
    # unstructured's sentence splitter): 1 s and ~180 MiB of the sandbox's memory for nothing.
    sys.modules.setdefault("torch", None)  # type: ignore[arg-type]
    # Imported here, after the child confined itself: the parsers load under its limits.
    from core.errors import ParseError
    from ingestion.limits import ParseLimits
    from ingestion.parse import parse_report
    from ingestion.parsers.survey import UploadFields

    limits = ParseLimits(**json.loads(sys.argv[1]))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (header := read_frame(stdin)) is not None:
        data = read_frame(stdin) or b""
        request = json.loads(header)
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = used.ru_utime + used.ru_stime
        resource.setrlimit(resource.RLIMIT_CPU, (int(spent + cpu_s) + 1, resource.RLIM_INFINITY))
        try:
            fields = UploadFields(**request.get("fields", {}))
            parsed = parse_report(data, filename=request["filename"], limits=limits, fields=fields)
            reply = {"status": "ok", "report": parsed.model_dump(mode="json")}
        except ParseError as exc:
            reply = {"status": "error", "message": str(exc), "reason": exc.reason}
        except MemoryError:
            reply = {
                "status": "error",
                "message": "the parse ran past the sandbox's memory cap",
                "reason": "too_large",
            }
        except Exception as exc:  # any other parser fault is still this file's fault
            reply = {
                "status": "error",
                "message": f"parser failed: {type(exc).__name__}: {exc}",
                "reason": "crash",
            }
        write_frame(stdout, json.dumps(reply).encode())


if __name__ == "__main__":
    confine(int(sys.argv[3]))
    serve(float(sys.argv[2]))
