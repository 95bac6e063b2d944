"""API keys: random, shown once, stored as argon2 hashes and found by their public prefix.

A key reads `tl_<prefix>_<secret>`; the prefix (12 hex digits) names the row, the secret is
checked against the stored argon2 hash. Revoking keeps the row (its name, roles and dates).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.auth.access import ROLES
from core.db import Conn
from core.errors import NotFound, TraceLensError

PREFIX = "tl_"
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class ApiKey:
    """A stored key as the API sees it (never its hash)."""

    id: int
    prefix: str
    name: str
    roles: tuple[str, ...]
    instructor_id: int | None


def _check_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    unknown = [r for r in chosen if r not in ROLES]
    if unknown or not chosen:
        raise TraceLensError(f"roles must be among {', '.join(ROLES)}; got {chosen!r}")
    return chosen


def create_key(
    conn: Conn, *, name: str, roles: Iterable[str], instructor_id: int | None = None
) -> tuple[str, ApiKey]:
    """A new key: the plaintext (to show once) and what is stored of it."""
    chosen = _check_roles(roles)
    if "instructor" in chosen and instructor_id is None:
        raise TraceLensError("an instructor key needs the instructor's id (--instructor ID)")
    if instructor_id is not None:
        found = conn.execute("SELECT 1 FROM instructors WHERE id = %s", (instructor_id,))
        if found.fetchone() is None:
            raise NotFound(f"no instructor {instructor_id}")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = conn.execute(
        "INSERT INTO api_keys (prefix, hash, name, roles, instructor_id)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (prefix, _HASHER.hash(secret), name, chosen, instructor_id),
    ).fetchone()
    assert row is not None
    key = ApiKey(int(row["id"]), prefix, name, tuple(chosen), instructor_id)
    return f"{PREFIX}{prefix}_{secret}", key


def list_keys(conn: Conn, *, include_revoked: bool = True) -> list[dict[str, Any]]:
    """Every key's id, prefix, name, roles, instructor and dates; never a hash."""
    clause = "" if include_revoked else " WHERE revoked_at IS NULL"
    return conn.execute(
        "SELECT id, prefix, name, roles, instructor_id, created_at, revoked_at FROM api_keys"
        + clause
        + " ORDER BY id"
    ).fetchall()


def revoke_key(conn: Conn, *, key_id: int) -> dict[str, Any]:
    """Mark a key revoked (from now on it answers 401); revoking twice keeps the first date."""
    row = conn.execute(
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s"
        " RETURNING id, prefix, name, roles, revoked_at",
        (key_id,),
    ).fetchone()
    if row is None:
        raise NotFound(f"no API key {key_id}")
    return row


def looks_like_key(token: str) -> bool:
    return token.startswith(PREFIX) and "_" in token[len(PREFIX) :]


class KeyVerifier:
    """Checks presented keys; a key verified once skips argon2 (by its SHA-256) while it lives.

    The row is read on every call, so a revoked key is refused at once.
    """

    def __init__(self, *, cache_size: int = 1024) -> None:
        self._verified: dict[str, str] = {}
        self._cache_size = cache_size

    def verify(self, conn: Conn, token: str) -> ApiKey | None:
        if not looks_like_key(token):
            return None
        prefix, _, secret = token[len(PREFIX) :].partition("_")
        row = conn.execute(
            "SELECT id, prefix, hash, name, roles, instructor_id FROM api_keys"
            " WHERE prefix = %s AND revoked_at IS NULL",
            (prefix,),
        ).fetchone()
        if row is None:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        if self._verified.get(digest) != row["hash"]:
            try:
                _HASHER.verify(row["hash"], secret)
            except (VerificationError, InvalidHashError):
                return None
            if len(self._verified) >= self._cache_size:
                self._verified.clear()
            self._verified[digest] = row["hash"]
        return ApiKey(
            int(row["id"]), row["prefix"], row["name"], tuple(row["roles"]), row["instructor_id"]
        )
