"""Generated event logs for the frame clocks, and the in-memory Clock's answers for them.

Logs hold a few tickets on one of three policies: office hours in Berlin (nights,
weekends, priority re-matches, escalation points), a night shift in Berlin that spans
both DST nights of 2026, and the calendar clock. Rows come shuffled (out of order),
with pauses (``pending``/``on_hold``), solves, reopens and internal notes, and ticket
ids that are strings or whole numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from expectkit.clock import Clock, MetricStatus
from expectkit.policy import CLOCK_METRICS, Policy
from test_clock_properties import BUSINESS, CALENDAR
from test_clock_properties import make as clock_event

# The office and calendar policies of the clock's property tests, and their event rows.
OFFICE = BUSINESS

NIGHT = Policy.loads("""\
priorities: [vip, standard]
schedules:
  night: {tz: Europe/Berlin, weekly: {mon-sun: ["20:00-04:00"]}}
channels:
  email: {kind: email, schedule: night}
  chat: {kind: chat, schedule: night}
rules:
  - name: vip
    match: {priority: vip}
    first_response: {promise: "1 business hour", pause_on: [pending]}
    resolution: {promise: "6 business hours", target: "3 business hours"}
  - name: standard
    first_response: {promise: "3 business hours", escalations: [{name: half, at: "50% promise"}]}
    next_response: {promise: "2 business hours"}
    resolution: {promise: "10 business hours", pause_on: [pending, on_hold]}
    follow_up: {promise: "5 business hours"}
""")

POLICIES = {"office": OFFICE, "night": NIGHT, "calendar": CALENDAR}
CHANNELS = {"office": ["email", "chat"], "night": ["email", "chat"], "calendar": ["web"]}
# A Thursday before a weekend; the two DST nights of 2026 in Berlin (a Saturday evening).
STARTS = [
    datetime(2026, 11, 19, 7, 0, tzinfo=UTC),
    datetime(2026, 3, 28, 17, 0, tzinfo=UTC),
    datetime(2026, 10, 24, 17, 0, tzinfo=UTC),
]
KINDS = [
    "customer_message",
    "note",
    "pending",
    "on_hold",
    "open",
    "reply",
    "reply",
    "solved",
    "closed",
    "reopened",
    "vip",
    "standard",
]


def make(kind: str, at: datetime, ticket: object) -> dict[str, Any]:
    """One event row: ``at`` as a datetime, fields by kind."""
    return clock_event(kind, at, ticket) | {"at": at}


@st.composite
def event_logs(
    draw: st.DrawFn, max_tickets: int = 4, max_events: int = 10
) -> tuple[str, list[dict[str, Any]]]:
    """A policy name and the rows of an event log over it, shuffled."""
    which = draw(st.sampled_from(sorted(POLICIES)))
    start = draw(st.sampled_from(STARTS))
    numbers = draw(st.booleans())
    rows: list[dict[str, Any]] = []
    for n in range(draw(st.integers(1, max_tickets))):
        ticket: object = n + 100 if numbers else f"T{n}"
        created = start + timedelta(minutes=draw(st.integers(0, 2 * 24 * 60)))
        channel = draw(st.sampled_from(CHANNELS[which]))
        first: dict[str, Any] = {"ticket": ticket, "type": "created", "at": created}
        first["channel"] = channel
        if draw(st.booleans()):
            first["priority"] = draw(st.sampled_from(["vip", "standard"]))
        rows.append(first)
        offsets = draw(st.lists(st.integers(0, 3 * 24 * 60), max_size=max_events))
        rows += [
            make(draw(st.sampled_from(KINDS)), created + timedelta(minutes=o), ticket)
            for o in offsets
        ]
    order = draw(st.permutations(range(len(rows))))
    return which, [rows[k] for k in order]


def to_frame(rows: Sequence[dict[str, Any]], zone: str = "Europe/Berlin") -> pd.DataFrame:
    """The rows as a pandas event log, ``at`` in `zone`, missing fields as None/NaN."""
    frame = pd.DataFrame(list(rows))
    frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_convert(zone)
    return frame


def clock_of(which: str, rows: Iterable[dict[str, Any]]) -> Clock:
    """The in-memory Clock over the same events (ticket ids as strings, ISO instants)."""
    clock = Clock(POLICIES[which])
    clock.replay({**r, "ticket": str(r["ticket"]), "at": r["at"].isoformat()} for r in rows)
    return clock


def _us(value: Any) -> int | None:
    if value is None or value is pd.NaT or (not isinstance(value, datetime) and pd.isna(value)):
        return None
    return int((pd.Timestamp(value) - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(1, "us"))


def status_row(ticket: object, s: MetricStatus) -> tuple[Any, ...]:
    """A status as the comparable tuple of a frame row."""
    following = s.next_escalation
    return (
        str(ticket),
        s.metric,
        s.cycle,
        s.rule,
        s.clock,
        s.state,
        _us(s.started_at),
        _us(s.stopped_at),
        _us(s.target_at),
        _us(s.breach_at),
        s.elapsed // timedelta(microseconds=1),
        s.remaining // timedelta(microseconds=1),
        s.state == "paused",
        s.state == "breached",
        tuple(p.name for p in s.passed),
        None if following is None else following.name,
        None if following is None else _us(following.at),
    )


def expected_rows(clock: Clock, at: datetime, *, latest: bool = False) -> list[tuple[Any, ...]]:
    """The Clock's statuses at `at`, tickets in first-seen order, as frame-row tuples."""
    out: list[tuple[Any, ...]] = []
    for ticket in clock.tickets:
        found = (
            {m: (s,) for m, s in clock.status(ticket, at).items()}
            if latest
            else clock.history(ticket, at)
        )
        for metric in CLOCK_METRICS:
            out += [status_row(ticket, s) for s in found.get(metric, ())]
    return out


def frame_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The rows of a frame clock result (pandas) as comparable tuples."""
    out: list[tuple[Any, ...]] = []
    for r in frame.itertuples(index=False):
        out.append(
            (
                str(r.ticket),
                r.metric,
                int(r.cycle),
                r.rule,
                r.clock,
                r.state,
                _us(r.started_at),
                _us(r.stopped_at),
                _us(r.target_at),
                _us(r.breach_at),
                int(pd.Timedelta(r.elapsed) // pd.Timedelta(1, "us")),
                int(pd.Timedelta(r.remaining) // pd.Timedelta(1, "us")),
                bool(r.paused),
                bool(r.breached),
                tuple(np.asarray(r.escalations, dtype=object).tolist()),
                None
                if r.next_escalation is None or pd.isna(r.next_escalation)
                else r.next_escalation,
                _us(r.next_escalation_at),
            )
        )
    return out


def instants_of(rows: Sequence[dict[str, Any]], count: int = 5) -> list[datetime]:
    """Instants to ask at: spread over the log, and every event instant's neighbourhood."""
    times = sorted(r["at"] for r in rows)
    first, last = times[0], times[-1] + timedelta(days=2)
    step = (last - first) / count
    return [first + step * i for i in range(count + 1)] + [times[len(times) // 2]]
