"""The policy routes: the one serving, lint, the JSON Schema of policy files, reload."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request

from expectkit._core.errors import PolicyError, ServiceError
from expectkit.interfaces.service.auth import require
from expectkit.interfaces.service.models import (
    FindingOut,
    LintIn,
    LintOut,
    PolicyOut,
    ReloadOut,
)
from expectkit.interfaces.service.problems import ProblemError
from expectkit.promises.policy import Policy
from expectkit.sla.store import StoreError

router = APIRouter(prefix="/v1", tags=["policy"])


@router.get("/policy", dependencies=[Depends(require("read"))], summary="The policy serving now")
def policy_route(request: Request) -> PolicyOut:
    """Return the policy in force for new tickets and quotes, with its version."""
    runtime = request.app.state.runtime
    serving = runtime.serving
    return PolicyOut(
        version=serving.version,
        name=serving.policy.name,
        source=None if runtime.source is None else str(runtime.source),
        policy=serving.policy.model_dump(mode="json", exclude_defaults=True),
    )


@router.post(
    "/lint",
    dependencies=[Depends(require("read"))],
    summary="Lint a policy (default the one serving)",
)
def lint_route(request: Request, body: LintIn) -> LintOut:
    """Report rules that never match, requests no rule matches, and more.

    A policy text that cannot be read or validated gets 422 naming the line and field.
    """
    if body.policy is None:
        policy = request.app.state.runtime.serving.policy
    else:
        policy = Policy.loads(body.policy, body.format, source="body.policy")
    at = body.at or datetime.now(UTC)
    return LintOut(
        findings=[
            FindingOut(code=f.code, path=f.path, message=f.message, severity=f.severity)
            for f in policy.lint(at=at)
        ]
    )


@router.get(
    "/schema/policy",
    dependencies=[Depends(require("read"))],
    summary="The JSON Schema of policy files",
)
async def schema_route() -> dict[str, Any]:
    """Return the JSON Schema every policy file validates against."""
    return Policy.json_schema()


@router.post(
    "/policy/reload",
    dependencies=[Depends(require("admin"))],
    summary="Re-read the policy file; a bad one leaves the old policy serving",
    responses={422: {"description": "The new file is invalid; the old policy keeps serving"}},
)
def reload_route(request: Request) -> ReloadOut:
    """Validate the policy file again and serve it; on any error keep the old one and say why."""
    telemetry = request.app.state.telemetry
    try:
        done = request.app.state.runtime.reload()
    except ServiceError as exc:
        telemetry.reloads.labels("refused").inc()
        raise ProblemError(409, str(exc)) from exc
    except (PolicyError, StoreError) as exc:
        telemetry.reloads.labels("refused").inc()
        raise ProblemError(422, str(exc)) from exc
    telemetry.reloads.labels("done").inc()
    return ReloadOut(
        version=done.version, previous_version=done.previous_version, changed=done.changed
    )


__all__ = ["router"]
