"""Fuzz the API with schemathesis against its own OpenAPI schema: no 5xx, no hang."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from pocketmind.daemon.api import create_app
from pocketmind.daemon.runtime import Runtime
from pocketmind.engine import FakeEngine
from pocketmind.settings import load_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    home = tmp_path_factory.mktemp("fuzz")
    config = load_settings(
        home,
        timezone="UTC",
        embedder={"backend": "fake"},
        engine={"backend": "fake", "answer_tokens": 32},
    )
    running = Runtime(config, engine_factory=lambda s: FakeEngine(context_size=4096))
    running.start()
    running.store.remember("Maya moved to Lisbon", kind="fact")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def app(runtime: Runtime) -> object:
    return create_app(runtime)


def test_no_server_errors_on_any_operation(
    app: object, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(str(tmp_path))  # whatever the fuzzer sends, nothing lands in the repo
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        if operation.path == "/adapter/reload":
            continue  # swapping the fake engine is not part of the API's contract

        @given(case=operation.as_strategy())
        @settings(
            max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        fuzz()


def test_schema_is_published(app: object) -> None:
    from starlette.testclient import TestClient

    spec = TestClient(app).get("/openapi.json").json()  # type: ignore[arg-type]
    assert {"/chat", "/events", "/memories", "/v1/chat/completions", "/v1/models"} <= set(
        spec["paths"]
    )
