"""Turn Zendesk ticket metric events into the ticket events the SLA clock replays.

Zendesk records, per ticket, when each metric's clock starts (``activate``), pauses
(``pause``) and is fulfilled (``fulfill``). Those moments are what the agents and the
customer did, and they convert back:

* the ticket's first ``activate`` → ``created`` (priority, type, tags and channel from
  the tickets export when it holds the ticket);
* ``reply_time`` ``activate`` of a later instance → ``customer_message``; ``fulfill``
  of ``reply_time``, ``periodic_update_time`` or ``pausable_update_time`` →
  ``agent_reply`` (public);
* ``requester_wait_time`` paused → status ``pending``; ``agent_work_time`` paused
  while the requester's wait is not → ``on_hold``; either running again → ``open``;
* ``fulfill`` of ``requester_wait_time``, ``agent_work_time`` or ``resolution_time``
  → ``solved``; a metric running again after that → ``reopened``.

Events of one instant are taken together, so the two pauses of a ticket set to
pending make one status change. ``apply_sla``, ``apply_group_sla``, ``breach``,
``update_status`` and ``measure`` events are Zendesk's own SLA results: the clock
computes them from the imported policy, so they are counted in the report, not
converted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any, Final

from expectkit._core.errors import ExpectkitError, ImportFormatError
from expectkit.importers._common import Findings, as_int, as_str, need
from expectkit.importers._via import via_type
from expectkit.sla.events import (
    AgentReply,
    CustomerMessage,
    Event,
    StatusChanged,
    TicketCreated,
    TicketReopened,
)

__all__ = ["convert_metric_events"]

_RESULTS: Final = frozenset({"apply_sla", "apply_group_sla", "breach", "update_status", "measure"})
_REPLIES: Final = frozenset({"reply_time", "periodic_update_time", "pausable_update_time"})
_SOLVING: Final = frozenset({"requester_wait_time", "agent_work_time", "resolution_time"})
_ATTRIBUTES: Final = ("type", "group_id", "organization_id", "brand_id", "ticket_form_id")
_SHOWN_TICKETS: Final = 5

Item = tuple[str, str, Mapping[str, Any]]


@dataclass
class _Raw:
    at: datetime
    order: int
    metric: str
    type: str
    instance: int


@dataclass
class _State:
    status: str = "open"
    requester_paused: bool = False
    agent_paused: bool = False


def convert_metric_events(
    metric_events: Sequence[Item],
    tickets: Sequence[Item],
    default_channel: str,
    findings: Findings,
) -> tuple[Event, ...]:
    """Return the clock's events for the metric events, reporting what is not converted.

    Raises:
        ImportFormatError: A metric event lacks a field or has a malformed one.

    """
    if not metric_events:
        return ()
    source = metric_events[0][0]
    records = _tickets(tickets)
    by_ticket: dict[str, list[_Raw]] = {}
    results: dict[str, int] = {}
    for order, (src, path, item) in enumerate(metric_events):
        kind = as_str(need(item, "type", src, path), src, f"{path}.type")
        if kind in _RESULTS:
            results[kind] = results.get(kind, 0) + 1
            continue
        ticket = str(as_int(need(item, "ticket_id", src, path), src, f"{path}.ticket_id"))
        metric = as_str(need(item, "metric", src, path), src, f"{path}.metric")
        instance = item.get("instance_id")
        by_ticket.setdefault(ticket, []).append(
            _Raw(
                _instant(need(item, "time", src, path), src, f"{path}.time"),
                order,
                metric,
                kind,
                as_int(instance, src, f"{path}.instance_id") if instance is not None else 1,
            )
        )
    for kind, count in sorted(results.items()):
        findings.add(
            source,
            "ticket_metric_events",
            "event",
            f"{count} {kind!r} event(s) not converted: they are Zendesk's SLA results, "
            "which the clock computes from the imported policy",
        )
    out: list[Event] = []
    unstarted: list[str] = []
    without_record: list[str] = []
    for ticket, raws in by_ticket.items():
        raws.sort(key=lambda r: (r.at, r.order))
        if raws[0].type != "activate":
            unstarted.append(ticket)
            continue
        record = records.get(ticket)
        if record is None:
            without_record.append(ticket)
        out.extend(_ticket_events(ticket, raws, record, default_channel))
    if unstarted:
        findings.add(
            source,
            "ticket_metric_events",
            "event",
            f"ticket(s) {_few(unstarted)}: the first metric event is not an 'activate' "
            "(created before the export's start?); their events are not converted",
        )
    if without_record:
        findings.add(
            source,
            "ticket_metric_events",
            "event",
            f"ticket(s) {_few(without_record)} are not in a tickets export: created on "
            f"channel {default_channel!r} without priority, type or tags, so only rules "
            "without those conditions apply",
        )
    return tuple(out)


def _few(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN_TICKETS])
    more = len(ids) - _SHOWN_TICKETS
    return f"{shown} and {more} more" if more > 0 else shown


def _instant(value: object, source: str, path: str) -> datetime:
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if at.tzinfo is not None:
                return at
    raise ImportFormatError.at(source, path, value, "expected an ISO 8601 instant with an offset")


def _tickets(tickets: Sequence[Item]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for source, path, item in tickets:
        ticket = str(as_int(need(item, "id", source, path), source, f"{path}.id"))
        fields: dict[str, Any] = {}
        priority = item.get("priority")
        if isinstance(priority, str) and priority:
            fields["priority"] = priority
        tags = item.get("tags")
        if isinstance(tags, list):
            fields["tags"] = tuple(str(t) for t in tags)
        via = item.get("via")
        channel = via_type(via.get("channel")) if isinstance(via, Mapping) else None
        if channel is not None:
            fields["channel"] = channel
        attributes = {k: item[k] for k in _ATTRIBUTES if _scalar(item.get(k))}
        for field in item.get("custom_fields") or []:
            if isinstance(field, Mapping) and _scalar(field.get("value")):
                attributes[f"custom_fields_{field.get('id')}"] = field["value"]
        if attributes:
            fields["attributes"] = attributes
        out[ticket] = fields
    return out


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool) and value != ""


def _ticket_events(
    ticket: str, raws: Sequence[_Raw], record: Mapping[str, Any] | None, default_channel: str
) -> list[Event]:
    fields = dict(record or {})
    channel = fields.pop("channel", default_channel)
    try:
        created: Event = TicketCreated(ticket=ticket, at=raws[0].at, channel=channel, **fields)
    except ExpectkitError as exc:
        msg = f"ticket {ticket}: the ticket record does not convert: {exc}"
        raise ImportFormatError(msg) from exc
    out: list[Event] = [created]
    state = _State()
    first = True
    for at, group in groupby(raws, key=lambda r: r.at):
        out.extend(_instant_events(ticket, at, list(group), state, first=first))
        first = False
    return out


def _instant_events(
    ticket: str, at: datetime, group: Sequence[_Raw], state: _State, *, first: bool
) -> list[Event]:
    reopen = customer = reply = solve = False
    for raw in group:
        if raw.type == "activate":
            if raw.metric == "reply_time" and raw.instance > 1:
                customer = True
            if raw.metric in _SOLVING and state.status == "solved" and not first:
                reopen = True
            if raw.metric == "requester_wait_time":
                state.requester_paused = False
            elif raw.metric == "agent_work_time":
                state.agent_paused = False
        elif raw.type == "pause":
            if raw.metric == "requester_wait_time":
                state.requester_paused = True
            elif raw.metric == "agent_work_time":
                state.agent_paused = True
        elif raw.type == "fulfill":
            if raw.metric in _REPLIES:
                reply = True
            if raw.metric in _SOLVING:
                solve = True
    out: list[Event] = []
    if reopen:
        out.append(TicketReopened(ticket=ticket, at=at))
        state.status = "open"
    if customer:
        out.append(CustomerMessage(ticket=ticket, at=at))
    if reply:
        out.append(AgentReply(ticket=ticket, at=at))
    if solve:
        status = "solved"
    elif state.requester_paused:
        status = "pending"
    elif state.agent_paused:
        status = "on_hold"
    else:
        status = "open"
    if status != state.status:
        out.append(StatusChanged(ticket=ticket, at=at, status=status))
        state.status = status
    return out
