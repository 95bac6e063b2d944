"""The API resolves the model in service once at start-up (a registry alias such as the champion
can move at any time; resolving it twice could pair one version's space with another's
embedder), and again only when told to reload."""

from __future__ import annotations

from cli.wiring import model_in_service
from core.blobs import make_blob_store
from core.settings import Settings
from embeddings.active import ModelInService
from ingestion.queue import make_queue
from serving.components import Components
from tests.conftest import LiveServer


def test_the_model_is_resolved_once_at_start_up_and_again_on_reload(settings: Settings) -> None:
    calls: list[ModelInService] = []

    def resolve() -> ModelInService:
        calls.append(model_in_service(settings))
        return calls[-1]

    components = Components(
        blobs=make_blob_store(settings), queue=make_queue(settings), resolve_model=resolve
    )
    with LiveServer(settings, components) as server, server.client() as api:
        assert api.get("/v1/search", params={"q": "homework"}).status_code == 200
        assert api.get("/v1/search", params={"q": "exams"}).status_code == 200
        assert len(calls) == 1
        reloaded = api.post("/v1/admin/reload-model")
        assert reloaded.status_code == 200, reloaded.text
        assert len(calls) == 2
        assert reloaded.json()["space"] == reloaded.json()["previous"]
