"""Routes for operators and visitors: health, readiness, Prometheus metrics, the contact page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from expectkit.interfaces.service.auth import require
from expectkit.interfaces.service.models import HealthOut, ReadyOut
from expectkit.interfaces.service.problems import ProblemError
from expectkit.interfaces.service.telemetry import CONTENT_TYPE
from expectkit.text.contact_page import contact_page
from expectkit.text.phrasebooks import Phrasebook

router = APIRouter(tags=["operations"])

# The page has one inline stylesheet and nothing else: no scripts, images or fonts.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "public, max-age=300",
}


@router.get("/healthz", summary="The process answers (no database check)")
async def healthz() -> HealthOut:
    """Answer ``ok`` while the process serves requests."""
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    summary="Ready: the database reachable and a policy loaded",
    responses={503: {"model": ReadyOut, "description": "Not ready"}},
)
def readyz(request: Request) -> JSONResponse:
    """``ready`` (200) or ``not ready`` (503) with what is missing."""
    runtime = request.app.state.runtime
    database = runtime.ready()
    body = ReadyOut(
        status="ready" if database else "not ready",
        database=database,
        policy=runtime.serving.version,
    )
    return JSONResponse(body.model_dump(), status_code=200 if database else 503)


@router.get(
    "/metrics",
    dependencies=[Depends(require("read"))],
    summary="Prometheus metrics of this process",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}}}},
)
def metrics(request: Request) -> Response:
    """Return requests, latencies, ingested events, tickets by state and breaches."""
    return Response(request.app.state.telemetry.render(), media_type=CONTENT_TYPE)


@router.get(
    "/contact",
    summary="The contact and response-times page (HTML)",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
def contact(
    request: Request,
    locale: Annotated[str, Query(max_length=50, description="A locale tag, e.g. de")] = "en",
    tz: Annotated[str | None, Query(max_length=100, description="The visitor's zone")] = None,
    at: Annotated[datetime | None, Query(description="The week shown; default now")] = None,
) -> HTMLResponse:
    """Show the public page of channels, hours, response windows and closures ahead."""
    if at is not None and at.utcoffset() is None:
        raise ProblemError(422, f"query.at: {at.isoformat()!r} has no UTC offset")
    page = contact_page(
        request.app.state.runtime.serving.policy,
        locale=Phrasebook.load(locale, fallback_ok=True),
        tz=tz,
        at=at,
        faq_url=request.app.state.settings.contact_url,
    )
    return HTMLResponse(page, headers=_PAGE_HEADERS)


__all__ = ["router"]
