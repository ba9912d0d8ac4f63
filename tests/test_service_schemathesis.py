"""Schemathesis against the live OpenAPI document of a real server: no 5xx, answers match it.

Every operation gets a few generated requests in the default run and many more under
the ``slow`` marker. The checks: no server error, every status and content type
documented, every body valid against its documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("schemathesis")

import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from serving import POLICY_YAML, TOKENS_TEXT, Server, auth, server
from test_service_auth import NEEDS, PUBLIC

CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)
OPERATIONS = sorted(set(NEEDS) | PUBLIC)
# Schemathesis 3 (the lowest version allowed) resolves references with a jsonschema API that
# jsonschema deprecates: a warning between two dependencies, not about expectkit.
pytestmark = [
    pytest.mark.integration,  # starts processes: see CONTRIBUTING.md
    pytest.mark.filterwarnings("ignore:jsonschema.RefResolver is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings(
        "ignore:jsonschema.exceptions.RefResolutionError is deprecated:DeprecationWarning"
    ),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Any]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY_YAML)
    (tmp / "tokens").write_text(TOKENS_TEXT)
    with server(tmp, policy, str(tmp / "sla.db"), "--tokens-file", str(tmp / "tokens")) as srv:
        url = srv.url + "/openapi.json"
        openapi: Any = schemathesis.openapi  # from_url in Schemathesis 4, from_uri in 3
        experimental: Any = getattr(schemathesis, "experimental", None)
        if experimental is not None and hasattr(experimental, "OPEN_API_3_1"):
            experimental.OPEN_API_3_1.enable()  # Schemathesis 3 reads OpenAPI 3.1 only so
        loaded = openapi.from_url(url) if hasattr(openapi, "from_url") else openapi.from_uri(url)
        yield srv, loaded


def _fuzz(live: tuple[Server, Any], method: str, path: str, examples: int) -> None:
    srv, schema = live
    operation = schema[path][method]

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        case.call_and_validate(base_url=srv.url, headers=auth("admin"), checks=CHECKS)

    check()
    assert "Traceback" not in srv.output()


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_answers_as_documented(
    live: tuple[Server, Any], method: str, path: str
) -> None:
    _fuzz(live, method, path, 12)


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_answers_as_documented_at_length(
    live: tuple[Server, Any], method: str, path: str
) -> None:
    _fuzz(live, method, path, 400)


def test_the_document_is_complete(live: tuple[Server, Any], tmp_path: Path) -> None:
    srv, _ = live
    import httpx

    doc = httpx.get(srv.url + "/openapi.json").json()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            assert op.get("summary"), (method, path)
            assert "200" in op["responses"], (method, path)
            problem = op["responses"]["422"]["content"]["application/problem+json"]
            assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
