"""An uploader sees the status of their own uploads only; analysts and admins see all."""

from __future__ import annotations

from pathlib import Path

import httpx

from core.settings import Settings
from tests.conftest import LiveServer, make_key


def test_uploaders_see_their_own_uploads(settings: Settings, corpus: Path) -> None:
    path = sorted(corpus.glob("*.pdf"))[0]
    keys = {
        name: make_key(settings, *roles)
        for name, roles in {
            "alice": ("uploader",),
            "bob": ("uploader",),
            "analyst": ("analyst",),
        }.items()
    }
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=60) as http:

        def as_(name: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {keys[name]}"}

        upload = http.post(
            "/v1/reports", files={"file": (path.name, path.read_bytes())}, headers=as_("alice")
        )
        assert upload.status_code == 202, upload.text
        report = upload.json()["id"]
        for name, sees in (("alice", True), ("bob", False), ("analyst", True)):
            listed = http.get("/v1/reports", headers=as_(name)).json()
            assert ({r["id"] for r in listed["items"]} == {report}) is sees, name
            assert listed["total"] == (1 if sees else 0), name
            one = http.get(f"/v1/reports/{report}", headers=as_(name))
            assert one.status_code == (200 if sees else 404), name
