"""Every route of the service without a token, with a wrong one and with too small a scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("prometheus_client")

from expectkit.interfaces.service import Tokens, create_app
from serving import POLICY_YAML, TOKENS, TOKENS_TEXT, Client

# The scope each secured route needs; public routes need none. A route added to the
# service fails test_the_table_covers_every_route until it is listed here.
NEEDS: dict[tuple[str, str], str] = {
    ("POST", "/v1/quote"): "read",
    ("GET", "/v1/tickets/{ticket}/status"): "read",
    ("GET", "/v1/due"): "read",
    ("GET", "/v1/policy"): "read",
    ("POST", "/v1/lint"): "read",
    ("GET", "/v1/schema/policy"): "read",
    ("GET", "/metrics"): "read",
    ("POST", "/v1/events"): "write",
    ("GET", "/v1/metric-events"): "write",
    ("POST", "/v1/metric-events/ack"): "write",
    ("POST", "/v1/policy/reload"): "admin",
}
PUBLIC = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/contact")}
BODIES: dict[str, Any] = {
    "/v1/quote": {"channel": "email"},
    "/v1/events": {"events": []},
    "/v1/metric-events/ack": {"ids": []},
    "/v1/lint": {},
}
LOWER = {"write": "read", "admin": "write"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Client:
    tmp = tmp_path_factory.mktemp("auth")
    (tmp / "policy.yaml").write_text(POLICY_YAML)
    app = create_app(tmp / "policy.yaml", str(tmp / "sla.db"), tokens=Tokens.parse(TOKENS_TEXT))
    return Client(app)


def call(client: Client, method: str, path: str, headers: dict[str, str]) -> Any:
    url = path.replace("{ticket}", "T1")
    body = BODIES.get(path)
    return client.request(method, url, headers=headers, json=body)


def test_the_table_covers_every_route(client: Client) -> None:
    spec = client.get("/openapi.json").json()
    routes = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert routes == set(NEEDS) | PUBLIC
    for (method, path), _ in NEEDS.items():
        op = spec["paths"][path][method.lower()]
        assert op["security"] == [{"HTTPBearer": []}], (method, path)
    for method, path in PUBLIC:
        assert "security" not in spec["paths"][path][method.lower()]


@pytest.mark.parametrize(("method", "path"), sorted(NEEDS))
def test_no_token_or_a_wrong_one_is_401(client: Client, method: str, path: str) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token-of-this-service"},
        {"Authorization": f"Basic {TOKENS['admin']}"},  # why: the right secret, wrong scheme
        {"Authorization": f"Bearer {TOKENS['admin']}x"},
    ):
        reply = call(client, method, path, headers)
        assert reply.status_code == 401, (headers, reply.text)
        assert reply.headers["www-authenticate"].startswith("Bearer")
        assert reply.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path"), sorted(NEEDS))
def test_too_small_a_scope_is_403_and_enough_passes(client: Client, method: str, path: str) -> None:
    needed = NEEDS[(method, path)]
    if needed in LOWER:
        small = call(client, method, path, {"Authorization": f"Bearer {TOKENS[LOWER[needed]]}"})
        assert small.status_code == 403, small.text
        assert repr(needed) in small.json()["detail"]
    for scope in ("read", "write", "admin")[("read", "write", "admin").index(needed) :]:
        reply = call(client, method, path, {"Authorization": f"Bearer {TOKENS[scope]}"})
        assert reply.status_code not in (401, 403), (scope, reply.text)


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC))
def test_public_routes_need_no_token(client: Client, method: str, path: str) -> None:
    assert call(client, method, path, {}).status_code == 200


def test_no_auth_lets_every_request_in(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(POLICY_YAML)
    app = create_app(tmp_path / "policy.yaml", str(tmp_path / "sla.db"), no_auth=True)
    open_client = Client(app)
    for method, path in sorted(NEEDS):
        assert call(open_client, method, path, {}).status_code not in (401, 403), path
