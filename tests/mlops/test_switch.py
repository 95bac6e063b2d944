"""Search keeps answering while the service switches to a newly promoted model."""

from __future__ import annotations

import threading
import time
from collections import Counter

from pydantic import SecretStr

from core.settings import Settings
from embeddings.base import FakeEmbedder
from mlops.reembed import reembed
from mlops.registry import RegisteredModel, register
from mlops.service import notify_reload
from tests.conftest import LiveServer


def test_search_serves_throughout_a_switch(ml: Settings, champion: RegisteredModel) -> None:
    assert ml.database_dsn is not None
    flood = ml.model_copy(update={"rate_limit_search": "1000000/minute"})  # searches in a loop
    with LiveServer(flood) as server:
        settings = ml.model_copy(
            update={"public_url": server.url, "api_key": SecretStr(server.admin_key)}
        )
        statuses: Counter[int] = Counter()
        spaces: list[str] = []
        stop = threading.Event()

        def hammer() -> None:
            with server.client(timeout=30) as http:
                while not stop.is_set():
                    r = http.get("/v1/search", params={"q": "is the homework load heavy", "k": 5})
                    statuses[r.status_code] += 1
                    if r.status_code == 200:
                        spaces.append(r.json()["space"])

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            candidate = register(settings, embedder=FakeEmbedder(), text_mode="prompt")
            outcome = reembed(
                settings,
                ml.database_dsn,
                model_ref=candidate.uri,
                shard=None,
                progress=False,
                notify=lambda: notify_reload(settings),  # what the command does on promotion
            )
            before_stop, deadline = len(spaces), time.monotonic() + 30
            while len(spaces) < before_stop + 20 and time.monotonic() < deadline:
                time.sleep(0.05)  # and it keeps serving afterwards
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)

        assert outcome.gate is not None and outcome.gate.promoted
        assert "now serves fake-hashing@1/fake/prompt" in outcome.note
        assert set(statuses) == {200} and statuses[200] > 40, statuses
        old, new = "fake-hashing@1/fake/comment", "fake-hashing@1/fake/prompt"
        assert spaces[0] == old and spaces[-1] == new
        switched = spaces.index(new)
        assert set(spaces[:switched]) == {old}
        # requests already in flight at the swap may finish on the old searcher, then never again
        assert spaces[switched:].count(old) <= len(threads)

        with server.client(timeout=30) as http:
            again = http.post("/v1/admin/reload-model").json()
        assert again == {"previous": new, "space": new, "changed": False, "model": "champion"}
