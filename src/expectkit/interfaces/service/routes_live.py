"""The live routes over the store: events in, ticket status, due tickets, the outbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from expectkit._core.errors import EventError, PendingTicketError
from expectkit.interfaces.service.auth import require
from expectkit.interfaces.service.models import (
    AckIn,
    AckOut,
    ClaimedOut,
    ClaimedPage,
    DueOut,
    DuePage,
    EventsIn,
    IngestOut,
    MetricStatusOut,
    StatusOut,
)
from expectkit.interfaces.service.problems import FieldProblem, ProblemError

router = APIRouter(prefix="/v1", tags=["live"])
_LINE = re.compile(r"^line (\d+)")
_MAX_OFFSET = 1_000_000


def _now() -> datetime:
    return datetime.now(UTC)


@router.post(
    "/events",
    dependencies=[Depends(require("write"))],
    summary="Ingest a batch of ticket events (idempotent by event id)",
)
def events_route(request: Request, body: EventsIn) -> IngestOut:
    """Add the events in one transaction; re-sent events count as duplicates.

    A bad event refuses the whole batch (nothing is written) and the problem names
    its index, unless ``skip_bad`` keeps it in the rejects table instead.
    """
    limit = request.app.state.settings.max_event_batch
    if len(body.events) > limit:
        msg = f"body.events: {len(body.events)} events is over the limit of {limit}"
        raise ProblemError(422, msg)
    items: list[dict[str, Any]] = []
    for event in body.events:
        item = event.model_dump(mode="json")
        if item.get("id") is None:
            item.pop("id", None)
        items.append(item)
    store = request.app.state.runtime.serving.store
    try:
        counts = store.ingest(items, skip_bad=body.skip_bad)
    except EventError as exc:
        text = str(exc)
        found = _LINE.match(text)
        where = f"body.events.{int(found.group(1)) - 1}" if found else "body.events"
        message = _LINE.sub("", text).lstrip(", :")
        detail = f"{where}: {message}"
        problem = FieldProblem(field=where, value=None, message=message)
        raise ProblemError(422, detail, errors=[problem]) from exc
    request.app.state.telemetry.count_ingest(counts)
    return IngestOut.model_validate(counts.as_dict())


@router.get(
    "/tickets/{ticket}/status",
    dependencies=[Depends(require("read"))],
    summary="Where each metric of a ticket stands",
    responses={404: {"description": "The store has no events for the ticket"}},
)
def status_route(
    request: Request,
    ticket: Annotated[str, Path(min_length=1, max_length=200)],
    at: Annotated[datetime | None, Query(description="An instant with offset; default now")] = None,
) -> StatusOut:
    """Per metric: state, due, target, elapsed and remaining running time, rule."""
    when = _aware(at, "query.at") or _now()
    store = request.app.state.runtime.serving.store
    try:
        statuses = store.status(ticket, when)
    except PendingTicketError as exc:
        raise ProblemError(409, f"ticket {ticket!r}: {exc}") from exc
    except EventError as exc:
        raise ProblemError(404, f"the store has no events for ticket {ticket!r}") from exc
    return StatusOut(
        ticket=ticket,
        at=when,
        metrics={
            m: MetricStatusOut(
                state=s.state,
                cycle=s.cycle,
                rule=s.rule,
                clock=s.clock,
                started_at=s.started_at,
                stopped_at=s.stopped_at,
                due=s.breach_at,
                target=s.target_at,
                elapsed=s.elapsed,
                remaining=s.remaining,
            )
            for m, s in statuses.items()
        },
    )


def _aware(value: datetime | None, where: str) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        msg = f"{where}: {value.isoformat()!r} has no UTC offset; write e.g. 2026-11-23T10:00+01:00"
        raise ProblemError(
            422, msg, errors=[FieldProblem(field=where, value=value.isoformat(), message=msg)]
        )
    return value


@router.get(
    "/due",
    dependencies=[Depends(require("read"))],
    summary="Tickets by next deadline, earliest first, paginated",
)
def due_route(
    request: Request,
    before: Annotated[datetime | None, Query(description="Default now")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=_MAX_OFFSET)] = 0,
) -> DuePage:
    """Tickets whose next deadline is at or before `before`; pages by offset."""
    when = _aware(before, "query.before") or _now()
    size = min(limit, request.app.state.settings.max_page)
    found = request.app.state.runtime.serving.store.due(when, limit=offset + size + 1)
    page = found[offset : offset + size]
    more = len(found) > offset + size
    return DuePage(
        items=[DueOut(ticket=d.ticket, at=d.at, metric=d.metric, kind=d.kind) for d in page],
        next_offset=offset + size if more else None,
    )


@router.get(
    "/metric-events",
    dependencies=[Depends(require("write"))],
    summary="Claim the metric events due (the outbox); acknowledge them after delivery",
)
def metric_events_route(
    request: Request,
    until: Annotated[datetime | None, Query(description="Default now")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> ClaimedPage:
    """Claim up to `limit` unacknowledged metric events due by `until`, for the lease.

    Claimed events are not handed out again until the lease runs out; acknowledge
    each delivered one with ``POST /v1/metric-events/ack``.
    """
    when = _aware(until, "query.until") or _now()
    settings = request.app.state.settings
    store = request.app.state.runtime.serving.store
    claimed = store.claim(
        when, lease=timedelta(seconds=settings.lease_seconds), limit=min(limit, settings.max_page)
    )
    return ClaimedPage(
        items=[
            ClaimedOut(
                id=c.id,
                ticket=c.event.ticket,
                metric=c.event.metric,
                cycle=c.event.cycle,
                kind=c.event.kind,
                at=c.event.at,
                name=c.event.name,
            )
            for c in claimed
        ]
    )


@router.post(
    "/metric-events/ack",
    dependencies=[Depends(require("write"))],
    summary="Acknowledge delivered metric events: never handed out again",
)
def ack_route(request: Request, body: AckIn) -> AckOut:
    """Acknowledge the metric events of `ids` (unknown ids change nothing)."""
    ids = sorted(set(body.ids))
    request.app.state.runtime.serving.store.ack(ids)
    return AckOut(acked=len(ids))


__all__ = ["router"]
