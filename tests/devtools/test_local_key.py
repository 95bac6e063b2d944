"""`tracelens run`'s local admin key: created once in the state directory, kept, replaced when
revoked, and accepted by the API as an admin."""

from __future__ import annotations

import stat

from core.auth.keys import KeyVerifier, revoke_key
from core.db import connect
from core.settings import Settings
from devtools.stack.supervisor import LOCAL_KEY_FILE, local_admin_key


def test_the_local_admin_key_is_made_once_and_kept(settings: Settings) -> None:
    assert settings.database_dsn is not None
    key, new = local_admin_key(settings, settings.database_dsn)
    assert new and key.startswith("tl_")
    path = settings.state_dir / LOCAL_KEY_FILE
    assert path.read_text(encoding="utf-8").strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with connect(settings.database_dsn) as conn:
        found = KeyVerifier().verify(conn, key)
        assert found is not None and found.roles == ("admin",)
    assert local_admin_key(settings, settings.database_dsn) == (key, False)

    with connect(settings.database_dsn) as conn:
        revoke_key(conn, key_id=found.id)
        conn.commit()
    replaced, new = local_admin_key(settings, settings.database_dsn)
    assert new and replaced != key
