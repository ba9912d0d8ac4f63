"""Notebook views of a metric's status and of a clock, from the package's Jinja2 templates.

Each builds plain text values (instants to the second, spans in hours and minutes
without microsecond noise) and renders ``views/metric_status.html`` or
``views/clock.html``; without Jinja2 (the ``text`` extra) they return None and a
notebook shows the plain repr.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from expectkit._core.html import span_text
from expectkit._core.templates import view_html

if TYPE_CHECKING:
    from expectkit.sla.clock import Clock
    from expectkit.sla.statuses import MetricStatus

__all__ = ["clock_html", "metric_status_html"]


_SHOWN_TICKETS: Final = 20


def _instant(t: datetime | None) -> str:
    if t is None:
        return "–"
    text = f"{t:%a %Y-%m-%d %H:%M}"
    if t.second or t.microsecond:
        text += f":{t:%S}"  # seconds matter (a chat answer); microseconds do not
    return f"{text} {t.tzname()}"


def metric_status_html(status: MetricStatus) -> str | None:
    """Render a metric's status: its state, deadlines, and time used and left.

    >>> from datetime import datetime, timedelta, UTC
    >>> from expectkit.sla.statuses import MetricStatus, RuleChange
    >>> t = datetime(2026, 11, 20, 9, tzinfo=UTC)
    >>> s = MetricStatus("first_response", "at_risk", 0, "email", (RuleChange(t, "email"),),
    ...                  "business", t, None, t + timedelta(hours=8), t + timedelta(days=2),
    ...                  timedelta(hours=7, microseconds=5), timedelta(hours=9), (), None)
    >>> html = metric_status_html(s)
    >>> "at_risk" in html and "7 h 00 min" in html and "Fri 2026-11-20 17:00 UTC" in html
    True
    """
    return view_html(
        "metric_status",
        metric=status.metric,
        state=status.state,
        cycle=status.cycle,
        rule=status.rule,
        clock=status.clock,
        started=_instant(status.started_at),
        stopped=_instant(status.stopped_at),
        target=_instant(status.target_at),
        promise=_instant(status.breach_at),
        elapsed=span_text(status.elapsed),
        remaining=span_text(status.remaining),
        escalations=[
            [point.name, point.threshold, _instant(point.at)]
            for point in (*status.passed, *filter(None, (status.next_escalation,)))
        ],
    )


def clock_html(clock: Clock) -> str | None:
    """Render a clock: its policy, and the first tickets' metrics as of their last event.

    >>> from expectkit import Clock, Policy
    >>> policy = Policy(name="desk", rules=[{"name": "r", "first_response": {"promise": "1 hour"}}])
    >>> clock = Clock(policy)
    >>> _ = clock.replay([{"ticket": "T1", "type": "created", "at": "2026-11-20T09:00:00Z",
    ...                    "channel": "email"}])
    >>> html = clock_html(clock)
    >>> "desk" in html and "T1" in html and "on_track" in html
    True
    """
    tickets = []
    for ticket in clock.tickets[:_SHOWN_TICKETS]:
        events = clock.events(ticket)
        if not events:
            continue
        last = max(event.at for event in events)
        status = clock.status(ticket, last)
        tickets.append(
            {
                "id": ticket,
                "last": _instant(last),
                "metrics": [(metric, s.state) for metric, s in status.items()],
            }
        )
    return view_html(
        "clock",
        policy=clock.policy.name or "(unnamed)",
        count=len(clock),
        warn=f"{clock.warn:.0%}",
        pending=len(clock.pending),
        tickets=tickets,
        more=max(0, len(clock) - _SHOWN_TICKETS),
    )
