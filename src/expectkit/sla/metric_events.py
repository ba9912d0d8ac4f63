"""Metric events: the transitions of a ticket's SLA metrics, as typed values with instants.

Like a helpdesk's ticket metric events, they are what notifications and webhooks are
driven by: a metric was ``activated`` (a cycle started), ``fulfilled`` (it stopped),
its rule changed (``rule_changed``), it became ``at_risk``, reached a named
``escalation`` point, missed its target (``target_missed``) or was ``breached``; a
pause began (``paused``: a pausing status, or for the cumulative metrics a solve
before a reopen) or ended (``resumed``).
Instants are exact: ``at_risk`` and escalation points are reached at their instant;
``target_missed`` and ``breached`` are the first microsecond after the (inclusive)
deadline.

>>> from datetime import datetime, UTC
>>> from expectkit.sla.clock import Clock
>>> from expectkit.promises.policy import Policy
>>> from expectkit.sla.state import TicketState
>>> clock = Clock(Policy(rules=[{"name": "r", "first_response": {"promise": "4 hours"}}]))
>>> s = TicketState.empty("T1", clock).apply(
...     {"ticket": "T1", "type": "created", "at": "2026-01-05T09:00:00Z", "channel": "web"})
>>> [(e.kind, e.at.isoformat()) for e in metric_events(s)]
[('activated', '2026-01-05T09:00:00+00:00'), ('at_risk', '2026-01-05T12:00:00+00:00'), \
('target_missed', '2026-01-05T13:00:00.000001+00:00'), \
('breached', '2026-01-05T13:00:00.000001+00:00')]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, get_args

from expectkit._core.errors import EventError
from expectkit.promises.metrics import CLOCK_METRICS, ClockMetric
from expectkit.sla.events import _instant
from expectkit.sla.state import TicketState

__all__ = ["MetricEvent", "MetricEventKind", "metric_events"]

MetricEventKind = Literal[
    "activated",
    "fulfilled",
    "rule_changed",
    "at_risk",
    "escalation",
    "target_missed",
    "breached",
    "paused",
    "resumed",
]
"""What happened to a metric."""

_KINDS: Final = frozenset(get_args(MetricEventKind))
_ORDER: Final = {k: i for i, k in enumerate(get_args(MetricEventKind))}
_US: Final = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class MetricEvent:
    """One transition of one cycle of one metric of a ticket.

    ``name`` is the escalation point's name (``escalation``), the new rule
    (``rule_changed``, ``activated``) or empty.

    >>> from datetime import datetime, UTC
    >>> e = MetricEvent("T1", "resolution", 0, "breached", datetime(2026, 1, 5, tzinfo=UTC), "r")
    >>> MetricEvent.from_json(e.to_json()) == e
    True
    """

    ticket: str
    metric: ClockMetric
    cycle: int
    kind: MetricEventKind
    at: datetime
    name: str = ""

    @property
    def key(self) -> str:
        """A stable identity: ticket, metric, cycle, kind, name and instant."""
        at = self.at.isoformat()
        return f"{self.ticket}|{self.metric}|{self.cycle}|{self.kind}|{self.name}|{at}"

    def to_json(self) -> str:
        """Return the event as one JSON object."""
        return json.dumps(
            {
                "ticket": self.ticket,
                "metric": self.metric,
                "cycle": self.cycle,
                "kind": self.kind,
                "at": self.at.isoformat(),
                "name": self.name,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> MetricEvent:
        """Read an event written by :meth:`to_json`.

        Raises:
            EventError: Not a metric event.

        """
        try:
            data = json.loads(text)
            kind, metric = data["kind"], data["metric"]
            if kind not in _KINDS or metric not in CLOCK_METRICS:
                raise ValueError(f"kind {kind!r} or metric {metric!r}")
            at = datetime.fromisoformat(data["at"])
            if at.utcoffset() is None:
                raise ValueError("a naive instant")
            return cls(str(data["ticket"]), metric, int(data["cycle"]), kind, at, str(data["name"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise EventError(f"not a metric event: {exc}") from exc


def metric_events(state: TicketState) -> list[MetricEvent]:
    """Return every metric event of the ticket as its events stand, in instant order.

    Transitions after the latest event are predictions: a later event (a reply, a
    pause) may take them back, and they are left out while a pause makes them
    unknown.

    Raises:
        PendingTicketError: The ticket's ``created`` event has not arrived.

    """
    state._folded()  # a pending ticket has no metrics yet: say so
    last = state.last_event_at
    if last is None:  # pragma: no cover - a folded state has events
        return []
    # The far end: past every deadline known at the latest event, so all are passed.
    horizon = last
    for runs in state.history(last).values():
        for s in runs:
            for t in (s.target_at, s.breach_at):
                if t is not None and t > horizon:
                    horizon = t
            for p in s.passed:
                if p.at is not None and p.at > horizon:
                    horizon = p.at
            if s.next_escalation is not None and s.next_escalation.at is not None:
                horizon = max(horizon, s.next_escalation.at)
    out: list[MetricEvent] = []
    for metric, evaluated in state._runs(horizon + _US).items():
        for run in evaluated:
            s = run.status

            def add(kind: MetricEventKind, at: datetime, name: str = "") -> None:
                out.append(MetricEvent(state.ticket, metric, s.cycle, kind, at, name))  # noqa: B023

            add("activated", s.started_at, s.rules[0].rule if s.rules else s.rule)
            for change in s.rules[1:]:
                add("rule_changed", change.at, change.rule)
            for p in s.passed:
                if p.at is None:
                    continue
                if p.name == "warn":
                    add("at_risk", p.at)
                else:
                    add("escalation", p.at, p.name)
            zone = s.started_at.tzinfo or UTC
            for p0, p1 in run.pauses:
                if p1 == p0:  # a pause of no length (two statuses at one instant): none
                    continue
                add("paused", _instant(p0, zone))
                if p1 is not None and (s.stopped_at is None or _instant(p1, UTC) < s.stopped_at):
                    add("resumed", _instant(p1, zone))
            end = s.stopped_at
            if s.target_at is not None and (end is None or end > s.target_at):
                add("target_missed", s.target_at + _US)
            if s.breach_at is not None and (end is None or end > s.breach_at):
                add("breached", s.breach_at + _US)
            if end is not None:
                add("fulfilled", end)
    out.sort(key=lambda e: (e.at, CLOCK_METRICS.index(e.metric), e.cycle, _ORDER[e.kind]))
    return out
