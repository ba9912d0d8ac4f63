"""The OpenAPI document: every error response documented as the problem+json it is.

FastAPI documents a 422 with its own validation-error schema; the service answers every
error with a :class:`~expectkit.interfaces.service.problems.Problem` instead, so the
document is rewritten once, when first asked for, to say so for each status a route
can answer.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from expectkit.interfaces.service.problems import PROBLEM_JSON, Problem

_WHY: Final = {
    "400": "A malformed request (problem+json)",
    "401": "No bearer token, or one this service does not know (problem+json)",
    "403": "The token lacks the scope this route needs (problem+json)",
    "404": "Nothing there (problem+json)",
    "409": "A conflict: the ticket is pending, or nothing to reload (problem+json)",
    "413": "The request body is over the size limit (problem+json)",
    "422": "A bad field or value, named in the problem (problem+json)",
    "500": "An unexpected failure; details only in the server log (problem+json)",
    "503": "The store is not available (problem+json)",
}
_REF: Final = {"$ref": "#/components/schemas/Problem"}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["400", "404", "422", "500"]
    if operation.get("security"):
        codes += ["401", "403", "503"]
    if method == "post":
        codes.append("413")
    if path in ("/v1/tickets/{ticket}/status", "/v1/policy/reload"):
        codes.append("409")
    return codes


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """Return `app`'s OpenAPI document with problem+json error responses (cached on `app`).

    >>> from fastapi import FastAPI
    >>> doc = problem_openapi(FastAPI())
    >>> sorted(doc["components"]["schemas"])
    ['FieldProblem', 'Problem']
    """
    if app.openapi_schema is not None:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(schema.pop("$defs", {}))
    components["Problem"] = schema
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _statuses(path, method, operation):
                entry = responses.setdefault(code, {})
                entry["description"] = entry.get("description") or _WHY[code]
                if entry["description"] in ("Validation Error", "Successful Response"):
                    entry["description"] = _WHY[code]
                entry["content"] = {PROBLEM_JSON: {"schema": _REF}}
    app.openapi_schema = doc
    return doc


__all__ = ["problem_openapi"]
