"""The API's routers: every route sits behind the owner-only dependency."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from pocketmind.daemon.api import create_app
from pocketmind.daemon.routers import ROUTERS
from pocketmind.daemon.routers.deps import owner_only
from pocketmind.daemon.runtime import Runtime
from pocketmind.daemon.server import Guard, make_server
from pocketmind.settings import Settings


def test_every_route_depends_on_owner_only(settings: Settings) -> None:
    routes = [route for router in ROUTERS for route in router.routes]
    assert len(routes) >= 22
    for router in ROUTERS:
        assert [d.dependency for d in router.dependencies] == [owner_only]
    app = create_app(Runtime(settings))
    _server, sockets = make_server(app, settings, token=None)
    try:
        bypass = TestClient(app)
        for path, methods in app.openapi()["paths"].items():
            for method in methods:
                url = re.sub(r"\{[^}]+\}", "1", path)
                assert bypass.request(method, url).status_code == 401, (method, path)
    finally:
        for sock in sockets:
            sock.close()


def test_a_served_app_refuses_what_the_guard_did_not_admit(settings: Settings) -> None:
    app = create_app(Runtime(settings))
    assert TestClient(app).get("/health").status_code == 200  # not served: no guard to ask
    _server, sockets = make_server(app, settings, token="secret")
    try:
        bypass = TestClient(app).get("/health")  # straight to the app, around the guard
        assert bypass.status_code == 401
        assert "guard" in bypass.json()["detail"]
        guarded = TestClient(Guard(app, max_body=1000, token="secret"))
        assert guarded.get("/health").status_code == 401  # no token
        ok = guarded.get("/health", headers={"Authorization": "Bearer secret"})
        assert ok.status_code == 200
    finally:
        for sock in sockets:
            sock.close()
